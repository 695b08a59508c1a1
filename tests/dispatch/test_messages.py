"""Tests for resilience.dispatch.messages: the SMS templates in Bahasa Indonesia (the default).

The Indonesian words are written out here: they pin today's wording, which now comes from the
catalogue (resilience/translations/id). English: tests/dispatch/test_messages_languages.py."""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.dispatch import messages as t
from resilience.dispatch.messages import TWILIO_RESERVED
from resilience.dispatch.replies import parse
from resilience.sms.gsm7 import is_gsm7, segments

# --- templates: helpers -------------------------------------------------------------------

NEED_LABELS = {
    "evacuation": "evakuasi (perahu)",
    "medical": "pertolongan pertama",
    "psychosocial": "dukungan psikososial",
    "food": "makanan",
    "water": "air bersih",
    "clothing": "pakaian",
    "logistics": "logistik",
}
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

ALL_VULNERABLE = {key: 4 for key in VULNERABLE_LABELS}  # 20 vulnerable members
LONG_LANDMARK = ("di belakang masjid besar Al-Ikhlas, masuk gang kecil sebelah warung Bu Sri yang "
                 "cat hijau, lewat jembatan kayu lalu belok kiri sampai rumah panggung biru ") * 5
LONG_KELURAHAN = "Kelurahan " + "Mungku Baru Tumbang Tahai Petuk Bukit Pager Sei Gohong " * 3
FORBIDDEN = re.compile(r"\b(" + "|".join(TWILIO_RESERVED) + r")\b", re.IGNORECASE)


def _ok(message: str) -> str:
    assert is_gsm7(message), message
    encoding, count = segments(message)
    assert encoding == "GSM-7" and count <= 2, (count, len(message), message)
    assert "  " not in message
    return message


def _all_templates(code="T123", landmark="dekat masjid", kelurahan="Mungku Baru"):
    """Every template once, with the given variable parts."""
    return {
        "offer": t.offer(code, "evacuation", 5, {"elderly": 1}, landmark, kelurahan, 2400, 20),
        "accepted": t.accepted(code, landmark, kelurahan),
        "declined": t.declined(code),
        "done": t.done(code),
        **{f"already_{s}": t.already(code, s) for s in STATUS_WORDS},
        "not_yours": t.not_yours(code),
        "unknown_code": t.unknown_code(code),
        "ambiguous": t.ambiguous([code, "T7"]),
        "no_open_tasks": t.no_open_tasks(),
        "status_list": t.status_list([(code, "accepted", "evacuation"), ("T7", "offered", "food")]),
        "opted_out": t.opted_out(),
        "opted_in": t.opted_in(),
        "help_text": t.help_text(),
        "expired": t.expired(code),
        "cancelled": t.cancelled(code),
        "done_on_behalf": t.done_on_behalf(code),
        "checkin_question": t.checkin_question(code),
        "checkin_safe": t.checkin_safe([code, "T7"]),
        "checkin_help": t.checkin_help([code]),
        "checkin_help_alone": t.checkin_help([]),
        "checkin_none": t.checkin_none(),
    }


# --- offer --------------------------------------------------------------------------------

def test_offer_typical():
    message = _ok(t.offer("T123", "evacuation", 5, {"elderly": 2, "children_under5": 1, "disabled": 0},
                          "dekat masjid Al-Ikhlas", "Mungku Baru", 2400, 20))
    assert message.startswith("Tugas T123: evakuasi (perahu) untuk 5 orang (2 lansia, 1 balita)")
    assert "disabilitas" not in message  # zero counts are left out
    assert "dekat masjid Al-Ikhlas" in message and "Kel. Mungku Baru" in message
    assert "2,4 km" in message
    assert "YA T123" in message and "TIDAK T123" in message
    assert message.endswith("Berlaku 20 menit.")
    assert "Anda" in message


@pytest.mark.parametrize("category, label", sorted(NEED_LABELS.items()))
def test_offer_names_every_need(category, label):
    message = _ok(t.offer("T9", category, 3, {}, "pasar", "Petuk Katimpun", 1000, 20))
    assert f"Tugas T9: {label} untuk 3 orang." in message


def test_offer_names_every_vulnerable_group():
    message = _ok(t.offer("T9", "medical", 20, ALL_VULNERABLE, "pasar", "Mungku Baru", 500, 20))
    assert "(4 lansia, 4 balita, 4 ibu hamil/menyusui, 4 disabilitas, 4 sakit kronis)" in message


@pytest.mark.parametrize("meters, shown", [
    (2400, "2,4 km"), (99_900, "99,9 km"), (350, "0,3 km"), (0, "0,0 km"), (12_340, "12,3 km"),
    (1_234_560, "1.234,6 km"),
])
def test_offer_distance(meters, shown):
    assert f"({shown} dari Anda)" in t.offer("T1", "food", 1, {}, "pasar", "Mungku Baru", meters, 20)


def test_offer_optional_parts():
    message = _ok(t.offer("T1", "water", None, None, None, None, None, None))
    assert message == "Tugas T1: air bersih. Balas YA T1 untuk menerima atau TIDAK T1 untuk menolak."
    message = _ok(t.offer("T1", "water", 0, {"elderly": 2}, "", "", 1500, 15))
    assert message == ("Tugas T1: air bersih untuk warga (2 lansia). Jarak 1,5 km dari Anda. "
                       "Balas YA T1 untuk menerima atau TIDAK T1 untuk menolak. Berlaku 15 menit.")


def test_offer_does_not_repeat_kelurahan_prefix():
    assert "Kelurahan Mungku Baru (" in t.offer("T1", "food", 1, {}, "", "Kelurahan Mungku Baru", 10, 20)
    assert "Kel. Kel." not in t.offer("T1", "food", 1, {}, "", "Kel. Mungku Baru", 10, 20)


def test_offer_long_landmark_is_truncated_first():
    message = _ok(t.offer("T123", "psychosocial", 20, ALL_VULNERABLE, LONG_LANDMARK, "Mungku Baru",
                          99_900, 20))
    assert "Kel. Mungku Baru (99,9 km dari Anda)" in message  # the kelurahan is kept whole
    assert "di belakang masjid" in message and "..." in message
    assert "Balas YA T123 untuk menerima atau TIDAK T123 untuk menolak. Berlaku 20 menit." in message
    assert segments(message).count == 2


def test_offer_long_landmark_and_kelurahan():
    message = _ok(t.offer("T1234567890", "psychosocial", 999, {k: 999 for k in VULNERABLE_LABELS},
                          LONG_LANDMARK, LONG_KELURAHAN, 999_900, 1440))
    assert message.startswith("Tugas T1234567890: dukungan psikososial untuk 999 orang (999 lansia,")
    assert "999 sakit kronis)" in message
    assert "(999,9 km dari Anda)" in message
    assert message.endswith("Balas YA T1234567890 untuk menerima atau TIDAK T1234567890 untuk menolak. "
                            "Berlaku 1440 menit.")


def test_offer_cleans_free_text():
    message = _ok(t.offer("T5", "food", 2, {}, "“Warung” Bu Sri…\n\tsebelah  jembatan 🌉",
                          "Mungku\u00a0Baru", 800, 20))
    assert '"Warung" Bu Sri... sebelah jembatan ?' in message
    assert "Kel. Mungku Baru" in message


def test_offer_rejects_unknown_inputs():
    with pytest.raises(ValueError):
        t.offer("T1", "boats", 1, {}, "", "", 1, 20)
    with pytest.raises(ValueError):
        t.offer("T1", "food", 1, {"nik": 1}, "", "", 1, 20)


_free_text = st.text(max_size=600)


@settings(max_examples=300, deadline=None)
@given(code=st.integers(min_value=1, max_value=9_999_999_999).map(lambda n: f"T{n}"),
       category=st.sampled_from(sorted(NEED_LABELS)),
       people=st.none() | st.integers(min_value=0, max_value=999),
       vulnerable=st.dictionaries(st.sampled_from(sorted(VULNERABLE_LABELS)),
                                  st.integers(min_value=0, max_value=999)),
       landmark=_free_text, kelurahan=_free_text,
       distance=st.none() | st.floats(min_value=0, max_value=1_000_000),
       timeout=st.none() | st.integers(min_value=1, max_value=1440))
def test_offer_always_fits_and_keeps_code_and_instructions(code, category, people, vulnerable,
                                                           landmark, kelurahan, distance, timeout):
    message = _ok(t.offer(code, category, people, vulnerable, landmark, kelurahan, distance, timeout))
    assert message.startswith(f"Tugas {code}: {NEED_LABELS[category]}")
    assert f"Balas YA {code} untuk menerima atau TIDAK {code} untuk menolak." in message
    if timeout:
        assert message.endswith(f"Berlaku {timeout} menit.")
    for key, count in vulnerable.items():
        if count:
            assert f"{count} {VULNERABLE_LABELS[key]}" in message
    # no long digit run (phone, NIK, KK) survives anywhere but in the code itself
    assert not re.search(r"\d{8,}", message.replace(code, "T"))


# --- PII ----------------------------------------------------------------------------------

TEMPLATES = [t.offer, t.accepted, t.declined, t.done, t.already, t.not_yours, t.unknown_code,
             t.ambiguous, t.no_open_tasks, t.status_list, t.opted_out, t.opted_in, t.help_text,
             t.expired, t.cancelled, t.done_on_behalf, t.checkin_question, t.checkin_safe, t.checkin_help,
             t.checkin_none]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda f: f.__name__)
def test_templates_take_no_personal_identifiers(template):
    names = {name.lower() for name in inspect.signature(template).parameters}
    assert not {n for n in names if any(w in n for w in ("nik", "kk", "phone", "telp", "hp", "name"))}


@pytest.mark.parametrize("landmark", [
    "rumah Pak Budi HP 0812-3456-7890", "NIK 6271054507800001", "KK 6271050101090003",
    "telp +62 813 4567 8901", "no 6271.0545.0780.0001", "kartu 6271/0545/0780/0001",
])
def test_long_numbers_in_free_text_are_masked(landmark):
    for message in (t.offer("T12", "food", 2, {}, landmark, "Mungku Baru 0812345678901", 900, 20),
                    t.accepted("T12", landmark, "Mungku Baru 0812345678901")):
        assert "***" in message
        assert not re.search(r"\d{4}", message.replace("T12", "T"))


def test_short_numbers_in_free_text_are_kept():
    message = t.accepted("T12", "Jl. Mungku Baru RT 02 RW 03 km 12", "Mungku Baru")
    assert "RT 02 RW 03 km 12" in message


# --- confirmations ------------------------------------------------------------------------

def test_accepted():
    message = _ok(t.accepted("T123", "dekat masjid", "Mungku Baru"))
    assert "T123" in message and "SELESAI T123" in message and "dekat masjid, Kel. Mungku Baru" in message
    message = _ok(t.accepted("T123", LONG_LANDMARK, LONG_KELURAHAN))
    assert message.endswith("Setelah selesai, balas SELESAI T123.")
    assert _ok(t.accepted("T1", None, None)) == \
        "Terima kasih, tugas T1 sudah tercatat untuk Anda. Setelah selesai, balas SELESAI T1."


@pytest.mark.parametrize("status, word", sorted(STATUS_WORDS.items()))
def test_already(status, word):
    message = _ok(t.already("T77", status))
    assert f"Tugas T77 sudah berstatus {word}." in message
    if status == "accepted":
        assert "SELESAI T77" in message
    if status == "offered":
        assert "YA T77" in message and "TIDAK T77" in message


def test_already_passes_other_words_through():
    assert "sudah berstatus dalam perjalanan." in t.already("T1", "dalam perjalanan")
    _ok(t.already("T1", "x" * 1000))


@pytest.mark.parametrize("func", [t.declined, t.done, t.not_yours, t.unknown_code, t.expired, t.cancelled,
                                  t.done_on_behalf])
def test_code_confirmations(func):
    message = _ok(func("T123"))
    assert "T123" in message
    assert segments(message).count == 1  # one short SMS


def test_done_on_behalf_wording():
    message = t.done_on_behalf("T4")
    assert message.startswith("Koordinator telah mencatat tugas T4 selesai atas nama Anda")
    assert "STATUS" in message
    assert t.done_on_behalf("T4", lang="en").startswith("The coordinator has recorded task T4 as done for you")


def test_expired_and_cancelled_wording():
    assert "relawan lain" in t.expired("T4")
    assert "dibatalkan" in t.cancelled("T4") and "koordinator" in t.cancelled("T4")


def test_ambiguous_lists_codes():
    message = _ok(t.ambiguous(["T1", "T2", "T3"]))
    assert "T1, T2, T3" in message and "YA T1" in message and "SELESAI T1" in message


@pytest.mark.parametrize("n", [1, 10, 50, 100, 1000])
def test_ambiguous_many_codes(n):
    codes = [f"T{100000 + i}" for i in range(n)]
    message = _ok(t.ambiguous(codes))
    shown = sum(1 for code in codes if re.search(rf"\b{code}\b", message))
    more = re.search(r"\+(\d+) lagi", message)
    assert shown + (int(more.group(1)) if more else 0) == n
    assert (more is None) == (shown == n)


def test_status_list():
    message = _ok(t.status_list([("T1", "accepted", "evacuation"), ("T2", "offered", "food")]))
    assert message.startswith("Tugas Anda: T1 evakuasi (perahu): diterima; T2 makanan: menunggu jawaban.")
    assert "SELESAI" in message
    assert t.status_list([]) == t.no_open_tasks()


@pytest.mark.parametrize("n", [5, 8, 30, 500])
def test_status_list_many(n):
    tasks = [(f"T{1000 + i}", "accepted", "psychosocial") for i in range(n)]
    message = _ok(t.status_list(tasks))
    shown = len(re.findall(r"\bT1\d{3}\b", message))
    more = re.search(r"\+(\d+) lagi", message)
    assert shown + (int(more.group(1)) if more else 0) == n
    assert shown >= 1


def test_status_list_words_passed_through():
    message = _ok(t.status_list([("T1", "dalam perjalanan", "air minum " * 20)]))
    assert "dalam perjalanan" in message


def test_opt_out_and_in():
    assert "MULAI" in _ok(t.opted_out())
    assert "BERHENTI" in _ok(t.opted_in())


def test_help_text():
    message = _ok(t.help_text())
    for word in ("YA T123", "TIDAK T123", "SELESAI T123", "STATUS", "BERHENTI", "STOP", "MULAI", "T123"):
        assert word in message
    assert "T + angka" in message


# --- every template -----------------------------------------------------------------------

@pytest.mark.parametrize("variables", [
    {}, {"code": "T9999999999"}, {"landmark": LONG_LANDMARK, "kelurahan": LONG_KELURAHAN},
    {"landmark": "😀" * 400, "kelurahan": "€[]{}" * 100},
], ids=["plain", "long code", "long text", "odd text"])
def test_every_template_fits_and_is_gsm7(variables):
    for name, message in _all_templates(**variables).items():
        _ok(message)


@pytest.mark.parametrize("name, message", sorted(_all_templates().items()))
def test_no_twilio_reserved_words(name, message):
    assert not FORBIDDEN.search(message), (name, message)


@pytest.mark.parametrize("name, message", sorted(_all_templates().items()))
def test_instructions_parse_as_they_say(name, message):
    """Every keyword + code a template tells the volunteer to send means what it says."""
    meanings = {"YA": "accept", "TIDAK": "decline", "SELESAI": "done", "STATUS": "status",
                "BERHENTI": "stop", "STOP": "stop", "MULAI": "start", "AMAN": "safe", "BANTU": "help"}
    for keyword, code in re.findall(r"\b(YA|TIDAK|SELESAI|STATUS|BERHENTI|STOP|MULAI|AMAN|BANTU)\b(?: (T\d+))?",
                                    message):
        reply = parse(f"{keyword} {code}")
        assert reply.command == meanings[keyword]
        if code and reply.command not in ("stop", "start", "status"):
            assert reply.code == code


# --- offer: a household whose point is only its kelurahan's ----------------------------------

def test_offer_for_an_approximate_point_says_lokasi_perkiraan():
    message = _ok(t.offer("T12", "food", 4, {}, "dekat masjid, RT 003/RW 001", "Mungku Baru", 2400, 20,
                          approximate=True))
    assert "Lokasi perkiraan: dekat masjid, RT 003/RW 001, Kel. Mungku Baru (+-2,4 km dari Anda)." in message
    exact = t.offer("T12", "food", 4, {}, "dekat masjid", "Mungku Baru", 2400, 20)
    assert "perkiraan" not in exact and "+-" not in exact
    assert "lokasi perkiraan" in _ok(t.offer("T12", "food", 4, {}, "", "", 2400, 20, approximate=True))
    assert "Lokasi perkiraan." in _ok(t.offer("T12", "food", 4, {}, "", "", None, 20, approximate=True))


def test_offer_for_an_approximate_point_worst_case_still_fits():
    message = _ok(t.offer("T1234567890", "psychosocial", 999, {k: 999 for k in VULNERABLE_LABELS},
                          LONG_LANDMARK, LONG_KELURAHAN, 999_900, 1440, approximate=True))
    assert "perkiraan" in message
    assert message.endswith("Balas YA T1234567890 untuk menerima atau TIDAK T1234567890 untuk menolak. "
                            "Berlaku 1440 menit.")


@settings(max_examples=200, deadline=None)
@given(code=st.integers(min_value=1, max_value=9_999_999_999).map(lambda n: f"T{n}"),
       people=st.none() | st.integers(min_value=0, max_value=999),
       vulnerable=st.dictionaries(st.sampled_from(sorted(VULNERABLE_LABELS)),
                                  st.integers(min_value=0, max_value=999)),
       landmark=_free_text, kelurahan=_free_text,
       distance=st.none() | st.floats(min_value=0, max_value=1_000_000),
       timeout=st.none() | st.integers(min_value=1, max_value=1440))
def test_offer_for_an_approximate_point_always_fits_and_says_so(code, people, vulnerable, landmark,
                                                               kelurahan, distance, timeout):
    message = _ok(t.offer(code, "evacuation", people, vulnerable, landmark, kelurahan, distance, timeout,
                          approximate=True))
    assert "perkiraan" in message.lower()
    assert f"Balas YA {code} untuk menerima atau TIDAK {code} untuk menolak." in message


# --- the safety check-in ----------------------------------------------------------------------

def test_checkin_question_is_the_issues_wording():
    assert _ok(t.checkin_question("T12")) == "Balas AMAN T12 jika Anda aman, BANTU T12 jika butuh bantuan."
    assert segments(t.checkin_question("T9999999999")).count == 1


def test_checkin_answers():
    assert _ok(t.checkin_safe(["T12"])) == "Terima kasih, Anda tercatat aman (T12). Tetap hati-hati."
    assert "T1, T2" in _ok(t.checkin_safe(["T1", "T2"]))
    assert _ok(t.checkin_help(["T12"])).startswith("Permintaan bantuan Anda (T12) sudah diteruskan ke koordinator.")
    alone = _ok(t.checkin_help([]))
    assert alone.startswith("Permintaan bantuan Anda sudah diteruskan ke koordinator.") and not re.search(r"\bT\d", alone)
    many = _ok(t.checkin_help([f"T{1000 + i}" for i in range(100)]))
    assert "lagi" in many
