"""SMS messages a volunteer receives about tasks, worded from the gettext catalogues.

Pure functions (no Flask, no database): each template takes ``lang`` (``"id"``, the default,
or ``"en"``) and words the message from ``resilience/translations/<lang>`` (message context
``sms``; the ids are English). The catalogues are read with Babel's ``support.Translations``,
once per language and process, not through Flask-Babel: an SMS is worded in a Celery worker,
in the embedded worker thread and in tests, where there is no request and may be no app, and
its language is the recipient's, never the language of a page being served. Which language a
volunteer gets: :func:`language` (the ``SMS_LANGUAGE`` setting). GSM-7 and segment counting:
``sms.gsm7``.

Templates
---------
Every template returns GSM-7-only text of at most 2 segments (306 septets) in both languages
for realistic inputs (codes ``T`` + up to 10 digits, counts up to 999, distances up to
1000 km, timeouts up to a day; landmark and kelurahan text of any length). The rules:

* Free text (landmark, kelurahan, words passed through) is passed through ``to_gsm7``,
  whitespace runs (newlines included) become one space, and any run of 8 or more digits
  (optionally separated by spaces, dots, slashes or dashes) is replaced by ``***``: a phone
  number, NIK or KK number typed into a landmark never reaches a volunteer's phone. The
  templates do not take NIK, KK number or household phone at all.
* The kelurahan name is shown as ``Kel. <name>`` unless it already starts with ``Kel``,
  ``Kelurahan`` or ``Desa``.
* An unknown need category or vulnerable-group key is a programming error: ``ValueError``;
  so is a language without a catalogue.
* When a message would not fit, variable text is shortened with ``...`` in this order: the
  landmark down to 24 characters, the kelurahan name down to 16, then the landmark and the
  kelurahan altogether. The task code and the reply instructions are never shortened.
  ``status_list`` and ``ambiguous`` list as many codes as fit and add ``+N lagi`` (``+N more``);
  a status or category word passed through as free text is cut to 30 characters.
* Instructions name only the protocol's keywords (YA, TIDAK, SELESAI, STATUS, BERHENTI/STOP,
  MULAI, AMAN, BANTU), in English too: they are what ``dispatch.replies`` reads. Never Twilio's reserved
  words (CANCEL, END, QUIT, YES, START, HELP, INFO …), in any language.
* Need categories and task statuses are given as the SPEC's English keys and worded by the
  catalogue; ``status_list`` and ``already`` also accept another word and show it as it is.
* Every SMS message id carries a translator comment (``#.`` in the .po) with the budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_decimal
from babel.support import Translations

from resilience.sms.gsm7 import GSM7_PART, GSM7_SINGLE, MAX_SEGMENTS, fits, to_gsm7
from resilience.vocabulary import NEED_CATEGORIES, VULNERABILITY_FIELDS

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# The Household fields; the order is the order shown.
VULNERABLE_GROUPS = VULNERABILITY_FIELDS
TASK_STATUSES = ("proposed", "offered", "accepted", "declined", "expired", "done", "cancelled", "failed")

# Words that must never appear as instructions: Twilio acts on them by itself.
TWILIO_RESERVED = ("CANCEL", "END", "QUIT", "YES", "STOPALL", "UNSUBSCRIBE", "START", "UNSTOP",
                   "INFO", "HELP")


# --- language -----------------------------------------------------------------------------


def language(volunteer: object = None) -> str:
    """The language of the SMS a volunteer gets: the ``SMS_LANGUAGE`` setting (``id`` unless
    configured; outside an app, ``id``). One place to ask, so a per-volunteer choice can be
    added here later."""
    from flask import current_app, has_app_context  # the templates themselves need no Flask

    if has_app_context():
        settings = current_app.config.get("SETTINGS")
        return getattr(settings, "sms_language", DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    """The catalogue of ``lang``, read once per process."""
    if lang not in LANGUAGES:
        raise ValueError(f"no SMS catalogue for language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return Translations.load(str(TRANSLATIONS), [lang])


@lru_cache(maxsize=None)
def _vocabulary(lang: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(need words, vulnerable-group words, status words) in ``lang``."""
    tr = translations(lang)
    needs = {
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "evacuation": tr.pgettext("sms", "evacuation (boat)"),
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "medical": tr.pgettext("sms", "first aid"),
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "psychosocial": tr.pgettext("sms", "psychosocial support"),
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "food": tr.pgettext("sms", "food"),
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "water": tr.pgettext("sms", "clean water"),
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "clothing": tr.pgettext("sms", "clothing"),
        # NOTE: SMS word (need category) inside a task offer: keep it short (2-part SMS budget).
        "logistics": tr.pgettext("sms", "logistics"),
    }
    vulnerable = {
        # NOTE: SMS word after a count ("4 elderly") in a task offer: keep it short (2-part SMS budget).
        "elderly": tr.pgettext("sms", "elderly"),
        # NOTE: SMS word after a count ("4 under-fives") in a task offer: keep it short (2-part SMS budget).
        "children_under5": tr.pgettext("sms", "under-fives"),
        # NOTE: SMS word after a count in a task offer: keep it short (2-part SMS budget).
        "pregnant_or_lactating": tr.pgettext("sms", "pregnant/nursing"),
        # NOTE: SMS word after a count in a task offer: keep it short (2-part SMS budget).
        "disabled": tr.pgettext("sms", "disabled"),
        # NOTE: SMS word after a count in a task offer: keep it short (2-part SMS budget).
        "chronically_ill": tr.pgettext("sms", "chronically ill"),
    }
    statuses = {
        # NOTE: SMS word: a task's status ("Task T123 is already proposed"); keep it short.
        "proposed": tr.pgettext("sms", "proposed"),
        # NOTE: SMS word: a task's status (the volunteer has not answered yet); keep it short.
        "offered": tr.pgettext("sms", "awaiting your answer"),
        # NOTE: SMS word: a task's status; keep it short.
        "accepted": tr.pgettext("sms", "accepted"),
        # NOTE: SMS word: a task's status; keep it short.
        "declined": tr.pgettext("sms", "declined"),
        # NOTE: SMS word: a task's status; keep it short.
        "expired": tr.pgettext("sms", "expired"),
        # NOTE: SMS word: a task's status; keep it short.
        "done": tr.pgettext("sms", "done"),
        # NOTE: SMS word: a task's status; keep it short.
        "cancelled": tr.pgettext("sms", "cancelled"),
        # NOTE: SMS word: a task's status; keep it short.
        "failed": tr.pgettext("sms", "failed"),
    }
    return needs, vulnerable, statuses


def words(lang: str = DEFAULT_LANGUAGE) -> dict[str, dict[str, str]]:
    """The SMS words of ``lang``: ``{"needs": …, "vulnerable": …, "statuses": …}`` by key."""
    needs, vulnerable, statuses = _vocabulary(lang)
    return {"needs": dict(needs), "vulnerable": dict(vulnerable), "statuses": dict(statuses)}


# --- free text ----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
# 8+ digits, possibly grouped by spaces, dots or dashes: phone, NIK and KK numbers.
_LONG_NUMBER = re.compile(r"\+?\d(?:[ ./\-]?\d){7,}")
_ELLIPSIS = "..."
_WORD_MAX = 30  # a status or category word passed through as text is cut to this


def _clean(value: object) -> str:
    """Free text as it may appear in an SMS: GSM-7, one line, no long numbers."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", to_gsm7(str(value))).strip()
    return _LONG_NUMBER.sub("***", text)


def _code(code: object) -> str:
    return _SPACES.sub("", to_gsm7(str(code))).upper()


def _need(category: str, lang: str) -> str:
    try:
        return _vocabulary(lang)[0][category]
    except KeyError:
        raise ValueError(f"unknown need category {category!r}; expected one of {', '.join(NEED_CATEGORIES)}") from None


def _status(word: object, lang: str) -> str:
    return _vocabulary(lang)[2].get(str(word)) or _shorten(_clean(word), _WORD_MAX)


def _category(word: object, lang: str) -> str:
    return _vocabulary(lang)[0].get(str(word)) or _shorten(_clean(word), _WORD_MAX)


def _kelurahan(name: str) -> str:
    if not name:
        return ""
    if re.match(r"(?i)(kel\b|kelurahan\b|desa\b)", name):
        return name
    return f"Kel. {name}"


def _shorten(value: str, keep: int) -> str:
    """``value`` cut to ``keep`` characters (``...`` included); "" when ``keep`` is too small."""
    if len(value) <= keep:
        return value
    room = keep - len(_ELLIPSIS)
    if room < 1:
        return ""
    head = value[:room].rstrip(" ,.;:-/(")
    return head + _ELLIPSIS if head else ""


def _fit(render: Callable[..., str], values: dict[str, str],
         steps: Iterable[tuple[str, int]]) -> str:
    """Render, shortening ``values[name]`` step by step to at least ``floor`` characters.

    For each step the longest length (not below ``floor``) that lets the message fit is found
    by bisection; when even ``floor`` does not fit the value stays at ``floor`` and the next
    step shortens the next value. If nothing is left to shorten the last render is returned.
    """
    values = dict(values)
    text = render(**values)
    if fits(text):
        return text
    for name, floor in steps:
        full = values[name][: GSM7_PART * MAX_SEGMENTS]
        if len(full) <= floor:
            continue
        candidate = {**values, name: _shorten(full, floor)}
        if not fits(render(**candidate)):
            values = candidate
            continue
        lo, hi = floor, len(full) - 1  # lo fits, the full value does not
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(render(**{**values, name: _shorten(full, mid)})):
                lo = mid
            else:
                hi = mid - 1
        return render(**{**values, name: _shorten(full, lo)})
    return render(**values)


_PLACE_STEPS = (("landmark", 24), ("kelurahan", 16), ("landmark", 0), ("kelurahan", 0))


def _place(landmark: str, kelurahan: str) -> str:
    return ", ".join(part for part in (landmark, kelurahan) if part)


def _km(distance_m: float, lang: str) -> str:
    """``1.234,5 km`` in Indonesian, ``1,234.5 km`` in English."""
    km = round(float(distance_m) / 1000, 1)  # rounded as Python rounds the float (0.35 -> 0.3)
    return format_decimal(km, format="#,##0.0", locale=lang) + " km"


def _count_list(items: list[str], render: Callable[[str], str], sep: str, lang: str) -> str:
    """``render`` of as many ``items`` as fit, joined with ``sep``, and "+N lagi" for the rest."""
    tr = translations(lang)
    for shown in range(min(len(items), GSM7_SINGLE), 0, -1):  # 160 items never fit anyway
        rest = len(items) - shown
        # NOTE: SMS: ends a list of task codes cut short to fit the SMS ("T1, T2, +3 more").
        more = tr.pgettext("sms", "+%(count)s more") % {"count": rest}
        text = render(sep.join(items[:shown]) + (f"{sep}{more}" if rest else ""))
        if fits(text):
            return text
    # NOTE: SMS: stands for a list of task codes too long for the SMS ("12 tasks").
    return render(tr.pgettext("sms", "%(count)s tasks") % {"count": len(items)})


def _sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)


# --- templates ----------------------------------------------------------------------------
# Each message id below is one SMS or a sentence of one. Their translator comment (NOTE:) is
# extracted into the .po files (pybabel extract -c NOTE:, resilience/translations/README.md).


def offer(code: str, need_category: str, people: int | None, vulnerable: Mapping[str, int] | None,
          landmark: str | None, kelurahan: str | None, distance_m: float | None,
          timeout_minutes: int | None, approximate: bool = False, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The task offer: code, need, people (and vulnerable members), place, distance, how to answer.

    ``vulnerable`` is keyed by the Household fields (``VULNERABLE_GROUPS``); zero counts are
    left out. ``people``, ``distance_m`` and ``timeout_minutes`` may be None (left out).
    ``approximate``: the household's point is only its kelurahan's, so the place is announced
    as "Lokasi perkiraan" and the distance as "+-" (the volunteer asks around the landmark).
    """
    tr = translations(lang)
    code = _code(code)
    need = _need(need_category, lang)
    labels = _vocabulary(lang)[1]
    vulnerable = dict(vulnerable or {})
    unknown = set(vulnerable) - set(labels)
    if unknown:
        raise ValueError(f"unknown vulnerable group(s) {sorted(unknown)}; expected {list(VULNERABLE_GROUPS)}")
    groups = [f"{int(vulnerable[key])} {labels[key]}" for key in VULNERABLE_GROUPS
              if int(vulnerable.get(key) or 0) > 0]
    if people == 1:
        # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the need for one person.
        need = tr.pgettext("sms", "%(need)s for 1 person") % {"need": need}
    elif people:
        # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the need and how many people.
        need = tr.pgettext("sms", "%(need)s for %(people)s people") % {"need": need, "people": int(people)}
    elif groups:
        # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the need, for a household of unknown size.
        need = tr.pgettext("sms", "%(need)s for residents") % {"need": need}
    if groups:
        need += f" ({', '.join(groups)})"
    # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters). T123 is the task code.
    head = tr.pgettext("sms", "Task %(code)s: %(need)s.") % {"code": code, "need": need}
    distance = _km(distance_m, lang) if distance_m is not None else ""
    if distance and approximate:
        distance = "+-" + distance
    # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters). YA and TIDAK are reply keywords: keep them.
    answer = tr.pgettext("sms", "Reply YA %(code)s to accept or TIDAK %(code)s to decline.") % {"code": code}
    if timeout_minutes == 1:
        # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): how long the offer stands.
        valid = tr.pgettext("sms", "Valid for 1 minute.")
    elif timeout_minutes:
        # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): how long the offer stands.
        valid = tr.pgettext("sms", "Valid for %(minutes)s minutes.") % {"minutes": int(timeout_minutes)}
    else:
        valid = ""

    def render(landmark: str, kelurahan: str) -> str:
        place = _place(landmark, kelurahan)
        if place and distance:
            if approximate:
                # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): an approximate place (only the kelurahan is known) and distance.
                where = tr.pgettext("sms", "Approximate location: %(place)s (%(distance)s from you).")
            else:
                # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the place and distance.
                where = tr.pgettext("sms", "Location: %(place)s (%(distance)s from you).")
        elif place:
            if approximate:
                # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): an approximate place (only the kelurahan is known).
                where = tr.pgettext("sms", "Approximate location: %(place)s.")
            else:
                # NOTE: SMS (task offer or acceptance; whole SMS at most 2 parts of 153 GSM-7 characters).
                where = tr.pgettext("sms", "Location: %(place)s.")
        elif distance:
            if approximate:
                # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the distance, to an approximate location.
                where = tr.pgettext("sms", "%(distance)s from you, approximate location.")
            else:
                # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the distance.
                where = tr.pgettext("sms", "%(distance)s from you.")
        elif approximate:
            # NOTE: SMS (task offer; whole SMS at most 2 parts of 153 GSM-7 characters): the household's location is only approximate.
            where = tr.pgettext("sms", "Approximate location.")
        else:
            where = ""
        where = where % {"place": place, "distance": distance} if where else ""
        return _sentences(head, where, answer, valid)

    return _fit(render, {"landmark": _clean(landmark), "kelurahan": _kelurahan(_clean(kelurahan))},
                _PLACE_STEPS)


def accepted(code: str, landmark: str | None, kelurahan: str | None, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms an accepted task; says where to go and how to report it done."""
    tr = translations(lang)
    code = _code(code)
    # NOTE: SMS (acceptance; whole SMS at most 2 parts of 153 GSM-7 characters). T123 is the task code.
    thanks = tr.pgettext("sms", "Thank you, task %(code)s is now recorded as yours.") % {"code": code}
    # NOTE: SMS (acceptance; whole SMS at most 2 parts of 153 GSM-7 characters). SELESAI is a reply keyword: keep it.
    then = tr.pgettext("sms", "When it is done, reply SELESAI %(code)s.") % {"code": code}

    def render(landmark: str, kelurahan: str) -> str:
        place = _place(landmark, kelurahan)
        # NOTE: SMS (task offer or acceptance; whole SMS at most 2 parts of 153 GSM-7 characters).
        where = tr.pgettext("sms", "Location: %(place)s.") % {"place": place} if place else ""
        return _sentences(thanks, where, then)

    return _fit(render, {"landmark": _clean(landmark), "kelurahan": _kelurahan(_clean(kelurahan))},
                _PLACE_STEPS)


def declined(code: str, *, reoffered: bool = True, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms a declined task. ``reoffered``: the need went to another volunteer; when it did
    not (nobody left to offer it to) the volunteer is not told someone else will take it."""
    if not reoffered:
        # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code): a declined task nobody else could be offered yet.
        return translations(lang).pgettext(
            "sms", "Thank you, task %(code)s is called off for you. The coordinator will look for another "
            "volunteer.") % {"code": _code(code)}
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code).
    return translations(lang).pgettext(
        "sms", "Thank you, we have received your refusal of task %(code)s. The task will be offered to "
        "another volunteer.") % {"code": _code(code)}


def done(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms a task reported done."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code).
    return translations(lang).pgettext(
        "sms", "Thank you, task %(code)s is recorded as done. Your work means a lot.") % {"code": _code(code)}


def already(code: str, status: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Answer to a repeated reply: the task already has ``status``; nothing changed."""
    tr = translations(lang)
    code = _code(code)
    # NOTE: SMS (whole SMS at most 2 parts of 153 GSM-7 characters): a reply changed nothing; status is a word such as "accepted".
    text = tr.pgettext("sms", "Task %(code)s is already %(status)s. Nothing changed.") % {
        "code": code, "status": _status(status, lang)}
    if status == "accepted":
        # NOTE: SMS (whole SMS at most 2 parts of 153 GSM-7 characters). SELESAI is a reply keyword: keep it.
        text += " " + tr.pgettext("sms", "Reply SELESAI %(code)s when the task is done.") % {"code": code}
    elif status == "offered":
        # NOTE: SMS (whole SMS at most 2 parts of 153 GSM-7 characters). YA and TIDAK are reply keywords: keep them.
        text += " " + tr.pgettext("sms", "Reply YA %(code)s or TIDAK %(code)s.") % {"code": code}
    return text


def task_state(code: str, status: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The truth about one of the volunteer's tasks and what to send next: a reply changed
    nothing (YA on an accepted task, SELESAI on an offer). ``offered`` and ``accepted`` get
    their own sentence; every other status is ``already``'s (``expired``/``cancelled`` theirs)."""
    tr = translations(lang)
    code = _code(code)
    if status == "offered":
        # NOTE: SMS (within 2 parts of 153 GSM-7 characters): the task is offered, not yet accepted. YA and TIDAK are reply keywords: keep them.
        return tr.pgettext("sms", "You have not accepted %(code)s yet; reply YA %(code)s to accept or "
                                  "TIDAK %(code)s to decline.") % {"code": code}
    if status == "accepted":
        # NOTE: SMS (within 2 parts of 153 GSM-7 characters): the task is accepted. SELESAI is a reply keyword: keep it.
        return tr.pgettext("sms", "You have accepted %(code)s; reply SELESAI %(code)s when it is done.") % {
            "code": code}
    if status == "expired":
        return expired(code, lang=lang)
    if status == "cancelled":
        return cancelled(code, lang=lang)
    return already(code, status, lang=lang)


def backing_out(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """TIDAK without a code on an accepted task: backing out names the task, so ask for it."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code). TIDAK is a reply keyword: keep it.
    return translations(lang).pgettext(
        "sms", "You have accepted %(code)s. If you cannot carry it out, reply TIDAK %(code)s.") % {
        "code": _code(code)}


def forwarded(tasks: list[tuple[str, str]], *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A message that is not a command went to the coordinator; with the sender's live tasks
    as ``(code, status)``: one task's state and what to send, or the list of their states."""
    tr = translations(lang)
    # NOTE: SMS (the whole SMS within 2 parts of 153 GSM-7 characters): the volunteer's free-text message reached the coordinator's inbox.
    head = tr.pgettext("sms", "Your message has been passed to the coordinator.")
    if not tasks:
        # NOTE: SMS: ends a short SMS.
        return _sentences(head, tr.pgettext("sms", "Thank you."))
    if len(tasks) == 1:
        return _sentences(head, task_state(*tasks[0], lang=lang))
    items = [f"{_code(code)}: {_status(status, lang)}" for code, status in tasks]
    # NOTE: SMS (within 2 parts of 153 GSM-7 characters; as many tasks are listed as fit, "T1: accepted; T2: ...").
    template = tr.pgettext("sms", "Your tasks now: %(tasks)s.")
    return _count_list(items, lambda listed: _sentences(head, template % {"tasks": listed}), "; ", lang)


def not_yours(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The code exists but belongs to someone else (the answer reveals nothing about it)."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code). STATUS is a reply keyword: keep it.
    return translations(lang).pgettext(
        "sms", "Task %(code)s is not registered to you. Reply STATUS to see your tasks.") % {"code": _code(code)}


def unknown_code(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """No task has this code."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code). STATUS is a reply keyword: keep it.
    return translations(lang).pgettext(
        "sms", "Task code %(code)s was not found. Check the code, or reply STATUS to see your tasks.") % {
        "code": _code(code)}


def ambiguous(codes: list[str], *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The code was left out but the volunteer has several open tasks: ask for it."""
    codes = [_code(c) for c in codes]
    example = codes[0] if codes else "T123"
    # NOTE: SMS (at most 2 parts of 153 GSM-7 characters; as many codes are listed as fit). YA, TIDAK and SELESAI are reply keywords: keep them.
    template = translations(lang).pgettext(
        "sms", "You have several open tasks: %(codes)s. Write the code, e.g. YA %(example)s, TIDAK %(example)s "
        "or SELESAI %(example)s.")
    return _count_list(codes, lambda listed: template % {"codes": listed, "example": example}, ", ", lang)


def no_open_tasks(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """The volunteer has no open task."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters).
    return translations(lang).pgettext("sms", "You have no open task right now. Thank you for being ready.")


def status_list(tasks: list[tuple[str, str, str]], *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The volunteer's open tasks as ``(code, status, category)``; ``+N lagi`` when too many.

    ``status`` and ``category`` are the English keys (translated) or words shown as given.
    """
    if not tasks:
        return no_open_tasks(lang=lang)
    items = [f"{_code(code)} {_category(category, lang)}: {_status(status, lang)}"
             for code, status, category in tasks]
    # NOTE: SMS (at most 2 parts of 153 GSM-7 characters; as many tasks are listed as fit, "T1 food: accepted; T2 ..."). SELESAI is a reply keyword: keep it.
    template = translations(lang).pgettext(
        "sms", "Your tasks: %(tasks)s. Reply SELESAI and the task code when a task is done.")
    return _count_list(items, lambda listed: template % {"tasks": listed}, "; ", lang)


def opted_out(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms STOP/BERHENTI; says how to come back."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters). MULAI is a reply keyword: keep it.
    return translations(lang).pgettext(
        "sms", "You will no longer receive task SMS. Thank you for your support. To come back, send MULAI.")


def opted_in(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms MULAI."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters). BERHENTI is a reply keyword: keep it.
    return translations(lang).pgettext(
        "sms", "Welcome back, you will receive task SMS again. To stop, send BERHENTI.")


def help_text(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """The reply keywords, with the code format."""
    # NOTE: SMS (at most 2 parts of 153 GSM-7 characters). YA, TIDAK, SELESAI, STATUS, BERHENTI, STOP, MULAI and T123 are what a volunteer sends: keep them.
    return translations(lang).pgettext(
        "sms", "How to reply (task code = T + number, e.g. T123): YA T123 = accept, TIDAK T123 = decline, "
        "SELESAI T123 = task done, STATUS = your tasks, BERHENTI or STOP = stop receiving SMS, "
        "MULAI = receive them again.")


def expired(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The offer was not answered in time and went to someone else."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code).
    return translations(lang).pgettext(
        "sms", "The time to answer task %(code)s has run out; the task went to another volunteer. "
        "Thank you.") % {"code": _code(code)}


def cancelled(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The coordinator cancelled the task."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code).
    return translations(lang).pgettext(
        "sms", "Task %(code)s was called off by the coordinator. You do not need to go on with it. "
        "Thank you.") % {"code": _code(code)}


def done_on_behalf(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The coordinator recorded the volunteer's task as done for them (the reason stays with
    the coordinator)."""
    # NOTE: SMS (one part: at most 160 GSM-7 characters with a 12-character code). STATUS is a reply keyword: keep it.
    return translations(lang).pgettext(
        "sms", "The coordinator has recorded task %(code)s as done for you. Thank you for your work. "
        "Reply STATUS to see your tasks.") % {"code": _code(code)}


# --- the safety check-in (AMAN / BANTU) ----------------------------------------------------------


def checkin_question(code: str, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Asks the volunteer of an at-risk task whether they are safe."""
    # NOTE: SMS (safety check-in; one part: at most 160 GSM-7 characters with a 12-character code). AMAN and BANTU are reply keywords: keep them.
    return translations(lang).pgettext(
        "sms", "Reply AMAN %(code)s if you are safe, BANTU %(code)s if you need assistance.") % {"code": _code(code)}


def checkin_safe(codes: list[str], *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms AMAN for the tasks ``codes``."""
    # NOTE: SMS (answer to AMAN; at most 2 parts of 153 GSM-7 characters; as many task codes are listed as fit).
    template = translations(lang).pgettext("sms", "Thank you, you are recorded as safe (%(codes)s). Take care.")
    return _count_list([_code(c) for c in codes], lambda listed: template % {"codes": listed}, ", ", lang)


def checkin_help(codes: list[str], *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Confirms BANTU: the call went to the coordinator (the alert is raised)."""
    tr = translations(lang)
    if not codes:
        # NOTE: SMS (answer to BANTU from a volunteer without a task; one part: at most 160 GSM-7 characters).
        return tr.pgettext("sms", "Your call for assistance has gone to the coordinator. If you can, reply with "
                                  "where you are and what happened.")
    # NOTE: SMS (answer to BANTU; at most 2 parts of 153 GSM-7 characters; as many task codes are listed as fit).
    template = tr.pgettext("sms", "Your call for assistance (%(codes)s) has gone to the coordinator. If you can, "
                                  "reply with where you are and what happened.")
    return _count_list([_code(c) for c in codes], lambda listed: template % {"codes": listed}, ", ", lang)


def checkin_none(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """AMAN from a volunteer who has no safety check-in."""
    # NOTE: SMS (answer to AMAN; one part: at most 160 GSM-7 characters).
    return translations(lang).pgettext("sms", "You have no safety check-in waiting for an answer. Thank you.")


# --- a resident's own request for help (TOLONG ...) -----------------------------------------------
def help_requested(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """The answer to a resident's TOLONG: received, a coordinator will call back."""
    # NOTE: SMS to a resident who sent TOLONG (one part: at most 160 GSM-7 characters). Posko = the command post.
    return translations(lang).pgettext(
        "sms", "Your request for help has been received. A coordinator at the posko will call you back soon.")


def help_verified(*, lang: str = DEFAULT_LANGUAGE) -> str:
    """A coordinator verified the resident's request: help is being organised."""
    # NOTE: SMS to a resident whose TOLONG request was verified (one part: at most 160 GSM-7 characters).
    return translations(lang).pgettext(
        "sms", "Your request for help has been verified. Volunteers are being sent to you. Stay safe.")
