"""Reads of alerts shared by the API and the alerts page."""

from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from resilience.alerts.models import Alert

ALERT_STATES = ("open", "acknowledged", "resolved", "all")


def state_of(alert: Alert) -> str:
    if alert.resolved_at is not None:
        return "resolved"
    if alert.acknowledged_at is not None:
        return "acknowledged"
    return "open"


def alert_query(event: int | None = None, kind: str | None = None, state: str = "open",
                exclude: tuple[str, ...] = ()) -> Select:
    """Alerts, most severe first, then newest first (without the kinds in ``exclude``)."""
    query = select(Alert)
    if exclude:
        query = query.where(Alert.kind.not_in(exclude))
    if event is not None:
        query = query.where(Alert.event_id == event)
    if kind is not None:
        query = query.where(Alert.kind == kind)
    if state == "open":
        query = query.where(Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None))
    elif state == "acknowledged":
        query = query.where(Alert.acknowledged_at.is_not(None), Alert.resolved_at.is_(None))
    elif state == "resolved":
        query = query.where(Alert.resolved_at.is_not(None))
    severe_first = case((Alert.severity == "emergency", 0), else_=1)
    return query.order_by(severe_first, Alert.created_at.desc(), Alert.id.desc())


def open_counts(session: Session) -> tuple[int, int]:
    """(open alerts, of which emergencies): the navigation's badge."""
    row = session.execute(
        select(func.count(), func.count(case((Alert.severity == "emergency", 1))))
        .where(Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None))).one()
    return int(row[0] or 0), int(row[1] or 0)
