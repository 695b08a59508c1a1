"""Listing flood events: the API's list and the pages' pickers share the order (newest first)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from resilience.events.models import FloodEvent

NEWEST_FIRST = (FloodEvent.started_at.desc(), FloodEvent.id.desc())


def event_query(status: str | None = None) -> Select:
    """Events newest first, optionally of one status (GET /events)."""
    query = select(FloodEvent).order_by(*NEWEST_FIRST)
    if status:
        query = query.where(FloodEvent.status == status)
    return query


def events(session: Session, status: str | None = None) -> list[FloodEvent]:
    return session.scalars(event_query(status)).all()


def events_active_first(session: Session) -> list[FloodEvent]:
    """Active events, then closed ones, each newest first (the pickers of reports and stock)."""
    return session.scalars(select(FloodEvent).order_by(FloodEvent.status, *NEWEST_FIRST)).all()
