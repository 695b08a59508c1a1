import marshmallow as ma

from resilience.core.errors import Message
from resilience.core.schemas import PersonalPoint, PersonalString, PhoneField, PointField, Text, UTCDateTime
from resilience.volunteers.models import CHANNELS
from resilience.vocabulary import AVAILABILITY, GROUP_KINDS, SKILLS


class GroupCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(GROUP_KINDS))
    leader = Text(max_length=200)
    leader_phone = PhoneField(mobile_only=True, allow_none=True,
                              metadata={"description": "the leader's mobile: safety emergencies of the group's volunteers go here by SMS"})
    base_location = PointField(allow_none=True)


class GroupPatchSchema(GroupCreateSchema):
    name = Text(max_length=200, blank=False)
    kind = ma.fields.String(validate=ma.validate.OneOf(GROUP_KINDS))


class GroupSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    leader = PersonalString()
    leader_phone = PhoneField(allow_none=True)
    base_location = PointField(allow_none=True)
    created_at = UTCDateTime()


def _unique(values):
    if len(set(values)) != len(values):
        raise ma.ValidationError(Message("values must not repeat"))


class VolunteerCreateSchema(ma.Schema):
    name = Text(required=True, max_length=200, blank=False)
    phone = PhoneField(required=True, mobile_only=True)
    group_id = ma.fields.Integer(allow_none=True)
    skills = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(SKILLS)), validate=_unique)
    trainings = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=200)))
    location = PointField(required=True, metadata={"description": "home location"})
    availability = ma.fields.String(validate=ma.validate.OneOf(AVAILABILITY))
    capacity = ma.fields.Integer(validate=ma.validate.Range(min=0, max=50),
                                 metadata={"description": "tasks per matching round"})
    preferred_channel = ma.fields.String(
        validate=ma.validate.OneOf(CHANNELS),
        metadata={"description": "how messages reach the volunteer: sms (default) or whatsapp (through Twilio "
                                 "when TWILIO_WHATSAPP_FROM is set; falls back to SMS)"})


class VolunteerPatchSchema(VolunteerCreateSchema):
    name = Text(max_length=200, blank=False)
    phone = PhoneField(mobile_only=True)
    location = PointField()
    sms_opt_out = ma.fields.Boolean()


class VolunteerSchema(ma.Schema):
    id = ma.fields.Integer()
    name = PersonalString()
    phone = PhoneField()
    group_id = ma.fields.Integer(allow_none=True)
    group = ma.fields.Function(lambda v: {"id": v.group.id, "name": v.group.name} if v.group else None)
    skills = ma.fields.List(ma.fields.String())
    trainings = ma.fields.List(ma.fields.String())
    location = PersonalPoint()
    availability = ma.fields.String()
    capacity = ma.fields.Integer()
    sms_opt_out = ma.fields.Boolean()
    preferred_channel = ma.fields.String()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class VolunteerQuery(ma.Schema):
    group = ma.fields.Integer()
    availability = ma.fields.String(validate=ma.validate.OneOf(AVAILABILITY))
    skill = ma.fields.String(validate=ma.validate.OneOf(SKILLS))
    bbox = ma.fields.String(metadata={"description": "minLon,minLat,maxLon,maxLat"})
    q = ma.fields.String()
