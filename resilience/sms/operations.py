"""The SMS outbox and inbox.

Sending, in order:
1. ``queue`` writes an ``SmsMessage`` (queued) in the caller's transaction and, only once that
   transaction has committed, hands the message id to Celery (a failure to reach the broker is
   logged and left to the sweep: the request that queued it still succeeds).
2. ``send`` claims the row: under a row lock it moves ``queued → sending`` with a fresh attempt
   token and commits, so a redelivered or duplicated Celery message finds nothing to do.
3. It waits for the global rate limit, calls the gateway, and records the outcome only if its
   attempt token still holds the row.
4. Retryable failures go back to ``queued`` with a backoff; terminal ones end ``failed`` with
   the provider's code; an ambiguous one (the request may have arrived) stays ``sending`` until
   the sweep reconciles it with the provider or a status callback settles it — never a blind
   second send.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.audit.chain import set_actor
from resilience.core.celery import run_task
from resilience.core.db import after_commit, utcnow
from resilience.sms.gateways import SendError
from resilience.sms.models import FINAL_STATUSES, STATUS_RANK, SmsMessage
from resilience.sms.text import segments, to_gsm7

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(seconds=120)   # > the gateway's connect + read timeout, with margin
DUE_GRACE = timedelta(seconds=30)      # a queued message this old was not picked up: resend


def service():
    return current_app.extensions["sms"]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 5 * 2 ** max(0, attempts - 1)) * (0.8 + 0.4 * random.random()))


def _enqueue(message_id: int, countdown: float | None = None) -> None:
    try:
        run_task("resilience.sms.send", message_id, countdown=countdown)
    except Exception as exc:  # broker down: the sweep will find the queued row
        log.warning("could not enqueue SMS %s (%s); the sweep will send it", message_id, type(exc).__name__)


def queue(session: Session, phone: str, body: str, kind: str, *, task=None, volunteer=None,
          force: bool = False) -> SmsMessage | None:
    """Write an outbound message; it is sent after the surrounding transaction commits.
    Nothing is queued to a volunteer who opted out, unless ``force`` (the opt-out receipt)."""
    if volunteer is not None and volunteer.sms_opt_out and not force:
        return None
    text = to_gsm7(body)
    encoding, count = segments(text)
    message = SmsMessage(direction="outbound", phone=phone, body=text, kind=kind, encoding=encoding,
                         segments=count, status="queued", attempts=0, task=task, volunteer=volunteer)
    session.add(message)
    session.flush()
    message_id = message.id
    after_commit(session, lambda: _enqueue(message_id))
    return message


def status_callback_url(message_id: int) -> str | None:
    base = current_app.config["SETTINGS"].public_base_url
    return f"{base}/sms/twilio/status?m={message_id}" if base else None


def _locked(session: Session, message_id: int) -> SmsMessage | None:
    return session.scalars(select(SmsMessage).where(SmsMessage.id == message_id).with_for_update().execution_options(populate_existing=True)).first()


def send(session: Session, message_id: int, on_terminal: Callable[[Session, SmsMessage], None] | None = None) -> str:
    """Claim, send and record one message. Returns what happened (for logs and tests)."""
    set_actor("system:sms")
    svc = service()
    token = uuid.uuid4().hex
    now = utcnow()
    message = _locked(session, message_id)
    if message is None or message.status != "queued":
        session.rollback()
        return "not-queued"
    if message.next_attempt_at is not None and message.next_attempt_at > now:
        session.rollback()
        return "not-due"
    message.status, message.attempt_token = "sending", token
    message.attempts += 1
    message.sending_since = now
    phone, body, segments_count = message.phone, message.body, message.segments
    session.commit()

    if not svc.limiter.acquire(segments_count):
        return _back_to_queue(session, message_id, token, "rate limit wait too long", timedelta(seconds=1))
    try:
        sid = svc.gateway.send(message_id, phone, body, status_callback_url(message_id))
    except SendError as error:
        return _failed_attempt(session, message_id, token, error, on_terminal)

    message = _locked(session, message_id)
    if message is None:
        session.rollback()
        return "vanished"
    if message.provider_sid is None:
        message.provider_sid = sid
    if message.status == "sending" and message.attempt_token == token:
        message.status, message.sent_at = "sent", utcnow()
    message.error_message = ""
    session.commit()
    return "sent"


def _back_to_queue(session: Session, message_id: int, token: str, why: str, delay: timedelta) -> str:
    message = _locked(session, message_id)
    if message is None or message.attempt_token != token or message.status != "sending":
        session.rollback()
        return "superseded"
    message.status, message.error_message = "queued", why
    message.next_attempt_at = utcnow() + delay
    session.commit()
    if not current_app.config["SETTINGS"].embedded:
        _enqueue(message_id, countdown=delay.total_seconds())
    return "requeued"


def _failed_attempt(session, message_id, token, error: SendError, on_terminal) -> str:
    if error.ambiguous:
        message = _locked(session, message_id)
        if message is not None and message.attempt_token == token and message.status == "sending":
            message.error_message = f"{error} — reconciling before any resend"
        session.commit()
        return "ambiguous"
    message = _locked(session, message_id)
    if message is None or message.attempt_token != token or message.status != "sending":
        session.rollback()
        return "superseded"
    if error.retry and message.attempts < MAX_ATTEMPTS:
        session.rollback()
        return _back_to_queue(session, message_id, token, str(error), backoff(message.attempts))
    message.status, message.error_code, message.error_message = "failed", error.code, str(error)
    if error.opted_out and message.volunteer is not None:
        message.volunteer.sms_opt_out = True
    if on_terminal is not None:
        on_terminal(session, message)
    session.commit()
    return "failed"


def apply_status(session: Session, message: SmsMessage, status: str, provider_sid: str | None,
                 error_code: int | None) -> bool:
    """A provider status update; statuses only move forward. True when something changed."""
    changed = False
    if provider_sid and message.provider_sid is None:
        message.provider_sid, changed = provider_sid, True
    if status in STATUS_RANK and STATUS_RANK[status] > STATUS_RANK.get(message.status, -1) \
            and message.status not in FINAL_STATUSES:
        message.status, changed = status, True
        if status == "delivered":
            message.delivered_at = utcnow()
        if status in ("sent", "delivered") and message.sent_at is None:
            message.sent_at = utcnow()
        if error_code:
            message.error_code = error_code
    return changed


def record_inbound(session: Session, phone: str, body: str, provider_sid: str | None, volunteer) -> SmsMessage | None:
    """Store an inbound SMS once (deduplicated on the provider's MessageSid)."""
    if provider_sid and session.scalar(select(SmsMessage.id).where(SmsMessage.provider_sid == provider_sid)):
        return None
    text = body or ""
    encoding, count = segments(text)
    message = SmsMessage(direction="inbound", phone=phone, body=text[:1600], kind="reply", encoding=encoding,
                         segments=count, status="received", provider_sid=provider_sid, volunteer=volunteer)
    session.add(message)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same MessageSid stored by a concurrent request
        return None
    return message


def due_messages(session: Session, now: datetime) -> tuple[list[int], list[int]]:
    """Queued messages nobody picked up, and messages stuck in ``sending``."""
    queued = session.scalars(
        select(SmsMessage.id).where(
            SmsMessage.status == "queued",
            or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now),
            SmsMessage.updated_at <= now - DUE_GRACE,
        ).order_by(SmsMessage.id).limit(1000)
    ).all()
    stuck = session.scalars(
        select(SmsMessage.id).where(SmsMessage.status == "sending", SmsMessage.sending_since <= now - STUCK_AFTER)
        .order_by(SmsMessage.id).limit(1000)
    ).all()
    return list(queued), list(stuck)


def reconcile(session: Session, message_id: int) -> str:
    """A message stuck in ``sending`` (worker killed, ambiguous answer): ask the provider
    whether it has it; adopt it if so, otherwise queue it again."""
    set_actor("system:sms")
    message = _locked(session, message_id)
    if message is None or message.status != "sending":
        session.rollback()
        return "settled"
    found = service().gateway.lookup(message.phone, message.body, message.sending_since - timedelta(minutes=5))
    if found is not None:
        message.provider_sid = message.provider_sid or found.provider_sid
        message.status, message.sent_at, message.error_message = "sent", utcnow(), ""
        apply_status(session, message, found.status, None, None)
        session.commit()
        return "adopted"
    if message.attempts >= MAX_ATTEMPTS:
        message.status, message.error_message = "failed", "no answer from the provider after several attempts"
        session.commit()
        return "failed"
    message.status, message.attempt_token, message.next_attempt_at = "queued", None, None
    message.error_message = "not found at the provider: sending again"
    session.commit()
    _enqueue(message_id)
    return "requeued"


def simulate_reply(session: Session, phone: str, body: str) -> dict:
    """Reply as a volunteer would by SMS (outbox backend only): store the inbound message,
    commit, process it as a real inbound SMS would be, and return it with the replies it caused.

    Unlike the other operations this one commits: the reply is processed by the inbound task
    (eager in embedded mode), which reads the committed message. The API and the web
    simulator both call it."""
    from resilience.core.errors import Conflict, ValidationFailed
    from resilience.volunteers.models import Volunteer

    if current_app.config["SETTINGS"].sms_backend != "outbox":
        raise Conflict("the simulator works only with SMS_BACKEND=outbox")
    volunteer = session.scalar(select(Volunteer).where(Volunteer.phone == phone))
    if volunteer is None:
        raise ValidationFailed.field("from", "no volunteer has this phone number")
    inbound = record_inbound(session, volunteer.phone, body, None, volunteer)
    last_id = session.scalar(select(SmsMessage.id).order_by(SmsMessage.id.desc()).limit(1))
    session.commit()
    inbound_id = inbound.id
    run_task("resilience.sms.process_inbound", inbound_id)
    session.rollback()
    replies = session.scalars(
        select(SmsMessage).where(SmsMessage.id > last_id, SmsMessage.direction == "outbound",
                                 SmsMessage.phone == volunteer.phone).order_by(SmsMessage.id)
    ).all()
    return {"inbound": session.get(SmsMessage, inbound_id), "replies": replies}
