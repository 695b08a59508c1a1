"""Tests for resilience.core.identity: phone numbers, NIK, KK number and masks."""

from __future__ import annotations

import datetime as dt

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from resilience.core.identity import (
    PROVINCE_CODES,
    mask_digits,
    mask_phone,
    nik_birth_date,
    normalize_phone,
    validate_kk,
    validate_nik,
)
from resilience.core.invalid import InvalidValue

SPEC_NIK = "6271054507800001"  # woman born 05-07-1980, Palangka Raya, Rakumpit
SPEC_KK = "6271050101090003"
EXAMPLE = "use e.g. 0812-3456-7890 or +62 812 3456 7890"


def rejects(func, *args, **kwargs) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        func(*args, **kwargs)
    return info.value


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "text",
    [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "62812 3456 7890",
        "(0812) 3456.7890",
        "+6281234567890",
        "6281234567890",
        " 0812 3456 7890\t",
        "+62 (0)812 3456 7890",
        "+62 0812-3456-7890",
        "0812/3456/7890",
    ],
)
def test_normalize_phone_indonesian_forms(text):
    assert normalize_phone(text) == "+6281234567890"


def test_normalize_phone_spec_examples():
    assert normalize_phone("+6281345678901") == "+6281345678901"
    assert normalize_phone("0813 4567 8901") == "+6281345678901"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("+61 412 345 678", "+61412345678"),
        ("0061 412 345 678", "+61412345678"),  # international prefix 00
        ("001 61 412 345 678", "+61412345678"),  # Indonesian carrier prefix 001
        ("+1 201-555-0123", "+12015550123"),
        ("+65 8123 4567", "+6581234567"),
    ],
)
def test_normalize_phone_foreign_numbers(text, expected):
    assert normalize_phone(text) == expected


def test_country_code_without_plus_wins_over_a_national_reading():
    # "6221…" is also a valid national number (area 0622); the person meant +62 21 (Jakarta)
    assert normalize_phone("6221 5551234") == "+62215551234"
    assert normalize_phone("021 5551234") == "+62215551234"


def test_landlines_are_accepted_unless_mobile_only():
    assert normalize_phone("0536 322 1234") == "+625363221234"  # Palangka Raya landline
    exc = rejects(normalize_phone, "0536 322 1234", mobile_only=True)
    assert "cannot receive SMS" in exc.message
    assert normalize_phone("0812 3456 7890", mobile_only=True) == "+6281234567890"


def test_other_regions():
    assert normalize_phone("0412 345 678", region="AU") == "+61412345678"
    with pytest.raises(ValueError) as info:
        normalize_phone("0812 3456 7890", region="XX")
    assert not isinstance(info.value, InvalidValue)  # a programming error, not user input


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "phone number is empty"),
        ("   ", "phone number is empty"),
        ("0800-FLOWERS", "may contain only digits"),
        ("0812 3456 7890 ext 5", "may contain only digits"),
        ("+62 812+3456 7890", "may contain only digits"),
        ("０８１２３４５６７８９０", "may contain only digits"),  # full-width digits
        ("12", "too short"),
        ("081234", "too short"),
        ("0812-345-67", "too short: Indonesian mobile numbers have 10 to 13 digits"),
        ("+62 812 345", "too short"),
        ("0812 3456 7890 1234", "too long"),
        ("+62 812 3456 7890 1234 5678", "too long"),
        ("+999 1234 5678", "unknown country code"),
        ("+1", "too short"),
        ("0000 0000 0000", "not a valid Indonesian or international phone number"),
        ("61412345678", "write a foreign number with + and its country code"),
    ],
)
def test_normalize_phone_rejects(text, words):
    exc = rejects(normalize_phone, text)
    assert words in exc.message
    assert EXAMPLE in exc.message or "0812-3456-7890" in exc.message
    assert exc.path is None


def test_normalize_phone_generic_message():
    exc = rejects(normalize_phone, "0000 0000 0000")
    assert exc.message == (
        "not a valid Indonesian or international phone number: use e.g. 0812-3456-7890 or "
        "+62 812 3456 7890"
    )


@pytest.mark.parametrize("value", [None, 81234567890, 8.1e10, ["0812"], True])
def test_normalize_phone_rejects_non_text(value):
    assert "phone number must be text" in rejects(normalize_phone, value).message


def test_messages_do_not_repeat_the_number():
    for text in ("0812-3456-7", "+999 1234 5678", "0000 0000 0000"):
        exc = rejects(normalize_phone, text)
        assert "3456" not in exc.message.replace("0812-3456-7890", "").replace("3456 7890", "")


MOBILE_PREFIXES = [
    "811", "812", "813", "821", "822", "823", "851", "852", "853", "814", "815", "816",
    "855", "856", "857", "858", "817", "818", "819", "859", "877", "878", "831", "832",
    "833", "838", "881", "882", "883", "884", "885", "886", "887", "888", "889", "895",
    "896", "897", "898", "899",
]
separators = st.sampled_from(["", " ", "-", ".", " - "])


@given(
    st.sampled_from(MOBILE_PREFIXES),
    st.text("0123456789", min_size=6, max_size=9),
    separators,
    st.sampled_from(["0{p}", "+62{p}", "62{p}", "+62 {p}", "(0{p})", "+62 (0){p}"]),
)
def test_indonesian_mobiles_in_any_format_normalize_to_one_e164(prefix, rest, sep, form):
    number = phonenumbers.parse("+62" + prefix + rest)
    assume(phonenumbers.is_valid_number(number))
    e164 = "+62" + prefix + rest
    head = form.format(p=prefix)
    text = head + sep + rest[:4] + sep + rest[4:]
    assert normalize_phone(text) == e164
    assert normalize_phone(e164) == e164
    assert normalize_phone(text, mobile_only=True) == e164


@given(st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
def test_example_numbers_of_every_country_are_stable(region):
    example = phonenumbers.example_number(region)
    assume(example is not None and phonenumbers.is_valid_number(example))
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert normalize_phone(e164) == e164
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    assert normalize_phone(international) == e164


@given(st.text(alphabet="0123456789+ -().a/", max_size=22) | st.text(max_size=20))
def test_normalize_phone_is_idempotent_or_rejects(text):
    try:
        e164 = normalize_phone(text)
    except InvalidValue as exc:
        assert exc.message
        return
    assert e164.startswith("+") and e164[1:].isdigit()
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
    assert normalize_phone(e164) == e164


# --------------------------------------------------------------------------- masks


def test_mask_phone():
    assert mask_phone("+6281234567890") == "+62812*****890"
    assert mask_phone("+6281345678901") == "+62813*****901"
    assert mask_phone("+61412345678") == "+61412***678"
    assert mask_phone("+12015550123") == "+1201****123"
    assert mask_phone(None) is None


def test_mask_phone_never_shows_the_middle_of_odd_values():
    assert mask_phone("+62812") == "+62***"
    assert mask_phone("12345") == "1***5"
    assert "1234567" not in mask_phone("1234567890")


@given(st.sampled_from(MOBILE_PREFIXES), st.text("0123456789", min_size=6, max_size=9))
def test_mask_phone_hides_at_least_three_digits(prefix, rest):
    e164 = "+62" + prefix + rest
    masked = mask_phone(e164)
    assert len(masked) == len(e164)
    assert masked.startswith("+62" + prefix)
    assert masked.endswith(rest[-3:])
    assert masked.count("*") >= 3


def test_mask_digits():
    assert mask_digits(SPEC_NIK) == "************0001"
    assert mask_digits(SPEC_KK) == "************0003"
    assert mask_digits(None) is None
    assert mask_digits("62.71.05") == "**.*1.05"
    assert mask_digits("12") == "*2"
    assert mask_digits("") == ""


@given(st.text("0123456789", min_size=8, max_size=20))
def test_mask_digits_keeps_only_the_last_four(digits):
    masked = mask_digits(digits)
    assert masked == "*" * (len(digits) - 4) + digits[-4:]


# --------------------------------------------------------------------------- NIK


def test_spec_nik_is_valid():
    assert validate_nik(SPEC_NIK) == SPEC_NIK
    assert validate_nik(f"  {SPEC_NIK}\n") == SPEC_NIK
    assert nik_birth_date(SPEC_NIK) == (dt.date(1980, 7, 5), "F")


def test_nik_birth_dates_and_sex():
    assert nik_birth_date("6271050507800001") == (dt.date(1980, 7, 5), "M")
    assert nik_birth_date("6271057112990001") == (dt.date(1999, 12, 31), "F")
    # 20YY when that is not in the future, else 19YY
    today = dt.date(2026, 3, 10)
    assert nik_birth_date("6271050101100001", today=today) == (dt.date(2010, 1, 1), "M")
    assert nik_birth_date("6271050101300001", today=today) == (dt.date(1930, 1, 1), "M")
    assert nik_birth_date("6271050903260001", today=today) == (dt.date(2026, 3, 9), "M")
    assert nik_birth_date("6271051103260001", today=today) == (dt.date(1926, 3, 11), "M")


@pytest.mark.parametrize(
    "nik, message",
    [
        ("627105450780000", "NIK must be 16 digits; got 15"),
        ("62710545078000011", "NIK must be 16 digits; got 17"),
        ("", "NIK is empty: it must be 16 digits"),
        ("6271 0545 0780 0001", "NIK must contain digits only"),
        ("6271.05.450780.0001", "NIK must contain digits only"),
        ("62710545078O0001", "NIK must contain digits only"),
        ("６２７１０５４５０７８００００１", "NIK must contain digits only"),
        ("1071054507800001", "NIK province code 10 (digits 1–2) is not an Indonesian"),
        ("9971054507800001", "NIK province code 99"),
        ("6200054507800001", "NIK regency/city code (digits 3–4) must not be 00"),
        ("6271004507800001", "NIK district (kecamatan) code (digits 5–6) must not be 00"),
        ("6271053207800001", "NIK date part 320780: day 32 is neither 01–31 nor 41–71 (women)"),
        ("6271050007800001", "NIK date part 000780: day 00 is neither 01–31 nor 41–71 (women)"),
        ("6271054007800001", "day 40 is neither"),
        ("6271057207800001", "day 72 is neither"),
        ("6271050513800001", "NIK date part 051380: month 13 is not 01–12"),
        ("6271050500800001", "NIK date part 050080: month 00 is not 01–12"),
        ("6271053102800001", "NIK date part 310280: 31-02 is not a real date"),
        ("6271053104800001", "NIK date part 310480: 31-04 is not a real date"),
        ("6271057104800001", "31-04 is not a real date (day 71 is 31 + 40 for a woman)"),
        ("6271052902010001", "NIK date part 290201: 29-02 is not a real date in 1901 or 2001"),
        ("6271056902010001", "29-02 is not a real date in 1901 or 2001"),
        ("6271050507800000", "NIK serial number (digits 13–16) must not be 0000"),
    ],
)
def test_validate_nik_rejects(nik, message):
    exc = rejects(validate_nik, nik)
    assert message in exc.message
    assert exc.path is None
    if len(nik) == 16:
        assert nik not in exc.message  # never echo a whole NIK


@pytest.mark.parametrize("value", [None, 6271054507800001, ["6271054507800001"]])
def test_validate_nik_rejects_non_text(value):
    assert "NIK must be text of 16 digits" in rejects(validate_nik, value).message


def test_nik_leap_days():
    assert validate_nik("6271052902000001")  # 2000 is a leap year (1900 is not)
    assert validate_nik("6271056902040001")  # 29 Feb 1904 / 2004, a woman
    assert validate_nik("6271052902960001")  # 1996


def test_nik_date_must_not_be_in_the_future_for_every_reading():
    # 1900 had no 29 February, and 29-02-2000 is after this `today`
    exc = rejects(validate_nik, "6271052902000001", today=dt.date(2000, 1, 1))
    assert exc.message == "NIK date part 290200: 2000-02-29 is in the future"
    # 01-01-25 is in the future as 2025 but fine as 1925
    assert validate_nik("6271050101250001", today=dt.date(2024, 6, 1))


def test_every_province_code():
    expected = {
        *range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66),
        *range(71, 77), 81, 82, *range(91, 98),
    }
    assert PROVINCE_CODES == {f"{c:02d}" for c in expected}
    for code in range(100):
        nik = f"{code:02d}71054507800001"
        if code in expected:
            assert validate_nik(nik) == nik
            assert validate_kk(f"{code:02d}71050101090003")
        else:
            assert "province code" in rejects(validate_nik, nik).message


provinces = st.sampled_from(sorted(PROVINCE_CODES))
two_digits_not_00 = st.integers(1, 99).map(lambda n: f"{n:02d}")
birth_dates = st.dates(dt.date(1931, 1, 1), dt.date(2025, 12, 31))
serials = st.integers(1, 9999).map(lambda n: f"{n:04d}")


@given(provinces, two_digits_not_00, two_digits_not_00, birth_dates, st.booleans(), serials)
def test_generated_niks_are_valid_and_decode(province, regency, district, born, woman, serial):
    day = born.day + (40 if woman else 0)
    nik = f"{province}{regency}{district}{day:02d}{born:%m%y}{serial}"
    today = dt.date(2026, 1, 1)
    assert validate_nik(nik, today=today) == nik
    decoded, sex = nik_birth_date(nik, today=today)
    assert sex == ("F" if woman else "M")
    assert decoded.strftime("%d%m%y") == born.strftime("%d%m%y")
    assert decoded <= today


@given(st.text("0123456789", min_size=16, max_size=16) | st.text(max_size=20))
def test_validate_nik_returns_the_digits_or_rejects(text):
    try:
        nik = validate_nik(text)
    except InvalidValue as exc:
        assert exc.message.startswith("NIK")
    else:
        assert nik == text.strip() and len(nik) == 16 and nik.isdigit()


# --------------------------------------------------------------------------- KK


def test_spec_kk_is_valid():
    assert validate_kk(SPEC_KK) == SPEC_KK
    assert validate_kk(f" {SPEC_KK} ") == SPEC_KK


@pytest.mark.parametrize(
    "kk, message",
    [
        ("627105010109000", "KK number must be 16 digits; got 15"),
        ("6271-0501-0109-0003", "KK number must contain digits only"),
        ("0071050101090003", "KK number province code 00"),
        ("6200050101090003", "KK number regency/city code (digits 3–4) must not be 00"),
        ("6271000101090003", "KK number district (kecamatan) code (digits 5–6) must not be 00"),
        ("6271054101090003", "KK number date part 410109: day 41 is not 01–31"),  # no +40 rule
        ("6271050001090003", "day 00 is not 01–31"),
        ("6271050113090003", "KK number date part 011309: month 13 is not 01–12"),
        ("6271053002090003", "KK number date part 300209: 30-02 is not a real date"),
        ("6271052902090003", "29-02 is not a real date in 1909 or 2009"),
        ("6271050101090000", "KK number serial number (digits 13–16) must not be 0000"),
    ],
)
def test_validate_kk_rejects(kk, message):
    exc = rejects(validate_kk, kk)
    assert message in exc.message
    assert exc.path is None


def test_kk_issue_date_not_in_the_future():
    exc = rejects(validate_kk, "6271052902000003", today=dt.date(2000, 2, 1))
    assert "2000-02-29 is in the future" in exc.message
    assert validate_kk("6271052902000003", today=dt.date(2000, 2, 29))


@given(provinces, two_digits_not_00, two_digits_not_00, birth_dates, serials)
def test_generated_kk_numbers_are_valid(province, regency, district, issued, serial):
    kk = f"{province}{regency}{district}{issued:%d%m%y}{serial}"
    assert validate_kk(kk, today=dt.date(2026, 1, 1)) == kk
