"""Which depots serve an event, distributions (aid handed to households), double-aid warnings,
households that received nothing, and the minimum-needs estimate of an event against the stock
serving it.

A distribution is an ``issue`` movement with a household and its flood event. The household
must be *in the event*: it has a need in the event or lives inside the event's affected area
(the same rule as ``GET /households?event=``). The event comes from ``event_id`` or from the
task the aid was handed over on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import Session

from resilience.core.errors import Message, ValidationFailed
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.households.models import Household
from resilience.households.queries import merged_family
from resilience.needs.models import LIVE_NEED_STATUSES, Need
from resilience.stock.models import Depot, Item, StockBalance, StockMovement
from resilience.stock.profiles import Profile, estimate
from resilience.stock.units import number

DOUBLE_AID_WINDOW_HOURS = 72
# Aid is handed over on a task the volunteer accepted (and may have reported done, SELESAI).
ISSUABLE_TASK_STATUSES = ("accepted", "done")
PEOPLE_RULE = ("people are the members of the households with an open, assigned or in-progress "
               "need in the event; each household counted once")


def serving(event: FloodEvent):
    """SQL condition: the depot serves the event (inside its affected area or in one of its
    affected kelurahan)."""
    conditions = []
    if event.affected_area is not None:
        conditions.append(func.ST_Within(Depot.location, event.affected_area))
    area_ids = [area.id for area in event.admin_areas]
    if area_ids:
        conditions.append(Depot.admin_area_id.in_(area_ids))
    return or_(*conditions) if conditions else false()


@dataclass
class Recipient:
    event_id: int | None
    household: Household | None
    task_id: int | None


def household_in_event(session: Session, household: Household, event: FloodEvent) -> bool:
    condition = exists().where(Need.household_id == Household.id, Need.event_id == event.id)
    if event.affected_area is not None:
        condition = or_(condition, func.ST_Within(Household.location, event.affected_area))
    return session.scalar(select(Household.id).where(Household.id == household.id, condition)) is not None


def resolve_recipient(session: Session, data: dict[str, Any]) -> Recipient:
    """Who an issue goes to; the household, task and event must exist and agree."""
    event = household = task = None
    if data.get("event_id") is not None:
        event = session.get(FloodEvent, data["event_id"])
        if event is None:
            raise ValidationFailed.field("event_id", Message("no flood event with id %(event_id)s",
                                                             event_id=data['event_id']))
    if data.get("household_id") is not None:
        household = session.get(Household, data["household_id"])
        if household is None:
            raise ValidationFailed.field("household_id", Message("no household with id %(household_id)s",
                                                                 household_id=data['household_id']))
    if data.get("task_id") is not None:
        task = session.get(Task, data["task_id"])
        if task is None:
            raise ValidationFailed.field("task_id", Message("no task with id %(task_id)s", task_id=data['task_id']))
        if task.status not in ISSUABLE_TASK_STATUSES:
            raise ValidationFailed.field(
                "task_id", Message("task T%(id)s is %(status)s; aid is handed over on an accepted or done task",
                                   id=task.id, status=task.status)
            )
        task_household = session.scalar(select(Need.household_id).where(Need.id == task.need_id))
        if household is None:
            household = session.get(Household, task_household)
        elif household.id != task_household:
            raise ValidationFailed.field(
                "household_id", Message("task T%(id)s is for household %(task_household)s, not %(id2)s",
                                        id=task.id, task_household=task_household, id2=household.id)
            )
        if event is None:
            event = session.get(FloodEvent, task.event_id)
        elif event.id != task.event_id:
            raise ValidationFailed.field("event_id", Message("task T%(id)s belongs to event %(event_id)s, not %(id2)s",
                                                             id=task.id, event_id=task.event_id, id2=event.id))
    if household is not None:
        if event is None:
            raise ValidationFailed.field(
                "event_id", Message("a distribution to a household names its flood event (event_id) or the task (task_id)")
            )
        if not household_in_event(session, household, event):
            raise ValidationFailed.field(
                "household_id",
                Message("household %(id)s is not affected by event %(id2)s: it has no need in the event and lives outside its affected area",
                        id=household.id, id2=event.id),
            )
    return Recipient(event.id if event else None, household, task.id if task else None)


def double_aid_warnings(session: Session, movement: StockMovement, window_hours: int | None) -> list[dict[str, Any]]:
    """Earlier issues of the same item category to the same household (or a duplicate of it
    merged into the same one) in the same event within the window (a warning, not a refusal: a
    large family may rightly get more)."""
    hours = DOUBLE_AID_WINDOW_HOURS if window_hours is None else window_hours
    if hours <= 0:
        return []
    category = movement.item.category
    earlier = session.execute(
        select(StockMovement.id, StockMovement.created_at, StockMovement.quantity_milli, Item.code, Item.unit)
        .join(Item, Item.id == StockMovement.item_id)
        .where(
            StockMovement.kind == "issue",
            StockMovement.household_id.in_(merged_family(session, movement.household_id)),
            StockMovement.event_id == movement.event_id,
            StockMovement.id != movement.id,
            StockMovement.created_at >= movement.created_at - timedelta(hours=hours),
            Item.category == category,
        )
        .order_by(StockMovement.id)
    ).all()
    if not earlier:
        return []
    given = ", ".join(
        f"{code} {number(-quantity)} {unit} at {moment:%Y-%m-%dT%H:%MZ} (movement {mid})"
        for mid, moment, quantity, code, unit in earlier
    )
    return [{
        "code": "double_aid",
        "message": f"household {movement.household_id} already received {category} aid in this event "
                   f"within {hours} h: {given}",
        "household_id": movement.household_id,
        "category": category,
        "window_hours": hours,
        "movement_ids": [row[0] for row in earlier],
    }]


def distribution_query(event: FloodEvent, household: int | None = None, item: str | None = None,
                       depot: int | None = None):
    query = (select(StockMovement)
             .where(StockMovement.kind == "issue", StockMovement.event_id == event.id,
                    StockMovement.household_id.is_not(None))
             .order_by(StockMovement.id))
    if household is not None:
        query = query.where(StockMovement.household_id == household)
    if item:
        query = query.join(Item, Item.id == StockMovement.item_id).where(Item.code == item.strip().upper())
    if depot is not None:
        query = query.where(StockMovement.depot_id == depot)
    return query


def without_aid_query(event: FloodEvent, category: str | None = None):
    """Households with a need in the event (not cancelled) that received no issue in it (of
    ``category``, when given)."""
    affected = exists().where(Need.household_id == Household.id, Need.event_id == event.id,
                              Need.status != "cancelled")
    received = select(StockMovement.id).where(
        StockMovement.kind == "issue", StockMovement.event_id == event.id,
        StockMovement.household_id == Household.id,
    )
    if category:
        received = received.join(Item, Item.id == StockMovement.item_id).where(Item.category == category)
    return select(Household).where(affected, ~received.exists()).order_by(Household.id)


def needs_estimate(session: Session, event: FloodEvent, profiles: tuple[Profile, ...], days: int,
                   profile: str | None = None) -> dict[str, Any]:
    chosen = [p for p in profiles if profile in (None, p.key)]
    if not chosen:
        raise ValidationFailed.field("profile", Message("unknown profile %(profile)r; use one of %(value)s",
                                                        profile=profile, value=', '.join((p.key for p in profiles))))
    live = select(Need.household_id).where(Need.event_id == event.id, Need.status.in_(LIVE_NEED_STATUSES))
    households, people, pregnant = session.execute(
        select(func.count(Household.id), func.coalesce(func.sum(Household.members), 0),
               func.coalesce(func.sum(Household.pregnant_or_lactating), 0))
        .where(Household.id.in_(live))
    ).one()
    depots = session.scalars(select(Depot).where(serving(event)).order_by(Depot.id)).all()
    stock: dict[str, int] = {}
    units: dict[str, str] = {}
    if depots:
        rows = session.execute(
            select(Item.code, Item.unit, func.sum(StockBalance.quantity_milli))
            .join(Item, Item.id == StockBalance.item_id)
            .where(StockBalance.depot_id.in_([d.id for d in depots]))
            .group_by(Item.code, Item.unit)
        )
        for code, unit, total in rows:
            stock[code], units[code] = int(total or 0), unit
    units.update(session.execute(select(Item.code, Item.unit)).all())
    return {
        "event": {"id": event.id, "name": event.name},
        "days": days,
        "households": households,
        "people": int(people),
        "pregnant_or_lactating": int(pregnant),
        "people_rule": PEOPLE_RULE,
        "depots": depots,
        "profiles": [
            {"key": p.key, "name": p.name, "source": p.source,
             "lines": estimate(p, people=int(people), pregnant_or_lactating=int(pregnant), days=days,
                               stock_milli=stock, item_units=units)}
            for p in chosen
        ],
    }
