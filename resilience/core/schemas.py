"""Marshmallow fields shared by the domains: points, areas, phones, identity numbers, times.

Personal data (NIK, KK number, phones, who in a household is vulnerable) is masked at
serialisation unless the current request's role may see it (:func:`show_personal_data`); the
default is masked, so a forgotten check hides data rather than leaking it.
"""

from __future__ import annotations

import contextvars
from datetime import datetime, timezone
from typing import Any

import marshmallow as ma
from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point

from resilience.core.bounds import MAX_YEAR, MIN_YEAR
from resilience.core.crypto import Unreadable
from resilience.core.geo import INDONESIA_BBOX, area_to_geojson, check_point, parse_area
from resilience.core.identity import (
    PROVINCE_CODES,
    mask_digits,
    mask_phone,
    normalize_phone,
    validate_kk,
    validate_nik,
)
from resilience.core.invalid import InvalidValue, Message

_personal: contextvars.ContextVar[bool] = contextvars.ContextVar("personal_data", default=False)


def show_personal_data(visible: bool) -> contextvars.Token:
    return _personal.set(visible)


def personal_data_visible() -> bool:
    return _personal.get()


def _invalid(exc: InvalidValue) -> ma.ValidationError:
    if exc.path:
        return ma.ValidationError({exc.path: [exc.message]})
    return ma.ValidationError(exc.message)


def point_element(lat: float, lon: float) -> WKBElement:
    return from_shape(Point(lon, lat), srid=4326)


def point_dict(value: Any) -> dict[str, float] | None:
    if value is None:
        return None
    if isinstance(value, (WKBElement, WKTElement)):
        shape = to_shape(value)
        return {"lat": round(shape.y, 7), "lon": round(shape.x, 7)}
    if isinstance(value, tuple):
        return {"lat": value[0], "lon": value[1]}
    raise TypeError(f"not a point: {value!r}")


class PointField(ma.fields.Field):
    """``{"lat": -1.6346, "lon": 113.6858}`` ↔ a PostGIS/SpatiaLite POINT (SRID 4326)."""

    default_error_messages = {
        "invalid": Message('Must be an object {"lat": …, "lon": …}.'),
    }

    def _serialize(self, value, attr, obj, **kwargs):
        return point_dict(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        unknown = sorted(set(value) - {"lat", "lon"})
        missing = [k for k in ("lat", "lon") if k not in value]
        problems: dict[str, list[str]] = {}
        for key in unknown:
            problems[key] = [Message("Unknown field.")]
        for key in missing:
            problems[key] = [Message("Missing data for required field.")]
        if problems:
            raise ma.ValidationError(problems)
        try:
            lat, lon = check_point(value["lat"], value["lon"])
        except InvalidValue as exc:
            raise _invalid(exc) from exc
        return point_element(lat, lon)


class AreaField(ma.fields.Field):
    """A GeoJSON Polygon/MultiPolygon ↔ a MULTIPOLYGON column (SRID 4326)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return area_to_geojson(to_shape(value))

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            shape = parse_area(value)
        except InvalidValue as exc:
            raise _invalid(exc) from exc
        return from_shape(shape, srid=4326)


class Text(ma.fields.String):
    """A string trimmed of surrounding spaces; ``required_text`` also rejects blank ones."""

    def __init__(self, *, max_length: int, blank: bool = True, **kwargs):
        validators = [ma.validate.Length(max=max_length)]
        if not blank:
            validators.append(ma.validate.Length(min=1, error=Message("Must not be blank.")))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class PhoneField(ma.fields.String):
    """Any way Indonesians write a number in; E.164 out (masked for roles without access).

    ``mobile_only`` for numbers that must receive SMS (volunteers)."""

    request_format = None  # set below, with the patterns

    def __init__(self, *, mobile_only: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.mobile_only = mobile_only

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_phone(text, mobile_only=self.mobile_only)
        except InvalidValue as exc:
            raise _invalid(exc) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, Unreadable):  # nothing to mask in "<unreadable>"
            return value
        return value if personal_data_visible() else mask_phone(value)


class PersonalString(ma.fields.String):
    """A name, an address, free text (notes, reasons, SMS bodies): ``null`` for roles without
    access to personal data."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)  # documented as nullable: null is what officials get
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value, attr, obj, **kwargs) if personal_data_visible() else None


class PersonalPoint(PointField):
    """A household's or a volunteer's point: ``null`` for roles without access to personal data
    (officials see households per kelurahan)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)  # documented as nullable: null is what officials get
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value, attr, obj, **kwargs) if personal_data_visible() else None


class VulnerableCount(ma.fields.Integer):
    """How many members of a household are elderly, disabled, …: ``null`` for roles without
    access to personal data (officials see these only as totals in the report)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)  # documented as nullable: null is what officials get
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value, attr, obj, **kwargs) if personal_data_visible() else None


class _IdentityNumber(ma.fields.String):
    validator = staticmethod(validate_nik)
    request_format = None  # set below, with the patterns

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return type(self).validator(text)
        except InvalidValue as exc:
            raise _invalid(exc) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, Unreadable):  # nothing to mask in "<unreadable>"
            return value
        return value if personal_data_visible() else mask_digits(value)


class NikField(_IdentityNumber):
    validator = staticmethod(validate_nik)


class KkField(_IdentityNumber):
    validator = staticmethod(validate_kk)


class UTCDateTime(ma.fields.AwareDateTime):
    """ISO 8601 in, ``2026-03-10T07:30:00Z`` out; a time without offset is read as UTC."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.endswith("Z"):
            value = value[:-1] + "+00:00"
        moment = super()._deserialize(value, attr, data, **kwargs)
        # A time outside 1900-2100 is a typing error (and 9999-12-31 overflows any conversion
        # to local time on the pages): refused here, never stored.
        if not MIN_YEAR <= moment.year <= MAX_YEAR or not MIN_YEAR <= moment.astimezone(timezone.utc).year <= MAX_YEAR:
            raise ma.ValidationError(Message("must be a time between %(low)s and %(high)s", low=MIN_YEAR,
                                             high=MAX_YEAR))
        return moment.astimezone(timezone.utc)


# A time's year, as the document states it: 1900-2099, or 2100 (its first day, after which
# MAX_YEAR's bound is checked by the field).
YEAR_PATTERN = "^(19[0-9]{2}|20[0-9]{2}|2100)-"
assert (MIN_YEAR, MAX_YEAR) == (1900, 2100), "YEAR_PATTERN states 1900-2100"


class AreaRefSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()


# What the identity fields accept, as JSON Schema patterns: every value matching one is taken
# (tests/core/test_field_patterns.py draws values from them), though the fields take more
# (spaces, dashes, "RT 03", landlines): the pattern is what a client may rely on.
# A mobile number, national (08…) or international (+628…): Indonesian mobile numbers are
# 8[1-35-9] and 7 to 10 more digits after the trunk 0 (libphonenumber's metadata).
PHONE_PATTERN = r"^(\+62|0)8[1-35-9][0-9]{7,10}$"
_SERIAL = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_AREA = ("(" + "|".join(sorted(PROVINCE_CODES)) + ")"  # province
         "(0[1-9]|[1-9][0-9])(0[1-9]|[1-9][0-9])")  # regency/city, district: never 00


# DDMM of a day that exists in every year (29 February left out): a man's birth date or a KK's
# issue date, and a woman's, whose day is 41-71.
_DAY_MONTH = "(0[1-9]|1[0-9]|2[0-8])(0[1-9]|1[0-2])|(29|30)(0[13-9]|1[0-2])|31(0[13578]|1[02])"
_WOMAN_DAY_MONTH = "(4[1-9]|5[0-9]|6[0-8])(0[1-9]|1[0-2])|(69|70)(0[13-9]|1[0-2])|71(0[13578]|1[02])"


# Then YY, any: read as 19YY the date is never in the future.
NIK_PATTERN = f"^{_AREA}({_DAY_MONTH}|{_WOMAN_DAY_MONTH})[0-9]{{2}}{_SERIAL}$"
KK_PATTERN = f"^{_AREA}({_DAY_MONTH})[0-9]{{2}}{_SERIAL}$"


PhoneField.request_format = {"pattern": PHONE_PATTERN, "minLength": 10, "maxLength": 15,
                              "example": "+6281234567890"}
NikField.request_format = {"pattern": NIK_PATTERN, "minLength": 16, "maxLength": 16, "example": "6271054506900001"}
KkField.request_format = {"pattern": KK_PATTERN, "minLength": 16, "maxLength": 16, "example": "6271050101900001"}


def _request_schema(field: ma.fields.Field) -> bool:
    """Whether the field belongs to a request body (``…CreateSchema``, ``…PatchSchema``): a
    field's ``request_format`` describes what is sent, not what comes back (answers mask phones
    and identity numbers for roles without access, ``+62812*****890``, and an erased household's
    RT/RW may be empty)."""
    name = type(field.parent).__name__ if field.parent is not None else ""
    return name.endswith(("CreateSchema", "PatchSchema"))


def register_fields(api) -> None:
    """Tell apispec how the custom fields look in the OpenAPI document."""
    api.register_field(PointField, "object", None)
    api.register_field(AreaField, "object", None)
    api.ma_plugin.converter.add_attribute_function(_field_constraints)


def _field_constraints(self, field: ma.fields.Field, **kwargs) -> dict[str, Any]:
    """What the custom fields accept, in JSON Schema: a point's two members inside Indonesia,
    an area's GeoJSON type, a time's year between MIN_YEAR and MAX_YEAR, and in request bodies the
    ``request_format`` of phones, NIK, KK and RT/RW numbers (:func:`_request_schema`). A client generator (and schemathesis) then builds values the
    server takes, instead of learning it from a 422."""
    if isinstance(field, PointField):
        west, south, east, north = INDONESIA_BBOX
        return {"properties": {"lat": {"type": "number", "minimum": south, "maximum": north},
                               "lon": {"type": "number", "minimum": west, "maximum": east}},
                "required": ["lat", "lon"], "additionalProperties": False}
    if isinstance(field, UTCDateTime):
        return {"pattern": YEAR_PATTERN}
    request_format = getattr(field, "request_format", None)
    if request_format is not None and _request_schema(field):
        return dict(request_format)
    if isinstance(field, AreaField):
        return {"properties": {"type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
                               "coordinates": {"type": "array"}},
                "required": ["type", "coordinates"]}
    return {}
