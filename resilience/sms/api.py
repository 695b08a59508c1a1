"""The outbox/inbox API and the reply simulator (outbox backend only)."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.celery import run_task
from resilience.core.errors import Conflict, ValidationFailed
from resilience.extensions import db
from resilience.sms import operations
from resilience.sms.models import SmsMessage
from resilience.sms.schemas import SimulateResultSchema, SimulateSchema, SmsMessageSchema, SmsQuery
from resilience.volunteers.models import Volunteer

blp = Blueprint("sms", __name__, url_prefix="/sms", description="SMS outbox and inbox")


@blp.get("")
@blp.arguments(SmsQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(SmsMessageSchema, "SmsList"))
def list_sms(page, volunteer=None, task=None, direction=None, status=None):
    query = select(SmsMessage).order_by(SmsMessage.id.desc())
    if volunteer is not None:
        query = query.where(SmsMessage.volunteer_id == volunteer)
    if task is not None:
        query = query.where(SmsMessage.task_id == task)
    if direction:
        query = query.where(SmsMessage.direction == direction)
    if status:
        query = query.where(SmsMessage.status == status)
    return paginate(db.session, query, page)


@blp.post("/simulate")
@blp.arguments(SimulateSchema)
@blp.response(200, SimulateResultSchema)
def simulate(data):
    """Reply as a volunteer would by SMS (outbox backend only)."""
    if current_app.config["SETTINGS"].sms_backend != "outbox":
        raise Conflict("the simulator works only with SMS_BACKEND=outbox")
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.phone == data["from_"]))
    if volunteer is None:
        raise ValidationFailed.field("from", "no volunteer has this phone number")
    inbound = operations.record_inbound(db.session, volunteer.phone, data["body"], None, volunteer)
    last_id = db.session.scalar(select(SmsMessage.id).order_by(SmsMessage.id.desc()).limit(1))
    db.session.commit()
    inbound_id = inbound.id
    run_task("resilience.sms.process_inbound", inbound_id)
    db.session.rollback()
    replies = db.session.scalars(
        select(SmsMessage).where(SmsMessage.id > last_id, SmsMessage.direction == "outbound",
                                 SmsMessage.phone == volunteer.phone).order_by(SmsMessage.id)
    ).all()
    return {"inbound": db.session.get(SmsMessage, inbound_id), "replies": replies}
