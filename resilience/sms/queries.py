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
