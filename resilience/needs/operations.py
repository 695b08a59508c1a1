"""Needs in a flood event: record, reprioritise, change status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.areas.models import AdminArea
from resilience.areas.operations import area_by_code
from resilience.core.db import utcnow
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.dispatch import lifecycle
from resilience.events.models import FloodEvent
from resilience.households.models import Household
from resilience.needs.models import LIVE_NEED_STATUSES, Need
from resilience.needs.priority import derive_priority


def get_need(session: Session, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound(Message("no need with id %(need_id)s", need_id=need_id))
    return need


def _apply_priority(need: Need, priority: int | None, reason: str | None) -> None:
    if priority is None or priority == need.derived_priority:
        need.priority = need.derived_priority
        need.priority_overridden = False
        need.priority_reason = (reason or "").strip() if priority is not None else ""
        return
    if not (reason or "").strip():
        raise ValidationFailed.field(
            "priority_reason",
            Message("a reason is required to set priority %(priority)s instead of the derived %(derived_priority)s",
                    priority=priority, derived_priority=need.derived_priority),
        )
    need.priority = priority
    need.priority_overridden = True
    need.priority_reason = reason.strip()


def _check_no_live_duplicate(session: Session, event_id: int, household_id: int, category: str) -> None:
    duplicate = session.scalar(
        select(Need.id).where(
            Need.event_id == event_id,
            Need.household_id == household_id,
            Need.category == category,
            Need.status.in_(LIVE_NEED_STATUSES),
        )
    )
    if duplicate is not None:
        raise Conflict(
            Message("household %(household_id)s already has an open %(category)s need in this event (id %(duplicate)s)",
                    household_id=household_id, category=category, duplicate=duplicate, terms={"category": "category"}),
            existing_id=duplicate,
        )


def create_need(session: Session, event: FloodEvent, data: dict[str, Any]) -> Need:
    if event.status != "active":
        raise Conflict(Message("the event '%(name)s' is closed; reopen it to record needs", name=event.name))
    household = session.get(Household, data["household_id"])
    if household is None:
        raise ValidationFailed.field("household_id", Message("no household with id %(household_id)s",
                                                             household_id=data['household_id']))
    if household.erased_at is not None:  # closed for good: a family that comes back registers anew
        raise Conflict(Message("household %(id)s was erased (its personal data, UU PDP) and cannot be changed",
                               id=household.id), field="household_id")
    _check_no_live_duplicate(session, event.id, household.id, data["category"])
    need = lifecycle.new_need(
        event_id=event.id,
        household_id=household.id,
        category=data["category"],
        derived_priority=derive_priority(data["category"], household.vulnerable_count),
        notes=(data.get("notes") or "").strip(),
        reporter=(data.get("reporter") or "").strip(),
        reported_at=data.get("reported_at") or utcnow(),
    )
    need.household = household
    _apply_priority(need, data.get("priority"), data.get("priority_reason"))
    session.add(need)
    session.flush()
    return need


def update_need(session: Session, need: Need, data: dict[str, Any]) -> Need:
    if "status" in data and data["status"] != need.status:
        wanted = data["status"]
        reopening = wanted in LIVE_NEED_STATUSES and need.status not in LIVE_NEED_STATUSES
        if reopening and wanted in lifecycle.manual_need_statuses(need):
            _check_no_live_duplicate(session, need.event_id, need.household_id, need.category)
        lifecycle.set_need_status(session, need, wanted)  # refuses what a coordinator may not do
    if "priority" in data or "priority_reason" in data:
        priority = data.get("priority", need.priority if need.priority_overridden else None)
        _apply_priority(need, priority, data.get("priority_reason", need.priority_reason))
    if "notes" in data:
        need.notes = data["notes"].strip()
    session.flush()
    return need


def rederive_priorities(session: Session, household: Household) -> None:
    """The household's vulnerability changed: live needs follow, unless overridden."""
    needs = session.scalars(
        select(Need).where(Need.household_id == household.id, Need.status.in_(LIVE_NEED_STATUSES))
    )
    for need in needs:
        need.derived_priority = derive_priority(need.category, household.vulnerable_count)
        if not need.priority_overridden:
            need.priority = need.derived_priority
    session.flush()


def need_query(session: Session, event: FloodEvent, status=None, category=None, priority=None,
               household=None, area=None):
    query = select(Need).where(Need.event_id == event.id).order_by(Need.priority.desc(), Need.reported_at, Need.id)
    if status:
        query = query.where(Need.status == status)
    if category:
        query = query.where(Need.category == category)
    if priority:
        query = query.where(Need.priority == priority)
    if household:
        query = query.where(Need.household_id == household)
    if area:
        target = area_by_code(session, area)
        ids = select(AdminArea.id).where((AdminArea.id == target.id) | AdminArea.code.like(target.code + ".%"))
        query = query.join(Household, Household.id == Need.household_id).where(Household.admin_area_id.in_(ids))
    return query
