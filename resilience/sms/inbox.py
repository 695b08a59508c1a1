"""The inbox: one way in for every inbound SMS, whichever door it came by.

``receive`` stores the message once (deduplicated on the provider's MessageSid) and, once the
caller's transaction has committed, hands its id to the ``resilience.sms.process_inbound`` task,
which fires the ``INBOUND_RECEIVED`` hook (:mod:`resilience.sms.hooks`) and commits. The Twilio
webhook and the simulator (API and web page) both call it, so one inbound SMS is handled by one
path: ``receive → process_inbound → hook``. What the message means is the hook's business.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.core.celery import run_task
from resilience.core.db import after_commit
from resilience.core.errors import Conflict, Message
from resilience.core.transaction import unit_of_work
from resilience.extensions import db
from resilience.sms import hooks
from resilience.sms.gsm7 import segments
from resilience.sms.hooks import INBOUND_RECEIVED
from resilience.sms.models import SmsMessage
from resilience.volunteers.models import Volunteer

log = logging.getLogger(__name__)

PROCESS_TASK = "resilience.sms.process_inbound"


def receive(session: Session, phone: str, body: str, provider_sid: str | None = None,
            channel: str | None = None) -> SmsMessage | None:
    """Store an inbound SMS from ``phone`` (E.164) and have it processed after the commit.
    ``channel`` is the door it came by (``twilio``, ``gammu``, ``whatsapp``: a WhatsApp message
    opens the volunteer's 24-hour window). Returns the message, or None when this MessageSid
    was stored already."""
    if provider_sid and session.scalar(select(SmsMessage.id).where(SmsMessage.provider_sid == provider_sid)):
        return None
    volunteer = Volunteer.by_phone(session, phone)
    text = body or ""
    encoding, count = segments(text)
    message = SmsMessage(direction="inbound", phone=phone, body=text[:1600], kind="reply", encoding=encoding,
                         segments=count, status="received", provider_sid=provider_sid, volunteer=volunteer,
                         channel=channel)
    session.add(message)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same MessageSid stored by a concurrent request
        return None
    message_id = message.id

    def process() -> None:
        try:
            run_task(PROCESS_TASK, message_id)
        except Exception as exc:  # broker down, or (eager) the handler failed: logged, kept
            log.warning("could not process inbound SMS %s (%s)", message_id, type(exc).__name__)

    after_commit(session, process)
    return message


def process(message_id: int) -> None:
    """The worker's side of ``receive``: act on one stored inbound message and commit."""
    with unit_of_work(db.session) as session:
        message = session.get(SmsMessage, message_id)
        if message is not None:
            hooks.fire(INBOUND_RECEIVED, session, message)


def simulate_reply(session: Session, phone: str, body: str) -> dict:
    """An SMS as a volunteer — or a resident, a stranger — would send it (outbox backend only):
    ``receive`` the message, commit (which processes it as any inbound SMS is processed) and
    return it with the replies it caused. Unlike the other operations this one commits: that is
    how an SMS arrives."""
    if current_app.config["SETTINGS"].sms_backend != "outbox":
        raise Conflict(Message("the simulator works only with SMS_BACKEND=outbox"))
    inbound_id = receive(session, phone, body).id
    last_id = session.scalar(select(SmsMessage.id).order_by(SmsMessage.id.desc()).limit(1))
    session.commit()
    session.rollback()
    replies = session.scalars(
        select(SmsMessage).where(SmsMessage.id > last_id, SmsMessage.direction == "outbound",
                                 SmsMessage.phone_is(phone)).order_by(SmsMessage.id)
    ).all()
    return {"inbound": session.get(SmsMessage, inbound_id), "replies": replies}
