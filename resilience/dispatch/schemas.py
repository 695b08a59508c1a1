import marshmallow as ma

from resilience.core.errors import Message
from resilience.core.schemas import PersonalString, UTCDateTime
from resilience.dispatch.models import TASK_STATUSES


class TaskSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String(dump_only=True)
    event_id = ma.fields.Integer()
    need_id = ma.fields.Integer()
    volunteer_id = ma.fields.Integer()
    status = ma.fields.String()
    distance_m = ma.fields.Float()
    explanation = PersonalString()  # names the volunteers compared
    proposed_at = UTCDateTime()
    offered_at = UTCDateTime(allow_none=True)
    accepted_at = UTCDateTime(allow_none=True)
    declined_at = UTCDateTime(allow_none=True)
    expired_at = UTCDateTime(allow_none=True)
    done_at = UTCDateTime(allow_none=True)
    cancelled_at = UTCDateTime(allow_none=True)
    failed_at = UTCDateTime(allow_none=True)


class TaskQuery(ma.Schema):
    event = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(TASK_STATUSES))
    volunteer = ma.fields.Integer()


class TaskPatchSchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(["cancelled"]),
                              metadata={"description": "only cancelled; other states follow from SMS replies"})
    volunteer_id = ma.fields.Integer()

    @ma.validates_schema
    def _one_change(self, data, **kwargs):
        if ("status" in data) == ("volunteer_id" in data):
            raise ma.ValidationError(Message("give either status (cancelled) or volunteer_id (reassign)"))
