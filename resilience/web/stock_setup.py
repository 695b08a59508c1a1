"""New posko and new items: the forms are loaded with the API's schemas
(:class:`~resilience.stock.schemas.DepotCreateSchema`, :class:`~resilience.stock.schemas.ItemCreateSchema`)
and the messages worded from their ids; the page only reads its map point (a decimal comma
allowed) and says what was refused in the page language."""

from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.core.errors import Conflict, DomainError, flatten_messages
from resilience.extensions import db
from resilience.stock import operations as stock
from resilience.stock.models import DEPOT_KINDS, ITEM_CATEGORIES, UNITS
from resilience.stock.schemas import DepotCreateSchema, ItemCreateSchema
from resilience.web.blueprint import bp
from resilience.web.i18n import Translated
from resilience.web.labels import label
from resilience.web.session import write_required
from resilience.web.stock_forms import worded

_REQUIRED = "Missing data for required field."
_CHOOSE = "Must be one of: %(choices)s."
_WORDING: dict[tuple[str, str], str] = {
    ("name", _REQUIRED): "stock_err_name",
    ("name", "Must not be blank."): "stock_err_name",
    ("name", "Longer than maximum length %(max)s."): "stock_err_too_long",
    ("address", "Longer than maximum length %(max)s."): "stock_err_too_long",
    ("kind", _REQUIRED): "stock_err_choose",
    ("kind", _CHOOSE): "stock_err_choose",
    ("unit", _REQUIRED): "stock_err_choose",
    ("unit", _CHOOSE): "stock_err_choose",
    ("category", _REQUIRED): "stock_err_choose",
    ("category", _CHOOSE): "stock_err_choose",
    ("code", _REQUIRED): "stock_err_code",
    ("code", "Length must be between %(min)s and %(max)s."): "stock_err_code_format",
    ("code", "use capital letters, digits and _ (starting with a letter, at most 40), e.g. BERAS or AIR_MINUM"):
        "stock_err_code_format",
}


def _error(errors: list[dict], field: str, key: str) -> None:
    errors.append({"field": field, "message": Translated(label(key))})


def _point(form, errors: list[dict]) -> dict | None:
    """The map point as the API writes it; a decimal comma is read as a point."""
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


def _loaded(schema: ma.Schema, body: dict, errors: list[dict], extra=()) -> dict:
    """``body`` loaded by the API's schema; raises the page's and the schema's problems at once
    (``extra``: what the operation will also refuse, checked now so nothing waits a round)."""
    try:
        data = schema.load(body)
    except ma.ValidationError as exc:
        errors = errors + flatten_messages(exc.messages)
        data = None
    errors = errors + [e for e in extra if e["field"] not in {x["field"] for x in errors}]
    if errors:
        raise _Refused(worded(errors, _WORDING))
    return data


class _Refused(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("refused")
        self.errors = errors


def _named(exc: DomainError) -> list[dict]:
    if isinstance(exc, Conflict) and exc.extra.get("existing_id"):
        field = "name" if exc.message is not None and exc.message.msgid.startswith("a depot named") else "code"
        return [{"field": field, "message": Translated(gettext("One with this name or code already exists."))}]
    return worded(exc.errors or [{"field": "", "message": exc.detail}], _WORDING)


@bp.route("/stock/depots/new", methods=["GET", "POST"])
@write_required
def stock_depot_new():
    context = {"what": "depot", "kinds": DEPOT_KINDS}
    if request.method == "GET":
        return render_template("stock_new.html", form={"kind": "posko"}, errors=[], **context)
    form = request.form
    errors: list[dict] = []
    body = {"name": form.get("name", ""), "kind": form.get("kind", ""), "address": form.get("address", "")}
    point = _point(form, errors)
    if point is not None:
        body["location"] = point
    try:
        depot = stock.create_depot(db.session, _loaded(DepotCreateSchema(), body, errors))
    except (_Refused, DomainError) as exc:
        found = exc.errors if isinstance(exc, _Refused) else _named(exc)
        found = [e for e in found if e["field"] != "location" or point is not None]  # lat/lon already said
        return render_template("stock_new.html", form=form, errors=found, **context), getattr(exc, "status", 422)
    flash(gettext("Posko \"%(name)s\" created.", name=depot.name), "info")
    return redirect(url_for("web.stock_page") + f"#depot-{depot.id}")


@bp.route("/stock/items/new", methods=["GET", "POST"])
@write_required
def stock_item_new():
    context = {"what": "item", "units": tuple(UNITS), "categories": ITEM_CATEGORIES}
    if request.method == "GET":
        return render_template("stock_new.html", form={}, errors=[], **context)
    form = request.form
    body = {"name": form.get("name", ""), "unit": form.get("unit", ""), "category": form.get("category", "")}
    code = (form.get("code") or "").strip().upper()
    if code:
        body["code"] = code
    problem = stock.item_code_problem(code) if code else None
    extra = [{"field": "code", "message": problem}] if problem is not None else []
    try:
        item = stock.create_item(db.session, _loaded(ItemCreateSchema(), body, [], extra))
    except (_Refused, DomainError) as exc:
        found = exc.errors if isinstance(exc, _Refused) else _named(exc)
        return render_template("stock_new.html", form=form, errors=found, **context), getattr(exc, "status", 422)
    flash(gettext("Item %(code)s (%(name)s) created.", code=item.code, name=item.name), "info")
    return redirect(url_for("web.stock_page"))
