"""The SMS templates in both languages: every one is worded from the catalogue, GSM-7, within
its budget, names only the protocol's (Indonesian) keywords, and a translator sees the budget.

Pure tests: no app, no database (the catalogues are read with Babel, as a worker reads them)."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_file

from resilience.core.settings import SMS_LANGUAGES, Settings, SettingsError
from resilience.dispatch import messages as t
from resilience.dispatch.replies import parse
from resilience.sms.gsm7 import is_gsm7, segments
from tests.web.catalogues import KEYWORDS, ROOT, catalogue

LANGS = t.LANGUAGES
ALL_VULNERABLE = {key: 999 for key in t.VULNERABLE_GROUPS}
LONG_LANDMARK = ("behind the big Al-Ikhlas mosque, into the small alley next to Bu Sri's green stall, "
                 "over the wooden bridge then left to the blue stilt house ") * 5
LONG_KELURAHAN = "Kelurahan " + "Mungku Baru Tumbang Tahai Petuk Bukit Pager Sei Gohong " * 3
FORBIDDEN = re.compile(r"\b(" + "|".join(t.TWILIO_RESERVED) + r")\b", re.IGNORECASE)
KEYWORD = re.compile(r"\b(YA|TIDAK|SELESAI|STATUS|BERHENTI|STOP|MULAI|AMAN|BANTU)\b(?: (T\d+))?")
MEANINGS = {"YA": "accept", "TIDAK": "decline", "SELESAI": "done", "STATUS": "status",
            "BERHENTI": "stop", "STOP": "stop", "MULAI": "start", "AMAN": "safe", "BANTU": "help"}
SMS_MODULE = ROOT / "resilience" / "dispatch" / "messages.py"


def _fits(message: str, parts: int = 2) -> str:
    assert is_gsm7(message), message
    encoding, count = segments(message)
    assert encoding == "GSM-7" and count <= parts, (count, len(message), message)
    assert "  " not in message and "%(" not in message, message
    return message


def _every_template(lang: str, code: str = "T123", landmark: str = "pasar", kelurahan: str = "Mungku Baru"):
    """Every template, every branch: {name: message}."""
    out = {
        "offer": t.offer(code, "evacuation", 5, {"elderly": 1}, landmark, kelurahan, 2400, 20, lang=lang),
        "offer_one_person": t.offer(code, "food", 1, {}, landmark, kelurahan, 2400, 1, lang=lang),
        "offer_residents": t.offer(code, "water", 0, {"elderly": 2}, "", "", 1500, 15, lang=lang),
        "offer_place_only": t.offer(code, "water", None, None, landmark, kelurahan, None, None, lang=lang),
        "offer_bare": t.offer(code, "water", None, None, None, None, None, None, lang=lang),
        "accepted": t.accepted(code, landmark, kelurahan, lang=lang),
        "accepted_nowhere": t.accepted(code, None, None, lang=lang),
        "declined": t.declined(code, lang=lang),
        "done": t.done(code, lang=lang),
        "not_yours": t.not_yours(code, lang=lang),
        "unknown_code": t.unknown_code(code, lang=lang),
        "ambiguous": t.ambiguous([code, "T7"], lang=lang),
        "ambiguous_many": t.ambiguous([f"T{10_000 + i}" for i in range(200)], lang=lang),
        "no_open_tasks": t.no_open_tasks(lang=lang),
        "status_list": t.status_list([(code, "accepted", "evacuation"), ("T7", "offered", "food")], lang=lang),
        "status_list_many": t.status_list([(f"T{i}", "accepted", "psychosocial") for i in range(300)], lang=lang),
        "opted_out": t.opted_out(lang=lang),
        "opted_in": t.opted_in(lang=lang),
        "help_text": t.help_text(lang=lang),
        "expired": t.expired(code, lang=lang),
        "cancelled": t.cancelled(code, lang=lang),
        "declined_alone": t.declined(code, reoffered=False, lang=lang),
        "backing_out": t.backing_out(code, lang=lang),
        "forwarded": t.forwarded([], lang=lang),
        "forwarded_one": t.forwarded([(code, "offered")], lang=lang),
        "forwarded_two": t.forwarded([(code, "accepted"), ("T7", "offered")], lang=lang),
        "forwarded_many": t.forwarded([(f"T{10_000 + i}", "accepted") for i in range(200)], lang=lang),
        "done_on_behalf": t.done_on_behalf(code, lang=lang),
        "checkin_question": t.checkin_question(code, lang=lang),
        "checkin_safe": t.checkin_safe([code, "T7"], lang=lang),
        "checkin_safe_many": t.checkin_safe([f"T{10_000 + i}" for i in range(200)], lang=lang),
        "checkin_help": t.checkin_help([code], lang=lang),
        "checkin_help_alone": t.checkin_help([], lang=lang),
        "checkin_none": t.checkin_none(lang=lang),
    }
    out.update({f"already_{s}": t.already(code, s, lang=lang) for s in t.TASK_STATUSES})
    out.update({f"task_state_{s}": t.task_state(code, s, lang=lang) for s in t.TASK_STATUSES})
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("variables", [
    {}, {"code": "T9999999999"}, {"landmark": LONG_LANDMARK, "kelurahan": LONG_KELURAHAN},
    {"landmark": "😀" * 400, "kelurahan": "€[]{}" * 100},
], ids=["plain", "long code", "long text", "odd text"])
def test_every_template_is_gsm7_within_two_segments(lang, variables):
    for name, message in _every_template(lang, **variables).items():
        _fits(message)


@pytest.mark.parametrize("name", ["declined", "done", "not_yours", "unknown_code", "expired", "cancelled",
                                  "no_open_tasks", "opted_out", "opted_in", "declined_alone", "backing_out",
                                  "forwarded", "task_state_offered", "task_state_accepted", "done_on_behalf",
                                  "checkin_question", "checkin_none"])
@pytest.mark.parametrize("lang", LANGS)
def test_short_confirmations_are_one_sms_with_the_longest_code(lang, name):
    _fits(_every_template(lang, code="T9999999999")[name], parts=1)


@pytest.mark.parametrize("lang", LANGS)
def test_the_worst_offer_fits_by_shortening_the_landmark_not_the_instructions(lang):
    code = "T9999999999"
    message = _fits(t.offer(code, "psychosocial", 999, ALL_VULNERABLE, LONG_LANDMARK, LONG_KELURAHAN,
                            999_900, 1440, lang=lang))
    assert segments(message).count == 2
    instructions = t.offer(code, "food", None, None, None, None, None, 1440, lang=lang).split(". ", 1)[1]
    assert message.endswith(instructions)  # the reply instructions whole, at the end
    assert f"YA {code}" in message and f"TIDAK {code}" in message and "1440" in message
    words = t.words(lang)
    for group in t.VULNERABLE_GROUPS:
        assert f"999 {words['vulnerable'][group]}" in message
    assert LONG_LANDMARK[:20] in message and LONG_LANDMARK not in message and "..." in message
    # a long kelurahan with a short landmark: the kelurahan keeps at least 16 characters
    short = _fits(t.offer(code, "psychosocial", 999, ALL_VULNERABLE, "pasar", LONG_KELURAHAN, 999_900, 1440,
                          lang=lang))
    assert "pasar" in short and "Kelurahan Mungku" in short


def test_english_offer_reads_in_english_and_names_the_indonesian_keywords():
    message = _fits(t.offer("T123", "evacuation", 5, {"elderly": 2, "children_under5": 1}, "near the mosque",
                            "Mungku Baru", 1_234_560, 20, lang="en"))
    assert message == ("Task T123: evacuation (boat) for 5 people (2 elderly, 1 under-fives). "
                       "Location: near the mosque, Kel. Mungku Baru (1,234.6 km from you). "
                       "Reply YA T123 to accept or TIDAK T123 to decline. Valid for 20 minutes.")
    assert t.offer("T1", "food", 1, {}, "", "", 350, 1, lang="en") == (
        "Task T1: food for 1 person. 0.3 km from you. Reply YA T1 to accept or TIDAK T1 to decline. "
        "Valid for 1 minute.")
    assert t.offer("T1", "food", 1, {}, "", "", 350, 1) == (
        "Tugas T1: makanan untuk 1 orang. Jarak 0,3 km dari Anda. Balas YA T1 untuk menerima atau "
        "TIDAK T1 untuk menolak. Berlaku 1 menit.")


@pytest.mark.parametrize("lang", LANGS)
def test_no_twilio_reserved_word_in_any_language(lang):
    for name, message in _every_template(lang).items():
        assert not FORBIDDEN.search(message), (lang, name, message)


@pytest.mark.parametrize("lang", LANGS)
def test_every_instruction_is_a_protocol_keyword_that_parses(lang):
    asked = set()
    for name, message in _every_template(lang).items():
        for keyword, code in KEYWORD.findall(message):
            asked.add(keyword)
            reply = parse(f"{keyword} {code}")
            assert reply.command == MEANINGS[keyword], (name, keyword)
            if code and reply.command not in ("stop", "start", "status"):
                assert reply.code == code
    assert asked == set(MEANINGS)  # the English SMS teach the same Indonesian keywords


def test_the_languages_differ_only_in_words():
    indonesian, english = _every_template("id"), _every_template("en")
    for name in indonesian:
        assert indonesian[name] != english[name], name
        if not name.endswith("_many"):  # a long list shows as many codes as fit its language
            assert re.findall(r"\bT\d+\b", indonesian[name]) == re.findall(r"\bT\d+\b", english[name]), name


def test_personal_identifiers_in_free_text_are_masked_in_english_too():
    for lang in LANGS:
        message = t.offer("T12", "food", 2, {}, "Pak Budi HP 0812-3456-7890 NIK 6271054507800001",
                          "Mungku Baru 0812345678901", 900, 20, lang=lang)
        assert "***" in message and not re.search(r"\d{4}", message.replace("T12", "T"))


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        t.done("T1", lang="fr")
    with pytest.raises(ValueError):
        t.offer("T1", "boats", 1, {}, "", "", 1, 20, lang="en")


# --- the catalogue ----------------------------------------------------------------------------

def _sms_entries(lang: str):
    return [m for m in catalogue(lang) if m.id and m.context == "sms"]


def test_every_sms_message_id_has_a_translator_note_with_its_budget():
    found = list(extract_from_file("python", SMS_MODULE, keywords=KEYWORDS, comment_tags=["NOTE:"],
                                   strip_comment_tags=True))
    assert len(found) >= 40
    unnoted = [message for _line, message, comments, context in found if not comments]
    assert unnoted == []
    for _line, message, comments, context in found:
        assert context == "sms", message
        assert "SMS" in " ".join(comments), message
    for lang in LANGS:  # and the note reached the .po files (pybabel extract -c NOTE:)
        assert all("SMS" in " ".join(m.auto_comments) for m in _sms_entries(lang)), lang


def test_the_indonesian_catalogue_words_every_sms():
    entries = _sms_entries("id")
    assert len(entries) >= 40 and all(m.string and m.string != m.id for m in entries)
    for m in entries:  # the keywords survive translation
        assert sorted(KEYWORD.findall(m.string)) == sorted(KEYWORD.findall(m.id)), m.id


def test_english_is_the_message_id():
    assert all(not m.string for m in _sms_entries("en"))
    assert t.words("en")["statuses"]["offered"] == "awaiting your answer"


# --- the setting ------------------------------------------------------------------------------

def test_sms_language_setting_defaults_to_indonesian_and_is_checked(tmp_path):
    base = {"RESILIENCE_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).sms_language == "id"
    assert Settings.from_env({**base, "SMS_LANGUAGE": "en"}).sms_language == "en"
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**base, "SMS_LANGUAGE": "english"})
    assert "SMS_LANGUAGE" in str(info.value) and "\n" not in str(info.value)
    assert SMS_LANGUAGES == t.LANGUAGES


def test_outside_an_app_sms_are_indonesian():
    assert t.language() == "id"


@pytest.mark.parametrize("lang", LANGS)
def test_the_sms_words_cover_the_domains_vocabulary(lang):
    from resilience.dispatch.models import TASK_STATUSES
    from resilience.vocabulary import NEED_CATEGORIES, VULNERABILITY_FIELDS

    vocabulary = t.words(lang)
    assert list(vocabulary["needs"]) == list(NEED_CATEGORIES)
    assert list(vocabulary["vulnerable"]) == list(VULNERABILITY_FIELDS)
    assert set(vocabulary["statuses"]) == set(TASK_STATUSES) == set(t.TASK_STATUSES)


# --- answers that tell the truth about the volunteer's tasks (issue 13) -------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", ["T1", "T9999999999", "T999999999999"])
def test_truthful_answers_fit_with_the_longest_codes(lang, code):
    """Worst cases: 12-digit codes (replies.MAX_CODE_DIGITS), the longest status words, lists
    cut to fit."""
    statuses = t.TASK_STATUSES
    messages = [t.task_state(code, status, lang=lang) for status in statuses]
    messages += [t.forwarded([(code, status)], lang=lang) for status in statuses]
    messages += [t.forwarded([(code, status) for status in statuses] * 40, lang=lang),
                 t.forwarded([(code, "x" * 500)], lang=lang), t.forwarded([(code, "x" * 500)] * 3, lang=lang),
                 t.backing_out(code, lang=lang), t.declined(code, reoffered=False, lang=lang)]
    for message in messages:
        _fits(message)
        assert code in message
    assert segments(t.forwarded([(code, "offered")], lang=lang)).count <= 2
    for one_part in (t.backing_out(code, lang=lang), t.declined(code, reoffered=False, lang=lang),
                     t.task_state(code, "accepted", lang=lang), t.forwarded([], lang=lang)):
        _fits(one_part, parts=1)


def test_truthful_answers_in_indonesian_and_english():
    assert t.task_state("T5", "offered") == \
        "T5 belum Anda terima; balas YA T5 untuk menerima atau TIDAK T5 untuk menolak."
    assert t.task_state("T5", "accepted") == "T5 sudah Anda terima; balas SELESAI T5 jika sudah selesai."
    assert t.task_state("T5", "accepted", lang="en") == "You have accepted T5; reply SELESAI T5 when it is done."
    assert t.task_state("T5", "done") == t.already("T5", "done")
    assert t.task_state("T5", "expired") == t.expired("T5") and t.task_state("T5", "cancelled") == t.cancelled("T5")
    assert t.backing_out("T5") == "T5 sudah Anda terima. Jika Anda tidak bisa melaksanakannya, balas TIDAK T5."
    assert t.forwarded([]) == "Pesan Anda sudah kami teruskan ke koordinator. Terima kasih."
    assert t.forwarded([("T5", "accepted")]) == (
        "Pesan Anda sudah kami teruskan ke koordinator. T5 sudah Anda terima; balas SELESAI T5 jika sudah selesai.")
    assert t.forwarded([("T5", "accepted"), ("T6", "offered")]) == (
        "Pesan Anda sudah kami teruskan ke koordinator. Tugas Anda saat ini: T5: diterima; T6: menunggu jawaban.")
    assert t.forwarded([("T5", "offered")], lang="en") == (
        "Your message has been passed to the coordinator. You have not accepted T5 yet; reply YA T5 to accept "
        "or TIDAK T5 to decline.")


def test_a_decline_nobody_else_can_take_does_not_promise_another_volunteer():
    for lang in LANGS:
        alone, reoffered = t.declined("T5", reoffered=False, lang=lang), t.declined("T5", lang=lang)
        assert alone != reoffered and "T5" in alone
    assert t.declined("T5", reoffered=False) == \
        "Terima kasih, tugas T5 dibatalkan untuk Anda. Koordinator akan mencarikan relawan lain."
    assert "ditawarkan" not in t.declined("T5", reoffered=False)
    assert "will be offered" not in t.declined("T5", reoffered=False, lang="en")
