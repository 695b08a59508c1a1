"""Flood events: create, change, and derive the kelurahan they affect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.areas.models import VILLAGE_LEVELS, AdminArea
from resilience.core.db import utcnow
from resilience.core.errors import InvalidTransition, Message, NotFound, ValidationFailed
from resilience.events.models import EVENT_TRANSITIONS, FloodEvent

# A kelurahan counts as affected when at least this share of it lies in the flood area
# (neighbouring boundary rings overlap slightly; a sliver is not "affected").
MIN_AFFECTED_SHARE = 0.01


def get_event(session: Session, event_id: int) -> FloodEvent:
    event = session.get(FloodEvent, event_id)
    if event is None:
        raise NotFound(Message("no flood event with id %(event_id)s", event_id=event_id))
    return event


def _derive_admin_areas(session: Session, event: FloodEvent) -> None:
    if event.affected_area is None:
        event.admin_areas = []
        return
    area = event.affected_area
    share = func.ST_Area(func.ST_Intersection(AdminArea.boundary, area)) / func.ST_Area(AdminArea.boundary)
    event.admin_areas = list(
        session.scalars(
            select(AdminArea)
            .where(
                AdminArea.level.in_(VILLAGE_LEVELS),
                func.ST_Intersects(AdminArea.boundary, area),
                share >= MIN_AFFECTED_SHARE,
            )
            .order_by(AdminArea.code)
        )
    )


def _check_times(started_at, ended_at) -> None:
    if ended_at is not None and started_at is not None and ended_at < started_at:
        raise ValidationFailed.field("ended_at", Message("must not be before started_at"))


def create_event(session: Session, data: dict[str, Any]) -> FloodEvent:
    _check_times(data.get("started_at"), data.get("ended_at"))
    event = FloodEvent(
        name=data["name"].strip(),
        started_at=data["started_at"],
        ended_at=data.get("ended_at"),
        affected_area=data.get("affected_area"),
        offer_timeout_minutes=data.get("offer_timeout_minutes", 20),
        status="closed" if data.get("ended_at") else "active",
    )
    session.add(event)
    session.flush()
    _derive_admin_areas(session, event)
    session.flush()
    return event


def update_event(session: Session, event: FloodEvent, data: dict[str, Any]) -> FloodEvent:
    status = data.pop("status", None)
    if status is not None and status != event.status:
        allowed = EVENT_TRANSITIONS[event.status]
        if status not in allowed:
            raise InvalidTransition(Message("the event"), event.status, status, allowed, "event_status")
        event.status = status
        if status == "closed" and event.ended_at is None and "ended_at" not in data:
            event.ended_at = utcnow()
        if status == "active":
            event.ended_at = None
    for key in ("name", "started_at", "ended_at", "offer_timeout_minutes", "public"):
        if key in data:
            setattr(event, key, data[key].strip() if key == "name" else data[key])
    _check_times(event.started_at, event.ended_at)
    if "affected_area" in data:
        event.affected_area = data["affected_area"]
        session.flush()
        _derive_admin_areas(session, event)
    session.flush()
    return event
