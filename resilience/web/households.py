"""Households and their needs: the list (filters, search, paging), a household's page with its
needs and their tasks, the edit forms, and the new-household form of an event.

Coordinators and admins only. Officials get the event dashboard's overview: the SPEC gives them
reports, the audit log and aggregates, while every row here is about a named family (address,
phone, NIK/KK, vulnerable members), so these pages answer 403 for them rather than a masked copy.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.areas import queries as area_queries
from resilience.core.errors import DomainError, Message
from resilience.core.schemas import point_dict
from resilience.dispatch import queries as task_queries
from resilience.events import queries as event_queries
from resilience.events.models import FloodEvent
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.households import duplicates
from resilience.households import operations as households
from resilience.households import queries as household_queries
from resilience.households.models import VULNERABILITY_FIELDS, Household
from resilience.households.queries import SORTS, HouseholdFilters
from resilience.households.schemas import HouseholdCreateSchema, HouseholdPatchSchema
from resilience.needs import operations as needs
from resilience.needs import queries as need_queries
from resilience.needs.models import CATEGORIES, MANUAL_NEED_STATUSES, NEED_STATUSES, NEED_TRANSITIONS, Need
from resilience.needs.schemas import NeedCreateSchema, NeedPatchSchema
from resilience.web.blueprint import bp, nav_item
from resilience.web.forms import FormErrors, load
from resilience.web.labels import label
from resilience.web.people import PER_PAGE, Page, changed_fields, failure, integer_input, page_number, point_input
from resilience.web.session import write_required
from resilience.web.query import Query, accepts

TEXT_FIELDS = ("head_name", "phone", "nik", "kk_number", "address", "street", "rt", "rw", "landmark")
OPTIONAL_IDS = ("phone", "nik", "kk_number", "rt", "rw")  # blank = none recorded
COUNT_FIELDS = ("members", *VULNERABILITY_FIELDS)


nav_item("web.households", "households", "write")


# --------------------------------------------------------------------------- the list
def _filters() -> dict:
    """The list's filters; a value the page cannot read is a 422 naming it."""
    q = Query()
    f = {
        "event": q.integer("event"),
        "area": q.text("area", 20),
        "category": q.choice("category", CATEGORIES, ""),
        "priority": q.integer("priority", None, 1, 5),
        "status": q.choice("status", ("live", *NEED_STATUSES), ""),
        "vulnerable": q.flag("vulnerable"),
        "q": q.text("q"),
        "sort": q.choice("sort", SORTS, "priority"),
    }
    q.done()
    return f


def household_page(f: dict, event: FloodEvent | None, page: int, per_page: int) -> Page:
    """The households matching the list's filters (see :func:`resilience.households.queries.household_page`)."""
    personal = g.web_user.sees_personal_data
    # An official's search by name or address would probe whether a family is registered.
    filters = HouseholdFilters(event=event, area=f["area"], category=f["category"], priority=f["priority"],
                               status=f["status"], vulnerable=f["vulnerable"], q=f["q"] if personal else "",
                               sort=f["sort"], identity_search=personal)
    items, total, page = household_queries.household_page(db.session, filters, page, per_page)
    return Page(items=items, total=total, page=page, per_page=per_page)


@bp.get("/households", endpoint="households")
@write_required
@accepts("event", "area", "category", "priority", "status", "vulnerable", "q", "sort", "page")
def households_list():
    f = _filters()
    event = db.session.get(FloodEvent, f["event"]) if f["event"] else None
    if f["event"] and event is None:
        abort(404, description=gettext("No such event."))
    result = household_page(f, event, page_number(), PER_PAGE)
    events = event_queries.events(db.session)
    areas = household_queries.areas_with_households(db.session)
    return render_template("households.html", f=f, event=event, result=result, events=events, areas=areas,
                           categories=CATEGORIES, statuses=NEED_STATUSES, sorts=SORTS)


# --------------------------------------------------------------------------- one household
def _detail(household: Household, need_form=None, need_errors=(), status=200):
    rows = need_queries.household_needs(db.session, household.id)
    active = event_queries.events(db.session, "active")
    return render_template("household.html", household=household, point=point_dict(household.location),
                           needs=rows, tasks=task_queries.tasks_by_need(db.session, [n.id for n in rows]), active_events=active,
                           categories=CATEGORIES, vulnerability=VULNERABILITY_FIELDS,
                           need_form=need_form or {}, need_errors=list(need_errors)), status


@bp.get("/households/<int:household_id>")
@write_required
def household_detail(household_id: int):
    return _detail(households.get_household(db.session, household_id))


def _household_form_values(household: Household) -> dict:
    # An approximate point is the kelurahan's, not one anybody measured: the inputs stay empty.
    point = {} if household.location_is_approximate else (point_dict(household.location) or {})
    values = {name: getattr(household, name) or "" for name in TEXT_FIELDS}
    values.update({name: str(getattr(household, name) or 0) for name in COUNT_FIELDS})
    values.update(lat=str(point.get("lat", "")), lon=str(point.get("lon", "")),
                  admin_area=household.admin_area.code if household.admin_area else "",
                  location_precision="" if household.location_is_approximate else household.location_precision)
    return values


def _place_input(form, errors: list[dict], data: dict) -> None:
    """The kelurahan select and the optional point: a point clicked on the map is ``map``, a
    typed one ``gps``; the kelurahan alone gives an approximate point (``kelurahan``)."""
    typed = any((form.get(n) or "").strip() for n in ("lat", "lon"))
    location = point_input(form, errors, "location", required=False)
    code = (form.get("admin_area") or "").strip()
    if code:
        data["admin_area"] = code
    if location is not None:
        data["location"] = location
        data["location_precision"] = "map" if form.get("location_precision") == "map" else "gps"
    elif not code and not typed:
        errors.append({"field": "admin_area", "message": Message("Choose the kelurahan, or place the point on the map.")})


def _form_context(**context) -> dict:
    return {"vulnerability": VULNERABILITY_FIELDS, "villages": area_queries.villages(db.session), **context}


def _household_patch(form, household: Household) -> dict:
    """The changed fields only, validated by the API's PATCH schema; every problem at once."""
    errors: list[dict] = []
    data: dict = {}
    for name in TEXT_FIELDS:
        value = (form.get(name) or "").strip()
        data[name] = None if (name in OPTIONAL_IDS and not value) else value
    for name in COUNT_FIELDS:
        value = integer_input(form, name, errors, blank=None if name == "members" else 0)
        if value is not None:
            data[name] = value
        elif name == "members" and not (form.get(name) or "").strip():
            errors.append({"field": name, "message": Message("Missing data for required field.")})
    _place_input(form, errors, data)
    try:
        loaded = load(HouseholdPatchSchema(), data)
    except FormErrors as exc:
        errors.extend(exc.errors)
        loaded = {}
    if errors:
        raise FormErrors(errors)
    code = loaded.pop("admin_area", None)
    precision = loaded.pop("location_precision", None)
    changes = changed_fields(household, loaded, points=("location",))
    if precision is not None and (precision != household.location_precision or "location" in changes):
        changes["location"], changes["location_precision"] = loaded["location"], precision
    current = household.admin_area.code if household.admin_area else None
    if code is not None and (code != current or "location" in changes):
        changes["admin_area"] = code  # beside a new point: the two must agree
    return changes


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@write_required
def household_edit(household_id: int):
    household = households.get_household(db.session, household_id)
    context = _form_context(household=household)
    if request.method == "GET":
        return render_template("household_edit.html", form=_household_form_values(household), errors=[], **context)
    try:
        changes = _household_patch(request.form, household)
        if changes:
            households.update_household(db.session, household, changes)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # the page re-reads what the refused change touched
        errors, status = failure(exc)
        return render_template("household_edit.html", form=request.form, errors=errors, **context), status
    flash(gettext("Changes to %(name)s saved.", name=household.head_name) if changes else gettext("Nothing changed."), "info")
    return redirect(url_for("web.household_detail", household_id=household.id))


# --------------------------------------------------------------------------- needs
def _need_input(form, creating: bool) -> tuple[dict, list[dict]]:
    errors: list[dict] = []
    data: dict = {"notes": (form.get("notes") or "").strip(),
                  "priority_reason": (form.get("priority_reason") or "").strip()}
    priority = integer_input(form, "priority", errors)
    if creating:
        data["category"] = form.get("category") or ""
        if priority is not None:
            data["priority"] = priority
    else:
        data["priority"] = priority  # blank: back to the derived priority
        data["status"] = form.get("status") or ""
    return data, errors


@bp.post("/households/<int:household_id>/needs")
@write_required
def household_need_new(household_id: int):
    household = households.get_household(db.session, household_id)
    data, errors = _need_input(request.form, creating=True)
    event_raw = request.form.get("event_id") or ""
    event = db.session.get(FloodEvent, int(event_raw)) if event_raw.isdigit() else None
    if event is None:
        errors.append({"field": "event_id", "message": Message("Missing data for required field.")})
    try:
        loaded = load(NeedCreateSchema(), {"household_id": household.id, **data, "reporter": g.web_user.email})
    except FormErrors as exc:
        errors.extend(exc.errors)
    try:
        if errors:
            raise FormErrors(errors)
        need = needs.create_need(db.session, event, loaded)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # the page re-reads what the refused change touched
        errors, status = failure(exc)
        return _detail(households.get_household(db.session, household_id), request.form, errors, status)
    flash(gettext("%(category)s need recorded.", category=label("cat_" + need.category)), "info")
    return redirect(url_for("web.household_detail", household_id=household.id) + f"#need-{need.id}")


def _status_choices(need: Need) -> list[str]:
    return [need.status] + [s for s in NEED_TRANSITIONS[need.status] if s in MANUAL_NEED_STATUSES]


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@write_required
def need_edit(need_id: int):
    need = needs.get_need(db.session, need_id)
    context = {"need": need, "statuses": _status_choices(need), "tasks": task_queries.tasks_by_need(db.session, [need.id])[need.id]}
    if request.method == "GET":
        form = {"status": need.status, "priority": str(need.priority) if need.priority_overridden else "",
                "priority_reason": need.priority_reason, "notes": need.notes}
        return render_template("household_need.html", form=form, errors=[], **context)
    data, errors = _need_input(request.form, creating=False)
    try:
        loaded = load(NeedPatchSchema(), data)
    except FormErrors as exc:
        errors.extend(exc.errors)
    try:
        if errors:
            raise FormErrors(errors)
        needs.update_need(db.session, need, loaded)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # the page re-reads what the refused change touched
        errors, status = failure(exc)
        need = needs.get_need(db.session, need_id)
        context.update(need=need, statuses=_status_choices(need))
        return render_template("household_need.html", form=request.form, errors=errors, **context), status
    flash(gettext("%(category)s need saved.", category=label("cat_" + need.category)), "info")
    return redirect(url_for("web.household_detail", household_id=need.household_id) + f"#need-{need.id}")


# --------------------------------------------------------------------------- a new household
def _new_household_input(form) -> tuple[dict, dict]:
    """Every problem at once: unparsable inputs, then the API's own schema checks."""
    errors: list[dict] = []
    data = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS if (form.get(name) or "").strip()}
    data.setdefault("head_name", "")
    for name in COUNT_FIELDS:
        value = integer_input(form, name, errors)
        if value is not None:
            data[name] = value
    _place_input(form, errors, data)
    need = {"household_id": 0, "category": form.get("category", ""), "reporter": g.web_user.email}
    if (form.get("notes") or "").strip():
        need["notes"] = form["notes"].strip()
    for schema, values in ((HouseholdCreateSchema(), data), (NeedCreateSchema(), need)):
        try:
            load(schema, values)
        except FormErrors as exc:
            # a place already reported as missing or unreadable is not reported twice
            errors.extend(e for e in exc.errors if e["field"] != "location" or "location" in values
                          or "admin_area" in values)
    if errors:
        raise FormErrors(errors)
    return load(HouseholdCreateSchema(), data), load(NeedCreateSchema(), need)


def _candidate_rows(candidates) -> list[dict]:
    """(pair, other household id) → the other household with the pair's score and reasons."""
    by_id = {h.id: h for h in households.households_by_id(db.session, {other for _, other in candidates})}
    return [{"pair": pair, "household": by_id[other]} for pair, other in candidates if other in by_id]


@bp.route("/events/<int:event_id>/households/new", methods=["GET", "POST"])
@write_required
def household_new(event_id: int):
    event = get_event(db.session, event_id)
    context = _form_context(event=event, categories=CATEGORIES)
    if request.method == "GET":
        return render_template("household_new.html", form={}, errors=[], **context)
    try:
        data, need_data = _new_household_input(request.form)
        household = households.create_household(db.session, data)
        if not request.form.get("save_anyway"):
            found = duplicates.candidates(db.session, household)
            if found:  # not saved yet: the coordinator looks first, then saves anyway or opens one
                candidates = [(p, p.other(household.id)) for p in found]
                db.session.rollback()
                return render_template("household_new.html", form=request.form, errors=[],
                                       duplicates=_candidate_rows(candidates), **context)
        need_data["household_id"] = household.id
        needs.create_need(db.session, event, need_data)
    except (FormErrors, DomainError) as exc:
        errors, status = failure(exc)
        return render_template("household_new.html", form=request.form, errors=errors, **context), status
    flash(gettext("Household %(name)s and its need saved.", name=household.head_name), "info")
    return redirect(url_for("web.dashboard", event_id=event.id))
