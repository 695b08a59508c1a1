"""Reading the stock as the pages show it: depots by name, balances per depot, the ledger newest
first with what each line names loaded (no query per line), and the distribute form's choices.

The filters are the API's (:func:`resilience.stock.operations.movement_query`,
:func:`~resilience.stock.operations.item_query`, :func:`~resilience.stock.distributions.without_aid_query`);
this module adds the order and the loading a page needs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from resilience.areas.models import AdminArea
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.stock.distributions import ISSUABLE_TASK_STATUSES, without_aid_query
from resilience.stock.models import Depot, Item, StockBalance, StockMovement
from resilience.stock.operations import item_query, movement_query


def count(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def depots(session: Session) -> list[Depot]:
    """Every depot by name, with its kelurahan."""
    return session.scalars(select(Depot).options(joinedload(Depot.admin_area)).order_by(Depot.name, Depot.id)).all()


def items(session: Session) -> list[Item]:
    return session.scalars(item_query(session)).all()


def held_balances(session: Session) -> dict[int, list[StockBalance]]:
    """Depot id → its balances that hold something, by item code (the item loaded)."""
    rows = session.scalars(
        select(StockBalance).options(joinedload(StockBalance.item))
        .join(Item, Item.id == StockBalance.item_id).order_by(Item.code)).all()
    out: dict[int, list[StockBalance]] = {}
    for row in rows:
        if row.quantity_milli:
            out.setdefault(row.depot_id, []).append(row)
    return out


def ledger_query(session: Session, **filters: Any) -> Select:
    """The API's movement filters (depot, item, kind, event, household, transfer_ref), newest
    first, with the depots, item and household (and its kelurahan) each line names."""
    return (movement_query(session, **filters).order_by(None).order_by(StockMovement.id.desc())
            .options(joinedload(StockMovement.depot), joinedload(StockMovement.item),
                     joinedload(StockMovement.counterpart_depot),
                     joinedload(StockMovement.household).joinedload(Household.admin_area)))


def ledger(session: Session, limit: int, offset: int = 0, **filters: Any) -> list[StockMovement]:
    return session.scalars(ledger_query(session, **filters).limit(limit).offset(offset)).unique().all()


def without_aid_count(session: Session, event: FloodEvent) -> int:
    return count(session, without_aid_query(event))


def recipient_households(session: Session, event: FloodEvent) -> list:
    """Households with a need in the event, as (id, head_name, area) rows: columns only, the
    registry's encrypted fields are not needed to pick one."""
    return session.execute(
        select(Household.id, Household.head_name, AdminArea.name.label("area"))
        .outerjoin(AdminArea, AdminArea.id == Household.admin_area_id)
        .where(Household.id.in_(select(Need.household_id).where(Need.event_id == event.id,
                                                                Need.status != "cancelled")))
        .order_by(Household.head_name, Household.id)).all()


def issuable_tasks(session: Session, event: FloodEvent) -> list[Task]:
    """The event's tasks aid can be handed over on (accepted or done), newest first, with the
    household of their need."""
    return session.scalars(
        select(Task).options(joinedload(Task.need).joinedload(Need.household))
        .where(Task.event_id == event.id, Task.status.in_(ISSUABLE_TASK_STATUSES))
        .order_by(Task.id.desc())).unique().all()
