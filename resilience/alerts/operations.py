"""Raising, resolving and acknowledging alerts. Any domain may raise one; this package's
operations import no other domain, so raising never makes an import circle.

An alert is *open* until a coordinator acknowledges it or its condition goes away (resolved).
An acknowledged alert whose condition still holds stays *unresolved*: the coordinator knows,
and the sweep that found the condition must not raise it again a minute later. Such kinds
(``QUIET_AFTER_ACK``) get a new alert only after the condition went away and came back. A
safety escalation is never quietened: a volunteer asking for help again is a new alert.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.alerts import notify
from resilience.alerts.models import Alert
from resilience.core.db import lock, utcnow
from resilience.core.errors import Conflict, Message, NotFound

# Kinds whose acknowledged, unresolved alert stands for the condition until it goes away.
QUIET_AFTER_ACK = ("no_candidate", "long_wait", "repeated_expiry", "opted_out_with_tasks", "sms_failed")
# What a need's new status settles: it has a task again (assigned), a volunteer is on it
# (in_progress), or it is closed.
RESOLVED_BY_NEED_STATUS = {
    "assigned": ("no_candidate",),
    "in_progress": ("no_candidate", "long_wait", "repeated_expiry"),
    "done": ("no_candidate", "long_wait", "repeated_expiry"),
    "cancelled": ("no_candidate", "long_wait", "repeated_expiry"),
}


def subject(kind: str, row_id: int) -> str:
    """``need:12``, ``task:40``, ``sms:7``, ``volunteer:3``."""
    return f"{kind}:{row_id}"


def open_alert(session: Session, kind: str, subject: str) -> Alert | None:
    return session.scalar(select(Alert).where(
        Alert.kind == kind, Alert.subject == subject,
        Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None)))


def unresolved_alert(session: Session, kind: str, subject: str) -> Alert | None:
    """The open alert, else an acknowledged one whose condition has not gone away."""
    return session.scalar(select(Alert).where(
        Alert.kind == kind, Alert.subject == subject, Alert.resolved_at.is_(None))
        .order_by(Alert.acknowledged_at.is_not(None), Alert.id.desc()).limit(1))


def raise_alert(session: Session, kind: str, subject: str, *, severity: str = "warning",
                event_id: int | None = None, need_id: int | None = None, task_id: int | None = None,
                volunteer_id: int | None = None, sms_message_id: int | None = None,
                params: dict[str, Any] | None = None) -> tuple[Alert, bool]:
    """The open alert of ``kind`` about ``subject``, created if there is none; returns
    ``(alert, created)``. For ``QUIET_AFTER_ACK`` kinds an acknowledged alert that is not
    resolved counts as the existing one. The partial unique index decides between two racing
    raisers: the loser's insert is rolled back to a savepoint and it gets the winner's alert."""
    find = unresolved_alert if kind in QUIET_AFTER_ACK else open_alert
    existing = find(session, kind, subject)
    if existing is not None:
        return existing, False
    alert = Alert(kind=kind, subject=subject, severity=severity, event_id=event_id, need_id=need_id,
                  task_id=task_id, volunteer_id=volunteer_id, sms_message_id=sms_message_id,
                  params=dict(params or {}), notify_count=0)
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        existing = open_alert(session, kind, subject)
        if existing is None:
            raise
        return existing, False
    if severity == "emergency":
        notify.emergency_now(session, alert)  # at once, not with the next summary
    return alert, True


def resolve(session: Session, kind: str, subject: str) -> list[Alert]:
    """The condition went away by itself (the need found a volunteer, the check-in was
    answered): every unresolved alert of ``kind`` about ``subject`` — open or acknowledged —
    is resolved. Returns them."""
    return resolve_many(session, (kind,), subject)


def resolve_many(session: Session, kinds: Iterable[str], subject: str, flush: bool = True) -> list[Alert]:
    """:func:`resolve` for several kinds at once (one query, on the unresolved-subject index).
    ``flush=False`` leaves the change to the caller's next flush."""
    alerts = list(session.scalars(select(Alert).where(
        Alert.subject == subject, Alert.resolved_at.is_(None), Alert.kind.in_(tuple(kinds)))))
    now = utcnow()
    for alert in alerts:
        alert.resolved_at = now
    if alerts and flush:
        session.flush()
    return alerts


def need_moved(session: Session, need_id: int, status: str) -> list[Alert]:
    """A need reached ``status``: resolve the alerts that status settles. Called by the
    lifecycle in the middle of a change: nothing is flushed here (the lifecycle flushes once,
    so the need's audit entry stays one entry)."""
    kinds = RESOLVED_BY_NEED_STATUS.get(status, ())
    if not kinds:
        return []
    return resolve_many(session, kinds, subject("need", need_id), flush=False)


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(Message("no alert with id %(alert_id)s", alert_id=alert_id))
    return alert


def acknowledge(session: Session, alert_id: int, actor: str) -> Alert:
    """A coordinator has seen to it. Acknowledging twice is a 409, not a second entry; so is
    acknowledging an alert that already resolved itself."""
    alert = lock(session, Alert, alert_id)
    if alert is None:
        raise NotFound(Message("no alert with id %(alert_id)s", alert_id=alert_id))
    if alert.acknowledged_at is not None:
        raise Conflict(Message("alert %(alert_id)s was already acknowledged", alert_id=alert_id))
    if alert.resolved_at is not None:
        raise Conflict(Message("alert %(alert_id)s was already resolved", alert_id=alert_id))
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by = actor
    session.flush()
    return alert
