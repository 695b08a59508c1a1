"""Pure validators for identity data: phone numbers, NIK and KK numbers, and their masks.

Stdlib + Google's ``phonenumbers`` only. Rejections raise
:class:`~resilience.core.invalid.InvalidValue`. Messages never repeat a whole phone number,
NIK or KK number (they may end up in logs); they name the part that is wrong.
"""

from __future__ import annotations

import datetime as _dt
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from resilience.core.invalid import InvalidValue, Message

__all__ = [
    "PROVINCE_CODES",
    "InvalidValue",
    "mask_digits",
    "mask_phone",
    "nik_birth_date",
    "normalize_phone",
    "validate_kk",
    "validate_nik",
]

# --------------------------------------------------------------------------- phones

# Each message ends "use e.g. 0812-3456-7890 or +62 812 3456 7890" (written out, for gettext).
_PHONE_CHARS = re.compile(r"\+?[0-9\s().\-/]*")
_MAX_PHONE_DIGITS = 17  # E.164 allows 15; leave room for an international prefix like 00
_SMS_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def _describe(value: object) -> str:
    if value is None:
        return Message("null")
    if isinstance(value, bool):
        return Message("a boolean")
    if isinstance(value, (int, float)):
        return Message("a number (send it as text, in quotes)")
    return Message("a %(type)s", type=type(value).__name__)


def normalize_phone(text: str, region: str = "ID", *, mobile_only: bool = False) -> str:
    """Return the E.164 form (``+6281234567890``) of a phone number typed by a person.

    Numbers without ``+`` are read as national numbers of ``region`` (``0812-3456-7890``),
    except that a number starting with the region's country code (``62812…``) or with
    ``00`` is read as international when that gives a valid number. With
    ``mobile_only=True`` landlines and other numbers that cannot receive SMS are rejected.
    """
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown phone region {region!r}")
    if not isinstance(text, str):
        raise InvalidValue(Message("phone number must be text; got %(got)s: use e.g. 0812-3456-7890 or "
                                   "+62 812 3456 7890", got=_describe(text)))
    stripped = text.strip()
    if not stripped:
        raise InvalidValue(Message("phone number is empty: use e.g. 0812-3456-7890 or +62 812 3456 7890"))
    if not _PHONE_CHARS.fullmatch(stripped):
        raise InvalidValue(Message(
            "a phone number may contain only digits, spaces, - . ( ) / and a leading +: "
            "use e.g. 0812-3456-7890 or +62 812 3456 7890"
        ))
    international = stripped.startswith("+")
    digits = re.sub(r"\D", "", stripped)
    if len(digits) < 3:
        raise InvalidValue(_TOO_SHORT)
    if len(digits) > _MAX_PHONE_DIGITS:
        raise InvalidValue(Message("phone number is too long (%(digits)s digits): use e.g. 0812-3456-7890 or "
                                   "+62 812 3456 7890", digits=len(digits)))

    country_code = str(phonenumbers.country_code_for_region(region))
    candidates: list[str] = []
    if international:
        candidates.append("+" + digits)
    else:
        if digits.startswith(country_code):
            candidates.append("+" + digits)  # "62812…": the country code without its "+"
        if digits.startswith("00"):
            candidates.append("+" + digits[2:])  # 00 61 …
            if digits[2:3] in ("1", "7", "8", "9"):
                candidates.append("+" + digits[3:])  # Indonesian carrier prefixes 001/007/…
        candidates.append(digits)

    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException:
            continue
        if number.extension or not phonenumbers.is_valid_number(number):
            continue
        if mobile_only and phonenumbers.number_type(number) not in _SMS_TYPES:
            raise InvalidValue(Message(
                "this number cannot receive SMS (it is not a mobile number): use e.g. 0812-3456-7890 or "
                "+62 812 3456 7890"
            ))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidValue(_phone_problem("+" + digits if international else digits, region))


_TOO_SHORT = Message("phone number is too short: use e.g. 0812-3456-7890 or +62 812 3456 7890")
_TOO_LONG = Message("phone number is too long: use e.g. 0812-3456-7890 or +62 812 3456 7890")
_UNKNOWN_COUNTRY = Message("unknown country code after '+': use e.g. 0812-3456-7890 or +62 812 3456 7890")


def _not_a_phone(candidate: str) -> Message:
    if not candidate.startswith(("+", "0")):
        return Message("not a valid Indonesian or international phone number: use e.g. 0812-3456-7890 or "
                       "+62 812 3456 7890; write a foreign number with + and its country code")
    return Message("not a valid Indonesian or international phone number: use e.g. 0812-3456-7890 or "
                   "+62 812 3456 7890")


def _phone_problem(candidate: str, region: str) -> Message:
    """The most specific message for a number that no reading made valid."""
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return _UNKNOWN_COUNTRY
        if exc.error_type in (
            NumberParseException.TOO_SHORT_NSN,
            NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            return _TOO_SHORT
        return _not_a_phone(candidate)
    national = phonenumbers.national_significant_number(number).lstrip("0")
    if number.country_code == 62 and national.startswith("8"):
        # Indonesian mobile numbers: 08 followed by 8 to 11 digits
        if len(national) < 9:
            return Message("phone number is too short: Indonesian mobile numbers have 10 to 13 digits, "
                           "e.g. 0812-3456-7890")
        if len(national) > 12:
            return Message("phone number is too long: Indonesian mobile numbers have 10 to 13 digits, "
                           "e.g. 0812-3456-7890")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.TOO_SHORT:
        return _TOO_SHORT
    if reason == ValidationResult.TOO_LONG:
        return _TOO_LONG
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return _UNKNOWN_COUNTRY
    return _not_a_phone(candidate)


def _keep(length: int, most: int) -> int:
    """How many digits a mask may show at each end: up to ``most``, never the majority."""
    return max(0, min(most, (length - 3) // 2))


def mask_phone(e164: str | None) -> str | None:
    """``+6281234567890`` → ``+62812*****890``: country code, 3 digits, stars, last 3.

    Short numbers show fewer digits; text that is not E.164 is masked all but its last
    digits. ``None`` stays ``None``.
    """
    if e164 is None:
        return None
    text = str(e164).strip()
    digits = re.sub(r"\D", "", text)
    country_code = ""
    if text.startswith("+"):
        try:
            parsed = phonenumbers.parse("+" + digits, None)
        except NumberParseException:
            parsed = None
        if parsed is not None and digits.startswith(str(parsed.country_code)):
            country_code = str(parsed.country_code)
    national = digits[len(country_code):]
    keep = _keep(len(national), 3)
    middle = "*" * (len(national) - 2 * keep)
    head = national[:keep]
    tail = national[len(national) - keep:] if keep else ""
    prefix = "+" + country_code if country_code else ""
    return f"{prefix}{head}{middle}{tail}"


def mask_digits(s: str | None) -> str | None:
    """Replace every digit but the last 4 with ``*`` (``************0001``).

    Other characters are kept; values of fewer than 8 digits show at most half of them.
    ``None`` stays ``None``.
    """
    if s is None:
        return None
    text = str(s)
    total = sum(ch in "0123456789" for ch in text)
    shown = min(4, total // 2)
    out = []
    seen = 0
    for ch in text:
        if ch in "0123456789":
            seen += 1
            out.append(ch if seen > total - shown else "*")
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------- NIK / KK

PROVINCE_CODES = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 20),  # Aceh … Kepulauan Bangka Belitung
        21,  # Kepulauan Riau
        *range(31, 37),  # DKI Jakarta … Banten
        *range(51, 54),  # Bali, NTB, NTT
        *range(61, 66),  # Kalimantan Barat … Kalimantan Utara (62 = Kalimantan Tengah)
        *range(71, 77),  # Sulawesi Utara … Sulawesi Barat
        81,  # Maluku
        82,  # Maluku Utara
        *range(91, 98),  # Papua, Papua Barat and the provinces created from them in 2022
    )
)
"""Two-digit Kemendagri province codes that can start a NIK or KK number."""

_DIGITS = frozenset("0123456789")


_NIK = Message("NIK")
_KK = Message("KK number")


def _sixteen_digits(label: Message, text: object) -> str:
    if not isinstance(text, str):
        raise InvalidValue(Message("%(label)s must be text of 16 digits; got %(got)s", label=label,
                                   got=_describe(text)))
    value = text.strip()
    if not value:
        raise InvalidValue(Message("%(label)s is empty: it must be 16 digits", label=label))
    if not set(value) <= _DIGITS:
        raise InvalidValue(Message("%(label)s must contain digits only (no spaces, dots or letters)", label=label))
    if len(value) != 16:
        raise InvalidValue(Message("%(label)s must be 16 digits; got %(count)s", label=label, count=len(value)))
    if value[0:2] not in PROVINCE_CODES:
        raise InvalidValue(Message(
            "%(label)s province code %(code)s (digits 1–2) is not an Indonesian province "
            "code; e.g. Kalimantan Tengah is 62", label=label, code=value[0:2]
        ))
    if value[2:4] == "00":
        raise InvalidValue(Message("%(label)s regency/city code (digits 3–4) must not be 00", label=label))
    if value[4:6] == "00":
        raise InvalidValue(Message("%(label)s district (kecamatan) code (digits 5–6) must not be 00", label=label))
    return value


def _check_serial(label: Message, value: str) -> None:
    if value[12:16] == "0000":
        raise InvalidValue(Message("%(label)s serial number (digits 13–16) must not be 0000", label=label))


def _date_readings(
    label: Message, part: str, day: int, month: int, today: _dt.date, note: Message | str = ""
) -> list[_dt.date]:
    """The dates DD-MM-YY can mean (19YY, 20YY) that exist and are not after ``today``."""
    if not 1 <= month <= 12:
        raise InvalidValue(Message("%(label)s date part %(part)s: month %(month)s is not 01–12", label=label,
                                   part=part, month=part[2:4]))
    yy = int(part[4:6])
    existing = []
    for century in (1900, 2000):
        try:
            existing.append(_dt.date(century + yy, month, day))
        except ValueError:
            pass
    if not existing:
        if month == 2 and day == 29:
            reason = Message("29-02 is not a real date in 19%(yy)s or 20%(yy)s", yy=part[4:6])
        else:
            reason = Message("%(date)s is not a real date", date=f"{day:02d}-{month:02d}")
        raise InvalidValue(Message("%(label)s date part %(part)s: %(reason)s%(note)s", label=label, part=part,
                                   reason=reason, note=note))
    plausible = [d for d in existing if d <= today]
    if not plausible:
        raise InvalidValue(Message("%(label)s date part %(part)s: %(date)s is in the future", label=label,
                                   part=part, date=existing[-1].isoformat()))
    return plausible


def _nik_parts(text: object, today: _dt.date | None) -> tuple[str, list[_dt.date], str]:
    nik = _sixteen_digits(_NIK, text)
    today = today or _dt.date.today()
    part = nik[6:12]
    dd = int(part[0:2])
    if 1 <= dd <= 31:
        day, sex, note = dd, "M", ""
    elif 41 <= dd <= 71:
        note = Message(" (day %(day)s is %(real)s + 40 for a woman)", day=part[0:2], real=f"{dd - 40:02d}")
        day, sex = dd - 40, "F"
    else:
        raise InvalidValue(Message("NIK date part %(part)s: day %(day)s is neither 01–31 nor 41–71 (women)",
                                   part=part, day=part[0:2]))
    readings = _date_readings(_NIK, part, day, int(part[2:4]), today, note)
    _check_serial(_NIK, nik)
    return nik, readings, sex


def validate_nik(text: str, today: _dt.date | None = None) -> str:
    """Validate a NIK (Nomor Induk Kependudukan); return it without surrounding spaces.

    Layout: PP KK CC DDMMYY SSSS — province, regency/city, district, birth date (women's
    day + 40), serial. The date must exist and not be in the future (relative to ``today``,
    default today) when read as 19YY or as 20YY.
    """
    return _nik_parts(text, today)[0]


def nik_birth_date(nik: str, today: _dt.date | None = None) -> tuple[_dt.date, str]:
    """``(birth date, sex)`` from a NIK; sex is ``'F'`` or ``'M'``.

    The two-digit year is read as 20YY when that date is not in the future, else as 19YY.
    Raises :class:`InvalidValue` for an invalid NIK.
    """
    _, readings, sex = _nik_parts(nik, today)
    return readings[-1], sex


def validate_kk(text: str, today: _dt.date | None = None) -> str:
    """Validate a KK (Kartu Keluarga) number; return it without surrounding spaces.

    Same layout as a NIK, but digits 7–12 are the issue date DDMMYY with no +40 rule.
    """
    kk = _sixteen_digits(_KK, text)
    today = today or _dt.date.today()
    part = kk[6:12]
    day = int(part[0:2])
    if not 1 <= day <= 31:
        raise InvalidValue(Message("KK number date part %(part)s: day %(day)s is not 01–31", part=part,
                                   day=part[0:2]))
    _date_readings(_KK, part, day, int(part[2:4]), today)
    _check_serial(_KK, kk)
    return kk
