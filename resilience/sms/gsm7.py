"""SMS text: the GSM-7 alphabet and segment counting.

Pure functions only (no Flask, no database), so the sender, the outbox page and the
tests all compute the same thing. The message templates live in ``dispatch.messages``.

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
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

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
    return GSM7_CHARS.issuperset(text)


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


def _count(text: str, doubles: int, single: int, part: int, width) -> int:
    """``_parts`` of ``text`` whose ``doubles`` characters are 2 wide (``width(ch)``): without
    any, every part is full, so the count is a division (the sender and the message templates
    ask this for every SMS and every shortening step)."""
    if doubles == 0:
        return 1 if len(text) <= single else -(-len(text) // part)
    return _parts(map(width, text), single, part)


def _gsm7_width(ch: str) -> int:
    return 2 if ch in GSM7_EXTENSION else 1


def _ucs2_width(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def segments(text: str) -> Segments:
    """How ``text`` travels: ``("GSM-7" | "UCS-2", number of segments)``; see the module."""
    if is_gsm7(text):
        doubles = 0 if GSM7_EXTENSION.isdisjoint(text) else 1
        return Segments("GSM-7", _count(text, doubles, GSM7_SINGLE, GSM7_PART, _gsm7_width))
    doubles = 0 if text.isascii() or max(text) <= "\uffff" else 1
    return Segments("UCS-2", _count(text, doubles, UCS2_SINGLE, UCS2_PART, _ucs2_width))


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    """True when ``text`` is GSM-7 and takes at most ``max_segments`` segments."""
    encoding, count = segments(text)
    return encoding == "GSM-7" and count <= max_segments
