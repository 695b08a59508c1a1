"""Help requests: a resident's ``TOLONG …`` SMS becomes a request waiting for a coordinator,
who calls back and verifies it into a household and a need (or attaches it to a household
already registered), or rejects it. Unverified requests have no need, so matching never sees
them. The resident is answered by SMS when the request arrives and when it is verified."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.areas.models import VILLAGE_LEVELS, AdminArea
from resilience.audit.chain import current_actor, set_actor
from resilience.core import crypto
from resilience.core.db import lock, utcnow
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.dispatch import messages
from resilience.events.models import FloodEvent
from resilience.helprequests import parse
from resilience.helprequests.models import HelpRequest
from resilience.households.models import Household
from resilience.households.operations import create_household, get_household, refuse_if_erased
from resilience.needs.operations import create_need
from resilience.sms import outbox


def receive(session: Session, message) -> HelpRequest | None:
    """A ``TOLONG`` SMS from a number that is not a volunteer's: store the request and answer
    the sender. Returns None when the message is not one, or was handled already."""
    if not parse.is_help_request(message.body):
        return None
    if session.scalar(select(HelpRequest.id).where(HelpRequest.sms_message_id == message.id)) is not None:
        return None  # the inbound hook ran twice for one message
    set_actor("sms:help-request")
    request = HelpRequest(phone=message.phone, phone_digest=crypto.digest(message.phone), body=message.body,
                          received_at=message.created_at or utcnow(), status="pending",
                          sms_message_id=message.id)
    session.add(request)
    session.flush()
    outbox.queue(session, message.phone, messages.help_requested(lang=messages.language()), "help_request")
    return request


def get_request(session: Session, request_id: int, *, locked: bool = False) -> HelpRequest:
    request = lock(session, HelpRequest, request_id) if locked else session.get(HelpRequest, request_id)
    if request is None:
        raise NotFound(Message("no help request with id %(id)s", id=request_id))
    return request


def request_query(status: str | None = None):
    query = select(HelpRequest).order_by(HelpRequest.received_at.desc(), HelpRequest.id.desc())
    return query.where(HelpRequest.status == status) if status else query


def kelurahan_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every kelurahan/desa, by name: the verify form's picker."""
    return [tuple(row) for row in session.execute(
        select(AdminArea.code, AdminArea.name).where(AdminArea.level.in_(VILLAGE_LEVELS)).order_by(AdminArea.name))]


def hints(session: Session, request: HelpRequest) -> dict[str, Any]:
    """What could be read from the SMS, and the households registered with the sender's phone."""
    read = parse.read(request.body).as_dict()
    lower = (request.body or "").lower()
    areas = session.execute(select(AdminArea.code, AdminArea.name).where(AdminArea.level.in_(VILLAGE_LEVELS))).all()
    found = sorted(((code, name) for code, name in areas if name and name.lower() in lower),
                   key=lambda row: -len(row[1]))
    read["kelurahan"] = {"code": found[0][0], "name": found[0][1]} if found else None
    read["households_with_this_phone"] = list(session.scalars(
        select(Household.id).where(Household.phone_digest.in_(crypto.lookup_digests(request.phone)),
                                   Household.merged_into_id.is_(None)).order_by(Household.id)))
    return read


def verify(session: Session, request_id: int, data: dict[str, Any]) -> HelpRequest:
    """Turn a pending request into a need of a new household (``household``: the registration
    fields; the sender's phone unless another is given) or of one already registered
    (``household_id``). ``need``: ``event_id``, ``category`` and optionally priority and notes."""
    request = get_request(session, request_id, locked=True)
    if request.status != "pending":
        raise Conflict(Message("help request %(id)s is already %(status)s", id=request.id, status=request.status),
                       status_now=request.status)
    if data.get("household_id") is not None:
        household = get_household(session, data["household_id"])
        if household.merged_into_id is not None:
            household = get_household(session, household.merged_into_id)
        refuse_if_erased(household)  # its personal data stays erased: register the family anew
    else:
        fields = dict(data["household"])
        fields.setdefault("phone", request.phone)
        household = create_household(session, fields)
    need_data = dict(data["need"])
    event = session.get(FloodEvent, need_data.pop("event_id"))
    if event is None:
        raise ValidationFailed.field("need.event_id", Message("no flood event with id %(event)s", event=data["need"]["event_id"]))
    need_data.setdefault("reporter", "SMS TOLONG")
    need_data.setdefault("reported_at", request.received_at)
    need = create_need(session, event, {**need_data, "household_id": household.id})
    request.status = "verified"
    request.household_id, request.need_id = household.id, need.id
    request.decided_by, request.decided_at = current_actor(), utcnow()
    session.flush()
    outbox.queue(session, request.phone, messages.help_verified(lang=messages.language()), "help_request")
    return request


def reject(session: Session, request_id: int) -> HelpRequest:
    """Not a real request (a test, a joke, already served by another way): no SMS is sent."""
    request = get_request(session, request_id, locked=True)
    if request.status != "pending":
        raise Conflict(Message("help request %(id)s is already %(status)s", id=request.id, status=request.status),
                       status_now=request.status)
    request.status = "rejected"
    request.decided_by, request.decided_at = current_actor(), utcnow()
    session.flush()
    return request
