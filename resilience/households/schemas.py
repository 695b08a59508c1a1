import marshmallow as ma

from resilience.core.errors import Message
from resilience.core.schemas import (
    AreaRefSchema, KkField, NikField, PhoneField, PointField, Text, UTCDateTime, VulnerableCount,
)
from resilience.vocabulary import VULNERABILITY_FIELDS

_count = dict(validate=ma.validate.Range(min=0, max=100))


class HouseholdCreateSchema(ma.Schema):
    head_name = Text(required=True, max_length=200, blank=False)
    phone = PhoneField(allow_none=True)
    nik = NikField(allow_none=True)
    kk_number = KkField(allow_none=True)
    address = Text(max_length=500)
    landmark = Text(max_length=300)
    location = PointField(required=True)
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


class HouseholdPatchSchema(HouseholdCreateSchema):
    head_name = Text(max_length=200, blank=False)
    location = PointField()

    def _vulnerable_within_members(self, data, **kwargs):
        """A PATCH is checked against the stored members by the operation instead."""


class HouseholdSchema(ma.Schema):
    id = ma.fields.Integer()
    head_name = ma.fields.String()
    phone = PhoneField(allow_none=True)
    nik = NikField(allow_none=True)
    kk_number = KkField(allow_none=True)
    address = ma.fields.String()
    landmark = ma.fields.String()
    location = PointField()
    admin_area = ma.fields.Nested(AreaRefSchema, allow_none=True)
    members = ma.fields.Integer()
    elderly = VulnerableCount()
    children_under5 = VulnerableCount()
    pregnant_or_lactating = VulnerableCount()
    disabled = VulnerableCount()
    chronically_ill = VulnerableCount()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class HouseholdQuery(ma.Schema):
    event = ma.fields.Integer(metadata={"description": "households with a need in the event or inside its affected area"})
    area = ma.fields.String(metadata={"description": "kelurahan (or kecamatan) code, e.g. 62.71.05.1004"})
    bbox = ma.fields.String(metadata={"description": "minLon,minLat,maxLon,maxLat"})
    q = ma.fields.String(metadata={"description": "search in head name, address and landmark"})
