"""Aid stock: depots, items and the ledger (receipts, issues, transfers, adjustments).

The ledger is append-only: a movement is never updated or deleted, a correction is a new
movement. The balance per depot and item (``stock_balances``) changes in the same transaction
as its movements and always equals their sum (:func:`check_ledger` proves it).

Concurrency. Before checking a balance, a writer locks its row: ``INSERT … ON CONFLICT DO
NOTHING`` creates it when missing, then ``SELECT … FOR UPDATE`` (PostgreSQL; SQLite writers are
serialised by ``BEGIN IMMEDIATE``). Several rows (a transfer) are locked in one fixed order,
by depot id then item id, so transfers in opposite directions queue instead of deadlocking.
Locks are taken before anything audited is flushed, so every stock writer takes the balance
rows first and the audit head last; code that combines another audited change with a stock
movement in one transaction must record the movement first. The CHECK ``quantity_milli >= 0``
on the balance is the last line of defence.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.areas.models import AdminArea
from resilience.areas.operations import area_by_code, area_for_point
from resilience.audit.chain import current_actor
from resilience.core.db import like_pattern, utcnow
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.core.invalid import InvalidValue
from resilience.events.models import FloodEvent
from resilience.stock.distributions import double_aid_warnings, resolve_recipient, serving
from resilience.stock.models import Depot, Item, StockBalance, StockMovement
from resilience.stock.units import number, to_milli

ITEM_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{0,39}$"
# Fields of POST /stock/movements and the kinds that may use them.
_ONLY_FOR = {
    "to_depot_id": ("transfer",),
    "donor": ("receipt",),
    "household_id": ("issue",),
    "task_id": ("issue",),
    "event_id": ("issue",),
    "double_aid_window_hours": ("issue",),
}


# --- depots --------------------------------------------------------------------------------
def get_depot(session: Session, depot_id: int) -> Depot:
    depot = session.get(Depot, depot_id)
    if depot is None:
        raise NotFound(Message("no depot with id %(depot_id)s", depot_id=depot_id))
    return depot


def create_depot(session: Session, data: dict[str, Any]) -> Depot:
    name = data["name"].strip()
    # SQLite's lower() folds ASCII only: the exact name is compared too, and the unique index
    # decides between two coordinators creating the same depot at once.
    taken = select(Depot.id).where(or_(Depot.name == name, func.lower(Depot.name) == name.lower()))
    other = session.scalar(taken)
    if other is None:
        depot = Depot(name=name, kind=data["kind"], address=(data.get("address") or "").strip(),
                      location=data["location"])
        depot.admin_area = area_for_point(session, depot.location)
        try:
            with session.begin_nested():
                session.add(depot)
                session.flush()
        except IntegrityError:
            other = session.scalar(taken)
        else:
            return depot
    raise Conflict(Message("a depot named %(name)r already exists (id %(other)s)",
                           name=name, other=other), existing_id=other)


def depot_query(session: Session, kind: str | None = None, area: str | None = None,
                event: int | None = None):
    query = select(Depot).order_by(Depot.id)
    if kind:
        query = query.where(Depot.kind == kind)
    if area:
        target = area_by_code(session, area)
        ids = select(AdminArea.id).where((AdminArea.id == target.id) | AdminArea.code.like(target.code + ".%"))
        query = query.where(Depot.admin_area_id.in_(ids))
    if event is not None:
        flood = session.get(FloodEvent, event)
        if flood is None:
            raise ValidationFailed.field("event", Message("no flood event with id %(event)s", event=event))
        query = query.where(serving(flood))
    return query


def balance_query(depot: Depot):
    return (select(StockBalance).join(Item, Item.id == StockBalance.item_id)
            .where(StockBalance.depot_id == depot.id).order_by(Item.code))


# --- items ---------------------------------------------------------------------------------
def get_item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(Message("no item with id %(item_id)s", item_id=item_id))
    return item


def item_code_problem(code: str) -> Message | None:
    """Why ``code`` (as given; it is stored in capitals) cannot be an item's code, or None."""
    if re.match(ITEM_CODE_PATTERN, code.strip().upper()):
        return None
    return Message("use capital letters, digits and _ (starting with a letter, at most 40), e.g. BERAS or AIR_MINUM")


def create_item(session: Session, data: dict[str, Any]) -> Item:
    code = data["code"].strip().upper()
    problem = item_code_problem(code)
    if problem is not None:
        raise ValidationFailed.field("code", problem)
    other = session.scalar(select(Item.id).where(Item.code == code))
    if other is not None:
        raise Conflict(Message("an item with code %(code)s already exists (id %(other)s)",
                               code=code, other=other), existing_id=other)
    item = Item(code=code, name=data["name"].strip(), unit=data["unit"], category=data["category"])
    session.add(item)
    session.flush()
    return item


def item_query(session: Session, category: str | None = None, q: str | None = None):
    query = select(Item).order_by(Item.code)
    if category:
        query = query.where(Item.category == category)
    if q:
        like = like_pattern(q)
        query = query.where(or_(func.lower(Item.name).like(like, escape="\\"),
                                func.lower(Item.code).like(like, escape="\\")))
    return query


# --- the ledger ----------------------------------------------------------------------------
@dataclass
class Recorded:
    """What one POST /stock/movements wrote: its movements (two for a transfer), the balances
    they left, and warnings (e.g. double aid)."""

    movements: list[StockMovement]
    balances: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def movement_problems(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Which fields each kind needs and may use: every problem at once, as ``{field, message}``.

    ``data`` is what :class:`~resilience.stock.schemas.MovementCreateSchema` loaded; a page whose
    form also failed the schema passes what was valid (a missing quantity is not checked here)."""
    kind = data["kind"]
    errors = []
    for name, kinds in _ONLY_FOR.items():
        if data.get(name) not in (None, "") and kind not in kinds:
            errors.append({"field": name, "message": Message("not used for kind %(kind)r (only %(kinds)s)",
                                                             kind=kind, kinds=", ".join(kinds))})
    quantity: Decimal | None = data.get("quantity")
    if quantity is None:
        pass
    elif kind == "adjustment" and quantity == 0:
        errors.append({"field": "quantity", "message": Message("an adjustment must not be 0: negative removes, positive adds")})
    elif kind != "adjustment" and quantity <= 0:
        errors.append({"field": "quantity", "message": Message("must be more than 0 for kind %(kind)r", kind=kind)})
    if kind == "receipt" and not (data.get("donor") or "").strip():
        errors.append({"field": "donor", "message": Message("say who gave it (a receipt needs a donor)")})
    if kind == "adjustment" and not (data.get("reason") or "").strip():
        errors.append({"field": "reason", "message": Message("an adjustment needs a reason, e.g. 'karung sobek'")})
    if kind == "transfer" and data.get("to_depot_id") is None:
        errors.append({"field": "to_depot_id", "message": Message("a transfer needs the receiving depot")})
    if kind == "transfer" and data.get("to_depot_id") is not None and data["to_depot_id"] == data.get("depot_id"):
        errors.append({"field": "to_depot_id", "message": Message("must differ from depot_id: a transfer moves stock between two depots")})
    if kind == "issue" and data.get("household_id") is None and data.get("task_id") is None \
            and not (data.get("reason") or "").strip():
        errors.append({"field": "household_id", "message": Message("say who received it: household_id, task_id, or a reason such as 'dapur umum'")})
    return errors


def _check_fields(data: dict[str, Any]) -> None:
    errors = movement_problems(data)
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise ValidationFailed(Message("%(problems)s", english=detail, problems=detail), errors=errors)


def _depot_field(session: Session, depot_id: int, name: str) -> Depot:
    depot = session.get(Depot, depot_id)
    if depot is None:
        raise ValidationFailed.field(name, Message("no depot with id %(depot_id)s", depot_id=depot_id))
    return depot


def _item_field(session: Session, code: str) -> Item:
    item = session.scalar(select(Item).where(Item.code == code.strip().upper()))
    if item is None:
        raise ValidationFailed.field("item_code", Message("no item with code %(code)r (see GET /api/v1/items)",
                                                          code=code))
    return item


def lock_balances(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Lock the balance rows of (depot id, item id) in a fixed order, creating missing ones;
    return their quantities in thousandths."""
    table = StockBalance.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    balances = {}
    for depot_id, item_id in sorted(set(keys)):
        session.execute(
            insert(table)
            .values(depot_id=depot_id, item_id=item_id, quantity_milli=0, updated_at=now)
            .on_conflict_do_nothing(index_elements=["depot_id", "item_id"])
        )
        balances[(depot_id, item_id)] = session.execute(
            select(table.c.quantity_milli)
            .where(table.c.depot_id == depot_id, table.c.item_id == item_id)
            .with_for_update()
        ).scalar_one()
    return balances


def _apply(session: Session, depot: Depot, item: Item, current: int, change: int, now: datetime) -> dict[str, Any]:
    if current + change < 0:
        have, want = number(current), number(-change)
        message = Message("%(depot)s holds %(have)s %(unit)s of %(item)s; %(want)s %(unit)s cannot be taken out",
                          depot=depot.name, have=have, unit=item.unit, item=item.code, want=want)
        raise Conflict(
            message,
            errors=[{"field": "quantity", "message": message}],
            balance=have,
            requested=want,
            unit=item.unit,
            depot_id=depot.id,
            item_code=item.code,
        )
    table = StockBalance.__table__
    session.execute(
        update(table)
        .where(table.c.depot_id == depot.id, table.c.item_id == item.id)
        .values(quantity_milli=table.c.quantity_milli + change, updated_at=now)
    )
    return {"depot": depot, "item": item, "quantity_milli": current + change, "updated_at": now}


def record_movement(session: Session, data: dict[str, Any]) -> Recorded:
    """Record a receipt, issue, transfer (two movements) or adjustment; see the module doc."""
    _check_fields(data)
    kind = data["kind"]
    depot = _depot_field(session, data["depot_id"], "depot_id")
    item = _item_field(session, data["item_code"])
    if data.get("unit") and data["unit"] != item.unit:
        raise ValidationFailed.field("unit", Message("%(code)s is counted in %(unit)s, not %(unit2)s",
                                                     code=item.code, unit=item.unit, unit2=data['unit']))
    try:
        milli = to_milli(data["quantity"], item.unit)
    except InvalidValue as exc:
        raise ValidationFailed.field("quantity", exc.message) from None
    to_depot = _depot_field(session, data["to_depot_id"], "to_depot_id") if kind == "transfer" else None
    recipient = resolve_recipient(session, data) if kind == "issue" else None

    # Locks first (see the module doc), then the check, then the rows.
    keys = [(depot.id, item.id)] + ([(to_depot.id, item.id)] if to_depot else [])
    held = lock_balances(session, keys)
    now = utcnow()
    common = dict(item=item, actor=current_actor(), created_at=now,
                  reason=(data.get("reason") or "").strip(), notes=(data.get("notes") or "").strip())
    change = -milli if kind in ("issue", "transfer") else milli
    balances = [_apply(session, depot, item, held[(depot.id, item.id)], change, now)]
    if kind == "transfer":
        balances.append(_apply(session, to_depot, item, held[(to_depot.id, item.id)], milli, now))
        ref = uuid.uuid4().hex
        movements = [
            StockMovement(kind="transfer_out", depot=depot, quantity_milli=-milli, counterpart_depot=to_depot,
                          transfer_ref=ref, **common),
            StockMovement(kind="transfer_in", depot=to_depot, quantity_milli=milli, counterpart_depot=depot,
                          transfer_ref=ref, **common),
        ]
    elif kind == "issue":
        movements = [StockMovement(kind="issue", depot=depot, quantity_milli=-milli, event_id=recipient.event_id,
                                   household=recipient.household, task_id=recipient.task_id, **common)]
    else:
        movements = [StockMovement(kind=kind, depot=depot, quantity_milli=milli,
                                   donor=(data.get("donor") or "").strip(), **common)]
    session.add_all(movements)
    session.flush()
    warnings = []
    if kind == "issue" and recipient.household is not None:
        warnings = double_aid_warnings(session, movements[0], data.get("double_aid_window_hours"))
    return Recorded(movements, balances, warnings)


def movement_query(session: Session, depot: int | None = None, item: str | None = None,
                   kind: str | None = None, event: int | None = None, household: int | None = None,
                   transfer_ref: str | None = None):
    query = select(StockMovement).order_by(StockMovement.id)
    if depot is not None:
        query = query.where(StockMovement.depot_id == depot)
    if item:
        query = query.join(Item, Item.id == StockMovement.item_id).where(Item.code == item.strip().upper())
    if kind:
        query = query.where(StockMovement.kind == kind)
    if event is not None:
        query = query.where(StockMovement.event_id == event)
    if household is not None:
        query = query.where(StockMovement.household_id == household)
    if transfer_ref:
        query = query.where(StockMovement.transfer_ref == transfer_ref)
    return query


def get_movement(session: Session, movement_id: int) -> StockMovement:
    movement = session.get(StockMovement, movement_id)
    if movement is None:
        raise NotFound(Message("no stock movement with id %(movement_id)s", movement_id=movement_id))
    return movement


# --- proof ---------------------------------------------------------------------------------
def check_ledger(session: Session) -> dict[str, Any]:
    """Every balance equals the sum of its movements; every transfer is one pair (out, in) of
    the same item that cancels out."""
    sums = {
        (d, i): int(total)
        for d, i, total in session.execute(
            select(StockMovement.depot_id, StockMovement.item_id, func.sum(StockMovement.quantity_milli))
            .group_by(StockMovement.depot_id, StockMovement.item_id)
        )
    }
    balances = {
        (d, i): quantity
        for d, i, quantity in session.execute(
            select(StockBalance.depot_id, StockBalance.item_id, StockBalance.quantity_milli)
        )
    }
    codes = dict(session.execute(select(Item.id, Item.code)).all())
    mismatches = [
        {"depot_id": d, "item_code": codes.get(i), "balance": number(balances.get((d, i), 0)),
         "ledger": number(sums.get((d, i), 0))}
        for d, i in sorted(set(sums) | set(balances))
        if sums.get((d, i), 0) != balances.get((d, i), 0)
    ]
    unpaired = session.execute(
        select(StockMovement.transfer_ref, func.count(), func.sum(StockMovement.quantity_milli))
        .where(StockMovement.transfer_ref.is_not(None))
        .group_by(StockMovement.transfer_ref)
        .having(or_(func.count() != 2, func.sum(StockMovement.quantity_milli) != 0,
                    func.count(distinct(StockMovement.item_id)) != 1))
        .order_by(StockMovement.transfer_ref)
    ).all()
    movements = session.scalar(select(func.count()).select_from(StockMovement))
    return {
        "ok": not mismatches and not unpaired,
        "balances": len(balances),
        "movements": movements,
        "mismatches": mismatches,
        "unpaired_transfers": [{"transfer_ref": ref, "movements": n, "sum": number(int(total or 0))}
                               for ref, n, total in unpaired],
    }

