"""The outbox/inbox API and the reply simulator (outbox backend only)."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.accounts.auth import roles
from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.errors import Message, NotFound, ValidationFailed
from resilience.extensions import db
from resilience.sms.inbox import simulate_reply
from resilience.sms.models import SmsMessage
from resilience.sms import operations
from resilience.sms.schemas import (
    SimulateResultSchema,
    SimulateSchema,
    SmsMessageSchema,
    SmsNewSchema,
    SmsQuery,
    SmsTextSchema,
)
from resilience.volunteers.operations import get_volunteer

blp = Blueprint("sms", __name__, url_prefix="/sms", description="SMS outbox and inbox")


@blp.get("")
@blp.arguments(SmsQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(SmsMessageSchema, "SmsList"))
@roles("admin", "coordinator")  # SMS bodies and phones are personal data: never for officials
def list_sms(page, volunteer=None, task=None, direction=None, status=None, channel=None):
    query = select(SmsMessage).order_by(SmsMessage.id.desc())
    if volunteer is not None:
        query = query.where(SmsMessage.volunteer_id == volunteer)
    if task is not None:
        query = query.where(SmsMessage.task_id == task)
    if direction:
        query = query.where(SmsMessage.direction == direction)
    if status:
        query = query.where(SmsMessage.status == status)
    if channel:
        query = query.where(SmsMessage.channel == channel)
    return paginate(db.session, query, page)


@blp.post("/simulate")
@blp.arguments(SimulateSchema)
@blp.response(200, SimulateResultSchema)
def simulate(data):
    """An inbound SMS as a volunteer (or a resident: TOLONG …) would send it (outbox backend only)."""
    return simulate_reply(db.session, data["from_"], data["body"])


@blp.post("")
@blp.arguments(SmsNewSchema)
@blp.response(201, SmsMessageSchema)
def send_to_volunteer(data):
    """A free-text SMS from the coordinator to a volunteer (at most 2 GSM-7 segments); it goes
    out after the commit."""
    try:
        volunteer = get_volunteer(db.session, data["to"])
    except NotFound:
        raise ValidationFailed.field("to", Message("no volunteer with id %(volunteer_id)s",
                                                   volunteer_id=data["to"])) from None
    return operations.send_text(db.session, volunteer, data["body"])


@blp.post("/<int:message_id>/handled")
@blp.response(200, SmsMessageSchema)
def mark_handled(message_id):
    """The inbox: nothing more to do about this message (409 if it was handled already)."""
    return operations.mark_handled(db.session, message_id)


@blp.post("/<int:message_id>/answer")
@blp.arguments(SmsTextSchema)
@blp.response(201, SmsMessageSchema)
def answer(data, message_id):
    """Answer a received SMS with a free text; the received one is then handled."""
    return operations.answer(db.session, message_id, data["body"])


@blp.post("/<int:message_id>/resend")
@blp.response(201, SmsMessageSchema)
def resend(message_id):
    """Send a failed SMS again as a new message (same text, task and volunteer); the failed one
    is marked handled, so a second call is a 409 and nothing is sent twice."""
    return operations.resend(db.session, message_id)
