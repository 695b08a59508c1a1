"""The one owner of task and need states: every change of a ``Task``'s or a ``Need``'s status
happens here and nowhere else (tests/dispatch/test_lifecycle_owner.py reads every module to
keep it so). A new state (a safety check-in, an escalation, a household merge) is a new
function here and a line in the tables below.

A need follows the task that holds it::

    task offered                          → need assigned
    task accepted                         → need in_progress
    task done                             → need done
    task declined, expired, failed or
    cancelled while it held the need      → need open (released; re-offering it is
                                            ``dispatch.offers.reoffer``, a matching decision)

and a coordinator's own change of a need moves its live tasks (``set_need_status``), so a need
is ``assigned`` exactly while an offered task holds it and ``in_progress`` while an accepted one
does. Every move is checked against ``TASK_TRANSITIONS`` and ``NEED_TRANSITIONS`` before
anything changes; an illegal one raises ``InvalidTransition`` and changes nothing.

Audit: the session's flush hook (``audit.chain``) writes ``task.<status>`` and
``need.<status>`` entries from the status columns; each function flushes where one entry per
change should be written. The SMS a transition causes (the offer, the cancellation and expiry
notices) are queued here; the answers to a volunteer's reply are ``dispatch.inbound``'s.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.core.db import lock, locked, utcnow
from resilience.core.errors import InvalidTransition, Message
from resilience.dispatch import messages
from resilience.dispatch.models import LIVE_TASK_STATUSES, Task
from resilience.households.models import VULNERABILITY_FIELDS
from resilience.needs.models import MANUAL_NEED_STATUSES, NEED_TRANSITIONS, Need
from resilience.sms import outbox
from resilience.volunteers.models import Volunteer

TASK_TRANSITIONS = {
    "proposed": ["offered", "cancelled"],
    "offered": ["accepted", "declined", "expired", "cancelled", "failed"],
    "accepted": ["done", "declined", "cancelled", "failed"],  # TIDAK after YA: the volunteer backs out
    "declined": [],
    "expired": [],
    "done": [],
    "cancelled": [],
    "failed": [],
}
NEW_NEED_STATUS = "open"
# Task statuses that hold their need, and the need status each one gives it.
HOLDING = {"offered": "assigned", "accepted": "in_progress"}
_NEED_WHEN_TASK = {**HOLDING, "done": "done"}


# --- the two state machines -----------------------------------------------------------------
def _check_task(task: Task, status: str) -> None:
    allowed = TASK_TRANSITIONS[task.status]
    if status not in allowed:
        raise InvalidTransition(Message("task %(code)s", code=task.code), task.status, status, allowed, "task_status")


def _check_need(need: Need, status: str) -> None:
    if status != need.status and status not in NEED_TRANSITIONS[need.status]:
        raise InvalidTransition(Message("need %(id)s", id=need.id), need.status, status, NEED_TRANSITIONS[need.status], "need_status")


def _move(task: Task, status: str) -> None:
    """``task`` to ``status``, its need following (both checked before either changes)."""
    _check_task(task, status)
    need_status = _NEED_WHEN_TASK.get(status)
    if need_status is not None:
        _check_need(task.need, need_status)
    held = task.status in HOLDING
    task.status = status
    setattr(task, f"{status}_at", utcnow())
    if need_status is not None:
        task.need.status = need_status
    elif held:
        _release(task.need)


def _release(need: Need) -> None:
    """The task holding ``need`` ended without doing it: the need is open again (a need the
    coordinator has closed meanwhile stays closed)."""
    if need.status in HOLDING.values():
        need.status = "open"


# --- creating -------------------------------------------------------------------------------
def new_need(**columns: Any) -> Need:
    """A need as it is reported: open."""
    return Need(status=NEW_NEED_STATUS, **columns)


def propose(session: Session, need: Need, volunteer: Volunteer, distance_m: float, explanation: str,
            explanation_code: str | None, explanation_params: dict | None) -> Task:
    """A proposed task for an open need (nothing is sent; ``offer`` does that)."""
    if need.status != "open":
        raise InvalidTransition(Message("need %(id)s", id=need.id), need.status, "proposed", NEED_TRANSITIONS[need.status], "need_status")
    return _new_task(session, need, volunteer, distance_m, explanation, explanation_code, explanation_params)


def _new_task(session: Session, need: Need, volunteer: Volunteer, distance_m: float, explanation: str,
              explanation_code: str | None, explanation_params: dict | None) -> Task:
    task = Task(event_id=need.event_id, need_id=need.id, volunteer_id=volunteer.id, status="proposed",
                distance_m=round(distance_m, 1), explanation=explanation,
                explanation_code=explanation_code, explanation_params=explanation_params)
    task.need, task.volunteer = need, volunteer
    session.add(task)
    return task


def drop_proposed(session: Session, task: Task) -> None:
    """A proposal replaced by a newer one disappears (it was never shown to the volunteer)."""
    if task.status != "proposed":
        raise InvalidTransition(Message("task %(code)s", code=task.code), task.status, "dropped", TASK_TRANSITIONS[task.status], "task_status")
    session.delete(task)


# --- the task's transitions -------------------------------------------------------------------
def lock_task(session: Session, task_id: int) -> Task | None:
    """The task, locked and re-read: the row to change a status on."""
    return lock(session, Task, task_id)


def offer_text(task: Task) -> str:
    household = task.need.household
    return messages.offer(
        code=task.code,
        need_category=task.need.category,
        people=household.members,
        vulnerable={name: getattr(household, name) for name in VULNERABILITY_FIELDS},
        landmark=_where(household),
        kelurahan=household.admin_area.name if household.admin_area else "",
        distance_m=task.distance_m,
        timeout_minutes=task.need.event.offer_timeout_minutes,
        approximate=household.location_is_approximate,
        lang=messages.language(task.volunteer),
    )


def _where(household) -> str:
    """The landmark (or address); for an approximate point also the RT/RW, which is then what
    finds the house."""
    place = household.landmark or household.address or ""
    if household.location_is_approximate and (household.rt or household.rw):
        rt_rw = "/".join(f"{label} {value}" for label, value in (("RT", household.rt), ("RW", household.rw)) if value)
        place = f"{place}, {rt_rw}" if place else rt_rw
    return place


def offer(session: Session, *tasks: Task) -> None:
    """proposed → offered (need → assigned), for each task; the offer SMS go out after the
    commit. All are checked before any changes."""
    for task in tasks:
        _check_task(task, "offered")
        _check_need(task.need, "assigned")
    for task in tasks:
        _move(task, "offered")
    session.flush()
    for task in tasks:
        outbox.queue(session, task.volunteer.phone, offer_text(task), "offer", task=task,
                     volunteer=task.volunteer)


def accept(session: Session, task: Task) -> None:
    """offered → accepted (need → in_progress)."""
    _move(task, "accepted")
    session.flush()


def decline(session: Session, task: Task) -> None:
    """offered or accepted → declined (need released)."""
    _move(task, "declined")
    session.flush()


def done(session: Session, task: Task) -> None:
    """accepted → done (need → done)."""
    _move(task, "done")
    session.flush()


def expire(session: Session, task: Task) -> None:
    """offered → expired (need released); the volunteer is told the offer went elsewhere."""
    _move(task, "expired")
    session.flush()
    body = messages.expired(task.code, lang=messages.language(task.volunteer))
    outbox.queue(session, task.volunteer.phone, body, "expiry", task=task,
                 volunteer=task.volunteer)


def fail(session: Session, task: Task) -> None:
    """offered or accepted → failed (need released): the volunteer cannot be reached."""
    _move(task, "failed")
    session.flush()


def cancel(session: Session, task: Task) -> None:
    """→ cancelled (need released if the task held it); a volunteer who had the offer is told."""
    held = task.status in HOLDING
    _move(task, "cancelled")
    session.flush()
    if held:
        _tell_cancelled(session, task)


def _tell_cancelled(session: Session, task: Task) -> None:
    body = messages.cancelled(task.code, lang=messages.language(task.volunteer))
    outbox.queue(session, task.volunteer.phone, body, "cancellation", task=task,
                 volunteer=task.volunteer)


def reassign(session: Session, task: Task, volunteer: Volunteer, distance_m: float, explanation: str,
             explanation_code: str | None, explanation_params: dict | None) -> Task:
    """A live task's need goes to ``volunteer``: the old task is cancelled (its volunteer told)
    and the new one takes its place — proposed if the old one was, offered otherwise."""
    if task.status not in LIVE_TASK_STATUSES:
        raise InvalidTransition(Message("task %(code)s", code=task.code), task.status, "reassigned", TASK_TRANSITIONS[task.status], "task_status")
    held = task.status in HOLDING
    _check_task(task, "cancelled")
    task.status = "cancelled"
    task.cancelled_at = utcnow()
    session.flush()  # the old task leaves the live set before the new one enters it
    if held:
        _tell_cancelled(session, task)
    replacement = _new_task(session, task.need, volunteer, distance_m, explanation, explanation_code,
                            explanation_params)
    session.flush()  # task.created, as a proposal
    if held:
        _release(task.need)  # and assigned again by the offer: the need's log shows where it ends up
        offer(session, replacement)
    return replacement


# --- the coordinator's own change of a need ---------------------------------------------------
def manual_need_statuses(need: Need) -> list[str]:
    """The statuses a coordinator may give ``need`` now."""
    return [s for s in NEED_TRANSITIONS[need.status] if s in MANUAL_NEED_STATUSES]


def set_need_status(session: Session, need: Need, wanted: str) -> None:
    """A coordinator sets a need ``open``, ``done`` or ``cancelled``; its live tasks follow:
    on ``done`` an accepted task is done, and otherwise every live task is cancelled (its
    volunteer told if it had the offer), so no task goes on for a need that moved without it.
    The caller flushes (a need without live tasks is not flushed here)."""
    if wanted == need.status:
        return
    allowed = manual_need_statuses(need)
    if wanted not in allowed:
        raise InvalidTransition(Message("need %(id)s", id=need.id), need.status, wanted, allowed, "need_status")
    live = locked(session, select(Task).where(Task.need_id == need.id, Task.status.in_(LIVE_TASK_STATUSES))
                  .order_by(Task.id)).all()
    ends = [(task, "done" if wanted == "done" and task.status == "accepted" else "cancelled") for task in live]
    for task, status in ends:
        _check_task(task, status)
    told = [task for task, status in ends if status == "cancelled" and task.status in HOLDING]
    for task, status in ends:  # the need moves once, below: no detour through "open"
        task.status = status
        setattr(task, f"{status}_at", utcnow())
    need.status = wanted
    if ends:  # without tasks the caller's flush writes the need (one entry with its other edits)
        session.flush()
    for task in told:
        _tell_cancelled(session, task)


# --- a household merged into another ------------------------------------------------------------
def cancel_duplicate_need(session: Session, need: Need) -> None:
    """Two households turned out to be one family and both reported this need (same event and
    category): the one not kept is cancelled as a coordinator's cancel is — its live tasks are
    cancelled and their volunteers told — and flushed, so the need kept can take its place."""
    set_need_status(session, need, "cancelled")
    session.flush()
