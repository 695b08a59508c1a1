"""Parsing a volunteer's SMS reply into a command, a task code and a reason.

``parse(body) -> Reply(command, code, reason)``; ``command`` is one of ``COMMANDS``, ``code`` a
normalised task code (``"T123"``) or None, ``reason`` the volunteer's own words after a decline
(``"motor mogok"``) or ``""``. ``parse`` never raises, whatever the body.

The principle: **a task changes state only on a message that is a command** — a keyword, an
optional task code, and at most some politeness around them. A message that merely starts with
or contains a keyword-like word is free text: ``unknown``, which the dispatcher never acts on
(it goes to the coordinator's inbox, ``dispatch.inbound``). Guessing a state change from a
sentence is worse than asking: ``"sudah sampai, rumahnya kosong"`` (arrived, the house is
empty) is not *done*, ``"oke siap meluncur"`` is not a command (the volunteer is told the task's
real state and how to answer), ``"tidak ada masalah"`` (no problem) is not a decline and
``"terima kasih"`` is not *accept*.

Rules, in the order they apply:

1. **Normalising.** The body is NFKD-normalised, accents are dropped (``YÀ`` → ``YA``,
   full-width ``ＹＡ`` → ``YA``) and it is upper-cased. Every character other than ASCII letters
   and digits (spaces, punctuation, emoji, other scripts) separates words, and a change from
   letters to digits separates words too: ``" Ya,  T-123!! 🙏"``, ``"ya t123"``, ``"YA T 123"``
   and ``"YAT123"`` all read ``YA T 123``. ``TERIMA KASIH``, ``TRIMA KASIH`` and
   ``THANK YOU`` are read as one politeness word before anything else, so ``TERIMA`` in them is
   never the accept keyword.
2. **Spelling.** A word matches a keyword (or a politeness or companion word) exactly or after
   squeezing repeated letters (``YAAA``, ``OKEE``, ``SIAPP``, ``ENGAK`` → ``ENGGAK``,
   ``PAAK``). A keyword glued to the code is split (``YAT123`` → ``YA T123``, ``ok123`` →
   ``OK 123``).
3. **Keywords** (``KEYWORDS``): accept = YA, Y, IYA, TERIMA, SIAP, OK, OKE; decline = TIDAK,
   TDK, GAK, GA, ENGGAK, ENGGA, NGGAK, NGGA, TAK, TOLAK; done = SELESAI, SLESAI, SLS, BERES,
   SUDAH, SDH; status = STATUS, CEK; stop = STOP, BERHENTI; start = MULAI; the safety check-in:
   safe = AMAN, help = BANTU.
   The short, everyday words among them (OK, OKE, SIAP, SUDAH, SDH, TIDAK, GAK …) are commands
   only under the rules below, i.e. when the message is nothing but the command; and without a
   code a command applies only to a task in the state it fits (``dispatch.inbound``): ``SUDAH``
   alone after an accepted task is *done*, ``SUDAH`` on an offer changes nothing.
4. **The shape of a command.** In order: an optional task code; optional leading address or
   apology words (``LEADING``: PAK, BU, MAS, MBAK, KAK, BANG, MAAF …, so ``"Pak, YA T123"`` and
   ``"Maaf, tidak bisa"`` are commands); the keyword; then only
   - more keywords of the *same* command (``SUDAH SELESAI``, ``OKE SIAP``, ``YA YA``),
   - the command's companion words (``COMPANIONS``: ``TIDAK BISA``, ``GAK SANGGUP``,
     ``TIDAK JADI``, ``SIAP LAKSANAKAN``, ``BERHENTI DULU``, ``MULAI LAGI``, ``CEK TUGAS``),
   - politeness (``POLITE``: the address words, YA, DONG, DEH, MAAF, TERIMA KASIH, MAKASIH,
     THANKS …; emoji and punctuation are separators anyway),
   - task codes.
   Any other word makes the whole message ``unknown`` (free text), except after a decline
   (rule 5). So a message starting with any other word (``"saya sudah sampai"``,
   ``"Saya tidak bisa pak, perahu bocor"``) is ``unknown``: it is a sentence, and reading
   sentences is the coordinator's job. A keyword of another command makes it ``unknown`` too
   (``"YA TIDAK T1"``, ``"SELESAI OK"``): contradictory or not, it is not one command.
5. **A decline keeps its reason.** After a decline keyword (``REASONED``), the rest of the
   message is the volunteer's reason, kept as they wrote it (leading politeness and
   punctuation trimmed, at most ``MAX_REASON`` characters), *provided the decline is anchored*:
   a task code right after it (``"TIDAK T5 motor mogok"``) or a companion word
   (``"tidak bisa pak, perahu bocor"`` → reason ``"perahu bocor"``). Unanchored words after
   TIDAK are a sentence of their own (``"tidak ada masalah"``, ``"gak papa"``, ``"tidak, saya
   sudah di lokasi"``): ``unknown``. A code in the reason is the decline's code. BANTU (the
   safety check-in's call for help) keeps its words the same way, anchored or not
   (``"BANTU perahu terbalik"``): an emergency is never read as free text.
6. **Twilio's reserved words** (``TWILIO_KEYWORDS``): STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT
   mean stop and START, UNSTOP, YES mean start, *only when the word is the whole message*
   (punctuation and spaces aside) — exactly when Twilio itself would act on them, so the
   opt-out state is recorded the same even when Twilio's own handling is off. With more text
   after them, ``YES`` reads as ``YA`` (``"YES T123"`` accepts) and the others are
   ``unknown`` (so ``"CANCEL T123"`` never opts a volunteer out by accident). After the
   keyword they are ordinary words.
7. **The code.** ``T`` followed by digits (``T123``, ``T 123``, ``T-123``, ``t123``) before the
   keyword or anywhere in the command, or a bare number *immediately* after the keyword
   (``YA 123``, ``ya123``). Leading zeros are dropped (``T007`` → ``T7``). ``86`` right after
   the keyword is slang for "understood" (``"siap 86"``), never code T86: a bare 86 is
   politeness (``"YA T86"`` still names T86). A code of more than ``MAX_CODE_DIGITS`` digits
   is no code: the reply is ``unknown``.
8. **Several different codes** (``"YA T1 T2"``): accept, decline and done are ``unknown``
   (code None) — a state change must name one task; we do not guess which one was meant.
   STATUS, AMAN and BANTU with several codes are still ``status``, ``safe`` and ``help``
   with code None (a call for help is never answered with the help text). The same code repeated is
   one code.
9. **stop and start** always carry code None: they apply to all SMS, not to a task.
10. A reply without a code (``"YA"``) has code None; the dispatcher uses the volunteer's only
    task in a state the command fits, or asks which one when there are several.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

COMMANDS = ("accept", "decline", "done", "status", "stop", "start", "safe", "help", "unknown")
MAX_CODE_DIGITS = 12
MAX_REASON = 500

_PROTOCOL = {
    "accept": ("YA", "Y", "IYA", "TERIMA", "SIAP", "OK", "OKE"),
    "decline": ("TIDAK", "TDK", "GAK", "GA", "ENGGAK", "ENGGA", "NGGAK", "NGGA", "TAK", "TOLAK"),
    "done": ("SELESAI", "SLESAI", "SLS", "BERES", "SUDAH", "SDH"),
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
#: Words that may follow a command's keyword as part of the command (rule 4); after a decline
#: they also anchor the reason (rule 5).
COMPANIONS = MappingProxyType({
    "accept": frozenset({"LAKSANAKAN"}),
    "decline": frozenset({"BISA", "BS", "SANGGUP", "JADI", "MAU", "DAPAT", "DPT"}),
    "status": frozenset({"TUGAS", "SAYA"}),
    "stop": frozenset({"DULU", "SAJA", "AJA", "SMS", "SEMENTARA"}),
    "start": frozenset({"LAGI", "KEMBALI", "SMS"}),
})
#: Commands whose trailing words are the volunteer's reason (rule 5).
REASONED = frozenset({"decline", "help"})
# A call for help needs no anchor: whatever follows BANTU is what happened ("BANTU perahu
# terbalik"), and reading it as free text would delay an emergency.
UNANCHORED = frozenset({"help"})
#: Address and apology words allowed before the keyword (rule 4).
LEADING = frozenset({"PAK", "BAPAK", "BU", "IBU", "MAS", "MBAK", "MBA", "KAK", "KAKAK", "BANG", "ABANG",
                     "DIK", "NDAN", "KOMANDAN", "MAAF", "MOHON", "MF"})
#: Politeness allowed after the keyword (rule 4). ``TERIMAKASIH`` also stands for the pairs of
#: rule 1; ``86`` for the slang of rule 7.
POLITE = LEADING | frozenset({"YA", "YAH", "YAK", "DONG", "DEH", "NIH", "TERIMAKASIH", "TRIMAKASIH",
                              "MAKASIH", "MAKASI", "MKSH", "MKS", "TRIMS", "TKS", "THANKS", "THX", "TQ",
                              "SALAM", "86"})
_PAIRS = {("TERIMA", "KASIH"): "TERIMAKASIH", ("TRIMA", "KASIH"): "TERIMAKASIH",
          ("THANK", "YOU"): "THANKS"}

#: Every keyword (upper case) and the command it means; see rule 6 for ``TWILIO_KEYWORDS``.
KEYWORDS = MappingProxyType({
    word: command for table in (_PROTOCOL, _TWILIO) for command, words in table.items() for word in words
})
#: Twilio's opt-out/opt-in words: they count only when they are the whole message.
TWILIO_KEYWORDS = frozenset(word for words in _TWILIO.values() for word in words)


@dataclass(frozen=True)
class Reply:
    command: str
    code: str | None = None
    reason: str = ""


UNKNOWN = Reply("unknown", None)

_WORDS = re.compile(r"[A-Z]+|[0-9]+")
_REPEATS = re.compile(r"(.)\1+")
_TRIM = " \t\r\n,.;:-!?*_~/()\"'"


def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


_SQUEEZED = {_squeeze(word): word for word in KEYWORDS}
if len(_SQUEEZED) != len(KEYWORDS):  # pragma: no cover - a guard for whoever edits the lists
    raise RuntimeError("two keywords squeeze to the same spelling")
_SQUEEZED_POLITE = frozenset(_squeeze(word) for word in POLITE)
_SQUEEZED_LEADING = frozenset(_squeeze(word) for word in LEADING)
_SQUEEZED_COMPANIONS = {command: frozenset(_squeeze(w) for w in words) for command, words in COMPANIONS.items()}


def _keyword(word: str) -> str | None:
    """The keyword ``word`` spells (rule 2), or None."""
    if word in KEYWORDS:
        return word
    return _SQUEEZED.get(_squeeze(word))


def _in(word: str, squeezed: frozenset[str]) -> bool:
    return not word.isdigit() and _squeeze(word) in squeezed


@dataclass
class _Word:
    text: str
    start: int  # where it is in the original body
    end: int


def _words(body: str) -> list[_Word]:
    """The words of ``body`` (rule 1), each with its place in ``body``."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(body):
        for part in unicodedata.normalize("NFKD", ch):
            if not unicodedata.combining(part):
                for upper in part.upper():
                    chars.append(upper)
                    origin.append(i)
    text = "".join(chars)
    words = [_Word(m.group(), origin[m.start()], origin[m.end() - 1] + 1) for m in _WORDS.finditer(text)]
    merged: list[_Word] = []
    for word in words:
        pair = (merged[-1].text, word.text) if merged else None
        if pair in _PAIRS:
            merged[-1] = _Word(_PAIRS[pair], merged[-1].start, word.end)
        else:
            merged.append(word)
    return merged


def _code(digits: str) -> str:
    """``T`` + ``digits`` without leading zeros; ``_TooLong`` when too long to be a code."""
    if len(digits) > MAX_CODE_DIGITS:
        raise _TooLong
    return "T" + (digits.lstrip("0") or "0")


def _is_code_at(words: list[_Word], i: int) -> bool:
    return i + 1 < len(words) and words[i].text == "T" and words[i + 1].text.isdigit()


class _TooLong(Exception):
    pass


def parse(body: str) -> Reply:
    """The command, code and reason of an SMS reply; see the module for every rule."""
    if not isinstance(body, str):
        return UNKNOWN
    try:
        return _read(body, _words(body))
    except _TooLong:
        return UNKNOWN


def _read(body: str, words: list[_Word]) -> Reply:
    codes: list[str] = []
    i = 0
    if _is_code_at(words, 0):  # "T123 YA"
        codes.append(_code(words[1].text))
        i = 2
    while i < len(words) and _in(words[i].text, _SQUEEZED_LEADING):
        i += 1
    if i >= len(words) or words[i].text.isdigit():
        return UNKNOWN
    first = words[i]
    keyword = _keyword(first.text)
    if keyword is None and first.text.endswith("T") and _next_is_digits(words, i):
        keyword = _keyword(first.text[:-1])  # "YAT123": the keyword glued to the code
        if keyword is not None:
            words[i:i + 1] = [_Word(first.text[:-1], first.start, first.end - 1),
                              _Word("T", first.end - 1, first.end)]
    if keyword is None:
        return UNKNOWN
    if keyword in TWILIO_KEYWORDS and len(words) > 1:
        if keyword != "YES":
            return UNKNOWN
        keyword = "YA"
    command = KEYWORDS[keyword]
    i += 1
    anchored = False
    if i < len(words) and words[i].text.isdigit() and words[i].text != "86":  # "YA 123"
        codes.append(_code(words[i].text))
        anchored = True
        i += 1
    while i < len(words):  # the rest of the command (rule 4)
        word = words[i].text
        if _is_code_at(words, i):
            codes.append(_code(words[i + 1].text))
            anchored = True
            i += 2
            continue
        same = _keyword(word)
        if same is not None and same not in TWILIO_KEYWORDS and KEYWORDS[same] == command:
            i += 1
        elif _in(word, _SQUEEZED_COMPANIONS.get(command, frozenset())):
            anchored = True
            i += 1
        elif _in(word, _SQUEEZED_POLITE) or word == "86":
            i += 1
        else:
            break
    reason = ""
    if i < len(words):  # words that are not part of a command
        if command not in REASONED or not (anchored or command in UNANCHORED):
            return UNKNOWN
        rest = words[i:]
        for j in range(len(rest)):
            if _is_code_at(rest, j):
                codes.append(_code(rest[j + 1].text))
        reason = body[rest[0].start:].strip(_TRIM)[:MAX_REASON].strip(_TRIM)
    if command in ("stop", "start"):
        return Reply(command, None)
    distinct = list(dict.fromkeys(codes))
    if len(distinct) > 1:
        # STATUS, AMAN and BANTU with several codes are about the volunteer, not one task.
        return Reply(command, None, reason) if command in ("status", "safe", "help") else UNKNOWN
    return Reply(command, distinct[0] if distinct else None, reason)


def _next_is_digits(words: list[_Word], i: int) -> bool:
    return i + 1 < len(words) and words[i + 1].text.isdigit()
