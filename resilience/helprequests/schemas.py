import marshmallow as ma

from resilience.core.api import PageArgs
from resilience.core.schemas import PhoneField, UTCDateTime
from resilience.households.schemas import HouseholdCreateSchema
from resilience.vocabulary import HELP_REQUEST_STATUSES, NEED_CATEGORIES


class HelpRequestQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(HELP_REQUEST_STATUSES),
                              metadata={"description": "pending, verified or rejected (default: all)"})


class HintsSchema(ma.Schema):
    people = ma.fields.Integer(allow_none=True)
    rt = ma.fields.String(allow_none=True)
    rw = ma.fields.String(allow_none=True)
    landmark = ma.fields.String()
    vulnerable = ma.fields.List(ma.fields.String())
    category = ma.fields.String(allow_none=True)
    kelurahan = ma.fields.Dict(allow_none=True)
    households_with_this_phone = ma.fields.List(ma.fields.Integer())


class HelpRequestSchema(ma.Schema):
    id = ma.fields.Integer()
    phone = PhoneField()
    body = ma.fields.String()
    received_at = UTCDateTime()
    status = ma.fields.String()
    household_id = ma.fields.Integer(allow_none=True)
    need_id = ma.fields.Integer(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_at = UTCDateTime(allow_none=True)
    hints = ma.fields.Nested(HintsSchema, metadata={"description": "what could be read from the SMS"})


class HelpRequestNeedSchema(ma.Schema):
    event_id = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(NEED_CATEGORIES))
    priority = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    priority_reason = ma.fields.String(validate=ma.validate.Length(max=500))
    notes = ma.fields.String(validate=ma.validate.Length(max=2000))


class HelpRequestVerifySchema(ma.Schema):
    household_id = ma.fields.Integer(metadata={"description": "attach to this registered household"})
    household = ma.fields.Nested(HouseholdCreateSchema, metadata={
        "description": "or register a new household (the sender's phone unless `phone` is given)"})
    need = ma.fields.Nested(HelpRequestNeedSchema, required=True)

    @ma.validates_schema
    def _one_household(self, data, **kwargs):
        if ("household_id" in data) == ("household" in data):
            raise ma.ValidationError({"household": ["Give either household_id (a registered household) or "
                                                    "household (a new registration)."]})
