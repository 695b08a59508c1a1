"""Tests for resilience.dispatch.replies: reading YA / TIDAK / SELESAI … replies.

Only a message that is a command changes a task (issue 13): the rows marked "free text" read
``unknown`` on purpose. The labelled corpus of realistic replies run through the whole inbound
path is tests/dispatch/reply_corpus.py (test_reply_corpus.py)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from resilience.dispatch.replies import (
    COMMANDS, COMPANIONS, KEYWORDS, MAX_CODE_DIGITS, POLITE, TWILIO_KEYWORDS, Reply, parse,
)


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
    ("YA T1 T1", "accept", "T1"),
    ("YA T1, T1 ya", "accept", "T1"),
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
    # one command: more keywords of the same command, companions, politeness (YA after another
    # command is politeness)
    ("sudah selesai pak", "done", None),
    ("SDH BERES T4", "done", "T4"),
    ("oke siap", "accept", None),
    ("Siap, laksanakan!", "accept", None),
    ("tidak bisa", "decline", None),
    ("gak sanggup T4", "decline", "T4"),
    ("TIDAK YA T1", "decline", "T1"),
    ("STATUS YA T1", "status", "T1"),
    ("selesai ya bu 🙏", "done", None),
    ("YA terima kasih", "accept", None),
    ("ok thank you", "accept", None),
    ("Pak, YA T123", "accept", "T123"),
    ("Maaf bu, tidak bisa", "decline", None),
    ("cek tugas saya", "status", None),
    ("siap 86", "accept", None),  # "86" is slang for "understood", not task 86
    ("YA T86", "accept", "T86"),
    # free text: a keyword-like first word is not a command (issue 13)
    ("YA TIDAK T1", "unknown", None),
    ("SELESAI OK", "unknown", None),
    ("YA T123 saya berangkat", "unknown", None),
    ("SELESAI T12 ada 5 orang", "unknown", None),
    ("SELESAI T12 jam 14", "unknown", None),
    ("YA T1 dan T1 juga", "unknown", None),
    ("sudah sampai, rumahnya kosong", "unknown", None),
    ("oke siap meluncur", "unknown", None),
    ("terima kasih", "unknown", None),
    ("tidak ada masalah", "unknown", None),
    ("gak papa pak", "unknown", None),
    ("Saya tidak bisa pak, perahu bocor", "unknown", None),
    ("Berhenti di jembatan, air tinggi", "unknown", None),
    ("cek dulu ya, nanti saya kabari", "unknown", None),
    # not a reply
    ("", "unknown", None),
    ("   ", "unknown", None),
    ("!!! 😀", "unknown", None),
    ("T123", "unknown", None),
    ("123", "unknown", None),
    ("123 YA", "unknown", None),
    ("halo", "unknown", None),
    ("saya sudah sampai", "unknown", None),
    ("yatim", "unknown", None),
    ("HELP", "unknown", None),
    ("INFO", "unknown", None),
    ("RT123", "unknown", None),
])
def test_parse_table(body, command, code):
    reply = parse(body)
    assert (reply.command, reply.code) == (command, code)
    if command != "help":  # BANTU keeps what follows it (test_a_call_for_help_keeps_its_words)
        assert reply == Reply(command, code)


@pytest.mark.parametrize("body, code, reason", [
    ("bantu!! perahu terbalik", None, "perahu terbalik"),
    ("BANTU T12 perahu bocor", "T12", "perahu bocor"),
    ("Pak, BANTU, air naik cepat", None, "air naik cepat"),
    ("BANTU", None, ""),
])
def test_a_call_for_help_keeps_its_words(body, code, reason):
    """Whatever follows BANTU is what happened: never free text, so the alert is raised at once."""
    assert parse(body) == Reply("help", code, reason)


@pytest.mark.parametrize("body, code, reason", [
    ("TIDAK T5 motor mogok", "T5", "motor mogok"),
    ("tidak bisa pak, perahu bocor", None, "perahu bocor"),
    ("Maaf pak tdk bs, anak saya sakit 🙏", None, "anak saya sakit 🙏"),
    ("TOLAK T5: sudah ada relawan lain di sana", "T5", "sudah ada relawan lain di sana"),
    ("gak jadi ya mas... hujan deras", None, "hujan deras"),
    ("tidak bisa, motor mogok T5", "T5", "motor mogok T5"),  # a code in the reason is the code
    ("TIDAK 5 rumah saya kebanjiran", "T5", "rumah saya kebanjiran"),
    ("Tidak bisa 2 hari ini", None, "2 hari ini"),  # a number after a companion is no code
    ("TIDAK T5 " + "x" * 900, "T5", "x" * 500),
])
def test_decline_keeps_the_reason(body, code, reason):
    assert parse(body) == Reply("decline", code, reason)


@pytest.mark.parametrize("body", [
    "tidak, saya sudah di lokasi",  # unanchored words after TIDAK: a sentence
    "gak ada orang di rumah",
    "TIDAK T5, T6 motor mogok",  # two codes
    "tidak bisa T5 tapi T6 bisa",
])
def test_decline_words_without_an_anchor_or_with_two_codes_are_free_text(body):
    assert parse(body) == Reply("unknown", None)


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
    assert reply.reason == "" or reply.command in ("decline", "help")
    assert len(reply.reason) <= 500 and reply.reason == reply.reason.strip()


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


_TRAILER = st.text(alphabet=st.characters(codec="ascii", categories=["Ll", "Lu", "Zs"]), max_size=30)


def _part_of_a_command(word: str) -> bool:
    """A word rule 4 lets into a command (for any command)."""
    squeeze = lambda w: re.sub(r"(.)\1+", r"\1", w)  # noqa: E731
    allowed = {squeeze(w) for w in POLITE | set(KEYWORDS) | set().union(*COMPANIONS.values())}
    return squeeze(word.upper()) in allowed


@given(st.sampled_from(_PROTOCOL_WORDS), st.integers(min_value=1, max_value=10**6), _TRAILER)
def test_words_after_the_code_make_free_text_except_a_decline_reason(word, number, trailer):
    """Rules 4 and 5 (changed by issue 13: words after the code used to be ignored); BANTU keeps
    its words like a decline."""
    reply, bare = parse(f"{word} T{number} {trailer}"), parse(f"{word} T{number}")
    if bare.command in ("decline", "help"):  # a decline's reason; what happened, after BANTU
        assert reply.command == bare.command and reply.code == bare.code
        assert trailer.strip().endswith(reply.reason)
    elif all(_part_of_a_command(w) for w in trailer.split()):
        assert reply in (bare, Reply("unknown"))  # politeness is dropped; another command is not
    else:
        assert reply == Reply("unknown")


@given(st.sampled_from(["ALAMAT", "SAMPAI", "MELUNCUR", "RUMAHNYA", "KOSONG", "OTW", "AIR", "NAIK"]),
       st.sampled_from(sorted(w for w, c in KEYWORDS.items() if c in ("accept", "done")
                              and w not in TWILIO_KEYWORDS)),
       st.none() | st.integers(min_value=1, max_value=10**6))
def test_a_keyword_followed_by_other_words_never_changes_a_task(other, word, number):
    code = f" T{number}" if number else ""
    assert parse(f"{word}{code} {other}").command == "unknown"
    assert parse(f"{other} {word}{code}").command == "unknown"


@given(st.sampled_from(_PROTOCOL_WORDS), st.integers(min_value=1, max_value=10**6).filter(lambda n: n != 86))
def test_bare_number_is_the_code(word, number):
    """Except 86, slang for "understood" ("siap 86"): tested on its own below."""
    assert parse(f"{word} {number}") == parse(f"{word} T{number}")


@pytest.mark.parametrize("word", _PROTOCOL_WORDS)
def test_a_bare_86_is_politeness_not_task_t86(word):
    assert parse(f"{word} 86") == parse(word)
