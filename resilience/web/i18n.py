"""The page language and the locale's way of writing words, numbers, distances and times.

Words live in gettext catalogues (``resilience/translations/<lang>/LC_MESSAGES/messages.po``,
English message ids, Bahasa Indonesia by default); this module picks the language of each
page, wires Flask-Babel and the time zone (the ``TIMEZONE`` setting), and words stored codes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, session
from flask_babel import Babel, format_datetime, format_decimal, get_babel, get_timezone, gettext

from resilience.core.errors import Message

from resilience.web.labels import LABELS, Translated, label

DEFAULT_LANGUAGE = "id"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

# Stored values (English codes in the database and the API) and the label-key prefix that
# words them: ``term("offered", "task_status")`` is "ditawarkan" in Bahasa Indonesia.
TERMS = {
    "task_status": "task_status_",
    "need_status": "need_status_",
    "category": "cat_",
    "skill": "skill_",
    "availability": "avail_",
    "event_status": "event_status_",
    "sms_status": "sms_status_",
    "group_kind": "group_kind_",
    "inbox_command": "inbox_cmd_",
}


def init_babel(app, timezone: str) -> None:
    """Flask-Babel for the whole app: the page language from the session, times in ``timezone``."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    app.config["BABEL_DEFAULT_TIMEZONE"] = timezone
    if "babel" not in app.extensions:
        Babel(app, locale_selector=current_language)


def current_language() -> str:
    if has_request_context():
        lang = session.get("lang")
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def term(value, kind: str) -> str:
    """A stored code (a status, category, skill, availability, …) in the page language.

    An unknown value is shown as it is (data newer than the catalogue stays readable)."""
    if value is None or value == "":
        return "—"
    key = f"{TERMS[kind]}{value}"
    return label(key) if key in LABELS else str(value)


def terms(kind: str, values=None) -> dict[str, str]:
    """All words of one kind (for a page's JavaScript), or those of ``values``."""
    prefix = TERMS[kind]
    if values is None:
        values = [k[len(prefix):] for k in LABELS if k.startswith(prefix)]
    return {v: term(v, kind) for v in values}


def number(value: float, digits: int = 1) -> str:
    """A number as the page language writes it (Indonesian 1.234,5; English 1,234.5)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern)


def distance(metres: float | None) -> str:
    if metres is None:
        return "—"
    return f"{number(metres / 1000)} km" if metres >= 1000 else f"{number(metres, 0)} m"


def zone_label(value=None) -> str:
    """The short name of the configured zone at ``value`` (WIB, WITA, WIT; else the offset)."""
    moment = value or datetime.now(timezone.utc)
    try:
        return ZONE_NAMES.get(str(get_timezone()), moment.astimezone(get_timezone()).strftime("UTC%z"))
    except (OverflowError, ValueError):
        return "UTC"


# Indonesia's three zones have names the CLDR does not give in Bahasa Indonesia.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def local_time(value, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC time in the configured zone, with the zone's name: ``2026-01-05 14:30 WIB``."""
    if value is None:
        return ""
    try:
        return f"{format_datetime(value, pattern)} {zone_label(value)}"
    except (OverflowError, ValueError):
        # A stored time at the edge of the calendar (9999-12-31, from before times were
        # range-checked) has no local time: shown in UTC rather than breaking the page.
        return value.strftime("%Y-%m-%d %H:%M") + " UTC"


def local_zone() -> ZoneInfo:
    """The TIMEZONE setting's zone (Asia/Jakarta unless configured)."""
    return ZoneInfo(get_babel().default_timezone)


def with_zone(text: str) -> str:
    """A datetime-local input (``2026-01-05T14:30``, no offset) read in the configured zone, as
    ISO 8601 with its offset; text that is not a date is returned as it is for the schema to refuse."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        return text
    return naive.replace(tzinfo=local_zone()).isoformat()


# --------------------------------------------------------------------------- messages
class UntranslatedMessage(AssertionError):
    """A page was about to show a message that carries no message id (English only)."""


def message_text(message) -> str:
    """A validation or domain message in the page language.

    A :class:`~resilience.core.errors.Message` is worded from the catalogue by its id with its
    parameters (numbers as the locale writes them, stored codes as words); text the page worded
    itself passes through. Anything else would be English: tests fail on it, and production
    shows a general sentence in the page language rather than switch languages mid-page."""
    if isinstance(message, Message):
        text = gettext(message.msgid)
        if not message.params:
            return text
        return text % {name: _parameter(value, message.terms.get(name)) for name, value in message.params.items()}
    if isinstance(message, Translated):
        return str(message)
    if message is None or message == "":
        return ""
    if current_app.testing:
        raise UntranslatedMessage(f"message without a message id reached a page: {message!r}")
    return gettext("This value is not accepted; check it and try again.")


def _parameter(value, kind: str | None):
    if kind is not None and isinstance(value, str):
        return term(value, kind)
    if isinstance(value, Message):
        return message_text(value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return format_decimal(value)
    return value


def duration(minutes: float | None) -> str:
    """Minutes as a person reads them: "45 mnt", "2 j 05 mnt", "3 hr 4 j"."""
    if minutes is None:
        return gettext("—")
    total = int(round(minutes))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return gettext("%(h)s h %(m)s min", h=hours, m=f"{mins:02d}")
    return gettext("%(m)s min", m=mins)
