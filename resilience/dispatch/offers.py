"""Offers that did not work out: re-offering a need, expiring unanswered offers, and the SMS
hook for an offer that could not be delivered at all.

The state changes are ``dispatch.lifecycle``'s; this module decides when they happen and who
gets the need next (matching's best volunteer for one need).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.audit.chain import record, set_actor
from resilience.core.db import utcnow
from resilience.dispatch import alerting, lifecycle
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.matching.operations import best_volunteer_for, lock_event
from resilience.needs.models import Need

log = logging.getLogger(__name__)


def reoffer(session: Session, need: Need) -> Task | None:
    """Offer an open need to the next best volunteer, leaving accepted tasks alone."""
    if need.status != "open":
        return None
    event = session.get(FloodEvent, need.event_id)
    if event.status != "active":
        return None
    lock_event(session, event)
    best = best_volunteer_for(session, need)
    if best is None:
        record(session, "need.no_candidates", "need", need.id,
               {"message": "no available volunteer with the required skill within reach"})
        log.info("need %s has no candidate left", need.id)
        alerting.no_candidate(session, need)
        return None
    volunteer, distance, reason = best
    task = lifecycle.propose(session, need, volunteer, distance, f"re-offered: {reason}", reason.code,
                             {**reason.params, "reoffered": True})
    session.flush()
    lifecycle.offer(session, task)
    return task


def on_send_failed(session: Session, message) -> None:
    """``OUTBOUND_FAILED`` hook: an offer could not be delivered at all; the task fails and the
    need goes to someone else."""
    task = message.task
    if message.kind != "offer" or task is None or task.status != "offered":
        return
    lifecycle.fail(session, task)
    reoffer(session, task.need)


def still_wanted(session: Session, message) -> bool:
    """``STILL_WANTED`` hook: an offer is worth sending again by SMS only while it is still open
    for that volunteer, a check-in question only while the task is accepted."""
    task = message.task
    if task is None:
        return True
    if message.kind == "offer":
        return task.status == "offered" and task.volunteer_id == message.volunteer_id
    if message.kind == "checkin":
        return task.status == "accepted"
    return True


def expire_offers(session: Session, now: datetime | None = None) -> int:
    """Offers not answered within their event's timeout expire; each need is offered again."""
    set_actor("system:expiry")
    now = now or utcnow()
    rows = session.execute(
        select(Task.id, Task.offered_at, FloodEvent.offer_timeout_minutes)
        .join(FloodEvent, FloodEvent.id == Task.event_id)
        .where(Task.status == "offered")
    ).all()
    expired = 0
    for task_id, offered_at, minutes in rows:
        if offered_at is None or offered_at + timedelta(minutes=minutes) > now:
            continue
        task = lifecycle.lock_task(session, task_id)
        if task is None or task.status != "offered":
            continue
        lifecycle.expire(session, task)
        reoffer(session, task.need)
        alerting.offer_expired(session, task.need)
        expired += 1
    return expired
