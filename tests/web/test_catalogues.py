"""The gettext catalogues are complete, current and consistent with the code.

Fails on: a string in the code or templates that is not in a catalogue (extracted but missing),
a catalogue entry the code no longer has (stale), an Indonesian entry that is empty or fuzzy,
a translation whose placeholders are not the message id's, a compiled .mo older than its .po,
and a user-facing error raised with bare English text instead of a message id."""

from __future__ import annotations

import ast
import io
from gettext import GNUTranslations
from pathlib import Path

import marshmallow as ma
import pytest
from babel.messages.mofile import write_mo

from resilience.core.errors import Message, ValidationFailed
from tests.web.catalogues import LANGUAGES, ROOT, catalogue, entries, extracted, placeholders, po_path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_holds_exactly_what_the_code_uses(lang):
    in_catalogue = {(m.context, m.id) for m in entries(lang)}
    in_code = extracted()
    missing = sorted(in_code - in_catalogue, key=str)
    stale = sorted(in_catalogue - in_code, key=str)
    assert missing == [], f"extracted but not in {lang}/messages.po (run the README's update commands): {missing[:10]}"
    assert stale == [], f"in {lang}/messages.po but no longer in the code: {stale[:10]}"


def test_every_indonesian_message_is_translated_and_not_fuzzy():
    untranslated = [(m.context, m.id) for m in entries("id") if not m.string]
    fuzzy = [(m.context, m.id) for m in entries("id") if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_use_only_the_message_ids_placeholders(lang):
    wrong = []
    for m in entries(lang):
        if not m.string:
            continue
        extra = placeholders(m.string) - placeholders(m.id)
        if extra:
            wrong.append((m.id, sorted(extra)))
        if "%" in m.id and "python-format" not in m.flags and placeholders(m.id):
            wrong.append((m.id, "not flagged python-format"))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pybabel_compile_finds_no_error(lang):
    """Babel's own checks (what ``pybabel compile`` prints as errors), e.g. ``%(name)r`` in the id
    and ``%(name)s`` in the translation: a conversion the translation cannot keep."""
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue(lang).check()]
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogues_are_current(lang):
    """The .mo files are committed (a fresh clone works without a compile step); they must say
    what the .po says."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue(lang))
    buffer.seek(0)
    expected = GNUTranslations(buffer)._catalog
    with po_path(lang).with_suffix(".mo").open("rb") as handle:
        committed = GNUTranslations(handle)._catalog
    assert committed == expected, f"run: pybabel compile -d resilience/translations ({lang} is stale)"


# ------------------------------------------------------------------------ message ids in code
ERROR_CLASSES = {"DomainError", "ValidationFailed", "Unauthorized", "Forbidden", "NotFound", "Conflict",
                 "InvalidValue", "ValidationError"}
# Not checked: messages only the API or the command line shows (token auth, GeoJSON import,
# CSV import).
NOT_YET = ("resilience/accounts/auth.py", "resilience/areas/api.py", "resilience/households/api.py",
           "resilience/households/importer.py")


def _bare_english(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def test_user_facing_errors_carry_message_ids():
    """Raising an error with an English string (or f-string) is refused: pages could not word it."""
    offenders = []
    for path in sorted((ROOT / "resilience").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(NOT_YET):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "field" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "ValidationFailed":
                args = node.args[1:2]
            elif name in ERROR_CLASSES:
                args = node.args[:1]
            else:
                continue
            if args and _bare_english(args[0]):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == [], "wrap these messages in Message(...): " + ", ".join(offenders)


def test_a_message_is_the_apis_english_and_remembers_its_id():
    message = Message("household %(id)s is %(status)r", id=12, status="open")
    assert message == "household 12 is 'open'" and message.msgid == "household %(id)s is %(status)r"
    error = ValidationFailed.field("members", message)
    assert error.detail == "members: household 12 is 'open'" and error.errors[0]["message"].params["id"] == 12


def test_marshmallow_keeps_its_english_and_adds_message_ids():
    class Schema(ma.Schema):
        count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=100))
        kind = ma.fields.String(validate=ma.validate.OneOf(["a", "b"]))
        name = ma.fields.String(validate=ma.validate.Length(max=3))

    with pytest.raises(ma.ValidationError) as missing:
        Schema().load({})
    (required,) = missing.value.messages["count"]
    assert required == "Missing data for required field." and required.msgid == "Missing data for required field."
    with pytest.raises(ma.ValidationError) as bad:
        Schema().load({"count": 101, "kind": "c", "name": "long", "other": 1})
    messages = bad.value.messages
    assert messages["count"][0] == "Must be greater than or equal to 0 and less than or equal to 100."
    assert messages["count"][0].params == {"min": 0, "max": 100}
    assert messages["kind"][0] == "Must be one of: a, b." and messages["kind"][0].params == {"choices": "a, b"}
    assert messages["name"][0] == "Longer than maximum length 3." and messages["name"][0].params["max"] == 3
    assert messages["other"][0] == "Unknown field." and isinstance(messages["other"][0], Message)
    with pytest.raises(ma.ValidationError) as wrong_type:
        Schema().load({"count": "x"})
    assert wrong_type.value.messages["count"][0].msgid == "Not a valid integer."
