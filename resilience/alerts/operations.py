"""Raising, resolving and acknowledging alerts. Any domain may raise one; this package imports
no other domain, so raising never makes an import circle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.alerts.models import Alert
from resilience.core.db import utcnow
from resilience.core.errors import Conflict, Message, NotFound


def open_alert(session: Session, kind: str, subject: str) -> Alert | None:
    return session.scalar(select(Alert).where(
        Alert.kind == kind, Alert.subject == subject,
        Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None)))


def raise_alert(session: Session, kind: str, subject: str, *, severity: str = "warning",
                event_id: int | None = None, need_id: int | None = None, task_id: int | None = None,
                volunteer_id: int | None = None, sms_message_id: int | None = None,
                params: dict[str, Any] | None = None) -> tuple[Alert, bool]:
    """The open alert of ``kind`` about ``subject``, created if there is none; returns
    ``(alert, created)``. The partial unique index decides between two racing raisers: the
    loser's insert is rolled back to a savepoint and it gets the winner's alert."""
    existing = open_alert(session, kind, subject)
    if existing is not None:
        return existing, False
    alert = Alert(kind=kind, subject=subject, severity=severity, event_id=event_id, need_id=need_id,
                  task_id=task_id, volunteer_id=volunteer_id, sms_message_id=sms_message_id,
                  params=dict(params or {}))
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        existing = open_alert(session, kind, subject)
        if existing is None:
            raise
        return existing, False
    return alert, True


def resolve(session: Session, kind: str, subject: str) -> Alert | None:
    """The condition went away by itself (the need found a volunteer, the check-in was
    answered): the open alert, if any, is closed without an acknowledgement."""
    alert = open_alert(session, kind, subject)
    if alert is not None:
        alert.resolved_at = utcnow()
        session.flush()
    return alert


def acknowledge(session: Session, alert_id: int, actor: str) -> Alert:
    """A coordinator has seen to it. Acknowledging twice is a 409, not a second entry."""
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFound(Message("no alert with id %(alert_id)s", alert_id=alert_id))
    if alert.acknowledged_at is not None:
        raise Conflict(Message("alert %(alert_id)s was already acknowledged", alert_id=alert_id))
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by = actor
    session.flush()
    return alert
