"""The patterns the OpenAPI document gives for phones, NIK, KK and RT/RW numbers
(resilience/core/schemas.py) are true: every value matching one is accepted by the validator
behind the field, so a client (or schemathesis) that follows the document is never refused."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.core.identity import normalize_phone, validate_kk, validate_nik
from resilience.core.schemas import KK_PATTERN, NIK_PATTERN, PHONE_PATTERN, KkField, NikField, PhoneField
from resilience.households.schemas import RT_RW_PATTERN, RtRwField, normalize_rt_rw

_FEW = settings(max_examples=200, deadline=None, database=None, derandomize=True)


@_FEW
@given(st.from_regex(PHONE_PATTERN, fullmatch=True))
def test_a_phone_matching_the_pattern_is_a_mobile_number(text):
    assert normalize_phone(text, mobile_only=True) == "+62" + re.sub(r"^(\+62|0)", "", text)


@_FEW
@given(st.from_regex(NIK_PATTERN, fullmatch=True))
def test_a_nik_matching_the_pattern_is_valid(text):
    assert validate_nik(text) == text


@_FEW
@given(st.from_regex(KK_PATTERN, fullmatch=True))
def test_a_kk_number_matching_the_pattern_is_valid(text):
    assert validate_kk(text) == text


@_FEW
@given(st.from_regex(RT_RW_PATTERN, fullmatch=True))
def test_an_rt_matching_the_pattern_is_valid(text):
    assert normalize_rt_rw(text) == f"{int(text):03d}"


def test_the_patterns_refuse_what_the_validators_refuse():
    """Hand-picked edges, so that a loosened pattern fails here too."""
    for bad in ("0712345678", "+6221123456", "081234", "+628123456789012"):
        assert not re.fullmatch(PHONE_PATTERN, bad)
    for bad in ("0071050101900001", "6200050101900001", "6271050101900000", "6271052902010001",
                "6271053102900001", "6271057202900001", "6271053213900001"):
        assert not re.fullmatch(NIK_PATTERN, bad)
    assert not re.fullmatch(KK_PATTERN, "6271054506900001")  # a woman's day is no issue date
    for bad in ("0", "000", "1000", "RT 3"):
        assert not re.fullmatch(RT_RW_PATTERN, bad)
    # and the examples given in the document match them
    for field, pattern in ((PhoneField, PHONE_PATTERN), (NikField, NIK_PATTERN), (KkField, KK_PATTERN),
                           (RtRwField, RT_RW_PATTERN)):
        assert re.fullmatch(pattern, field.request_format["example"])
        assert field.request_format["pattern"] == pattern
