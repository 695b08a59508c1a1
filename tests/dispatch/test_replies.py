"""Tests for resilience.dispatch.replies: reading YA / TIDAK / SELESAI … replies."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from resilience.dispatch.replies import COMMANDS, KEYWORDS, MAX_CODE_DIGITS, TWILIO_KEYWORDS, Reply, parse


@pytest.mark.parametrize("body, command, code", [
    # the SPEC table
    ("YA T123", "accept", "T123"),
    ("TERIMA T123", "accept", "T123"),
    ("TIDAK T123", "decline", "T123"),
    ("TOLAK T123", "decline", "T123"),
    ("SELESAI T123", "done", "T123"),
    ("STATUS", "status", None),
    ("STOP", "stop", None),
    ("BERHENTI", "stop", None),
    ("MULAI", "start", None),
    ("AMAN T123", "safe", "T123"),
    ("BANTU T123", "help", "T123"),
    # the safety check-in: the code may be left out; several codes are about the volunteer
    ("aman pak", "safe", None),
    ("Amaan, T12.", "safe", "T12"),
    ("T12 aman", "safe", "T12"),
    ("bantu!! perahu terbalik", "help", None),
    ("BANTU T12 perahu bocor", "help", "T12"),
    ("BANTU T1 T2", "help", None),
    ("AMAN T1 T2", "safe", None),
    # case, spaces, punctuation, emoji
    ("ya t123", "accept", "T123"),
    (" YA  T-123!", "accept", "T123"),
    ("Ya, T123.", "accept", "T123"),
    ("ya123", "accept", "T123"),
    ("YA 123", "accept", "T123"),
    ("YA T 123", "accept", "T123"),
    ("YA T.123", "accept", "T123"),
    ("YAT123", "accept", "T123"),
    ("ya:t123", "accept", "T123"),
    ("🙏 Siap 🙏 t 45", "accept", "T45"),
    ("  \n selesai\tT9  \n", "done", "T9"),
    ("*YA* _T123_", "accept", "T123"),
    ("ＹＡ　Ｔ１２３", "accept", "T123"),  # full-width
    ("Yà T123", "accept", "T123"),
    ("T123 ya", "accept", "T123"),
    ("T123, selesai", "done", "T123"),
    # variants and typos
    ("Y", "accept", None),
    ("iya T5", "accept", "T5"),
    ("Iyaaa T5", "accept", "T5"),
    ("ok T5", "accept", "T5"),
    ("oke T5", "accept", "T5"),
    ("OKEE t5", "accept", "T5"),
    ("siap T5", "accept", "T5"),
    ("siapp", "accept", None),
    ("tdk T5", "decline", "T5"),
    ("gak T5", "decline", "T5"),
    ("ga T5", "decline", "T5"),
    ("enggak T5", "decline", "T5"),
    ("engak T5", "decline", "T5"),
    ("nggak T5", "decline", "T5"),
    ("tak bisa T5", "decline", "T5"),
    ("Tidak bisa, maaf", "decline", None),
    ("sls T5", "done", "T5"),
    ("beres T5", "done", "T5"),
    ("sudah T5", "done", "T5"),
    ("sdh T5", "done", "T5"),
    ("cek", "status", None),
    ("Status?", "status", None),
    ("STATUS T5", "status", "T5"),
    ("berhenti dulu ya", "stop", None),
    ("stop T5", "stop", None),
    ("mulai lagi", "start", None),
    # Twilio's words: only alone
    ("STOPALL", "stop", None),
    ("unsubscribe", "stop", None),
    ("Cancel.", "stop", None),
    ("end", "stop", None),
    ("QUIT!", "stop", None),
    ("START", "start", None),
    ("unstop", "start", None),
    ("yes", "start", None),
    ("cancel T5", "unknown", None),
    ("end T5", "unknown", None),
    ("start T5", "unknown", None),
    ("yes T5", "accept", "T5"),
    ("T5 yes", "accept", "T5"),
    ("T5 cancel", "unknown", None),
    # codes
    ("YA T007", "accept", "T7"),
    ("YA T0", "accept", "T0"),
    ("YA T123 saya berangkat", "accept", "T123"),
    ("SELESAI T12 ada 5 orang", "done", "T12"),
    ("SELESAI T12 jam 14", "done", "T12"),
    ("YA T1 T1", "accept", "T1"),
    ("YA T1 dan T1 juga", "accept", "T1"),
    ("YA " + "9" * MAX_CODE_DIGITS, "accept", "T" + "9" * MAX_CODE_DIGITS),
    ("YA T" + "1" * (MAX_CODE_DIGITS + 1), "unknown", None),
    ("YA " + "1" * 5000, "unknown", None),
    # several codes
    ("YA T1 T2", "unknown", None),
    ("TIDAK T1, T2", "unknown", None),
    ("T1 SELESAI T2", "unknown", None),
    ("YA 1 T2", "unknown", None),
    ("STATUS T1 T2", "status", None),
    ("STOP T1 T2", "stop", None),
    # only the first keyword counts
    ("YA TIDAK T1", "accept", "T1"),
    ("TIDAK YA T1", "decline", "T1"),
    ("STATUS YA T1", "status", "T1"),
    # not a reply
    ("", "unknown", None),
    ("   ", "unknown", None),
    ("!!! 😀", "unknown", None),
    ("T123", "unknown", None),
    ("123", "unknown", None),
    ("123 YA", "unknown", None),
    ("halo", "unknown", None),
    ("saya sudah sampai", "unknown", None),
    ("Pak, YA T123", "unknown", None),
    ("yatim", "unknown", None),
    ("HELP", "unknown", None),
    ("INFO", "unknown", None),
    ("RT123", "unknown", None),
])
def test_parse_table(body, command, code):
    assert parse(body) == Reply(command, code)


def test_reply_is_frozen_dataclass():
    reply = parse("YA T1")
    assert dataclasses.is_dataclass(reply)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.command = "decline"  # type: ignore[misc]
    assert reply == Reply("accept", "T1") and hash(reply) == hash(Reply("accept", "T1"))


@pytest.mark.parametrize("body", [None, 123, b"YA T1", ["YA"]])
def test_parse_non_strings(body):
    assert parse(body) == Reply("unknown", None)  # type: ignore[arg-type]


def test_keywords_mapping():
    assert set(KEYWORDS.values()) <= set(COMMANDS) - {"unknown"}
    assert all(word == word.upper() and word.isalpha() for word in KEYWORDS)
    for word, command in {"YA": "accept", "TERIMA": "accept", "TIDAK": "decline", "TOLAK": "decline",
                          "SELESAI": "done", "STATUS": "status", "STOP": "stop", "BERHENTI": "stop",
                          "MULAI": "start", "CANCEL": "stop", "START": "start", "YES": "start"}.items():
        assert KEYWORDS[word] == command
    assert TWILIO_KEYWORDS == {"STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START", "UNSTOP", "YES"}
    with pytest.raises(TypeError):
        KEYWORDS["BATAL"] = "decline"  # type: ignore[index]


@pytest.mark.parametrize("word, command", sorted(KEYWORDS.items()))
def test_every_keyword(word, command):
    assert parse(word) == Reply(command, None)
    assert parse(word.lower() + "!") == Reply(command, None)
    with_code = parse(f"{word} T42")
    if word in TWILIO_KEYWORDS:
        assert with_code == (Reply("accept", "T42") if word == "YES" else Reply("unknown", None))
    elif command in ("stop", "start"):
        assert with_code == Reply(command, None)
    else:
        assert with_code == Reply(command, "T42")


# --- properties ---------------------------------------------------------------------------

_CODE = re.compile(rf"^T(0|[1-9][0-9]{{0,{MAX_CODE_DIGITS - 1}}})$")


def _check(reply):
    assert isinstance(reply, Reply)
    assert reply.command in COMMANDS
    assert reply.code is None or _CODE.match(reply.code), reply
    if reply.command in ("stop", "start", "unknown"):
        assert reply.code is None


@given(st.text())
@example("\ud800YA T1")
@example("YA T" + "9" * 10_000)
def test_parse_never_raises(body):
    _check(parse(body))


@given(st.text(alphabet=st.characters(exclude_categories=())))  # surrogates too
def test_parse_never_raises_on_any_code_point(body):
    _check(parse(body))


@given(st.lists(st.sampled_from(sorted(KEYWORDS)) | st.from_regex(r"[Tt]?[0-9]{1,14}", fullmatch=True)
                | st.sampled_from(["T", " ", ",", "-", "saya", "😀", "\n"]), max_size=8))
def test_parse_never_raises_on_reply_like_text(parts):
    _check(parse(" ".join(parts)))
    _check(parse("".join(parts)))


_PROTOCOL_WORDS = sorted(w for w in KEYWORDS if w not in TWILIO_KEYWORDS)
_NOISE = st.lists(st.sampled_from(list(" \t\n.,!?;:-*_()'\"“”…") + ["🙏", "😀", "👍🏽", "\u00a0", "\ufe0f"]),
                 max_size=4).map("".join)


def _random_case(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(ch.lower() if flip else ch for ch, flip in zip(word, flips))


@st.composite
def _decorated_reply(draw):
    """A valid reply (keyword + optional code) with random case and noise around it."""
    word = draw(st.sampled_from(_PROTOCOL_WORDS))
    number = draw(st.none() | st.integers(min_value=1, max_value=10**MAX_CODE_DIGITS - 1))
    canonical = word if number is None else f"{word} T{number}"
    lead, mid, tail = draw(_NOISE), draw(_NOISE), draw(_NOISE)
    # noise may be empty: "YAT123" still reads YA T123
    t = _random_case(draw, "T")
    body = _random_case(draw, word)
    if number is not None:
        gap = draw(st.sampled_from(["", " ", "-", ".", "  "]))
        body += mid + t + gap + str(number)
    return canonical, lead + body + tail


@given(_decorated_reply())
def test_case_whitespace_punctuation_invariance(pair):
    canonical, body = pair
    assert parse(body) == parse(canonical)
    assert parse(body).command == KEYWORDS[canonical.split()[0]]


@given(st.sampled_from(_PROTOCOL_WORDS), st.integers(min_value=1, max_value=10**6),
       st.text(alphabet=st.characters(codec="ascii", categories=["Ll", "Lu", "Zs"]), max_size=30))
def test_words_after_the_code_are_ignored(word, number, trailer):
    assert parse(f"{word} T{number} {trailer}") == parse(f"{word} T{number}")


@given(st.sampled_from(_PROTOCOL_WORDS), st.integers(min_value=1, max_value=10**6))
def test_bare_number_is_the_code(word, number):
    assert parse(f"{word} {number}") == parse(f"{word} T{number}")
