import marshmallow as ma

from resilience.core.errors import Message
from resilience.core.schemas import AreaField, AreaRefSchema, PhoneField, Text, UTCDateTime, personal_data_visible
from resilience.vocabulary import EVENT_STATUSES, NEED_CATEGORIES

_MINUTES = ma.validate.Range(min=1, max=1440)


class _Categories(ma.fields.List):
    """Need categories, each at most once (order kept)."""

    def _deserialize(self, value, attr, data, **kwargs):
        categories = super()._deserialize(value, attr, data, **kwargs)
        if len(set(categories)) != len(categories):
            raise ma.ValidationError(Message("each category at most once"))
        return categories


class DutyPhoneField(PhoneField):
    """The coordinator on duty's phone: in full for admins and coordinators, ``null`` (not even
    masked) for officials."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value, attr, obj, **kwargs) if personal_data_visible() else None


class EventCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    started_at = UTCDateTime(required=True)
    ended_at = UTCDateTime(allow_none=True)
    affected_area = AreaField(allow_none=True, metadata={"description": "GeoJSON Polygon or MultiPolygon"})
    offer_timeout_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1440))
    long_wait_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10080), metadata={
        "description": "a priority 4-5 need open longer than this raises an alert (default 30)"})
    duty_phone = PhoneField(mobile_only=True, allow_none=True, metadata={
        "description": "the coordinator on duty, who gets alerts by SMS; any Indonesian way of writing it, "
                       "stored as E.164; null to stop"})
    public = ma.fields.Boolean(metadata={"description": "the transparency page /transparansi/{id} (default false)"})
    checkin_after_minutes = ma.fields.Integer(validate=_MINUTES, metadata={
        "description": "safety check-in asked this long after an at-risk task is accepted (default 60)"})
    checkin_escalate_minutes = ma.fields.Integer(validate=_MINUTES, metadata={
        "description": "escalated when the check-in is not answered this long after asking (default 15)"})
    checkin_categories = _Categories(ma.fields.String(validate=ma.validate.OneOf(NEED_CATEGORIES)), metadata={
        "description": "need categories whose tasks get the check-in (empty: none)"})


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
    long_wait_minutes = ma.fields.Integer()
    duty_phone = DutyPhoneField(allow_none=True)
    public = ma.fields.Boolean()
    checkin_after_minutes = ma.fields.Integer()
    checkin_escalate_minutes = ma.fields.Integer()
    checkin_categories = ma.fields.List(ma.fields.String())
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class EventQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(EVENT_STATUSES))
