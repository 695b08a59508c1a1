import marshmallow as ma

from resilience.core.schemas import PersonalString, PhoneField, Text, UTCDateTime
from resilience.sms.models import SMS_STATUSES

CHANNELS = ("outbox", "twilio", "gammu", "whatsapp")


class SmsMessageSchema(ma.Schema):
    id = ma.fields.Integer()
    direction = ma.fields.String()
    phone = PhoneField()
    body = PersonalString()  # an offer names the people and who is vulnerable
    kind = ma.fields.String()
    encoding = ma.fields.String()
    segments = ma.fields.Integer()
    status = ma.fields.String()
    provider_sid = ma.fields.String(allow_none=True)
    error_code = ma.fields.Integer(allow_none=True)
    error_message = ma.fields.String()
    attempts = ma.fields.Integer()
    channel = ma.fields.String(allow_none=True)  # the backend that carried it (a fallback chain)
    channel_reason = ma.fields.String()          # why it left the channel before ('' if it did not)
    needs_attention = ma.fields.Boolean()      # an inbound message the system did not act on
    handled_at = UTCDateTime(allow_none=True)  # when a coordinator handled it (inbox)
    handled_by = ma.fields.String(allow_none=True)
    task_id = ma.fields.Integer(allow_none=True)
    task_code = ma.fields.Function(lambda m: m.task.code if m.task else None)
    volunteer_id = ma.fields.Integer(allow_none=True)
    created_at = UTCDateTime()
    sent_at = UTCDateTime(allow_none=True)
    delivered_at = UTCDateTime(allow_none=True)
    read_at = UTCDateTime(allow_none=True)  # WhatsApp: when the volunteer read it
    fallback_of_id = ma.fields.Integer(allow_none=True)  # the WhatsApp message this SMS replaces


class SmsQuery(ma.Schema):
    volunteer = ma.fields.Integer()
    task = ma.fields.Integer()
    direction = ma.fields.String(validate=ma.validate.OneOf(["outbound", "inbound"]))
    status = ma.fields.String(validate=ma.validate.OneOf(SMS_STATUSES))
    channel = ma.fields.String(validate=ma.validate.OneOf(CHANNELS),
                               metadata={"description": "the channel that carried it (or will: whatsapp)"})


class SimulateSchema(ma.Schema):
    from_ = PhoneField(required=True, data_key="from")
    body = Text(required=True, max_length=1600, blank=False)


class SimulateResultSchema(ma.Schema):
    inbound = ma.fields.Nested(SmsMessageSchema)
    replies = ma.fields.List(ma.fields.Nested(SmsMessageSchema))


class SmsTextSchema(ma.Schema):
    body = Text(required=True, max_length=1600, blank=False,
                metadata={"description": "GSM-7 text of at most 2 segments (306 characters)"})


class SmsNewSchema(SmsTextSchema):
    to = ma.fields.Integer(required=True, metadata={"description": "the volunteer's id"})
