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
from resilience.web import bp, nav_item
from resilience.web.forms import FormErrors, load
from resilience.web.i18n import current_language, extend, translate
from resilience.web.session import login_required, write_required

ACTIONS = {"receive": "receipt", "transfer": "transfer", "distribute": "issue", "adjust": "adjustment"}
LEDGER_PAGE = 50
RECENT = 15

nav_item("web.stock_page", "stock_menu")


# --- reading -------------------------------------------------------------------------------
def qty(value, unit: str = "") -> str:
    """A quantity as the page language writes it (Indonesian: 2,5 kg; English: 2.5 kg)."""
    if isinstance(value, int) and not isinstance(value, bool) or float(value).is_integer():
        text = f"{int(value):,}".replace(",", "." if current_language() == "id" else ",")
    else:
        text = format(Decimal(str(value)).normalize(), "f")
        text = text.replace(".", ",") if current_language() == "id" else text
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
    errors.append({"field": field, "message": translate(key, **values)})


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
        return [{"field": "quantity", "message": translate(
            "stock_err_insufficient", depot=depot.name if depot else "", item=exc.extra["item_code"],
            have=qty(balance, exc.extra["unit"]), want=qty(exc.extra["requested"], exc.extra["unit"]))}]
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
    return translate(f"stock_done_{action}", **values)


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
        db.session.rollback()
        return render_template("stock_form.html", errors=errors, **_form_context(action, request.form)), status
    db.session.commit()
    flash(_confirmation(action, recorded, other), "info")
    for warning in recorded.warnings:
        if warning.get("code") == "double_aid":
            flash(translate("stock_warn_double_aid", category=translate("stock_cat_" + warning["category"]),
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
        db.session.rollback()
        found = exc.errors if isinstance(exc, FormErrors) else _named(exc)
        return render_template("stock_new.html", what="depot", form=form, errors=found, kinds=DEPOT_KINDS), \
            getattr(exc, "status", 422)
    db.session.commit()
    flash(translate("stock_depot_created", name=depot.name), "info")
    return redirect(url_for("web.stock_page") + f"#depot-{depot.id}")


def _named(exc: DomainError) -> list[dict]:
    if isinstance(exc, Conflict) and exc.extra.get("existing_id"):
        return [{"field": "name" if "depot" in exc.detail else "code", "message": translate("stock_err_exists")}]
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
        db.session.rollback()
        found = exc.errors if isinstance(exc, FormErrors) else _named(exc)
        return render_template("stock_new.html", form=form, errors=found, **context), getattr(exc, "status", 422)
    db.session.commit()
    flash(translate("stock_item_created", code=item.code, name=item.name), "info")
    return redirect(url_for("web.stock_page"))


@bp.app_template_global("stock_reference")
def stock_reference(movement: StockMovement) -> str:
    """Who gave, received or sent: a household by name for staff who see personal data, by
    kelurahan for officials."""
    parts = []
    if movement.donor:
        parts.append(translate("stock_ref_donor", donor=movement.donor))
    if movement.counterpart_depot is not None:
        key = "stock_ref_to" if movement.kind == "transfer_out" else "stock_ref_from"
        parts.append(translate(key, depot=movement.counterpart_depot.name))
    if movement.household is not None:
        household = movement.household
        area = household.admin_area.name if household.admin_area else translate("none")
        if g.web_user is not None and g.web_user.sees_personal_data:
            parts.append(translate("stock_ref_household", name=household.head_name, area=area))
        else:
            parts.append(translate("stock_ref_household_area", area=area))
    if movement.task_id:
        parts.append(f"T{movement.task_id}")
    if movement.reason:
        parts.append(movement.reason)
    return " · ".join(parts) or translate("none")



extend({
    "id": {
        "stock_menu": "Stok bantuan",
        "stock_readonly": "Hanya-baca: saldo dan mutasi, rumah tangga hanya disebut kelurahannya.",
        "stock_balances": "Saldo per posko",
        "stock_no_depots": "Belum ada posko atau gudang.",
        "stock_empty": "Stok kosong.",
        "stock_item": "Barang", "stock_code": "Kode", "stock_quantity": "Jumlah", "stock_unit": "Satuan",
        "stock_action_receive": "Terima bantuan", "stock_action_transfer": "Pindahkan antar posko",
        "stock_action_distribute": "Salurkan ke rumah tangga", "stock_action_adjust": "Penyesuaian stok",
        "stock_new_depot": "Posko/gudang baru", "stock_new_item": "Barang baru",
        "stock_submit_receive": "Catat penerimaan", "stock_submit_transfer": "Catat pemindahan",
        "stock_submit_distribute": "Catat penyaluran", "stock_submit_adjust": "Catat penyesuaian",
        "stock_recent": "Mutasi terakhir", "stock_ledger": "Buku mutasi stok", "stock_all_ledger": "Lihat semua mutasi",
        "stock_no_movements": "Belum ada mutasi.",
        "stock_kind": "Jenis", "stock_change": "Perubahan", "stock_reference": "Keterangan", "stock_actor": "Petugas",
        "stock_kind_receipt": "penerimaan", "stock_kind_issue": "penyaluran", "stock_kind_transfer_out": "pindah keluar",
        "stock_kind_transfer_in": "pindah masuk", "stock_kind_adjustment": "penyesuaian",
        "stock_filter": "Saring", "stock_all": "semua",
        "stock_page_of": "Halaman {page} dari {pages} ({total} mutasi)", "stock_prev": "Sebelumnya", "stock_next": "Berikutnya",
        "stock_shortfall": "Kebutuhan minimum dan kekurangan stok",
        "stock_event_links": "Kebutuhan minimum per kejadian aktif",
        "stock_days": "Untuk berapa hari", "stock_show": "Tampilkan",
        "stock_people": "{people} jiwa di {households} rumah tangga dengan kebutuhan yang belum selesai, untuk {days} hari.",
        "stock_needed": "Dibutuhkan", "stock_available": "Tersedia", "stock_short": "Kurang", "stock_basis": "Dasar perhitungan",
        "stock_enough": "cukup", "stock_no_item_line": "tidak ada barang terdata",
        "stock_depots_serving": "Stok yang dihitung: posko/gudang di wilayah kejadian",
        "stock_no_serving": "Belum ada posko di wilayah kejadian ini: stok tersedia dihitung 0.",
        "stock_shortfall_summary": "{n} jenis kebutuhan kurang stok.",
        "stock_no_shortfall": "Stok cukup untuk semua kebutuhan yang terhitung.",
        "stock_distributions": "Penyaluran terakhir dalam kejadian ini",
        "stock_without_aid": "{n} rumah tangga terdampak belum menerima bantuan apa pun.",
        "stock_f_depot_id": "Posko", "stock_f_to_depot_id": "Posko tujuan", "stock_f_item_code": "Barang",
        "stock_f_quantity": "Jumlah", "stock_f_donor": "Pemberi (donatur)", "stock_f_reason": "Alasan",
        "stock_f_reason_issue": "Penerima lain (bila bukan rumah tangga), misalnya dapur umum",
        "stock_f_notes": "Catatan", "stock_f_event_id": "Kejadian banjir", "stock_f_household_id": "Rumah tangga penerima",
        "stock_f_task_id": "Tugas (opsional)", "stock_f_direction": "Arah penyesuaian",
        "stock_f_name": "Nama", "stock_f_kind": "Jenis", "stock_f_address": "Alamat", "stock_f_lat": "Lintang (lat)",
        "stock_f_lon": "Bujur (lon)", "stock_f_code": "Kode barang", "stock_f_unit": "Satuan", "stock_f_category": "Kategori",
        "stock_dir_remove": "kurangi (hilang, rusak, kedaluwarsa)", "stock_dir_add": "tambah (ditemukan, koreksi hitung)",
        "stock_choose": "— pilih —", "stock_no_task": "— tanpa tugas —", "stock_no_household": "— bukan rumah tangga —",
        "stock_change_event": "Ganti kejadian",
        "stock_help_quantity": "Dalam satuan barang: kg dan l boleh desimal (misalnya 2,5); pcs dan paket bilangan bulat.",
        "stock_help_pick": "Klik peta untuk menempatkan posko, atau ketik koordinat.",
        "stock_depot_posko": "posko", "stock_depot_gudang": "gudang",
        "stock_cat_food": "makanan", "stock_cat_water": "air", "stock_cat_clothing": "pakaian",
        "stock_cat_shelter": "hunian", "stock_cat_hygiene": "kebersihan", "stock_cat_medical": "kesehatan",
        "stock_cat_other": "lainnya",
        "stock_done_receive": "{amount} {item} diterima dari {other} di {depot}. Saldo sekarang {balance}.",
        "stock_done_transfer": "{amount} {item} dipindahkan dari {depot} ke {other}. Saldo {depot}: {balance}; "
                               "{other}: {other_balance}.",
        "stock_done_distribute": "{amount} {item} disalurkan dari {depot} kepada {other}. Saldo sekarang {balance}.",
        "stock_done_adjust": "Penyesuaian {amount} {item} di {depot}. Saldo sekarang {balance}.",
        "stock_warn_double_aid": "Perhatian: rumah tangga ini sudah menerima bantuan {category} dalam {hours} jam "
                                 "terakhir. Penyaluran tetap dicatat; periksa apakah memang perlu.",
        "stock_depot_created": "Posko \"{name}\" dibuat.", "stock_item_created": "Barang {code} ({name}) dibuat.",
        "stock_ref_donor": "dari {donor}", "stock_ref_to": "ke {depot}", "stock_ref_from": "dari {depot}",
        "stock_ref_household": "RT {name} ({area})", "stock_ref_household_area": "rumah tangga di {area}",
        "stock_err_not_found": "Tidak ditemukan; pilih dari daftar.",
        "stock_err_depot_missing": "Pilih posko.", "stock_err_to_depot_missing": "Pilih posko tujuan.",
        "stock_err_same_depot": "Posko tujuan harus berbeda dari posko asal.",
        "stock_err_item_missing": "Pilih barang.", "stock_err_quantity_missing": "Isi jumlah.",
        "stock_err_quantity_separators": "Tulis angka tanpa pemisah ribuan, misalnya 1500 atau 2,5.",
        "stock_err_quantity_number": "Jumlah harus berupa angka, misalnya 14 atau 2,5.",
        "stock_err_quantity_positive": "Jumlah harus lebih dari 0.",
        "stock_err_quantity_whole": "Barang ini dihitung per {unit}: isi bilangan bulat tanpa desimal.",
        "stock_err_quantity_decimals": "Satuan {unit} paling banyak {decimals} angka desimal.",
        "stock_err_donor": "Isi siapa yang memberi bantuan ini (donatur).",
        "stock_err_reason": "Isi alasan penyesuaian, misalnya \"karung sobek\".",
        "stock_err_direction": "Pilih tambah atau kurangi.",
        "stock_err_event_missing": "Pilih kejadian banjir.",
        "stock_err_task": "Tugas {code} bukan tugas yang diterima atau selesai dalam kejadian ini.",
        "stock_err_task_household": "Tugas {code} untuk rumah tangga lain.",
        "stock_err_recipient": "Pilih rumah tangga penerima atau tugasnya, atau isi penerima lain (misalnya dapur umum).",
        "stock_err_not_in_event": "Rumah tangga ini tidak terdampak kejadian yang dipilih (tidak punya kebutuhan "
                                  "dan tinggal di luar wilayah banjir).",
        "stock_err_too_long": "Terlalu panjang: paling banyak {max} karakter.",
        "stock_err_insufficient": "Stok {item} di {depot} hanya {have}; {want} tidak bisa dikeluarkan.",
        "stock_err_coordinate_missing": "Isi koordinat (atau klik peta).",
        "stock_err_coordinate_number": "Koordinat harus berupa angka, misalnya -1.6346.",
        "stock_err_name": "Isi nama.", "stock_err_choose": "Pilih salah satu dari daftar.",
        "stock_err_code": "Isi kode barang, misalnya BERAS.",
        "stock_err_code_format": "Kode hanya huruf kapital, angka dan _, diawali huruf (paling banyak 40), "
                                 "misalnya AIR_MINUM.",
        "stock_err_exists": "Sudah ada dengan nama atau kode ini.",
        "stock_counter": "Kekurangan stok (7 hari)", "stock_counter_none": "cukup",
        "stock_counter_link": "Rincian kebutuhan minimum",
    },
    "en": {
        "stock_menu": "Aid stock",
        "stock_readonly": "Read-only: balances and movements; households are named by kelurahan only.",
        "stock_balances": "Balances per posko",
        "stock_no_depots": "No posko or warehouse yet.",
        "stock_empty": "No stock.",
        "stock_item": "Item", "stock_code": "Code", "stock_quantity": "Quantity", "stock_unit": "Unit",
        "stock_action_receive": "Receive aid", "stock_action_transfer": "Transfer between posko",
        "stock_action_distribute": "Distribute to a household", "stock_action_adjust": "Stock adjustment",
        "stock_new_depot": "New posko/warehouse", "stock_new_item": "New item",
        "stock_submit_receive": "Record the receipt", "stock_submit_transfer": "Record the transfer",
        "stock_submit_distribute": "Record the distribution", "stock_submit_adjust": "Record the adjustment",
        "stock_recent": "Recent movements", "stock_ledger": "Stock ledger", "stock_all_ledger": "See every movement",
        "stock_no_movements": "No movements yet.",
        "stock_kind": "Kind", "stock_change": "Change", "stock_reference": "Reference", "stock_actor": "Recorded by",
        "stock_kind_receipt": "receipt", "stock_kind_issue": "distribution", "stock_kind_transfer_out": "transfer out",
        "stock_kind_transfer_in": "transfer in", "stock_kind_adjustment": "adjustment",
        "stock_filter": "Filter", "stock_all": "all",
        "stock_page_of": "Page {page} of {pages} ({total} movements)", "stock_prev": "Previous", "stock_next": "Next",
        "stock_shortfall": "Minimum needs and stock shortfall",
        "stock_event_links": "Minimum needs per active event",
        "stock_days": "For how many days", "stock_show": "Show",
        "stock_people": "{people} people in {households} households with needs not yet done, for {days} days.",
        "stock_needed": "Needed", "stock_available": "Available", "stock_short": "Short", "stock_basis": "Basis",
        "stock_enough": "enough", "stock_no_item_line": "no item recorded",
        "stock_depots_serving": "Stock counted: the posko/warehouses in the event's area",
        "stock_no_serving": "No posko in this event's area yet: available stock counts as 0.",
        "stock_shortfall_summary": "{n} needs are short of stock.",
        "stock_no_shortfall": "Stock covers every need that is counted.",
        "stock_distributions": "Recent distributions in this event",
        "stock_without_aid": "{n} affected households have received no aid at all.",
        "stock_f_depot_id": "Posko", "stock_f_to_depot_id": "Receiving posko", "stock_f_item_code": "Item",
        "stock_f_quantity": "Quantity", "stock_f_donor": "Donor", "stock_f_reason": "Reason",
        "stock_f_reason_issue": "Other recipient (when not a household), e.g. public kitchen",
        "stock_f_notes": "Notes", "stock_f_event_id": "Flood event", "stock_f_household_id": "Receiving household",
        "stock_f_task_id": "Task (optional)", "stock_f_direction": "Direction",
        "stock_f_name": "Name", "stock_f_kind": "Kind", "stock_f_address": "Address", "stock_f_lat": "Latitude",
        "stock_f_lon": "Longitude", "stock_f_code": "Item code", "stock_f_unit": "Unit", "stock_f_category": "Category",
        "stock_dir_remove": "remove (lost, damaged, expired)", "stock_dir_add": "add (found, count correction)",
        "stock_choose": "— choose —", "stock_no_task": "— no task —", "stock_no_household": "— not a household —",
        "stock_change_event": "Change event",
        "stock_help_quantity": "In the item's unit: kg and l may have decimals (e.g. 2.5); pcs and paket are whole.",
        "stock_help_pick": "Click the map to place the posko, or type the coordinates.",
        "stock_depot_posko": "posko", "stock_depot_gudang": "warehouse",
        "stock_cat_food": "food", "stock_cat_water": "water", "stock_cat_clothing": "clothing",
        "stock_cat_shelter": "shelter", "stock_cat_hygiene": "hygiene", "stock_cat_medical": "medical",
        "stock_cat_other": "other",
        "stock_done_receive": "{amount} {item} received from {other} at {depot}. Balance now {balance}.",
        "stock_done_transfer": "{amount} {item} moved from {depot} to {other}. Balance {depot}: {balance}; "
                               "{other}: {other_balance}.",
        "stock_done_distribute": "{amount} {item} handed from {depot} to {other}. Balance now {balance}.",
        "stock_done_adjust": "Adjustment {amount} {item} at {depot}. Balance now {balance}.",
        "stock_warn_double_aid": "Note: this household already received {category} aid in the last {hours} hours. "
                                 "The distribution is recorded; check that it was needed.",
        "stock_depot_created": "Posko \"{name}\" created.", "stock_item_created": "Item {code} ({name}) created.",
        "stock_ref_donor": "from {donor}", "stock_ref_to": "to {depot}", "stock_ref_from": "from {depot}",
        "stock_ref_household": "household {name} ({area})", "stock_ref_household_area": "a household in {area}",
        "stock_err_not_found": "Not found; choose from the list.",
        "stock_err_depot_missing": "Choose the posko.", "stock_err_to_depot_missing": "Choose the receiving posko.",
        "stock_err_same_depot": "The receiving posko must differ from the sending one.",
        "stock_err_item_missing": "Choose the item.", "stock_err_quantity_missing": "Enter the quantity.",
        "stock_err_quantity_separators": "Write the number without thousands separators, e.g. 1500 or 2.5.",
        "stock_err_quantity_number": "The quantity must be a number, e.g. 14 or 2.5.",
        "stock_err_quantity_positive": "The quantity must be more than 0.",
        "stock_err_quantity_whole": "This item is counted in {unit}: enter a whole number.",
        "stock_err_quantity_decimals": "{unit} allows at most {decimals} decimals.",
        "stock_err_donor": "Say who gave this aid (the donor).",
        "stock_err_reason": "Give the reason for the adjustment, e.g. \"torn sack\".",
        "stock_err_direction": "Choose add or remove.",
        "stock_err_event_missing": "Choose the flood event.",
        "stock_err_task": "Task {code} is not an accepted or done task of this event.",
        "stock_err_task_household": "Task {code} is for another household.",
        "stock_err_recipient": "Choose the receiving household or its task, or name another recipient (e.g. public kitchen).",
        "stock_err_not_in_event": "This household is not affected by the chosen event (no need in it, and it lives "
                                  "outside the flood area).",
        "stock_err_too_long": "Too long: at most {max} characters.",
        "stock_err_insufficient": "{depot} holds only {have} of {item}; {want} cannot be taken out.",
        "stock_err_coordinate_missing": "Enter the coordinate (or click the map).",
        "stock_err_coordinate_number": "The coordinate must be a number, e.g. -1.6346.",
        "stock_err_name": "Enter the name.", "stock_err_choose": "Choose one from the list.",
        "stock_err_code": "Enter the item code, e.g. BERAS.",
        "stock_err_code_format": "Capital letters, digits and _ only, starting with a letter (at most 40), e.g. AIR_MINUM.",
        "stock_err_exists": "One with this name or code already exists.",
        "stock_counter": "Stock shortfall (7 days)", "stock_counter_none": "enough",
        "stock_counter_link": "Minimum needs in detail",
    },
})
