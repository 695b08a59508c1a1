"""A coordinator acts on a volunteer's SMS the system did not act on (free text such as "oke
siap meluncur"): applies it as accept, decline or done to one of the sender's tasks.

The change goes through the same path as a reply by SMS (``dispatch.inbound.apply_command``,
which asks ``dispatch.lifecycle``), so the volunteer gets the same confirmation SMS as if they
had replied the command; the audit entries name the coordinator (the request's actor). The
message is locked and marked handled in the same transaction: a second click, or a second
coordinator, finds it handled and changes nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from resilience.audit.chain import record
from resilience.core.errors import Conflict, Message, ValidationFailed
from resilience.dispatch import lifecycle
from resilience.dispatch.inbound import apply_command
from resilience.sms import operations as sms

#: The commands a coordinator may apply, and the task statuses each one applies to.
COMMANDS = {"accept": ("offered",), "decline": ("offered", "accepted"), "done": ("accepted",)}


def apply_reply(session: Session, message_id: int, task_id: int, command: str) -> str:
    """Apply ``command`` to the task ``task_id`` for the sender of message ``message_id``.
    Returns the confirmation SMS queued to the volunteer."""
    if command not in COMMANDS:
        raise ValidationFailed.field("command", Message("choose accept, decline or done"))
    message = sms.lock_message(session, message_id)
    if message.direction != "inbound":
        raise Conflict(Message("only a received SMS can be applied to a task"))
    if message.handled_at is not None:
        raise Conflict(Message("this SMS was already handled by %(who)s", who=message.handled_by or "?"))
    volunteer = message.volunteer
    if volunteer is None:
        raise Conflict(Message("the sender is not a volunteer: there is no task to apply it to"))
    task = lifecycle.lock_task(session, task_id)
    if task is None or task.volunteer_id != volunteer.id:
        raise ValidationFailed.field("task_id", Message("choose one of the sender's tasks"))
    if task.status not in COMMANDS[command]:
        raise Conflict(Message("task %(code)s is %(status)s: %(command)s does not apply to it", code=task.code,
                               status=task.status, command=command,
                               terms={"status": "task_status", "command": "inbox_command"}))
    answer = apply_command(session, volunteer, command, task.code, message)
    sms.handled(message)
    session.flush()
    record(session, "sms_message.applied", "sms_message", message.id,
           {"task_id": task.id, "command": command})
    return answer
