"""Celery tasks of the SMS loop. They take ids, never objects; names are explicit."""

from __future__ import annotations

import logging

from celery import shared_task

from resilience.core.db import utcnow
from resilience.extensions import db

log = logging.getLogger(__name__)


@shared_task(name="resilience.sms.send", ignore_result=True)
def send_sms(message_ids: int | list[int]) -> dict:
    """Send a batch of queued messages (one id is accepted too: task messages queued before
    batching still work). Claiming makes a redelivered task message a no-op."""
    from resilience.dispatch.offers import on_send_failed
    from resilience.sms import operations

    ids = [message_ids] if isinstance(message_ids, int) else list(message_ids)
    try:
        outcome = operations.send_batch(db.session, ids, on_terminal=on_send_failed)
        counts: dict[str, int] = {}
        for what in outcome.values():
            counts[what] = counts.get(what, 0) + 1
        counts["not-claimed"] = len(ids) - len(outcome)
        return counts
    finally:
        db.session.remove()


@shared_task(name="resilience.sms.process_inbound", ignore_result=True)
def process_inbound(message_id: int) -> str | None:
    from resilience.dispatch.offers import handle_reply
    from resilience.sms.models import SmsMessage

    try:
        message = db.session.get(SmsMessage, message_id)
        if message is None:
            return None
        answer = handle_reply(db.session, message)
        db.session.commit()
        return answer
    finally:
        db.session.remove()


@shared_task(name="resilience.sms.sweep", ignore_result=True)
def sweep() -> dict:
    """Send what nobody picked up; reconcile what got stuck mid-send."""
    from resilience.sms import operations

    try:
        queued, stuck = operations.due_messages(db.session, utcnow())
        db.session.rollback()
        operations.enqueue_sends(queued)
        for message_id in stuck:
            operations.reconcile(db.session, message_id)
        return {"queued": len(queued), "stuck": len(stuck)}
    finally:
        db.session.remove()


@shared_task(name="resilience.dispatch.expire_offers", ignore_result=True)
def expire_offers() -> int:
    from resilience.dispatch.offers import expire_offers as expire

    try:
        count = expire(db.session)
        db.session.commit()
        return count
    finally:
        db.session.remove()


BEAT_SCHEDULE = {
    "sms-sweep": {"task": "resilience.sms.sweep", "schedule": 30.0},
    "expire-offers": {"task": "resilience.dispatch.expire_offers", "schedule": 60.0},
}


