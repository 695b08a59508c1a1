"""Confirming proposed tasks, cancelling and reassigning: the coordinator's side of dispatch.

Two coordinators confirming at once cannot double-book: confirmation locks the event and the
volunteers involved (in id order, so two confirmations never deadlock), re-checks each task
against the current state, and the unique index on live tasks per need is the last guard.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.core.db import locked
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.core.geo import haversine_m
from resilience.dispatch import lifecycle
from resilience.dispatch.offers import reoffer as reoffer_need
from resilience.dispatch.models import LIVE_TASK_STATUSES, Task
from resilience.events.models import FloodEvent
from resilience.matching.operations import (
    DEFAULT_MAX_DISTANCE_M,
    EXCLUDING_STATUSES,
    _lat_lon,
    held_tasks,
    lock_event,
)
from resilience.needs.models import REQUIRED_SKILL
from resilience.volunteers.models import Volunteer


@dataclass
class Confirmation:
    offered: list[Task] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def get_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(Message("no task with id %(task_id)s", task_id=task_id))
    return task


def _lock_volunteers(session: Session, ids: list[int]) -> dict[int, Volunteer]:
    rows = locked(session, select(Volunteer).where(Volunteer.id.in_(sorted(set(ids)))).order_by(Volunteer.id)).all()
    return {v.id: v for v in rows}


def _unfit(volunteer: Volunteer, remaining: int) -> Message | None:
    if volunteer.availability != "available":
        return Message("volunteer is %(availability)s", availability=volunteer.availability,
                       terms={"availability": "availability"})
    if volunteer.sms_opt_out:
        return Message("volunteer opted out of SMS")
    if remaining <= 0:
        return Message("volunteer has no capacity left")
    return None


def confirm(session: Session, event: FloodEvent, task_ids: list[int] | None = None) -> Confirmation:
    """Move proposed tasks (all, or the given ids) to ``offered``; report what was skipped (each
    reason a :class:`Message`: the API's English, a page's own language)."""
    lock_event(session, event)
    query = select(Task).where(Task.event_id == event.id)
    if task_ids is None:
        query = query.where(Task.status == "proposed")
    else:
        query = query.where(Task.id.in_(task_ids))
    tasks = session.scalars(query.order_by(Task.id)).all()
    result = Confirmation()
    if task_ids is not None:
        found = {t.id for t in tasks}
        for missing in sorted(set(task_ids) - found):
            result.skipped.append({"task_id": missing, "reason": Message("no such task in this event")})
    volunteers = _lock_volunteers(session, [t.volunteer_id for t in tasks])
    held = held_tasks(session, list(volunteers))
    remaining = {vid: v.capacity - held.get(vid, 0) for vid, v in volunteers.items()}
    # Highest priority first, so scarce capacity goes where it matters most.
    for task in sorted(tasks, key=lambda t: (-t.need.priority, t.id)):
        if task.status != "proposed":
            reason = Message("task is %(status)s, not proposed", status=task.status, terms={"status": "task_status"})
            result.skipped.append({"task_id": task.id, "reason": reason})
            continue
        reason = None
        if task.need.status != "open":
            reason = Message("need %(need_id)s is %(status)s", need_id=str(task.need_id), status=task.need.status,
                             terms={"status": "need_status"})
        else:
            reason = _unfit(volunteers[task.volunteer_id], remaining[task.volunteer_id])
        if reason:
            lifecycle.cancel(session, task)
            result.skipped.append({"task_id": task.id, "reason": reason})
            continue
        remaining[task.volunteer_id] -= 1
        result.offered.append(task)
    lifecycle.offer(session, *result.offered)
    return result


NOTE_MAX = 500  # characters of a coordinator's note on a task


def _note(note: str | None, required: bool) -> str:
    text = " ".join((note or "").split())
    if required and not text:
        raise ValidationFailed.field("note", Message("give the reason"))
    if len(text) > NOTE_MAX:
        raise ValidationFailed.field("note", Message("at most %(max)s characters", max=NOTE_MAX))
    return text


def cancel(session: Session, task: Task, note: str | None = None) -> Task:
    """Cancel a task; ``note`` (optional) says why and is kept on the task."""
    text = _note(note, required=False)
    with session.no_autoflush:  # the note goes into the cancellation's audit entry, not one of its own
        if text:
            task.coordinator_note = text
        lifecycle.cancel(session, task)
    return task


def done_on_behalf(session: Session, task: Task, note: str | None) -> Task:
    """Record an accepted task as done for its volunteer; the reason is required. The task row
    is locked and re-read first: a SELESAI or TIDAK arriving meanwhile is seen, not overwritten."""
    text = _note(note, required=True)
    task = lifecycle.lock_task(session, task.id) or task
    if task.status != "accepted":
        raise Conflict(Message("task %(code)s is %(status)s; only an accepted task can be marked done",
                               code=task.code, status=task.status, terms={"status": "task_status"}))
    lifecycle.done_on_behalf(session, task, text)
    return task


REOFFERABLE = ("declined", "expired", "failed")


def reoffer(session: Session, task: Task) -> Task | None:
    """Offer the need of a declined, expired or failed task to the next best volunteer; None
    when there is nobody left (an audit entry says so)."""
    event = session.get(FloodEvent, task.event_id)
    lock_event(session, event)  # one re-offer or matching of this event at a time, then read the need as it is
    session.refresh(task.need)
    if task.status not in REOFFERABLE:
        raise Conflict(Message("task %(code)s is %(status)s; only a declined, expired or failed task can be re-offered",
                               code=task.code, status=task.status, terms={"status": "task_status"}))
    need = task.need
    if need.status != "open":
        raise Conflict(Message("need %(need_id)s is %(status)s, not open", need_id=str(need.id), status=need.status,
                               terms={"status": "need_status"}))
    live = session.scalar(select(Task.id).where(Task.need_id == need.id, Task.status.in_(LIVE_TASK_STATUSES)))
    if live is not None:
        raise Conflict(Message("need %(need_id)s already has task %(task)s", need_id=str(need.id), task=f"T{live}"))
    if event.status != "active":
        raise Conflict(Message("the event is closed; reopen it to offer tasks"))
    return reoffer_need(session, need)


def reassign(session: Session, task: Task, volunteer_id: int) -> Task:
    """Give a live task's need to another volunteer; the old task is cancelled."""
    if task.status not in LIVE_TASK_STATUSES:
        raise Conflict(Message("task %(code)s is %(status)s; only proposed, offered or accepted tasks can be reassigned",
                               code=task.code, status=task.status, terms={"status": "task_status"}))
    event = session.get(FloodEvent, task.event_id)
    lock_event(session, event)
    if volunteer_id == task.volunteer_id:
        raise ValidationFailed.field("volunteer_id", Message("the task already belongs to this volunteer"))
    volunteer = _lock_volunteers(session, [volunteer_id]).get(volunteer_id)
    if volunteer is None:
        raise ValidationFailed.field("volunteer_id", Message("no volunteer with id %(volunteer_id)s",
                                                             volunteer_id=volunteer_id))
    need = task.need
    skill = REQUIRED_SKILL[need.category]
    if skill and skill not in (volunteer.skills or []):
        raise ValidationFailed.field("volunteer_id", Message(
            "%(name)s lacks the skill %(skill)s that a %(category)s need requires", name=volunteer.name,
            skill=skill, category=need.category, terms={"skill": "skill", "category": "category"}))
    excluded = session.scalar(
        select(Task.id).where(Task.need_id == need.id, Task.volunteer_id == volunteer.id,
                              Task.status.in_(EXCLUDING_STATUSES))
    )
    if excluded is not None:
        raise Conflict(Message("%(name)s already declined or missed this need (task %(task)s)",
                               name=volunteer.name, task=f"T{excluded}"))
    reason = _unfit(volunteer, volunteer.capacity - held_tasks(session, [volunteer.id]).get(volunteer.id, 0))
    if reason:
        raise Conflict(reason)
    distance = haversine_m(*_lat_lon(need.household.location), *_lat_lon(volunteer.location))
    return lifecycle.reassign(
        session, task, volunteer, distance,
        f"reassigned by the coordinator from task {task.code}"
        + ("" if distance <= DEFAULT_MAX_DISTANCE_M else f"; {distance / 1000:.1f} km away"),
        "reassigned", {"from_task": task.code, "distance_m": round(distance, 1)})
