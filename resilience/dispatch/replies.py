"""Parsing a volunteer's SMS reply into a command and a task code.

``parse(body) -> Reply(command, code)``; ``command`` is one of ``COMMANDS`` and ``code`` a
normalised task code (``"T123"``) or None. ``parse`` never raises, whatever the body.

Rules, in the order they apply:

1. **Normalising.** The body is NFKD-normalised, accents are dropped (``YÀ`` → ``YA``,
   full-width ``ＹＡ`` → ``YA``) and it is upper-cased. Every character other than ASCII letters
   and digits (spaces, punctuation, emoji, other scripts) separates words, and a change from
   letters to digits separates words too: ``" Ya,  T-123!! 🙏"``, ``"ya t123"``, ``"YA T 123"``
   and ``"YAT123"`` all read ``YA T 123``.
2. **The command is the first word** (``KEYWORDS``, below). A task code may come before it
   (``"T123 YA"``). A message that starts with any other word is ``unknown`` (the dispatcher
   answers with the help text): ``"saya sudah sampai"`` is *not* read as ``SUDAH``, because
   guessing a state change from free text is worse than asking again. Only the first keyword
   counts: later keywords are ordinary words (``"YA TIDAK T1"`` accepts).
3. **Spelling.** A word matches a keyword exactly or after squeezing repeated letters
   (``YAAA``, ``OKEE``, ``SIAPP``, ``ENGAK`` → ``ENGGAK``). A keyword glued to the code is
   split (``YAT123`` → ``YA T123``, ``ok123`` → ``OK 123``).
4. **Keywords** (``KEYWORDS``): accept = YA, Y, IYA, TERIMA, SIAP, OK, OKE; decline = TIDAK,
   TDK, GAK, GA, ENGGAK, ENGGA, NGGAK, NGGA, TAK, TOLAK; done = SELESAI, SLS, BERES, SUDAH,
   SDH; status = STATUS, CEK; stop = STOP, BERHENTI; start = MULAI; the safety check-in:
   safe = AMAN, help = BANTU.
5. **Twilio's reserved words** (``TWILIO_KEYWORDS``): STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT
   mean stop and START, UNSTOP, YES mean start, *only when the word is the whole message*
   (punctuation and spaces aside) — exactly when Twilio itself would act on them, so the
   opt-out state is recorded the same even when Twilio's own handling is off. With more text
   after them, ``YES`` reads as ``YA`` (``"YES T123"`` accepts) and the others are
   ``unknown`` (so ``"CANCEL T123"`` never opts a volunteer out by accident; they get the help
   text, which names TIDAK and BERHENTI).
6. **The code.** ``T`` followed by digits anywhere after the keyword (``T123``, ``T 123``,
   ``T-123``, ``t123``), or a bare number *immediately* after the keyword (``YA 123``,
   ``ya123``), or a code before the keyword. Leading zeros are dropped (``T007`` → ``T7``).
   Other numbers are ordinary words (``"SELESAI T12 ada 5 orang"`` is done T12). Words after
   the code are ignored (``"YA T123 saya berangkat"``). A code of more than
   ``MAX_CODE_DIGITS`` digits is no code: the reply is ``unknown``.
7. **Several different codes** (``"YA T1 T2"``): accept, decline and done are ``unknown``
   (code None) — a state change must name one task; we do not guess which one was meant.
   STATUS, AMAN and BANTU with several codes are still ``status``, ``safe`` and ``help``
   with code None (a call for help is never answered with the help text). The same code repeated is
   one code.
8. **stop and start** always carry code None: they apply to all SMS, not to a task.
9. A reply without a code (``"YA"``) has code None; the dispatcher uses the volunteer's only
   open task, or asks which one when there are several.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

COMMANDS = ("accept", "decline", "done", "status", "stop", "start", "safe", "help", "unknown")
MAX_CODE_DIGITS = 12

_PROTOCOL = {
    "accept": ("YA", "Y", "IYA", "TERIMA", "SIAP", "OK", "OKE"),
    "decline": ("TIDAK", "TDK", "GAK", "GA", "ENGGAK", "ENGGA", "NGGAK", "NGGA", "TAK", "TOLAK"),
    "done": ("SELESAI", "SLS", "BERES", "SUDAH", "SDH"),
    "status": ("STATUS", "CEK"),
    "stop": ("STOP", "BERHENTI"),
    "start": ("MULAI",),
    "safe": ("AMAN",),   # the safety check-in: dispatch.checkin
    "help": ("BANTU",),
}
_TWILIO = {
    "stop": ("STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
    "start": ("START", "UNSTOP", "YES"),
}

#: Every keyword (upper case) and the command it means; see rule 5 for ``TWILIO_KEYWORDS``.
KEYWORDS = MappingProxyType({
    word: command for table in (_PROTOCOL, _TWILIO) for command, words in table.items() for word in words
})
#: Twilio's opt-out/opt-in words: they count only when they are the whole message.
TWILIO_KEYWORDS = frozenset(word for words in _TWILIO.values() for word in words)


@dataclass(frozen=True)
class Reply:
    command: str
    code: str | None = None


UNKNOWN = Reply("unknown", None)

_WORDS = re.compile(r"[A-Z]+|[0-9]+")
_REPEATS = re.compile(r"(.)\1+")


def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


_SQUEEZED = {_squeeze(word): word for word in KEYWORDS}
if len(_SQUEEZED) != len(KEYWORDS):  # pragma: no cover - a guard for whoever edits the lists
    raise RuntimeError("two keywords squeeze to the same spelling")


def _keyword(word: str) -> str | None:
    """The keyword ``word`` spells (rule 3), or None."""
    if word in KEYWORDS:
        return word
    return _SQUEEZED.get(_squeeze(word))


def _words(body: str) -> list[str]:
    text = unicodedata.normalize("NFKD", body)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    return _WORDS.findall(text)


def _code(digits: str) -> str | None:
    """``T`` + ``digits`` without leading zeros; None when too long to be a code."""
    if len(digits) > MAX_CODE_DIGITS:
        return None
    return "T" + (digits.lstrip("0") or "0")


def _is_code_at(words: list[str], i: int) -> bool:
    return i + 1 < len(words) and words[i] == "T" and words[i + 1].isdigit()


class _TooLong(Exception):
    pass


def _take_code(digits: str) -> str:
    code = _code(digits)
    if code is None:
        raise _TooLong
    return code


def parse(body: str) -> Reply:
    """The command and code of an SMS reply; see the module for every rule."""
    if not isinstance(body, str):
        return UNKNOWN
    words = _words(body)
    codes: list[str] = []
    try:
        start = 0
        if _is_code_at(words, 0):  # "T123 YA"
            codes.append(_take_code(words[1]))
            start = 2
        if start >= len(words) or words[start].isdigit():
            return UNKNOWN
        first = words[start]
        keyword = _keyword(first)
        rest = start + 1
        if keyword is None and first.endswith("T") and rest < len(words) and words[rest].isdigit():
            keyword = _keyword(first[:-1])  # "YAT123": the keyword glued to the code
            if keyword is not None:
                words[start:rest] = [first[:-1], "T"]
        if keyword is None:
            return UNKNOWN
        if keyword in TWILIO_KEYWORDS and len(words) > 1:
            if keyword != "YES":
                return UNKNOWN
            keyword = "YA"
        command = KEYWORDS[keyword]
        if command in ("stop", "start"):
            return Reply(command, None)
        i = rest
        if i < len(words) and words[i].isdigit():  # "YA 123": a bare number right after
            codes.append(_take_code(words[i]))
            i += 1
        while i < len(words):
            if _is_code_at(words, i):
                codes.append(_take_code(words[i + 1]))
                i += 2
            else:
                i += 1
    except _TooLong:
        return UNKNOWN
    distinct = list(dict.fromkeys(codes))
    if len(distinct) > 1:
        # STATUS, AMAN and BANTU with several codes are about the volunteer, not one task.
        return Reply(command, None) if command in ("status", "safe", "help") else UNKNOWN
    return Reply(command, distinct[0] if distinct else None)
