"""The outbox/inbox API and the reply simulator (outbox backend only)."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.extensions import db
from resilience.sms.inbox import simulate_reply
from resilience.sms.models import SmsMessage
from resilience.sms.schemas import SimulateResultSchema, SimulateSchema, SmsMessageSchema, SmsQuery

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
    return simulate_reply(db.session, data["from_"], data["body"])
