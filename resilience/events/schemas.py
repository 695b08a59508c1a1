import marshmallow as ma

from resilience.core.schemas import AreaField, AreaRefSchema, Text, UTCDateTime
from resilience.core.errors import Message
from resilience.vocabulary import EVENT_STATUSES, NEED_CATEGORIES

_MINUTES = ma.validate.Range(min=1, max=1440)


class _Categories(ma.fields.List):
    """Need categories, each at most once (order kept)."""

    def _deserialize(self, value, attr, data, **kwargs):
        categories = super()._deserialize(value, attr, data, **kwargs)
        if len(set(categories)) != len(categories):
            raise ma.ValidationError(Message("each category at most once"))
        return categories


class EventCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    started_at = UTCDateTime(required=True)
    ended_at = UTCDateTime(allow_none=True)
    affected_area = AreaField(allow_none=True, metadata={"description": "GeoJSON Polygon or MultiPolygon"})
    offer_timeout_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1440))
    checkin_after_minutes = ma.fields.Integer(validate=_MINUTES, metadata={
        "description": "the safety check-in is asked this long after an at-risk task is accepted"})
    checkin_escalate_minutes = ma.fields.Integer(validate=_MINUTES, metadata={
        "description": "an unanswered check-in is escalated this long after it was asked"})
    checkin_categories = _Categories(ma.fields.String(validate=ma.validate.OneOf(NEED_CATEGORIES)), metadata={
        "description": "need categories whose tasks get the check-in (empty: none)"})


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
    checkin_after_minutes = ma.fields.Integer()
    checkin_escalate_minutes = ma.fields.Integer()
    checkin_categories = ma.fields.List(ma.fields.String())
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class EventQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(EVENT_STATUSES))
