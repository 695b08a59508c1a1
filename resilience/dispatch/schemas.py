import marshmallow as ma

from resilience.core.errors import Message
from resilience.core.schemas import PersonalString, UTCDateTime, personal_data_visible
from resilience.dispatch.models import TASK_STATUSES
from resilience.vocabulary import NEED_CATEGORIES


class PrivateText(ma.fields.String):
    """Free text about a task (a volunteer's words, a coordinator's note): ``null`` for roles
    without access to personal data."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value, attr, obj, **kwargs) if personal_data_visible() else None


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
    decline_reason = PrivateText(dump_only=True)
    coordinator_note = PrivateText(dump_only=True)
    # The safety check-in of an at-risk task (evacuation, medical by default): when it is due,
    # asked, answered AMAN (the latest), answered BANTU (the first), escalated (the first).
    checkin_due_at = UTCDateTime(allow_none=True)
    checkin_asked_at = UTCDateTime(allow_none=True)
    checkin_safe_at = UTCDateTime(allow_none=True)
    checkin_help_at = UTCDateTime(allow_none=True)
    checkin_escalated_at = UTCDateTime(allow_none=True)


class TaskQuery(ma.Schema):
    event = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(TASK_STATUSES))
    volunteer = ma.fields.Integer()


class TaskPatchSchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(["cancelled", "done"]), metadata={
        "description": "cancelled, or done on the volunteer's behalf (an accepted task; `note` required, "
                       "the volunteer is told by SMS); other states follow from SMS replies"})
    volunteer_id = ma.fields.Integer()
    note = ma.fields.String(validate=ma.validate.Length(max=500), metadata={
        "description": "the coordinator's reason, kept on the task (required with done, optional with cancelled)"})

    @ma.validates_schema
    def _one_change(self, data, **kwargs):
        if ("status" in data) == ("volunteer_id" in data):
            raise ma.ValidationError(Message("give either status (cancelled or done) or volunteer_id (reassign)"))
        if data.get("status") == "done" and not (data.get("note") or "").strip():
            raise ma.ValidationError(Message("give the reason"), "note")
        if "volunteer_id" in data and "note" in data:
            raise ma.ValidationError(Message("a note goes with a status change, not with a reassignment"), "note")


class ApplyReplySchema(ma.Schema):
    sms_id = ma.fields.Integer(required=True, metadata={"description": "the received SMS, from the task's volunteer"})
    command = ma.fields.String(required=True, validate=ma.validate.OneOf(["accept", "decline", "done"]))


class BoardQuery(ma.Schema):
    """The task board's filters (query parameters); an unknown one is refused."""

    state = ma.fields.String(validate=ma.validate.OneOf(TASK_STATUSES))
    category = ma.fields.String(validate=ma.validate.OneOf(NEED_CATEGORIES))
    priority = ma.fields.Integer(validate=ma.validate.Range(min=1, max=5))
    kelurahan = ma.fields.Integer(validate=ma.validate.Range(min=1))
    group = ma.fields.Integer(validate=ma.validate.Range(min=1))
    volunteer = ma.fields.Integer(validate=ma.validate.Range(min=1))
    page = ma.fields.Integer(validate=ma.validate.Range(min=1))
