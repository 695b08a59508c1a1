"""The volunteer safety check-in: the periodic sweep that asks due check-ins and escalates
unanswered ones, and what a volunteer's AMAN or BANTU means. The moves themselves (and the
decisions about them) are ``dispatch.lifecycle``'s; this module decides which tasks they apply to.

The sweep is safe with any number of workers running it at once: each task is locked with
``SKIP LOCKED`` (a task another worker or a reply holds is left to the next run, so the sweep
never waits on a task row while it holds the audit head), re-read, re-checked, and changed by a
conditional update; a task is asked once and escalated once, whatever runs concurrently.

Replies, for the volunteer who sent them:

- ``AMAN T12``: their task T12 is answered safe. ``AMAN`` alone: every accepted at-risk task of
  theirs (a person is safe or not; with several such tasks we do not ask which one). A task
  without a check-in is answered "no check-in waiting".
- ``BANTU T12``: an emergency alert about T12. ``BANTU`` alone, or with a code that is not
  theirs: their accepted tasks (the at-risk ones when there are any); without one, their latest
  task; a volunteer who never had a task raises an alert about themselves. A call for help is
  never answered with a question or the help text.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from resilience.alerts.operations import raise_alert
from resilience.audit.chain import record, set_actor
from resilience.core.db import locked, utcnow
from resilience.dispatch import lifecycle
from resilience.dispatch import messages as text
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.volunteers.models import Volunteer

ACTOR = "system:checkin"


# --- the sweep ----------------------------------------------------------------------------------
def _due_questions(session: Session, now: datetime) -> list[int]:
    return list(session.scalars(
        select(Task.id).join(FloodEvent, FloodEvent.id == Task.event_id)
        .where(Task.status == "accepted", Task.checkin_due_at <= now, Task.checkin_asked_at.is_(None),
               FloodEvent.status == "active")
        .order_by(Task.id)))


def _unanswered(session: Session) -> list[int]:
    """Asked, not answered, not escalated (the interval is checked per task by the lifecycle)."""
    return list(session.scalars(
        select(Task.id).join(FloodEvent, FloodEvent.id == Task.event_id)
        .where(Task.status == "accepted", Task.checkin_asked_at.is_not(None),
               Task.checkin_escalated_at.is_(None), Task.checkin_help_at.is_(None),
               or_(Task.checkin_safe_at.is_(None), Task.checkin_safe_at < Task.checkin_asked_at),
               FloodEvent.status == "active")
        .order_by(Task.id)))


def sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Ask every due check-in and escalate every one unanswered for the event's
    ``checkin_escalate_minutes``, in the caller's transaction (only in active events: a closed
    event's tasks are no longer asked). Returns ``{"asked": n, "escalated": m}``."""
    now = now or utcnow()
    token = set_actor(ACTOR)
    try:
        asked = escalated = 0
        for task_id in _due_questions(session, now):
            task = lifecycle.try_lock_task(session, task_id)
            if task is not None and lifecycle.ask_checkin(session, task, now):
                asked += 1
        for task_id in _unanswered(session):
            task = lifecycle.try_lock_task(session, task_id)
            if task is not None and lifecycle.escalate_unanswered(session, task, now) is not None:
                escalated += 1
        return {"asked": asked, "escalated": escalated}
    finally:
        token.var.reset(token)


# --- AMAN and BANTU -----------------------------------------------------------------------------
def _own_task(session: Session, volunteer: Volunteer, code: str) -> Task | None:
    task_id = Task.id_from_code(code)
    task = lifecycle.lock_task(session, task_id) if task_id else None
    return task if task is not None and task.volunteer_id == volunteer.id else None


def _accepted(session: Session, volunteer: Volunteer, *conditions) -> list[Task]:
    return list(locked(session, select(Task).where(Task.volunteer_id == volunteer.id, Task.status == "accepted",
                                                   *conditions).order_by(Task.id)))


def reply(session: Session, volunteer: Volunteer, command: str, code: str | None, lang: str,
          now: datetime | None = None) -> str:
    """Act on ``AMAN`` (command ``safe``) or ``BANTU`` (``help``); returns the answer SMS."""
    now = now or utcnow()
    if command == "safe":
        return _safe(session, volunteer, code, lang, now)
    if command == "help":
        return _help(session, volunteer, code, lang, now)
    raise ValueError(f"not a check-in command: {command!r}")


def _safe(session: Session, volunteer: Volunteer, code: str | None, lang: str, now: datetime) -> str:
    if code is not None:
        task = _own_task(session, volunteer, code)
        if task is None:
            return text.unknown_code(code, lang=lang)
        tasks = [task]
    else:
        tasks = _accepted(session, volunteer, Task.checkin_due_at.is_not(None))
    answered = [task for task in tasks if lifecycle.checkin_safe(session, task, now)]
    if not answered:
        return text.checkin_none(lang=lang)
    return text.checkin_safe([task.code for task in answered], lang=lang)


def _help(session: Session, volunteer: Volunteer, code: str | None, lang: str, now: datetime) -> str:
    task = _own_task(session, volunteer, code) if code is not None else None
    if task is not None:
        tasks = [task]
    else:
        tasks = _accepted(session, volunteer, Task.checkin_due_at.is_not(None)) or _accepted(session, volunteer)
    if not tasks:
        latest = session.scalar(select(Task.id).where(Task.volunteer_id == volunteer.id,
                                                      Task.status != "proposed")
                                .order_by(Task.id.desc()).limit(1))
        tasks = [lifecycle.lock_task(session, latest)] if latest is not None else []
    for task in tasks:
        lifecycle.checkin_help(session, task, now)
    if not tasks:
        _volunteer_help(session, volunteer, now)
    return text.checkin_help([task.code for task in tasks], lang=lang)


def _volunteer_help(session: Session, volunteer: Volunteer, now: datetime) -> None:
    """BANTU from a volunteer who never had a task: an emergency alert about the volunteer."""
    when = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    alert, created = raise_alert(session, lifecycle.CHECKIN_ALERT, f"volunteer:{volunteer.id}",
                                 severity="emergency", volunteer_id=volunteer.id,
                                 params={"reason": "help", "help_at": when})
    if created:
        record(session, "volunteer.checkin_help", "volunteer", volunteer.id, {"alert_id": alert.id, "help_at": now})
