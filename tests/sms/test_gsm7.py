"""Tests for resilience.sms.gsm7: the GSM-7 alphabet and segment counting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resilience.sms.gsm7 import GSM7_BASIC, GSM7_CHARS, GSM7_EXTENSION, is_gsm7, segments, to_gsm7

# --- GSM-7 alphabet -----------------------------------------------------------------------


def test_alphabet_sizes():
    assert len(GSM7_BASIC) == 127  # 128 codes, minus the escape
    assert len(GSM7_EXTENSION) == 10
    assert "\x1b" not in GSM7_CHARS
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize("text, expected", [
    ("", True),
    ("Halo Budi, tugas T123 @ Rp5.000 £ ¥ § ¿¡ ÄÖÑÜäöñüà èéùìò Ç Øø Åå Ææ ß É ΔΦΓΛΩΠΨΣΘΞ", True),
    ("{x} [y] ~ ^ | \\ €\f", True),
    ("\n\r", True),
    ("á", False),
    ("ç", False),  # only the capital Ç is in the table
    ("“kutip”", False),
    ("emoji 😀", False),
    ("\x1b", False),
    ("\t", False),
])
def test_is_gsm7(text, expected):
    assert is_gsm7(text) is expected


@pytest.mark.parametrize("source, expected", [
    ("“Rumah” ‘Pak’ Budi", "\"Rumah\" 'Pak' Budi"),
    ("a – b — c ‒ d ― e − f ‑ g", "a - b - c - d - e - f - g"),
    ("tunggu…", "tunggu..."),
    ("a\u00a0b\u2009c\u202fd\u3000e\u2002f", "a b c d e f"),
    ("a\tb", "a b"),
    ("• beras\n‣ air\n◦ selimut", "- beras\n- air\n- selimut"),
    ("Café Ñandú", "Café Ñandu"),  # é, Ñ are GSM-7; ú is reduced
    ("Cafe\u0301", "Cafe"),  # a combining accent alone is dropped
    ("áâãāăą ç ĉ ě ī ő ş ţ ů ž", "aaaaaa c c e i o s t u z"),
    ("Łódź Đakovo Œuvre", "Lodz Dakovo OEuvre"),
    ("ﬁ ﬂ Ａｂ ² ½", "fi fl Ab 2 1/2"),
    ("zero\u200bwidth\ufeff\u200d", "zerowidth"),
    ("siap 👍", "siap ?"),
    ("中文", "??"),
    ("\x1b\x00", "??"),
    ("line\u2028sep", "line\nsep"),
    ("€ [ ] { } ~ ^ | \\", "€ [ ] { } ~ ^ | \\"),
])
def test_to_gsm7(source, expected):
    assert to_gsm7(source) == expected


@given(st.text())
def test_to_gsm7_is_gsm7_and_idempotent(text):
    out = to_gsm7(text)
    assert is_gsm7(out)
    assert to_gsm7(out) == out


@given(st.text(alphabet=st.sampled_from(sorted(GSM7_CHARS))))
def test_to_gsm7_keeps_gsm7_text(text):
    assert to_gsm7(text) == text


def test_to_gsm7_lone_surrogate():
    assert to_gsm7("a\ud800b") == "a?b"


# --- segment counting ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("", ("GSM-7", 1)),
    ("a", ("GSM-7", 1)),
    ("a" * 160, ("GSM-7", 1)),
    ("a" * 161, ("GSM-7", 2)),
    ("a" * 306, ("GSM-7", 2)),
    ("a" * 307, ("GSM-7", 3)),
    ("a" * 459, ("GSM-7", 3)),
    ("a" * 460, ("GSM-7", 4)),
    # extension characters count 2 septets
    ("€" * 80, ("GSM-7", 1)),               # 160 septets
    ("€" * 80 + "a", ("GSM-7", 2)),         # 161 septets
    ("a" * 159 + "[", ("GSM-7", 2)),        # 161 septets
    ("a" * 158 + "[", ("GSM-7", 1)),        # 160 septets
    # an escape pair is never split: 152 + [2] = 154 > 153, so "{" opens part 2
    ("a" * 151 + "{" + "a" * 153, ("GSM-7", 2)),   # 153 | 153
    ("a" * 152 + "{" + "a" * 152, ("GSM-7", 3)),   # 306 septets but 152 | 154 → 3 parts
    ("a" * 152 + "{" + "a" * 151, ("GSM-7", 2)),   # 152 | 153
    ("€" * 153, ("GSM-7", 3)),                     # 76 per part (152 septets): 76 | 76 | 1
    # UCS-2
    ("я" * 70, ("UCS-2", 1)),
    ("я" * 71, ("UCS-2", 2)),
    ("я" * 134, ("UCS-2", 2)),
    ("я" * 135, ("UCS-2", 3)),
    ("a" * 69 + "á", ("UCS-2", 1)),
    ("a" * 70 + "á", ("UCS-2", 2)),
    # surrogate pairs: 2 code units, never split
    ("😀" * 35, ("UCS-2", 1)),                     # 70 units
    ("😀" * 35 + "a", ("UCS-2", 2)),               # 71 units: 66 | 5
    ("a" * 69 + "😀", ("UCS-2", 2)),               # 71 units
    ("a" * 68 + "😀", ("UCS-2", 1)),               # 70 units
    ("a" * 65 + "😀" + "a" * 67, ("UCS-2", 2)),    # 67 | 67
    ("a" * 66 + "😀" + "a" * 66, ("UCS-2", 3)),    # 134 units but 66 | 68 → 3 parts
    ("a" * 66 + "😀" + "a" * 65, ("UCS-2", 2)),    # 66 | 67
])
def test_segments(text, expected):
    assert segments(text) == expected
    encoding, count = segments(text)  # unpacks as a plain pair
    assert (encoding, count) == expected


def test_form_feed_segments():
    # 153 form feeds = 306 septets; 76 pairs (152 septets) per part, so 3 parts
    assert segments("\f" * 153) == ("GSM-7", 3)
    assert segments("\f" * 80) == ("GSM-7", 1)


def _reference_segments(text: str) -> tuple[str, int]:
    """An independent implementation: encode, then cut, moving a split pair to the next part."""
    if all(ch in GSM7_CHARS for ch in text):
        units: list[object] = []
        for ch in text:
            units.extend(["ESC", ch] if ch in GSM7_EXTENSION else [ch])
        single, part, encoding = 160, 153, "GSM-7"
        is_lead = lambda u: u == "ESC"  # noqa: E731
    else:
        data = text.encode("utf-16-be", "surrogatepass")
        units = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
        single, part, encoding = 70, 67, "UCS-2"
        is_lead = lambda u: 0xD800 <= u <= 0xDBFF  # noqa: E731
    if len(units) <= single:
        return encoding, 1
    count = 0
    while units:
        chunk = units[:part]
        if len(units) > part and is_lead(chunk[-1]):
            chunk = chunk[:-1]
        units = units[len(chunk):]
        count += 1
    return encoding, count


_segment_text = st.text(alphabet=st.sampled_from(["a", "b", " ", "€", "{", "\f", "\n"]), max_size=700) | \
    st.text(alphabet=st.sampled_from(["a", "я", "😀", "€", "👍"]), max_size=400) | st.text(max_size=400)


@given(_segment_text)
def test_segments_match_reference(text):
    assert segments(text) == _reference_segments(text)


@given(_segment_text, st.sampled_from(["a", "€", "😀", "я"]))
def test_segments_never_decrease_when_appending_same_encoding(text, extra):
    before = segments(text)
    after = segments(text + extra)
    if before.encoding == after.encoding:
        assert after.count >= before.count
