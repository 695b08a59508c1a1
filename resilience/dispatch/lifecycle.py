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

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from resilience.alerts.models import Alert
from resilience.alerts.operations import open_alert, raise_alert
from resilience.audit.chain import record
from resilience.core.db import lock, locked, utcnow
from resilience.core.errors import InvalidTransition, Message
from resilience.dispatch import alerting, messages
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
        alerting.need_moved(object_session(task), task.need)
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
    """offered → accepted (need → in_progress). A task whose need category puts the volunteer
    at risk (the event's ``checkin_categories``) gets its safety check-in due
    ``checkin_after_minutes`` after the acceptance (see "the safety check-in" below)."""
    event = task.need.event  # read before the move: its lazy load would flush the move alone
    _move(task, "accepted")
    if task.need.category in (event.checkin_categories or ()):
        task.checkin_due_at = task.accepted_at + timedelta(minutes=event.checkin_after_minutes)
    session.flush()


def decline(session: Session, task: Task, reason: str = "") -> None:
    """offered or accepted → declined (need released); ``reason`` is the volunteer's words
    after TIDAK ("motor mogok"), kept for the task board."""
    _move(task, "declined")
    if reason:
        task.decline_reason = reason
    session.flush()


def done(session: Session, task: Task) -> None:
    """accepted → done (need → done)."""
    _move(task, "done")
    session.flush()


def done_on_behalf(session: Session, task: Task, note: str) -> None:
    """accepted → done (need → done) by a coordinator for the volunteer, who did the work but
    could not reply: ``note`` says why (kept on the task; the audit entry has it and the
    actor); the volunteer is told by SMS, without the note."""
    _check_task(task, "done")
    _check_need(task.need, "done")  # loads the need first: its lazy load would flush the note on its own
    task.coordinator_note = note
    _move(task, "done")
    session.flush()
    body = messages.done_on_behalf(task.code, lang=messages.language(task.volunteer))
    outbox.queue(session, task.volunteer.phone, body, "done_on_behalf", task=task,
                 volunteer=task.volunteer)


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
    alerting.need_moved(session, need)
    if ends:  # without tasks the caller's flush writes the need (one entry with its other edits)
        session.flush()
    for task in told:
        _tell_cancelled(session, task)


# --- the safety check-in ----------------------------------------------------------------------
# An accepted task of an at-risk category (``accept`` sets ``checkin_due_at``) is asked once,
# when due, whether its volunteer is safe (``ask_checkin``: "Balas AMAN T12 …, BANTU T12 …").
# AMAN records the answer (``checkin_safe``); BANTU (``checkin_help``), or no answer within the
# event's ``checkin_escalate_minutes`` after asking (``escalate_unanswered``, from the sweep in
# ``dispatch.checkin``), raises an emergency ``safety_escalation`` alert about ``task:<id>``;
# the alerts' notifier sends it to the coordinator on duty and the group leader.
#
# Decisions:
# - An escalation is closed only by a human (acknowledged on the alerts page). An AMAN that
#   comes after it is recorded on the task and written onto the open alert (``params.safe_at``)
#   so the coordinator sees it there, but it does not close the alert: someone may already be
#   on the way, and is stood down by a person, not silently.
# - BANTU counts whenever it comes: before the question, after an AMAN, on a task of any
#   category or state. With an alert already open it is added to it (``params.help_at``);
#   after one was acknowledged it raises a new one.
# - A task that ended (done, declined, cancelled, failed) is neither asked nor escalated: the
#   volunteer answered by ending it, or the coordinator ended it.
# - An AMAN sent before the question is recorded but does not replace it: the check-in is
#   about the volunteer at the time it is due. Only an AMAN at or after the question answers it.
#
# Each move is one conditional UPDATE of the check-in column (a second worker's or a repeated
# reply's update matches no row) and one explicit audit entry (``task.checkin_asked``,
# ``task.checkin_safe``, ``task.checkin_help``, ``task.checkin_escalated``) instead of the
# flush's generic ``task.updated``.
CHECKIN_ALERT = "safety_escalation"
ESCALATION_REASONS = ("no_answer", "help")


def checkin_subject(task: Task) -> str:
    return f"task:{task.id}"


def checkin_answered(task: Task) -> bool:
    """The question was asked and answered (AMAN at or after it, or BANTU)."""
    if task.checkin_asked_at is None:
        return False
    if task.checkin_help_at is not None:
        return True
    return task.checkin_safe_at is not None and task.checkin_safe_at >= task.checkin_asked_at


def try_lock_task(session: Session, task_id: int) -> Task | None:
    """The task, locked and re-read, or None when it is gone or another transaction holds its
    lock (``SKIP LOCKED`` on PostgreSQL; SQLite's writers are serialised anyway): for sweeps,
    which leave a busy row to the next run rather than wait while holding the audit head."""
    return session.scalars(select(Task).where(Task.id == task_id).with_for_update(skip_locked=True)
                           .execution_options(populate_existing=True)).first()


def _set_checkin(session: Session, task: Task, column: str, when: datetime, *conditions) -> bool:
    """``task.<column> = when`` if ``conditions`` still hold in the database; True if it did.
    The in-session task is updated too, without becoming dirty (no generic audit entry)."""
    result = session.execute(update(Task).where(Task.id == task.id, *conditions).values({column: when})
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(task, column, when)
    session.expire(task, ["updated_at"])
    return True


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkin_question(task: Task) -> str:
    return messages.checkin_question(task.code, lang=messages.language(task.volunteer))


def ask_checkin(session: Session, task: Task, now: datetime | None = None) -> bool:
    """Ask the volunteer of an accepted task whose check-in is due whether they are safe: sets
    ``checkin_asked_at`` and queues the AMAN/BANTU SMS. At most once per task, whoever calls
    (two workers, a repeated sweep): False when there was nothing to ask. A volunteer who opted
    out of SMS gets none, is counted as asked, and is escalated like any unanswered one."""
    now = now or utcnow()
    if task.status != "accepted" or task.checkin_due_at is None or task.checkin_due_at > now \
            or task.checkin_asked_at is not None:
        return False
    if not _set_checkin(session, task, "checkin_asked_at", now, Task.status == "accepted",
                        Task.checkin_asked_at.is_(None)):
        return False
    message = outbox.queue(session, task.volunteer.phone, checkin_question(task), "checkin", task=task,
                           volunteer=task.volunteer)
    record(session, "task.checkin_asked", "task", task.id,
           {"code": task.code, "checkin_asked_at": now, "sms_message_id": message.id if message else None})
    return True


def checkin_safe(session: Session, task: Task, now: datetime | None = None) -> bool:
    """AMAN: the volunteer says they are safe. Recorded (``checkin_safe_at``, the latest AMAN)
    and, when an escalation about the task is open, written onto it for the coordinator (it
    stays open until acknowledged). False when the task has no check-in."""
    now = now or utcnow()
    if task.checkin_due_at is None:
        return False
    _set_checkin(session, task, "checkin_safe_at", now)
    alert = open_alert(session, CHECKIN_ALERT, checkin_subject(task))
    if alert is not None:
        alert.params = {**(alert.params or {}), "safe_at": _iso(now)}
        session.flush()
    record(session, "task.checkin_safe", "task", task.id,
           {"code": task.code, "checkin_safe_at": now, "answers_question": task.checkin_asked_at is not None
            and now >= task.checkin_asked_at, "open_alert_id": alert.id if alert else None})
    return True


def checkin_help(session: Session, task: Task, now: datetime | None = None) -> Alert:
    """BANTU: the volunteer needs help. Recorded (``checkin_help_at``, the first BANTU) and
    escalated at once; returns the open escalation alert."""
    now = now or utcnow()
    first = _set_checkin(session, task, "checkin_help_at", now, Task.checkin_help_at.is_(None))
    record(session, "task.checkin_help", "task", task.id, {"code": task.code, "checkin_help_at": now,
                                                           "first": first})
    return _escalate(session, task, "help", now)


def escalate_unanswered(session: Session, task: Task, now: datetime | None = None) -> Alert | None:
    """No answer within the event's ``checkin_escalate_minutes`` after asking: the emergency
    alert is raised, once per task whoever calls (the update of ``checkin_escalated_at`` is
    conditional). None when there is nothing to escalate (answered, ended, not yet due)."""
    now = now or utcnow()
    if task.status != "accepted" or task.checkin_asked_at is None or task.checkin_escalated_at is not None \
            or checkin_answered(task):
        return None
    if task.checkin_asked_at + timedelta(minutes=task.need.event.checkin_escalate_minutes) > now:
        return None
    if not _set_checkin(session, task, "checkin_escalated_at", now, Task.status == "accepted",
                        Task.checkin_escalated_at.is_(None), Task.checkin_help_at.is_(None)):
        return None
    return _escalate(session, task, "no_answer", now)


def _escalate(session: Session, task: Task, reason: str, now: datetime) -> Alert:
    """Raise the emergency ``safety_escalation`` alert about the task (``reason`` ``no_answer``
    or ``help``), or add to the one already open; every new alert writes
    ``task.checkin_escalated``. ``checkin_escalated_at`` keeps the first escalation. The alert
    carries no personal data: the task code, need category and times (the alerts' notifier
    looks up the phones from its task, volunteer and event)."""
    if reason not in ESCALATION_REASONS:
        raise ValueError(f"unknown escalation reason {reason!r}")
    params = {"code": task.code, "category": task.need.category, "reason": reason}
    if task.checkin_asked_at is not None:
        params["asked_at"] = _iso(task.checkin_asked_at)
    if reason == "no_answer":
        params["escalate_minutes"] = task.need.event.checkin_escalate_minutes
    else:
        params["help_at"] = _iso(now)
    alert, created = raise_alert(session, CHECKIN_ALERT, checkin_subject(task), severity="emergency",
                                 event_id=task.event_id, need_id=task.need_id, task_id=task.id,
                                 volunteer_id=task.volunteer_id, params=params)
    if not created and reason == "help" and "help_at" not in (alert.params or {}):
        alert.params = {**(alert.params or {}), "help_at": _iso(now)}
        session.flush()
    _set_checkin(session, task, "checkin_escalated_at", now, Task.checkin_escalated_at.is_(None))
    if created:
        record(session, "task.checkin_escalated", "task", task.id,
               {"code": task.code, "checkin_escalated_at": task.checkin_escalated_at, "reason": reason,
                "alert_id": alert.id})
    return alert


# --- a household merged into another ------------------------------------------------------------
def cancel_duplicate_need(session: Session, need: Need) -> None:
    """Two households turned out to be one family and both reported this need (same event and
    category): the one not kept is cancelled as a coordinator's cancel is — its live tasks are
    cancelled and their volunteers told — and flushed, so the need kept can take its place."""
    set_need_status(session, need, "cancelled")
    session.flush()
