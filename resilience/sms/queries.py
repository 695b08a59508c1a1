"""Reading the SMS inbox: what volunteers (and unknown numbers) wrote, and the outbound messages
that failed, newest first. ``sms/`` knows nothing about events: a caller that wants one event's
messages passes the ids of its volunteers as a subquery (``dispatch.queries.event_volunteer_ids``)."""

from __future__ import annotations

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from resilience.sms.models import SmsMessage

FAILED_STATUSES = ("failed", "undelivered")
#: What the inbox shows: messages waiting for a coordinator, every message it lists, failed SMS.
INBOX_VIEWS = ("attention", "all", "failed")


def _inbound():
    return SmsMessage.direction == "inbound"


def _failed():
    return and_(SmsMessage.direction == "outbound", SmsMessage.status.in_(FAILED_STATUSES))


def waiting():
    """The condition of a message waiting for a coordinator: an inbound message the system did
    not act on, or a failed outbound one, not yet handled."""
    return and_(SmsMessage.handled_at.is_(None),
                or_(and_(_inbound(), SmsMessage.needs_attention.is_(True)), _failed()))


def inbox_query(view: str = "attention", volunteers: Select | None = None) -> Select:
    """The inbox's messages, newest first. ``view`` is one of ``INBOX_VIEWS``; ``volunteers`` (a
    select of volunteer ids) keeps their messages and those of unknown numbers."""
    if view not in INBOX_VIEWS:
        raise ValueError(f"unknown inbox view {view!r}")
    query = select(SmsMessage).options(joinedload(SmsMessage.volunteer))
    if view == "attention":
        query = query.where(waiting())
    elif view == "failed":
        query = query.where(_failed())
    else:
        query = query.where(or_(_inbound(), _failed()))
    if volunteers is not None:
        query = query.where(or_(SmsMessage.volunteer_id.in_(volunteers),
                                and_(_inbound(), SmsMessage.volunteer_id.is_(None))))
    return query.order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())


def waiting_count(session: Session) -> int:
    """How many messages wait for a coordinator (the navigation's badge)."""
    return session.scalar(select(func.count()).select_from(SmsMessage).where(waiting())) or 0


def offer_channels(session: Session, task_ids: list[int]) -> dict[int, tuple[str, bool]]:
    """Task id → (the channel of its latest offer message, whether that one replaced or left
    WhatsApp), for the tasks whose offer involved WhatsApp: what the task board shows. Found by
    task id; a channel is known once sent (``whatsapp`` as soon as it is queued)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(SmsMessage.task_id, SmsMessage.channel, SmsMessage.channel_reason, SmsMessage.fallback_of_id)
        .where(SmsMessage.task_id.in_(sorted(set(task_ids))), SmsMessage.direction == "outbound",
               SmsMessage.kind == "offer")
        .order_by(SmsMessage.id)).all()
    found: dict[int, tuple[str, bool]] = {}
    for task_id, channel, reason, fallback_of in rows:
        switched = fallback_of is not None or (reason or "").startswith("whatsapp")
        if channel == "whatsapp" or switched:
            found[task_id] = (channel or "", switched)
        else:
            found.pop(task_id, None)
    return found
