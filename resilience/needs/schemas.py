import marshmallow as ma

from resilience.core.schemas import PersonalString, UTCDateTime
from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES, NEED_STATUSES


class NeedCreateSchema(ma.Schema):
    household_id = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    priority = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    priority_reason = ma.fields.String(validate=ma.validate.Length(max=500))
    notes = ma.fields.String(validate=ma.validate.Length(max=2000))
    reporter = ma.fields.String(validate=ma.validate.Length(max=200))
    reported_at = UTCDateTime()


class NeedPatchSchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(NEED_STATUSES))
    priority = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=1, max=5),
                                 metadata={"description": "null returns to the derived priority"})
    priority_reason = ma.fields.String(validate=ma.validate.Length(max=500))
    notes = ma.fields.String(validate=ma.validate.Length(max=2000))


class NeedSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    household_id = ma.fields.Integer()
    category = ma.fields.String()
    required_skill = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    priority = ma.fields.Integer()
    derived_priority = ma.fields.Integer()
    priority_overridden = ma.fields.Boolean()
    priority_reason = PersonalString()
    notes = PersonalString()
    reporter = PersonalString()
    reported_at = UTCDateTime()
    admin_area = ma.fields.Function(
        lambda n: {"code": n.household.admin_area.code, "name": n.household.admin_area.name}
        if n.household.admin_area else None
    )
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class NeedQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(NEED_STATUSES))
    category = ma.fields.String(validate=ma.validate.OneOf(CATEGORIES))
    priority = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    household = ma.fields.Integer()
    area = ma.fields.String()
