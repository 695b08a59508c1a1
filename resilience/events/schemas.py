import marshmallow as ma

from resilience.core.schemas import AreaField, AreaRefSchema, PhoneField, Text, UTCDateTime
from resilience.vocabulary import EVENT_STATUSES


class EventCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    started_at = UTCDateTime(required=True)
    ended_at = UTCDateTime(allow_none=True)
    affected_area = AreaField(allow_none=True, metadata={"description": "GeoJSON Polygon or MultiPolygon"})
    offer_timeout_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1440))
    long_wait_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10080), metadata={
        "description": "a priority 4-5 need unserved this long raises a long_wait alert (default 30)"})
    duty_phone = PhoneField(mobile_only=True, allow_none=True, metadata={
        "description": "the coordinator on duty: new alerts are sent here by SMS (grouped; emergencies at once)"})


class EventPatchSchema(EventCreateSchema):
    name = Text(max_length=200, blank=False)
    started_at = UTCDateTime()
    status = ma.fields.String(validate=ma.validate.OneOf(EVENT_STATUSES))


class EventSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String()
    started_at = UTCDateTime()
    ended_at = UTCDateTime(allow_none=True)
    affected_area = AreaField(allow_none=True)
    affected_admin_areas = ma.fields.List(
        ma.fields.Nested(AreaRefSchema), attribute="admin_areas"
    )
    offer_timeout_minutes = ma.fields.Integer()
    long_wait_minutes = ma.fields.Integer()
    duty_phone = PhoneField(allow_none=True)
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class EventQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(EVENT_STATUSES))
