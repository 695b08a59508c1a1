"""The coordinator's side of the SMS inbox: mark a message handled, answer it with a free text,
resend a message that failed. Each locks the message first, so two coordinators acting on the
same message at once act once: the second finds it handled and changes nothing. They flush and
never commit; SMS go out after the caller's commit (``sms.outbox``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from resilience.audit.chain import current_actor, record
from resilience.core.db import lock, utcnow
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.sms import outbox
from resilience.sms.gsm7 import MAX_SEGMENTS, segments, to_gsm7
from resilience.sms.models import SmsMessage
from resilience.sms.queries import FAILED_STATUSES
from resilience.volunteers.models import Volunteer

#: Kind of a coordinator's own SMS (an answer from the inbox, or one written to a volunteer).
COORDINATOR_KIND = "coordinator"


def lock_message(session: Session, message_id: int) -> SmsMessage:
    message = lock(session, SmsMessage, message_id)
    if message is None:
        raise NotFound(Message("no SMS with id %(message_id)s", message_id=message_id))
    return message


def _unhandled(message: SmsMessage) -> None:
    if message.handled_at is not None:
        raise Conflict(Message("this SMS was already handled by %(who)s", who=message.handled_by or "?"))


def handled(message: SmsMessage, actor: str | None = None) -> None:
    """Record who handled ``message`` and when (the caller holds its lock)."""
    message.handled_at = utcnow()
    message.handled_by = (actor or current_actor())[:120]


def mark_handled(session: Session, message_id: int) -> SmsMessage:
    """Nothing more to do about this message."""
    message = lock_message(session, message_id)
    _unhandled(message)
    handled(message)
    session.flush()
    return message


def check_text(body: str, field: str = "body") -> str:
    """A coordinator's SMS text as it will be sent (GSM-7), at most ``MAX_SEGMENTS`` segments."""
    text = to_gsm7(" ".join((body or "").split()))
    if not text:
        raise ValidationFailed.field(field, Message("write the text of the SMS"))
    _, count = segments(text)
    if count > MAX_SEGMENTS:
        raise ValidationFailed.field(field, Message(
            "the SMS is %(count)s segments long; at most %(most)s are allowed (306 GSM-7 characters)",
            count=count, most=MAX_SEGMENTS))
    return text


def send_text(session: Session, volunteer: Volunteer, body: str, field: str = "body") -> SmsMessage:
    """A free-text SMS from the coordinator to a volunteer."""
    text = check_text(body, field)
    sent = outbox.queue(session, volunteer.phone, text, COORDINATOR_KIND, volunteer=volunteer)
    if sent is None:
        raise Conflict(Message("%(name)s opted out of SMS (replied STOP); nothing was sent", name=volunteer.name))
    return sent


def answer(session: Session, message_id: int, body: str) -> SmsMessage:
    """Answer an inbound message with a free text; the message is then handled."""
    message = lock_message(session, message_id)
    if message.direction != "inbound":
        raise Conflict(Message("only a received SMS can be answered"))
    _unhandled(message)
    if message.volunteer is not None:
        sent = send_text(session, message.volunteer, body)
    else:  # an unknown number: answered once, by a person, never automatically
        sent = outbox.queue(session, message.phone, check_text(body), COORDINATOR_KIND)
    handled(message)
    session.flush()
    record(session, "sms_message.answered", "sms_message", message.id, {"answer_id": sent.id})
    return sent


def resend(session: Session, message_id: int) -> SmsMessage:
    """Send a failed outbound message again as a new message (same text, task and volunteer).
    The failed one is marked handled, so it is resent once however often this is asked."""
    message = lock_message(session, message_id)
    if message.direction != "outbound" or message.status not in FAILED_STATUSES:
        raise Conflict(Message("only a failed SMS can be sent again"))
    _unhandled(message)
    copy = outbox.queue(session, message.phone, message.body, message.kind, task=message.task,
                        volunteer=message.volunteer)
    if copy is None:
        raise Conflict(Message("%(name)s opted out of SMS (replied STOP); nothing was sent",
                               name=message.volunteer.name if message.volunteer else "?"))
    handled(message)
    session.flush()
    record(session, "sms_message.resent", "sms_message", message.id, {"copy_id": copy.id})
    return copy
