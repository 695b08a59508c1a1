"""Aid stock pages: balances per posko, the ledger, the receive / transfer / distribute /
adjust forms, new posko and items, and the minimum-needs shortfall of an event.

Every change goes through :func:`resilience.stock.operations.record_movement` (it locks the
balance rows, checks, and appends to the ledger): nothing here writes a balance. A form is
checked first here, so each problem gets a message in the page language; what only the
operation can know (a balance taken by someone else a moment ago) comes back from it.
Officials see balances, the ledger and the shortfall, with households shown by kelurahan only.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from resilience.areas.models import AdminArea
from resilience.core.errors import Conflict, DomainError
from resilience.core.invalid import InvalidValue
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.reports.operations import estimate, shortfall_lines
from resilience.stock import operations as stock
from resilience.stock.distributions import ISSUABLE_TASK_STATUSES, household_in_event, without_aid_query
from resilience.stock.models import DEPOT_KINDS, ITEM_CATEGORIES, UNITS, Depot, Item, StockBalance, StockMovement
from resilience.stock.schemas import DepotCreateSchema, ItemCreateSchema
from resilience.stock.units import parse_decimal, to_milli
from resilience.web.blueprint import bp, nav_item
from resilience.web.forms import FormErrors, load
from resilience.web.i18n import Translated
from resilience.web.labels import label
from resilience.web.session import login_required, write_required

ACTIONS = {"receive": "receipt", "transfer": "transfer", "distribute": "issue", "adjust": "adjustment"}
LEDGER_PAGE = 50
RECENT = 15

nav_item("web.stock_page", "stock_menu")


# --- reading -------------------------------------------------------------------------------
def qty(value, unit: str = "") -> str:
    """A quantity as the page language writes it (Indonesian: 2,5 kg; English: 2.5 kg)."""
    text = format_decimal(Decimal(str(value)), format="#,##0.###")
    return f"{text} {unit}".strip()


def _milli_qty(milli: int, unit: str = "") -> str:
    return qty(Decimal(int(milli)) / 1000, unit)


bp.add_app_template_filter(qty, "stock_qty")
bp.add_app_template_filter(_milli_qty, "stock_milli")


def _depots() -> list[Depot]:
    return db.session.scalars(select(Depot).options(joinedload(Depot.admin_area)).order_by(Depot.name, Depot.id)).all()


def _items() -> list[Item]:
    return db.session.scalars(select(Item).order_by(Item.code)).all()


def _balances() -> dict[int, list[StockBalance]]:
    rows = db.session.scalars(
        select(StockBalance).options(joinedload(StockBalance.item))
        .join(Item, Item.id == StockBalance.item_id).order_by(Item.code)).all()
    out: dict[int, list[StockBalance]] = {}
    for row in rows:
        if row.quantity_milli:
            out.setdefault(row.depot_id, []).append(row)
    return out


def _ledger_query(depot: int | None = None, item: str | None = None, kind: str | None = None,
                  event: int | None = None):
    query = (select(StockMovement)
             .options(joinedload(StockMovement.depot), joinedload(StockMovement.item),
                      joinedload(StockMovement.counterpart_depot),
                      joinedload(StockMovement.household).joinedload(Household.admin_area)))
    if depot is not None:
        query = query.where(StockMovement.depot_id == depot)
    if item:
        query = query.join(Item, Item.id == StockMovement.item_id).where(Item.code == item)
    if kind:
        query = query.where(StockMovement.kind == kind)
    if event is not None:
        query = query.where(StockMovement.event_id == event)
    return query.order_by(StockMovement.id.desc())


def _events() -> list[FloodEvent]:
    return db.session.scalars(select(FloodEvent).order_by(FloodEvent.status, FloodEvent.started_at.desc(),
                                                          FloodEvent.id.desc())).all()


@bp.get("/stock")
@login_required
def stock_page():
    movements = db.session.scalars(_ledger_query().limit(RECENT)).unique().all()
    active = [e for e in _events() if e.status == "active"]
    return render_template("stock.html", depots=_depots(), balances=_balances(), movements=movements,
                           events=active)


def _int_arg(name: str) -> int | None:
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() else None


@bp.get("/stock/ledger")
@login_required
def stock_ledger():
    depot, page = _int_arg("depot"), max(1, _int_arg("page") or 1)
    item = (request.args.get("item") or "").strip().upper() or None
    kind = request.args.get("kind") if request.args.get("kind") in (
        "receipt", "issue", "transfer_out", "transfer_in", "adjustment") else None
    query = _ledger_query(depot, item, kind)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    movements = db.session.scalars(query.limit(LEDGER_PAGE).offset((page - 1) * LEDGER_PAGE)).unique().all()
    return render_template("stock_ledger.html", movements=movements, depots=_depots(), items=_items(),
                           filters={"depot": depot, "item": item, "kind": kind}, page=page,
                           pages=max(1, -(-total // LEDGER_PAGE)), total=total)


@bp.get("/events/<int:event_id>/stock")
@login_required
def stock_event(event_id: int):
    event = get_event(db.session, event_id)
    days = _int_arg("days") or 7
    days = min(max(days, 1), 90)
    needs = estimate(db.session, event, days)
    distributions = db.session.scalars(_ledger_query(kind="issue", event=event.id).limit(RECENT)).unique().all()
    without_aid = db.session.scalar(select(func.count()).select_from(without_aid_query(event).subquery()))
    return render_template("stock_event.html", event=event, estimate=needs, days=days,
                           shortfalls=shortfall_lines(needs), movements=distributions, without_aid=without_aid)


# --- forms ---------------------------------------------------------------------------------
def _error(errors: list[dict], field: str, key: str, **values) -> None:
    errors.append({"field": field, "message": Translated(label(key, **values))})


def _chosen(model, form, field: str, errors: list[dict], missing_key: str):
    raw = (form.get(field) or "").strip()
    if not raw:
        _error(errors, field, missing_key)
        return None
    found = db.session.get(model, int(raw)) if raw.isdigit() else None
    if found is None:
        _error(errors, field, "stock_err_not_found")
    return found


def _quantity(form, item: Item | None, errors: list[dict]) -> Decimal | None:
    raw = (form.get("quantity") or "").strip().replace(" ", "")
    if not raw:
        _error(errors, "quantity", "stock_err_quantity_missing")
        return None
    if "," in raw and "." in raw:
        _error(errors, "quantity", "stock_err_quantity_separators")
        return None
    try:
        value = parse_decimal(raw.replace(",", "."))
    except InvalidValue:
        _error(errors, "quantity", "stock_err_quantity_number")
        return None
    if value <= 0:
        _error(errors, "quantity", "stock_err_quantity_positive")
        return None
    if item is not None:
        try:
            to_milli(value, item.unit)
        except InvalidValue:
            key = "stock_err_quantity_whole" if UNITS[item.unit] == 0 else "stock_err_quantity_decimals"
            _error(errors, "quantity", key, unit=item.unit, decimals=UNITS[item.unit])
            return None
    return value


def _recipient(form, data: dict, errors: list[dict]) -> str:
    """The event, household and task of a distribution; returns how to name the recipient."""
    event = _chosen(FloodEvent, form, "event_id", errors, "stock_err_event_missing")
    household = task = None
    if (form.get("task_id") or "").strip():
        task = _chosen(Task, form, "task_id", errors, "stock_err_not_found")
        if task is not None and (event is None or task.event_id != event.id or task.status not in ISSUABLE_TASK_STATUSES):
            _error(errors, "task_id", "stock_err_task", code=task.code)
            task = None
    if (form.get("household_id") or "").strip():
        household = _chosen(Household, form, "household_id", errors, "stock_err_not_found")
    reason = (form.get("reason") or "").strip()
    if task is not None:
        task_household = db.session.scalar(select(Need.household_id).where(Need.id == task.need_id))
        if household is not None and household.id != task_household:
            _error(errors, "household_id", "stock_err_task_household", code=task.code)
        household = household or db.session.get(Household, task_household)
    if household is None and task is None and not reason and not any(e["field"] == "household_id" for e in errors):
        _error(errors, "household_id", "stock_err_recipient")
    if household is not None and event is not None and not household_in_event(db.session, household, event):
        _error(errors, "household_id", "stock_err_not_in_event")
    if event is not None:
        data["event_id"] = event.id
    if household is not None:
        data["household_id"] = household.id
    if task is not None:
        data["task_id"] = task.id
    if reason:
        data["reason"] = reason
    if household is not None:
        return household.head_name
    return reason


def movement_input(action: str, form) -> tuple[dict, list[dict], str]:
    """The movement the form asks for, every problem at once (messages in the page language),
    and a name for the recipient or source in the confirmation."""
    kind = ACTIONS[action]
    errors: list[dict] = []
    depot = _chosen(Depot, form, "depot_id", errors, "stock_err_depot_missing")
    item = None
    code = (form.get("item_code") or "").strip().upper()
    if not code:
        _error(errors, "item_code", "stock_err_item_missing")
    else:
        item = db.session.scalar(select(Item).where(Item.code == code))
        if item is None:
            _error(errors, "item_code", "stock_err_not_found")
    quantity = _quantity(form, item, errors)
    data: dict = {"kind": kind, "item_code": code, "notes": (form.get("notes") or "").strip()}
    other = ""
    if kind == "receipt":
        other = (form.get("donor") or "").strip()
        if not other:
            _error(errors, "donor", "stock_err_donor")
        data["donor"] = other
    elif kind == "adjustment":
        data["reason"] = (form.get("reason") or "").strip()
        if not data["reason"]:
            _error(errors, "reason", "stock_err_reason")
        if form.get("direction") not in ("add", "remove"):
            _error(errors, "direction", "stock_err_direction")
        elif quantity is not None and form["direction"] == "remove":
            quantity = -quantity
    elif kind == "transfer":
        to_depot = _chosen(Depot, form, "to_depot_id", errors, "stock_err_to_depot_missing")
        if to_depot is not None and depot is not None and to_depot.id == depot.id:
            _error(errors, "to_depot_id", "stock_err_same_depot")
        if to_depot is not None:
            data["to_depot_id"] = to_depot.id
            other = to_depot.name
    else:
        other = _recipient(form, data, errors)
    if depot is not None:
        data["depot_id"] = depot.id
    if quantity is not None:
        data["quantity"] = quantity
    if len(data["notes"]) > 1000:
        _error(errors, "notes", "stock_err_too_long", max=1000)
    for name, limit in (("donor", 200), ("reason", 500)):
        if len(data.get(name) or "") > limit:
            _error(errors, name, "stock_err_too_long", max=limit)
    return data, errors, other


def _domain_errors(exc: DomainError) -> list[dict]:
    balance = exc.extra.get("balance") if isinstance(exc, Conflict) else None
    if balance is not None:
        depot = db.session.get(Depot, exc.extra["depot_id"])
        return [{"field": "quantity", "message": Translated(label(
            "stock_err_insufficient", depot=depot.name if depot else "", item=exc.extra["item_code"],
            have=qty(balance, exc.extra["unit"]), want=qty(exc.extra["requested"], exc.extra["unit"])))}]
    return FormErrors.from_domain(exc).errors


def _form_context(action: str, form) -> dict:
    context = {"action": action, "kind": ACTIONS[action], "depots": _depots(), "items": _items(), "form": form}
    if action == "distribute":
        events = _events()
        chosen = (form.get("event_id") or request.args.get("event") or "").strip()
        event = next((e for e in events if str(e.id) == chosen), None) or next(
            (e for e in events if e.status == "active"), events[0] if events else None)
        context.update(events=events, event=event, households=[], tasks=[])
        if event is not None:
            # Columns only (the registry's encrypted fields are not needed to pick a household).
            context["households"] = db.session.execute(
                select(Household.id, Household.head_name, AdminArea.name.label("area"))
                .outerjoin(AdminArea, AdminArea.id == Household.admin_area_id)
                .where(Household.id.in_(select(Need.household_id).where(Need.event_id == event.id,
                                                                        Need.status != "cancelled")))
                .order_by(Household.head_name, Household.id)).all()
            context["tasks"] = db.session.scalars(
                select(Task).options(joinedload(Task.need).joinedload(Need.household))
                .where(Task.event_id == event.id, Task.status.in_(ISSUABLE_TASK_STATUSES))
                .order_by(Task.id.desc())).unique().all()
    return context


def _confirmation(action: str, recorded, other: str) -> str:
    first = recorded.movements[0]
    item = first.item
    amount = qty(abs(Decimal(first.quantity_milli)) / 1000, item.unit)
    after = {b["depot"].id: _milli_qty(b["quantity_milli"], item.unit) for b in recorded.balances}
    values = {"amount": amount, "item": item.name, "depot": first.depot.name, "other": other,
              "balance": after[first.depot_id]}
    if action == "transfer":
        values["other_balance"] = after[recorded.movements[1].depot_id]
    if action == "adjust":
        values["amount"] = ("+" if first.quantity_milli > 0 else "−") + amount
    return label(f"stock_done_{action}", **values)


@bp.route("/stock/<any(receive, transfer, distribute, adjust):action>", methods=["GET", "POST"])
@write_required
def stock_form(action: str):
    if request.method == "GET":
        form = {k: v for k, v in request.args.items() if k in ("depot_id", "item_code", "event_id", "household_id", "task_id")}
        return render_template("stock_form.html", errors=[], **_form_context(action, form))
    data, errors, other = movement_input(action, request.form)
    status = 422
    if not errors:
        try:
            recorded = stock.record_movement(db.session, data)
        except DomainError as exc:
            errors, status = _domain_errors(exc), exc.status
    if errors:
        db.session.rollback()  # the page re-reads what the refused change touched
        return render_template("stock_form.html", errors=errors, **_form_context(action, request.form)), status
    flash(_confirmation(action, recorded, other), "info")
    for warning in recorded.warnings:
        if warning.get("code") == "double_aid":
            flash(gettext("Note: this household already received %(category)s aid in the last %(hours)s hours. The distribution is recorded; check that it was needed.", category=label("stock_cat_" + warning["category"]),
                            hours=warning["window_hours"]), "warning")
    return redirect(url_for("web.stock_page") + f"#depot-{data['depot_id']}")


# --- new posko and items -------------------------------------------------------------------
def _point(form, errors: list[dict]) -> dict | None:
    values = {}
    for name in ("lat", "lon"):
        raw = (form.get(name) or "").strip().replace(",", ".")
        if not raw:
            _error(errors, name, "stock_err_coordinate_missing")
            continue
        try:
            values[name] = float(raw)
        except ValueError:
            _error(errors, name, "stock_err_coordinate_number")
    return values if len(values) == 2 else None


@bp.route("/stock/depots/new", methods=["GET", "POST"])
@write_required
def stock_depot_new():
    if request.method == "GET":
        return render_template("stock_new.html", what="depot", form={"kind": "posko"}, errors=[], kinds=DEPOT_KINDS)
    errors: list[dict] = []
    form = request.form
    data = {"name": form.get("name", ""), "kind": form.get("kind", ""), "address": form.get("address", "")}
    if not data["name"].strip():
        _error(errors, "name", "stock_err_name")
    if data["kind"] not in DEPOT_KINDS:
        _error(errors, "kind", "stock_err_choose")
    point = _point(form, errors)
    try:
        if errors:
            raise FormErrors(errors)
        depot = stock.create_depot(db.session, load(DepotCreateSchema(), {**data, "location": point}))
    except (FormErrors, DomainError) as exc:
        found = exc.errors if isinstance(exc, FormErrors) else _named(exc)
        return render_template("stock_new.html", what="depot", form=form, errors=found, kinds=DEPOT_KINDS), \
            getattr(exc, "status", 422)
    flash(gettext("Posko \"%(name)s\" created.", name=depot.name), "info")
    return redirect(url_for("web.stock_page") + f"#depot-{depot.id}")


def _named(exc: DomainError) -> list[dict]:
    if isinstance(exc, Conflict) and exc.extra.get("existing_id"):
        field = "name" if exc.message is not None and exc.message.msgid.startswith("a depot named") else "code"
        return [{"field": field, "message": Translated(gettext("One with this name or code already exists."))}]
    return FormErrors.from_domain(exc).errors


@bp.route("/stock/items/new", methods=["GET", "POST"])
@write_required
def stock_item_new():
    context = {"what": "item", "units": tuple(UNITS), "categories": ITEM_CATEGORIES}
    if request.method == "GET":
        return render_template("stock_new.html", form={}, errors=[], **context)
    form = request.form
    errors: list[dict] = []
    data = {"code": (form.get("code") or "").strip().upper(), "name": form.get("name", ""),
            "unit": form.get("unit", ""), "category": form.get("category", "")}
    if not data["code"]:
        _error(errors, "code", "stock_err_code")
    elif not re.match(stock.ITEM_CODE_PATTERN, data["code"]):
        _error(errors, "code", "stock_err_code_format")
    if not data["name"].strip():
        _error(errors, "name", "stock_err_name")
    for name, allowed in (("unit", UNITS), ("category", ITEM_CATEGORIES)):
        if data[name] not in allowed:
            _error(errors, name, "stock_err_choose")
    try:
        if errors:
            raise FormErrors(errors)
        item = stock.create_item(db.session, load(ItemCreateSchema(), data))
    except (FormErrors, DomainError) as exc:
        found = exc.errors if isinstance(exc, FormErrors) else _named(exc)
        return render_template("stock_new.html", form=form, errors=found, **context), getattr(exc, "status", 422)
    flash(gettext("Item %(code)s (%(name)s) created.", code=item.code, name=item.name), "info")
    return redirect(url_for("web.stock_page"))


@bp.app_template_global("stock_reference")
def stock_reference(movement: StockMovement) -> str:
    """Who gave, received or sent: a household by name for staff who see personal data, by
    kelurahan for officials."""
    parts = []
    if movement.donor:
        parts.append(gettext("from %(donor)s", donor=movement.donor))
    if movement.counterpart_depot is not None:
        key = "stock_ref_to" if movement.kind == "transfer_out" else "stock_ref_from"
        parts.append(label(key, depot=movement.counterpart_depot.name))
    if movement.household is not None:
        household = movement.household
        area = household.admin_area.name if household.admin_area else gettext("—")
        if g.web_user is not None and g.web_user.sees_personal_data:
            parts.append(gettext("household %(name)s (%(area)s)", name=household.head_name, area=area))
        else:
            parts.append(gettext("a household in %(area)s", area=area))
    if movement.task_id:
        parts.append(f"T{movement.task_id}")
    if movement.reason:
        parts.append(movement.reason)
    return " · ".join(parts) or gettext("—")



