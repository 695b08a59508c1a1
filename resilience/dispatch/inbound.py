"""What a volunteer's SMS means: the ``INBOUND_RECEIVED`` hook.

Every reply is idempotent: a repeated YA, a late TIDAK or a duplicated reply changes nothing
twice and is answered with the task's current state. Task rows are locked while they change,
so a task is never accepted twice. The keywords are ``dispatch.replies``'s; the answers
``dispatch.messages``'s; the state changes ``dispatch.lifecycle``'s.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.audit.chain import set_actor
from resilience.dispatch import lifecycle
from resilience.dispatch import messages as text
from resilience.dispatch.models import Task
from resilience.dispatch.offers import reoffer
from resilience.dispatch.replies import parse
from resilience.sms import outbox
from resilience.volunteers.models import Volunteer


def _answer(session: Session, volunteer: Volunteer, body: str, force: bool = False) -> None:
    outbox.queue(session, volunteer.phone, body, "confirmation", volunteer=volunteer, force=force)


def _open_tasks(session: Session, volunteer: Volunteer, statuses: tuple[str, ...]) -> list[Task]:
    return list(session.scalars(
        select(Task).where(Task.volunteer_id == volunteer.id, Task.status.in_(statuses)).order_by(Task.id)
    ))


def _resolve(session: Session, volunteer: Volunteer, code: str | None, statuses: tuple[str, ...],
             lang: str):
    """The task a reply is about, locked: by code, or the one open task when the code is
    omitted. Returns (task, answer-if-none)."""
    if code is not None:
        task_id = Task.id_from_code(code)
        task = lifecycle.lock_task(session, task_id) if task_id else None
        if task is None or task.volunteer_id != volunteer.id:
            return None, text.unknown_code(code, lang=lang)
        return task, None
    candidates = _open_tasks(session, volunteer, statuses)
    if not candidates:
        return None, text.no_open_tasks(lang=lang)
    if len(candidates) > 1:
        return None, text.ambiguous([t.code for t in candidates], lang=lang)
    return lifecycle.lock_task(session, candidates[0].id), None


def handle_reply(session: Session, message) -> str | None:
    """Act on an inbound SMS from a volunteer; returns the confirmation queued (or None)."""
    volunteer = message.volunteer
    if volunteer is None:
        # A resident's TOLONG becomes a help request (answered there); anything else from a
        # stranger gets no answer (no SMS loops with strangers).
        from resilience.helprequests.operations import receive as receive_help_request

        receive_help_request(session, message)
        return None
    set_actor(f"volunteer:{volunteer.id}")
    lang = text.language(volunteer)
    reply = parse(message.body)
    if reply.command == "stop":
        volunteer.sms_opt_out = True
        for task in _open_tasks(session, volunteer, ("offered",)):
            lifecycle.decline(session, task)
            reoffer(session, task.need)
        answer = text.opted_out(lang=lang)
        _answer(session, volunteer, answer, force=True)
        return answer
    if reply.command == "start":
        volunteer.sms_opt_out = False
        answer = text.opted_in(lang=lang)
    elif reply.command == "status":
        tasks = _open_tasks(session, volunteer, ("offered", "accepted"))
        answer = text.status_list([(t.code, t.status, t.need.category) for t in tasks], lang=lang) \
            if tasks else text.no_open_tasks(lang=lang)
    elif reply.command in ("accept", "decline", "done"):
        answer = _task_reply(session, volunteer, reply.command, reply.code, lang)
    else:
        answer = text.help_text(lang=lang)
    _answer(session, volunteer, answer)
    return answer


def _task_reply(session: Session, volunteer: Volunteer, command: str, code: str | None, lang: str) -> str:
    statuses = ("accepted",) if command == "done" else ("offered",)
    task, answer = _resolve(session, volunteer, code, statuses, lang)
    if task is None:
        return answer
    household = task.need.household
    kelurahan = household.admin_area.name if household.admin_area else ""
    if command == "accept":
        if task.status == "offered":
            lifecycle.accept(session, task)
            return text.accepted(task.code, household.landmark or household.address or "", kelurahan, lang=lang)
    elif command == "decline":
        if task.status in ("offered", "accepted"):
            lifecycle.decline(session, task)
            reoffer(session, task.need)
            return text.declined(task.code, lang=lang)
    elif command == "done":
        if task.status == "accepted":
            lifecycle.done(session, task)
            return text.done(task.code, lang=lang)
    if task.status == "expired":
        return text.expired(task.code, lang=lang)
    if task.status == "cancelled":
        return text.cancelled(task.code, lang=lang)
    return text.already(task.code, task.status, lang=lang)


def on_inbound(session: Session, message) -> None:
    """The ``INBOUND_RECEIVED`` hook."""
    handle_reply(session, message)
