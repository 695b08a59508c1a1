import re

import marshmallow as ma

from resilience.core.api import PageArgs
from resilience.core.errors import Message
from resilience.core.schemas import (
    AreaRefSchema, KkField, NikField, PersonalPoint, PersonalString, PhoneField, PointField, Text, UTCDateTime,
    VulnerableCount, personal_data_visible,
)
from resilience.vocabulary import LOCATION_PRECISIONS, VULNERABILITY_FIELDS

_count = dict(validate=ma.validate.Range(min=0, max=100))
# A client that sends a point says how it got it; "kelurahan" is never sent, it is what a
# household without a point gets.
CLIENT_PRECISIONS = tuple(p for p in LOCATION_PRECISIONS if p != "kelurahan")
RT_RW_PATTERN = "^(0{0,2}[1-9]|0?[1-9][0-9]|[1-9][0-9]{2})$"
_RT_RW = re.compile(r"^(?:R[TW]\.?\s*)?0*(\d{1,3})$", re.IGNORECASE)


def normalize_rt_rw(value: object) -> str | None:
    """"3", "03", "003", 3, "RT 03" → "003"; blank → None; anything else: ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text == "":
        return None
    match = _RT_RW.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(text)
    return f"{int(match.group(1)):03d}"


class RtRwField(ma.fields.Field):
    """An RT or RW number: 1 to 3 digits (001–999), stored and shown zero-padded ("003")."""

    default_error_messages = {"invalid": Message("Must be an RT/RW number of 1 to 3 digits, e.g. 3 or 003.")}

    # In the document: the digits as text, 1 to 999 (the field also takes a number or "RT 03")
    request_format = {"pattern": RT_RW_PATTERN, "minLength": 1, "maxLength": 3, "example": "003"}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"type": "string", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalize_rt_rw(value)
        except ValueError:
            raise self.make_error("invalid") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value if personal_data_visible() else None


class HouseholdCreateSchema(ma.Schema):
    head_name = Text(required=True, max_length=200, blank=False)
    phone = PhoneField(allow_none=True)
    nik = NikField(allow_none=True)
    kk_number = KkField(allow_none=True)
    address = Text(max_length=500)
    landmark = Text(max_length=300)
    rt = RtRwField(allow_none=True, metadata={"description": "rukun tetangga, 1–3 digits; answered as \"003\""})
    rw = RtRwField(allow_none=True, metadata={"description": "rukun warga, 1–3 digits; answered as \"001\""})
    street = Text(max_length=200, metadata={"description": "jalan or dusun"})
    location = PointField(metadata={
        "description": "the household's point; may be left out when `admin_area` is given (an "
                       "approximate point inside the kelurahan, `location_precision: kelurahan`)"})
    location_precision = ma.fields.String(
        validate=ma.validate.OneOf(CLIENT_PRECISIONS, error="Must be gps or map (a household without a "
                                   "point gets kelurahan by itself)."),
        metadata={"description": "how the point was obtained: `gps` (default) or `map` (clicked)"})
    admin_area = ma.fields.String(validate=ma.validate.Length(min=1, max=20), metadata={
        "description": "kelurahan code, e.g. 62.71.05.1004; must agree with the point's kelurahan"})
    members = ma.fields.Integer(validate=ma.validate.Range(min=1, max=100))
    elderly = ma.fields.Integer(**_count)
    children_under5 = ma.fields.Integer(**_count)
    pregnant_or_lactating = ma.fields.Integer(**_count)
    disabled = ma.fields.Integer(**_count)
    chronically_ill = ma.fields.Integer(**_count)

    @ma.validates_schema
    def _vulnerable_within_members(self, data, **kwargs):
        members = data.get("members", 1)
        errors = {
            name: [Message("%(count)s is more than the %(members)s members", count=data[name], members=members)]
            for name in VULNERABILITY_FIELDS
            if data.get(name, 0) > members
        }
        if errors:
            raise ma.ValidationError(errors)

    @ma.validates_schema
    def _a_place(self, data, partial=None, **kwargs):
        if "location_precision" in data and "location" not in data:
            raise ma.ValidationError({"location_precision": [Message("Only with a location.")]})
        if self._creating and "location" not in data and not data.get("admin_area"):
            raise ma.ValidationError({"location": [Message(
                "Missing data for required field: give the point, or the kelurahan code as admin_area "
                "for an approximate point.")]})

    _creating = True


class HouseholdPatchSchema(HouseholdCreateSchema):
    head_name = Text(max_length=200, blank=False)
    _creating = False

    def _vulnerable_within_members(self, data, **kwargs):
        """A PATCH is checked against the stored members by the operation instead."""


class HouseholdSchema(ma.Schema):
    id = ma.fields.Integer()
    head_name = PersonalString()
    phone = PhoneField(allow_none=True)
    nik = NikField(allow_none=True)
    kk_number = KkField(allow_none=True)
    address = PersonalString()
    landmark = PersonalString()
    rt = RtRwField(allow_none=True)
    rw = RtRwField(allow_none=True)
    street = PersonalString()
    location = PersonalPoint()
    location_precision = ma.fields.String(metadata={
        "description": "gps, map, or kelurahan (an approximate point inside the kelurahan)"})
    admin_area = ma.fields.Nested(AreaRefSchema, allow_none=True)
    members = ma.fields.Integer()
    elderly = VulnerableCount()
    children_under5 = VulnerableCount()
    pregnant_or_lactating = VulnerableCount()
    disabled = VulnerableCount()
    chronically_ill = VulnerableCount()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()
    merged_into_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "set when this household was found to be a duplicate and merged into that one"})
    merged_at = UTCDateTime(allow_none=True)
    erased_at = UTCDateTime(allow_none=True, metadata={
        "description": "set when the household's personal data was erased (UU PDP): its name answers "
                       "\"[dihapus]\", identity numbers, phone, address, RT/RW are null or empty and its point is "
                       "the kelurahan's approximate point; it can no longer be edited"})


class DuplicateQuery(PageArgs):
    household = ma.fields.Integer(metadata={"description": "only the pairs of this household"})
    min_score = ma.fields.Float(load_default=0.0, validate=ma.validate.Range(min=0, max=1),
                                metadata={"description": "only pairs scoring at least this (0..1)"})
    exact = ma.fields.Boolean(metadata={"description": "`true`: only pairs that are surely one family"})


class DuplicateReasonSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "same_kk, same_phone, similar_name, near, same_rt or "
                                                     "same_kelurahan"})
    similarity = ma.fields.Float(metadata={"description": "similar_name: 0..1"})
    distance_m = ma.fields.Float(metadata={"description": "near: metres between the two points"})


class DuplicatePairSchema(ma.Schema):
    household_ids = ma.fields.List(ma.fields.Integer())
    households = ma.fields.List(ma.fields.Nested(HouseholdSchema))
    score = ma.fields.Float(metadata={"description": "0..1, higher is more likely one family"})
    exact = ma.fields.Boolean(metadata={"description": "surely one family (same KK number, or the same name "
                                                      "with the same phone, point, RT or address)"})
    reasons = ma.fields.List(ma.fields.Nested(DuplicateReasonSchema))


class DuplicateCandidateSchema(ma.Schema):
    household_id = ma.fields.Integer(metadata={"description": "the registered household that may be this family"})
    score = ma.fields.Float(metadata={"description": "0..1, higher is more likely one family"})
    exact = ma.fields.Boolean(metadata={"description": "surely one family (see the duplicates list)"})
    reasons = ma.fields.List(ma.fields.Nested(DuplicateReasonSchema))


class HouseholdCreatedSchema(HouseholdSchema):
    duplicates = ma.fields.List(ma.fields.Nested(DuplicateCandidateSchema), metadata={
        "description": "a warning, not a refusal: registered households that may be the same family (the same "
                       "KK number or phone, or a similar name in the same place), best first; empty when none. "
                       "Look at them, then merge (`/households/{id}/merge`) or mark them `not-duplicate`"})


class MergeSchema(ma.Schema):
    into = ma.fields.Integer(required=True, metadata={"description": "the household kept"})


class NotDuplicateSchema(ma.Schema):
    of = ma.fields.Integer(required=True, metadata={"description": "the other household, a different family"})


class NotDuplicateResultSchema(ma.Schema):
    household_ids = ma.fields.Method("_ids")
    decided_by = ma.fields.String()
    created_at = UTCDateTime()

    def _ids(self, row):
        return [row.low_id, row.high_id]


class HouseholdQuery(ma.Schema):
    event = ma.fields.Integer(metadata={"description": "households with a need in the event or inside its affected area"})
    area = ma.fields.String(metadata={"description": "kelurahan (or kecamatan) code, e.g. 62.71.05.1004"})
    bbox = ma.fields.String(metadata={"description": "minLon,minLat,maxLon,maxLat"})
    q = ma.fields.String(metadata={"description": "search in head name, address and landmark"})
