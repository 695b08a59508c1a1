"""The gettext catalogues as the tests read them, and pybabel's extraction run in-process with
the same mapping (babel.cfg) and keywords as the documented command."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resilience" / "translations"
LANGUAGES = ("id", "en")
# Keep in step with the README's `pybabel extract` command and babel.cfg's comment.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["lazy_gettext", "lazy_pgettext:1c,2", "_p:1c,2", "Message"])}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrf]")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


@lru_cache(maxsize=1)
def extracted() -> frozenset[tuple[str | None, str]]:
    """(context, message id) of every string pybabel finds in the code and templates."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((context, msgid))
    return frozenset(found)


def entries(lang: str):
    return [m for m in catalogue(lang) if m.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))
