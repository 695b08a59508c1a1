"""Offers by SMS, volunteers' replies, re-offers and expiry: the volunteer's side of dispatch.

Every transition is idempotent: a repeated YA, a late TIDAK or a duplicated reply changes
nothing twice and is answered with the task's current state. Task rows are locked while they
change, so a task is never accepted twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.audit.chain import record, set_actor
from resilience.core.db import utcnow
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.households.models import VULNERABILITY_FIELDS
from resilience.matching.operations import best_volunteer_for, lock_event
from resilience.needs.models import Need
from resilience.sms import operations as sms
from resilience.sms import text
from resilience.volunteers.models import Volunteer

log = logging.getLogger(__name__)

def offer_text(task: Task) -> str:
    household = task.need.household
    event = task.need.event
    return text.offer(
        code=task.code,
        need_category=task.need.category,
        people=household.members,
        vulnerable={name: getattr(household, name) for name in VULNERABILITY_FIELDS},
        landmark=household.landmark or household.address or "",
        kelurahan=household.admin_area.name if household.admin_area else "",
        distance_m=task.distance_m,
        timeout_minutes=event.offer_timeout_minutes,
    )


def send_offer(session: Session, task: Task) -> None:
    sms.queue(session, task.volunteer.phone, offer_text(task), "offer", task=task, volunteer=task.volunteer)


def _notify(session: Session, volunteer: Volunteer, body: str, kind: str, task: Task | None = None,
            force: bool = False) -> None:
    sms.queue(session, volunteer.phone, body, kind, task=task, volunteer=volunteer, force=force)


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
        return None
    volunteer, distance, reason = best
    task = Task(event_id=need.event_id, need_id=need.id, volunteer_id=volunteer.id, status="proposed",
                distance_m=round(distance, 1), explanation=f"re-offered: {reason}",
                explanation_code=reason.code, explanation_params={**reason.params, "reoffered": True})
    task.need, task.volunteer = need, volunteer
    session.add(task)
    session.flush()
    task.transition("offered")
    need.status = "assigned"
    session.flush()
    send_offer(session, task)
    return task


def on_send_failed(session: Session, message) -> None:
    """An offer could not be delivered at all: the task fails and the need goes to someone else."""
    task = message.task
    if message.kind != "offer" or task is None or task.status != "offered":
        return
    task.transition("failed")
    task.need.status = "open"
    session.flush()
    reoffer(session, task.need)


# --- replies ------------------------------------------------------------------------------
def _open_tasks(session: Session, volunteer: Volunteer, statuses: tuple[str, ...]) -> list[Task]:
    return list(session.scalars(
        select(Task).where(Task.volunteer_id == volunteer.id, Task.status.in_(statuses)).order_by(Task.id)
    ))


def _resolve(session: Session, volunteer: Volunteer, code: str | None, statuses: tuple[str, ...]):
    """The task a reply is about: by code, or the one open task when the code is omitted.
    Returns (task, answer-if-none)."""
    if code is not None:
        task_id = Task.id_from_code(code)
        task = session.scalars(select(Task).where(Task.id == task_id).with_for_update().execution_options(populate_existing=True)).first() if task_id else None
        if task is None or task.volunteer_id != volunteer.id:
            return None, text.unknown_code(code)
        return task, None
    candidates = _open_tasks(session, volunteer, statuses)
    if not candidates:
        return None, text.no_open_tasks()
    if len(candidates) > 1:
        return None, text.ambiguous([t.code for t in candidates])
    task = session.scalars(select(Task).where(Task.id == candidates[0].id).with_for_update().execution_options(populate_existing=True)).first()
    return task, None


def handle_reply(session: Session, message) -> str | None:
    """Act on an inbound SMS from a volunteer; returns the confirmation queued (or None)."""
    volunteer = message.volunteer
    if volunteer is None:
        return None  # not a registered volunteer: no answer (no SMS loops with strangers)
    from resilience.sms.replies import parse

    set_actor(f"volunteer:{volunteer.id}")
    reply = parse(message.body)
    if reply.command == "stop":
        volunteer.sms_opt_out = True
        for task in _open_tasks(session, volunteer, ("offered",)):
            task.transition("declined")
            task.need.status = "open"
            session.flush()
            reoffer(session, task.need)
        answer = text.opted_out()
        _notify(session, volunteer, answer, "confirmation", force=True)
        return answer
    if reply.command == "start":
        volunteer.sms_opt_out = False
        answer = text.opted_in()
    elif reply.command == "status":
        tasks = _open_tasks(session, volunteer, ("offered", "accepted"))
        answer = text.status_list([(t.code, t.status, t.need.category) for t in tasks]) \
            if tasks else text.no_open_tasks()
    elif reply.command in ("accept", "decline", "done"):
        answer = _task_reply(session, volunteer, reply.command, reply.code)
    else:
        answer = text.help_text()
    _notify(session, volunteer, answer, "confirmation")
    return answer


def _task_reply(session: Session, volunteer: Volunteer, command: str, code: str | None) -> str:
    statuses = ("accepted",) if command == "done" else ("offered",)
    task, answer = _resolve(session, volunteer, code, statuses)
    if task is None:
        return answer
    household = task.need.household
    kelurahan = household.admin_area.name if household.admin_area else ""
    if command == "accept":
        if task.status == "offered":
            task.transition("accepted")
            task.need.status = "in_progress"
            return text.accepted(task.code, household.landmark or household.address or "", kelurahan)
    elif command == "decline":
        if task.status in ("offered", "accepted"):
            task.transition("declined")
            task.need.status = "open"
            session.flush()
            reoffer(session, task.need)
            return text.declined(task.code)
    elif command == "done":
        if task.status == "accepted":
            task.transition("done")
            task.need.status = "done"
            return text.done(task.code)
    if task.status == "expired":
        return text.expired(task.code)
    if task.status == "cancelled":
        return text.cancelled(task.code)
    return text.already(task.code, task.status)


# --- expiry -------------------------------------------------------------------------------
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
        task = session.scalars(select(Task).where(Task.id == task_id).with_for_update().execution_options(populate_existing=True)).first()
        if task is None or task.status != "offered":
            continue
        task.transition("expired")
        task.need.status = "open"
        session.flush()
        _notify(session, task.volunteer, text.expired(task.code), "expiry", task=task)
        reoffer(session, task.need)
        expired += 1
    return expired
