"""Celery tasks of the SMS loop. They take ids, never objects; names are explicit.

``BEAT_SCHEDULE`` is what this domain asks beat to run; the app factory assembles the schedule
from every domain's (see ``resilience.app``)."""

from __future__ import annotations

from celery import shared_task

from resilience.core.db import utcnow
from resilience.extensions import db
from resilience.sms.outbox import SEND_TASK

SWEEP_TASK = "resilience.sms.sweep"
POLL_MODEM_TASK = "resilience.sms.poll_modem"
BEAT_SCHEDULE = {
    "sms-sweep": {"task": SWEEP_TASK, "schedule": 30.0},
    # Inbound SMS and status reports of a GSM modem (SMS_BACKEND=gammu; a no-op otherwise).
    "sms-poll-modem": {"task": POLL_MODEM_TASK, "schedule": 10.0},
}


@shared_task(name=SEND_TASK, ignore_result=True)
def send_sms(message_ids: int | list[int]) -> dict:
    """Send a batch of queued messages (one id is accepted too: task messages queued before
    batching still work). Claiming makes a redelivered task message a no-op."""
    from resilience.sms import sender

    ids = [message_ids] if isinstance(message_ids, int) else list(message_ids)
    try:
        outcome = sender.send_batch(db.session, ids)
        counts: dict[str, int] = {}
        for what in outcome.values():
            counts[what] = counts.get(what, 0) + 1
        counts["not-claimed"] = len(ids) - len(outcome)
        return counts
    finally:
        db.session.remove()


@shared_task(name="resilience.sms.process_inbound", ignore_result=True)
def process_inbound(message_id: int) -> None:
    """Act on a stored inbound message (the ``INBOUND_RECEIVED`` hook) and commit."""
    from resilience.sms import inbox

    try:
        inbox.process(message_id)
    finally:
        db.session.remove()


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep() -> dict:
    """Send what nobody picked up; reconcile what got stuck mid-send; send by SMS the WhatsApp
    messages still not delivered after WHATSAPP_FALLBACK_SECONDS."""
    from resilience.audit.chain import set_actor
    from resilience.sms import sender, whatsapp
    from resilience.sms.outbox import enqueue_sends

    try:
        queued, stuck = sender.due_messages(db.session, utcnow())
        db.session.rollback()
        enqueue_sends(queued)
        for message_id in stuck:
            sender.reconcile(db.session, message_id)
        set_actor("system:sms")
        fallen_back = whatsapp.sweep(db.session)
        result = {"queued": len(queued), "stuck": len(stuck)}
        if fallen_back:
            result["whatsapp_fallbacks"] = fallen_back
        return result
    finally:
        db.session.remove()


@shared_task(name=POLL_MODEM_TASK, ignore_result=True)
def poll_modem() -> dict:
    """Read the modem's inbox into the database (SMS_BACKEND includes gammu); nothing otherwise."""
    from resilience.sms.gateways import SendError
    from resilience.sms.modem import poll
    from resilience.sms.service import service

    gateway = service().modem()
    if gateway is None:
        return {}
    try:
        return poll(db.session, gateway)
    except SendError as error:  # the modem is away: the next poll tries again
        db.session.rollback()
        return {"error": str(error)}
    finally:
        db.session.remove()
