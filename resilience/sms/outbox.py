"""The outbox, inside a request: write an SMS now, send it once the transaction commits.

``queue`` writes an ``SmsMessage`` (queued) in the caller's transaction and, only once that
transaction has committed, hands the ids to the send task in chunks of ``SEND_BATCH`` (a failure
to reach the broker is logged and left to the sweep: the request that queued it still
succeeds). Sending itself is the worker's business: :mod:`resilience.sms.sender`.
"""

from __future__ import annotations

import logging
from typing import Iterable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from resilience.core.celery import run_task
from resilience.core.db import after_commit
from resilience.sms.gsm7 import segments, to_gsm7
from resilience.sms.models import SmsMessage

log = logging.getLogger(__name__)

SEND_BATCH = 50                        # messages per send task: one claim and one record each
SEND_TASK = "resilience.sms.send"
_SENDS_AFTER_COMMIT = "resilience.sms.sends_after_commit"


def enqueue_sends(message_ids: Iterable[int], countdown: float | None = None) -> None:
    """Hand ids to the send task, ``SEND_BATCH`` per task message."""
    ids = list(message_ids)
    for i in range(0, len(ids), SEND_BATCH):
        chunk = ids[i:i + SEND_BATCH]
        try:
            run_task(SEND_TASK, chunk, countdown=countdown)
        except Exception as exc:  # broker down: the sweep will find the queued rows
            log.warning("could not enqueue %d SMS from id %s (%s); the sweep will send them",
                        len(chunk), chunk[0], type(exc).__name__)


def _send_after_commit(session: Session, message_id: int) -> None:
    """Collect the ids queued in this transaction; enqueue them in chunks once it commits."""
    pending = session.info.get(_SENDS_AFTER_COMMIT)
    if pending is None:
        pending = session.info[_SENDS_AFTER_COMMIT] = []

        def flush() -> None:
            ids = session.info.pop(_SENDS_AFTER_COMMIT, None)
            if ids:
                enqueue_sends(ids)

        after_commit(session, flush)
    pending.append(message_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending_sends(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_SENDS_AFTER_COMMIT, None)


def queue(session: Session, phone: str, body: str, kind: str, *, task=None, volunteer=None,
          force: bool = False, by_sms: bool = False, channel_reason: str = "",
          fallback_of: int | None = None) -> SmsMessage | None:
    """Write an outbound message; it is sent after the surrounding transaction commits.
    ``task`` is only stored as the message's link. Nothing is queued to a volunteer who opted
    out, unless ``force`` (the opt-out receipt). A volunteer who prefers WhatsApp gets it there
    when WhatsApp is configured, unless ``by_sms`` (a fallback: ``channel_reason`` says why,
    ``fallback_of`` names the WhatsApp message it replaces)."""
    if volunteer is not None and volunteer.sms_opt_out and not force:
        return None
    text = to_gsm7(body)
    encoding, count = segments(text)
    channel = "whatsapp" if not by_sms and _prefers_whatsapp(volunteer) else None
    message = SmsMessage(direction="outbound", phone=phone, body=text, kind=kind, encoding=encoding,
                         segments=count, status="queued", attempts=0, task=task, volunteer=volunteer,
                         channel=channel, channel_reason=channel_reason, fallback_of_id=fallback_of)
    session.add(message)
    session.flush()
    _send_after_commit(session, message.id)
    return message


def _prefers_whatsapp(volunteer) -> bool:
    """The volunteer chose WhatsApp and this deployment has it (TWILIO_WHATSAPP_FROM)."""
    if volunteer is None or getattr(volunteer, "preferred_channel", "sms") != "whatsapp" or not has_app_context():
        return False
    service = current_app.extensions.get("sms")
    return service is not None and "whatsapp" in service.channels
