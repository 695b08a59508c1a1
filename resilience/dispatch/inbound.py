"""What a volunteer's SMS means: the ``INBOUND_RECEIVED`` hook.

A task changes state only on a reply ``dispatch.replies`` reads as a command; everything else
from a volunteer (free text: ``"sudah sampai, rumahnya kosong"``) changes nothing, is marked
``needs_attention`` for the coordinator's inbox, and the volunteer is told it was passed on,
with the real state of their tasks and what to send. A message from a number that is no
volunteer's is never answered and also waits in the inbox.

Without a code a command applies to the volunteer's only live task in a state it fits (YA and
TIDAK: an offer; SELESAI: an accepted task). When none fits, the answer says what the one live
task's real state is (``"T5 belum Anda terima; balas YA T5 untuk menerima …"``); backing out of
an accepted task needs its code (``TIDAK T5``). A command that does not fit its task's state
and is not a repeat (SELESAI on an offer, YA on an expired one) changes nothing and is marked
for attention too, and so is a decline whose reason could not be recorded.

Every reply is idempotent: a repeated YA, a late TIDAK or a duplicated reply changes nothing
twice and is answered with the task's current state. Task rows are locked while they change,
so a task is never accepted twice. The keywords are ``dispatch.replies``'s; the answers
``dispatch.messages``'s; the state changes ``dispatch.lifecycle``'s.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.audit.chain import set_actor
from resilience.dispatch import alerting, checkin, lifecycle
from resilience.dispatch import messages as text
from resilience.dispatch.models import Task
from resilience.dispatch.offers import reoffer
from resilience.dispatch.replies import Reply, parse
from resilience.sms import outbox
from resilience.volunteers.models import Volunteer


def _answer(session: Session, volunteer: Volunteer, body: str, force: bool = False) -> None:
    outbox.queue(session, volunteer.phone, body, "confirmation", volunteer=volunteer, force=force)


def _open_tasks(session: Session, volunteer: Volunteer, statuses: tuple[str, ...]) -> list[Task]:
    return list(session.scalars(
        select(Task).where(Task.volunteer_id == volunteer.id, Task.status.in_(statuses)).order_by(Task.id)
    ))


LIVE = ("offered", "accepted")
#: The states each task command applies to when the code is left out.
FITS = {"accept": ("offered",), "decline": ("offered",), "done": ("accepted",)}
#: A command on a task already in its result: a repeat, answered without bothering anyone.
REPEATS = {"accept": "accepted", "decline": "declined", "done": "done"}


def _resolve(session: Session, volunteer: Volunteer, code: str | None, statuses: tuple[str, ...],
             lang: str):
    """The task a reply is about, locked: by code; without one, the one live task in one of
    ``statuses`` (the states the command fits), else the only live task (so the answer can
    tell its real state). Returns (task, answer-if-none)."""
    if code is not None:
        task_id = Task.id_from_code(code)
        task = lifecycle.lock_task(session, task_id) if task_id else None
        if task is None or task.volunteer_id != volunteer.id:
            return None, text.unknown_code(code, lang=lang)
        return task, None
    live = _open_tasks(session, volunteer, LIVE)
    fitting = [t for t in live if t.status in statuses]
    if len(fitting) > 1:
        return None, text.ambiguous([t.code for t in fitting], lang=lang)
    if fitting or len(live) == 1:
        return lifecycle.lock_task(session, (fitting or live)[0].id), None
    if not live:
        return None, text.no_open_tasks(lang=lang)
    return None, text.status_list([(t.code, t.status, t.need.category) for t in live], lang=lang)


def handle_reply(session: Session, message) -> str | None:
    """Act on an inbound SMS; returns the confirmation queued (or None)."""
    volunteer = message.volunteer
    if volunteer is None:
        # A resident's TOLONG becomes a help request (answered there, listed for a coordinator to
        # verify); anything else from a stranger gets no answer (no SMS loops with strangers) and
        # waits in the coordinator's inbox.
        from resilience.helprequests.operations import receive as receive_help_request

        if receive_help_request(session, message) is None:
            message.needs_attention = True
        return None
    set_actor(f"volunteer:{volunteer.id}")
    lang = text.language(volunteer)
    reply = parse(message.body)
    if reply.command == "stop":
        volunteer.sms_opt_out = True
        for task in _open_tasks(session, volunteer, ("offered",)):
            lifecycle.decline(session, task)
            reoffer(session, task.need)
        alerting.opted_out(session, volunteer)  # accepted tasks nobody can reach them about
        answer = text.opted_out(lang=lang)
        _answer(session, volunteer, answer, force=True)
        return answer
    if reply.command == "start":
        volunteer.sms_opt_out = False
        alerting.opted_in(session, volunteer)
        answer = text.opted_in(lang=lang)
    elif reply.command == "status":
        tasks = _open_tasks(session, volunteer, LIVE)
        answer = text.status_list([(t.code, t.status, t.need.category) for t in tasks], lang=lang) \
            if tasks else text.no_open_tasks(lang=lang)
    elif reply.command in ("accept", "decline", "done"):
        answer = _task_reply(session, volunteer, message, reply, lang)
    elif reply.command in ("safe", "help"):  # the safety check-in: AMAN / BANTU
        answer = checkin.reply(session, volunteer, reply.command, reply.code, lang)
        if reply.reason:  # "BANTU T12 perahu terbalik": the words go to the inbox beside the alert
            message.needs_attention = True
    else:
        answer = _forward(session, volunteer, message, lang)
    _answer(session, volunteer, answer)
    return answer


def _forward(session: Session, volunteer: Volunteer, message, lang: str) -> str:
    """Free text: to the coordinator's inbox; the volunteer hears so, and their tasks' states."""
    message.needs_attention = True
    return text.forwarded([(t.code, t.status) for t in _open_tasks(session, volunteer, LIVE)], lang=lang)


def _task_reply(session: Session, volunteer: Volunteer, message, reply: Reply, lang: str) -> str:
    command = reply.command
    task, answer = _resolve(session, volunteer, reply.code, FITS[command], lang)
    if task is None:
        if reply.reason:  # "tidak bisa, perahu bocor" that names no task of theirs: a person reads it
            message.needs_attention = True
        return answer
    household = task.need.household
    kelurahan = household.admin_area.name if household.admin_area else ""
    if command == "accept":
        if task.status == "offered":
            lifecycle.accept(session, task)
            return text.accepted(task.code, household.landmark or household.address or "", kelurahan, lang=lang)
    elif command == "decline":
        if task.status == "accepted" and reply.code is None:
            message.needs_attention = message.needs_attention or bool(reply.reason)
            return text.backing_out(task.code, lang=lang)
        if task.status in ("offered", "accepted"):
            lifecycle.decline(session, task, reason=reply.reason)
            successor = reoffer(session, task.need)
            return text.declined(task.code, reoffered=successor is not None, lang=lang)
    elif command == "done":
        if task.status == "accepted":
            lifecycle.done(session, task)
            return text.done(task.code, lang=lang)
    if REPEATS[command] != task.status or (reply.reason and reply.reason != task.decline_reason):
        message.needs_attention = True  # SELESAI on an offer, YA on an expired task …: a person looks
    return text.task_state(task.code, task.status, lang=lang)


def apply_command(session: Session, volunteer: Volunteer, command: str, code: str, message) -> str:
    """``command`` (accept, decline, done) on the task ``code`` exactly as if the volunteer had
    replied it by SMS: the same state change and the same confirmation SMS. For a coordinator
    acting on a reply the system could not read (``dispatch.inbox_actions``): ``message`` is
    that reply, and a decline keeps its words as the reason."""
    lang = text.language(volunteer)
    reason = (message.body or "").strip()[:500] if command == "decline" else ""
    answer = _task_reply(session, volunteer, message, Reply(command, code, reason=reason), lang)
    _answer(session, volunteer, answer)
    return answer


def on_inbound(session: Session, message) -> None:
    """The ``INBOUND_RECEIVED`` hook."""
    handle_reply(session, message)
