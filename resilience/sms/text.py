"""SMS text: the GSM-7 alphabet, segment counting, and the Bahasa Indonesia message templates.

Pure functions only (no Flask, no database), so the dispatch loop, the outbox page and the
tests all compute the same thing.

GSM-7 (3GPP TS 23.038)
----------------------
* ``GSM7_BASIC`` is the default alphabet (127 characters; the escape code 0x1B is not a
  character). ``GSM7_EXTENSION`` is the extension table reachable through that escape:
  form feed, ``^ { } \\ [ ~ ] |`` and ``€``; each of these costs 2 septets.
* ``to_gsm7(text)`` keeps every GSM-7 character and replaces the rest: curly quotes and primes
  → straight quotes, hyphens/dashes/minus → ``-``, ``…`` → ``...``, bullets → ``-``, every
  Unicode space (no-break, thin, ideographic…) and tab → a space, line/paragraph separators →
  newline, invisible format characters (zero-width space/joiner, BOM, variation selectors,
  other combining marks standing alone) are dropped, letters are reduced with NFKD to their
  base letter (``á`` → ``a``, ``ñ`` stays because it is GSM-7, ``Ａ`` → ``A``, ``ﬁ`` → ``fi``), a
  few letters NFKD cannot reduce have fixed equivalents (``ł`` → ``l``, ``œ`` → ``oe`` …), and
  anything else (emoji, CJK, lone surrogates, control characters) becomes ``?``.
  The result always satisfies ``is_gsm7`` and ``to_gsm7`` is idempotent.
* ``segments(text) -> (encoding, count)``: ``"GSM-7"`` when every character is GSM-7, otherwise
  ``"UCS-2"``. GSM-7: up to 160 septets is one segment, longer text is split into parts of at
  most 153 septets and an escape pair (extension character) is never split across parts.
  UCS-2: counted in UTF-16 code units, 70 in one segment, 67 per part, and a surrogate pair
  (emoji and other characters outside the BMP) is never split. Empty text is 1 segment.

Templates
---------
Every template returns GSM-7-only text of at most 2 segments (306 septets) for realistic
inputs (codes ``T`` + up to 10 digits, counts up to 999, distances up to 1000 km, timeouts up
to a day; landmark and kelurahan text of any length). The rules:

* Free text (landmark, kelurahan, words passed through) is passed through ``to_gsm7``,
  whitespace runs (newlines included) become one space, and any run of 8 or more digits
  (optionally separated by spaces, dots, slashes or dashes) is replaced by ``***``: a phone
  number, NIK or KK number typed into a landmark never reaches a volunteer's phone. The
  templates do not take NIK, KK number or household phone at all.
* The kelurahan name is shown as ``Kel. <name>`` unless it already starts with ``Kel``,
  ``Kelurahan`` or ``Desa``.
* An unknown need category or vulnerable-group key is a programming error: ``ValueError``.
* When a message would not fit, variable text is shortened with ``...`` in this order: the
  landmark down to 24 characters, the kelurahan name down to 16, then the landmark and the
  kelurahan altogether. The task code and the reply instructions are never shortened.
  ``status_list`` and ``ambiguous`` list as many codes as fit and add ``+N lagi``; a status or
  category word passed through as free text is cut to 30 characters.
* Instructions name only the protocol's keywords (YA, TIDAK, SELESAI, STATUS, BERHENTI/STOP,
  MULAI); never Twilio's reserved words (CANCEL, END, QUIT, YES, START, HELP, INFO …).
* Need categories and task statuses are given as the SPEC's English keys and shown in
  Indonesian (``NEED_LABELS``, ``STATUS_WORDS``); ``status_list`` and ``already`` also accept a
  word that is already Indonesian and show it as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

# --- GSM-7 -------------------------------------------------------------------------------

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_CHARS = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67
MAX_SEGMENTS = 2  # every template fits in this many GSM-7 segments

_REPLACEMENTS = {
    # quotes and primes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u0060": "'", "\u00b4": "'", "\u2039": "'", "\u203a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    # hyphens, dashes, minus
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00ad": "",  # soft hyphen is invisible
    # ellipsis and bullets
    "\u2026": "...",
    "\u2022": "-", "\u2023": "-", "\u2043": "-", "\u2219": "-", "\u25e6": "-", "\u00b7": "-",
    "\u25cf": "-", "\u25aa": "-", "\u2027": "-",
    # whitespace that is not category Zs
    "\t": " ", "\u2028": "\n", "\u2029": "\n", "\u0085": "\n", "\v": " ",
    # letters NFKD does not reduce
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0126": "H", "\u0127": "h",
    "\u0131": "i", "\u0152": "OE", "\u0153": "oe", "\u00de": "Th", "\u00fe": "th", "\u00f0": "d",
    "\u0138": "k", "\u0167": "t", "\u0166": "T",
    # symbols NFKD leaves outside the set
    "\u2044": "/", "\u00d7": "x", "\u00f7": "/", "\u00b0": "o", "\u2122": "TM", "\u00a9": "(C)",
    "\u00ae": "(R)", "\u00a2": "c",
}


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 default alphabet or extension."""
    return all(ch in GSM7_CHARS for ch in text)


def _map_char(ch: str) -> str:
    if ch in GSM7_CHARS:
        return ch
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    category = unicodedata.category(ch)
    if category == "Zs":
        return " "
    if category in ("Cf", "Mn", "Me"):  # zero-width, BOM, variation selectors, lone accents
        return ""
    if category == "Cs":  # lone surrogate
        return "?"
    decomposed = unicodedata.normalize("NFKD", ch)
    if decomposed == ch:
        return "?"
    out = []
    for part in decomposed:
        if part in GSM7_CHARS:
            out.append(part)
        elif part in _REPLACEMENTS:
            out.append(_REPLACEMENTS[part])
        elif unicodedata.category(part) == "Zs":
            out.append(" ")
        elif unicodedata.category(part) in ("Mn", "Me"):
            continue
        else:
            out.append("?")
    return "".join(out) or "?"


def to_gsm7(text: str) -> str:
    """``text`` with every character outside GSM-7 replaced by a safe equivalent (see module)."""
    if is_gsm7(text):
        return text
    return "".join(_map_char(ch) for ch in text)


class Segments(NamedTuple):
    encoding: str  # "GSM-7" or "UCS-2"
    count: int


def septets(text: str) -> int:
    """GSM-7 length of ``text`` (extension characters count 2); ``text`` must be GSM-7."""
    return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)


def _parts(widths: Iterable[int], single: int, part: int) -> int:
    widths = list(widths)
    if sum(widths) <= single:
        return 1
    count, used = 1, 0
    for width in widths:
        if used + width > part:  # never split an escape pair or a surrogate pair
            count, used = count + 1, 0
        used += width
    return count


def segments(text: str) -> Segments:
    """How ``text`` travels: ``("GSM-7" | "UCS-2", number of segments)``; see the module."""
    if is_gsm7(text):
        return Segments("GSM-7", _parts((2 if ch in GSM7_EXTENSION else 1 for ch in text),
                                        GSM7_SINGLE, GSM7_PART))
    return Segments("UCS-2", _parts((2 if ord(ch) > 0xFFFF else 1 for ch in text),
                                    UCS2_SINGLE, UCS2_PART))


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    """True when ``text`` is GSM-7 and takes at most ``max_segments`` segments."""
    encoding, count = segments(text)
    return encoding == "GSM-7" and count <= max_segments


# --- vocabulary ---------------------------------------------------------------------------

NEED_LABELS = {
    "evacuation": "evakuasi (perahu)",
    "medical": "pertolongan pertama",
    "psychosocial": "dukungan psikososial",
    "food": "makanan",
    "water": "air bersih",
    "clothing": "pakaian",
    "logistics": "logistik",
}

# Keys are the Household fields; the order is the order shown.
VULNERABLE_LABELS = {
    "elderly": "lansia",
    "children_under5": "balita",
    "pregnant_or_lactating": "ibu hamil/menyusui",
    "disabled": "disabilitas",
    "chronically_ill": "sakit kronis",
}

STATUS_WORDS = {
    "proposed": "diusulkan",
    "offered": "menunggu jawaban",
    "accepted": "diterima",
    "declined": "ditolak",
    "expired": "kedaluwarsa",
    "done": "selesai",
    "cancelled": "dibatalkan",
    "failed": "gagal",
}

# Words that must never appear as instructions: Twilio acts on them by itself.
TWILIO_RESERVED = ("CANCEL", "END", "QUIT", "YES", "STOPALL", "UNSUBSCRIBE", "START", "UNSTOP",
                   "INFO", "HELP")

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


def _need(category: str) -> str:
    try:
        return NEED_LABELS[category]
    except KeyError:
        raise ValueError(f"unknown need category {category!r}; expected one of {', '.join(NEED_LABELS)}") from None


def _status(word: object) -> str:
    return STATUS_WORDS.get(str(word)) or _shorten(_clean(word), _WORD_MAX)


def _category(word: object) -> str:
    return NEED_LABELS.get(str(word)) or _shorten(_clean(word), _WORD_MAX)


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


def _km(distance_m: float) -> str:
    text = f"{float(distance_m) / 1000:,.1f}"  # 1,234.5
    return text.replace(",", "_").replace(".", ",").replace("_", ".") + " km"


def _count_list(items: list[str], fit: Callable[[str], bool], prefix: str = "",
                sep: str = ", ") -> str:
    """As many ``items`` as ``fit`` allows, joined with ``sep``, and "+N lagi" for the rest."""
    for shown in range(min(len(items), GSM7_SINGLE), 0, -1):  # 160 items never fit anyway
        rest = len(items) - shown
        listed = sep.join(items[:shown]) + (f"{sep}+{rest} lagi" if rest else "")
        if fit(prefix + listed):
            return prefix + listed
    return prefix + f"{len(items)} tugas"


# --- templates ----------------------------------------------------------------------------


def offer(code: str, need_category: str, people: int | None, vulnerable: Mapping[str, int] | None,
          landmark: str | None, kelurahan: str | None, distance_m: float | None,
          timeout_minutes: int | None) -> str:
    """The task offer: code, need, people (and vulnerable members), place, distance, how to answer.

    ``vulnerable`` is keyed by the Household fields (``VULNERABLE_LABELS``); zero counts are
    left out. ``people``, ``distance_m`` and ``timeout_minutes`` may be None (left out).
    """
    code = _code(code)
    need = _need(need_category)
    vulnerable = dict(vulnerable or {})
    unknown = set(vulnerable) - set(VULNERABLE_LABELS)
    if unknown:
        raise ValueError(f"unknown vulnerable group(s) {sorted(unknown)}; expected {list(VULNERABLE_LABELS)}")
    groups = [f"{int(vulnerable[key])} {label}" for key, label in VULNERABLE_LABELS.items()
              if int(vulnerable.get(key) or 0) > 0]
    who = f" untuk {int(people)} orang" if people else (" untuk warga" if groups else "")
    if groups:
        who += f" ({', '.join(groups)})"
    distance = _km(distance_m) if distance_m is not None else ""
    answer = f"Balas YA {code} untuk menerima atau TIDAK {code} untuk menolak."
    if timeout_minutes:
        answer += f" Berlaku {int(timeout_minutes)} menit."

    def render(landmark: str, kelurahan: str) -> str:
        place = _place(landmark, kelurahan)
        if place and distance:
            where = f" Lokasi: {place} ({distance} dari Anda)."
        elif place:
            where = f" Lokasi: {place}."
        elif distance:
            where = f" Jarak {distance} dari Anda."
        else:
            where = ""
        return f"Tugas {code}: {need}{who}.{where} {answer}"

    return _fit(render, {"landmark": _clean(landmark), "kelurahan": _kelurahan(_clean(kelurahan))},
                _PLACE_STEPS)


def accepted(code: str, landmark: str | None, kelurahan: str | None) -> str:
    """Confirms an accepted task; says where to go and how to report it done."""
    code = _code(code)

    def render(landmark: str, kelurahan: str) -> str:
        place = _place(landmark, kelurahan)
        where = f" Lokasi: {place}." if place else ""
        return (f"Terima kasih, tugas {code} sudah tercatat untuk Anda.{where} "
                f"Setelah selesai, balas SELESAI {code}.")

    return _fit(render, {"landmark": _clean(landmark), "kelurahan": _kelurahan(_clean(kelurahan))},
                _PLACE_STEPS)


def declined(code: str) -> str:
    """Confirms a declined offer."""
    return (f"Terima kasih, penolakan tugas {_code(code)} sudah kami terima. "
            "Tugas ini akan ditawarkan ke relawan lain.")


def done(code: str) -> str:
    """Confirms a task reported done."""
    return f"Terima kasih, tugas {_code(code)} tercatat selesai. Bantuan Anda sangat berarti."


def already(code: str, status: str) -> str:
    """Answer to a repeated reply: the task already has ``status``; nothing changed."""
    code = _code(code)
    text = f"Tugas {code} sudah berstatus {_status(status)}. Tidak ada perubahan."
    if status == "accepted":
        text += f" Balas SELESAI {code} setelah tugas selesai."
    elif status == "offered":
        text += f" Balas YA {code} atau TIDAK {code}."
    return text


def not_yours(code: str) -> str:
    """The code exists but belongs to someone else (the answer reveals nothing about it)."""
    return (f"Tugas {_code(code)} tidak terdaftar untuk Anda. "
            "Balas STATUS untuk melihat tugas Anda.")


def unknown_code(code: str) -> str:
    """No task has this code."""
    return (f"Kode tugas {_code(code)} tidak ditemukan. Periksa kembali kodenya, "
            "atau balas STATUS untuk melihat tugas Anda.")


def ambiguous(codes: list[str]) -> str:
    """The code was left out but the volunteer has several open tasks: ask for it."""
    codes = [_code(c) for c in codes]
    example = codes[0] if codes else "T123"
    tail = f". Tulis kodenya, mis. YA {example}, TIDAK {example} atau SELESAI {example}."
    return _count_list(codes, lambda head: fits(head + tail),
                       "Anda punya beberapa tugas terbuka: ") + tail


def no_open_tasks() -> str:
    """The volunteer has no open task."""
    return "Saat ini Anda tidak punya tugas terbuka. Terima kasih atas kesiapan Anda."


def status_list(tasks: list[tuple[str, str, str]]) -> str:
    """The volunteer's open tasks as ``(code, status, category)``; ``+N lagi`` when too many.

    ``status`` and ``category`` are the English keys (translated) or words shown as given.
    """
    if not tasks:
        return no_open_tasks()
    items = [f"{_code(code)} {_category(category)}: {_status(status)}"
             for code, status, category in tasks]
    tail = ". Balas SELESAI dan kode tugas setelah selesai."
    return _count_list(items, lambda head: fits(head + tail), "Tugas Anda: ", "; ") + tail


def opted_out() -> str:
    """Confirms STOP/BERHENTI; says how to come back."""
    return ("Anda tidak akan menerima SMS tugas lagi. Terima kasih atas bantuan Anda. "
            "Untuk aktif kembali, kirim MULAI.")


def opted_in() -> str:
    """Confirms MULAI."""
    return ("Selamat datang kembali, Anda akan menerima SMS tugas lagi. "
            "Untuk berhenti, kirim BERHENTI.")


def help_text() -> str:
    """The reply keywords, with the code format."""
    return ("Cara membalas (kode tugas = T + angka, mis. T123): YA T123 = terima, "
            "TIDAK T123 = tolak, SELESAI T123 = tugas selesai, STATUS = daftar tugas Anda, "
            "BERHENTI atau STOP = berhenti menerima SMS, MULAI = aktif kembali.")


def expired(code: str) -> str:
    """The offer was not answered in time and went to someone else."""
    return (f"Waktu menjawab tugas {_code(code)} sudah habis; tugas dialihkan ke relawan lain. "
            "Terima kasih.")


def cancelled(code: str) -> str:
    """The coordinator cancelled the task."""
    return (f"Tugas {_code(code)} dibatalkan oleh koordinator. Anda tidak perlu melanjutkan "
            "tugas ini. Terima kasih.")
