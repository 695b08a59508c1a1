import marshmallow as ma

from resilience.core.schemas import AreaField, AreaRefSchema, Text, UTCDateTime
from resilience.vocabulary import EVENT_STATUSES


class EventCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    started_at = UTCDateTime(required=True)
    ended_at = UTCDateTime(allow_none=True)
    affected_area = AreaField(allow_none=True, metadata={"description": "GeoJSON Polygon or MultiPolygon"})
    offer_timeout_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1440))


class EventPatchSchema(EventCreateSchema):
    name = Text(max_length=200, blank=False)
    started_at = UTCDateTime()
    status = ma.fields.String(validate=ma.validate.OneOf(EVENT_STATUSES))
    public = ma.fields.Boolean(metadata={
        "description": "the public transparency page /transparansi/{id} (aggregates only) is on"})


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
    public = ma.fields.Boolean()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class EventQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(EVENT_STATUSES))
