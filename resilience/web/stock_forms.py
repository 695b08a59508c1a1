"""The forms that move stock: receive, transfer, distribute and adjust.

A form becomes the API's request body and is loaded with the API's schema
(:class:`~resilience.stock.schemas.MovementCreateSchema`); what each kind needs (a donor, a
reason, the receiving posko, a recipient) is checked by the same function the operation uses
(:func:`resilience.stock.operations.movement_problems`), so a page lists every problem at once
and checks nothing the API does not. The page reads its own input conventions only: a decimal
comma (``2,5``; the API wants ``2.5``), an amount with add/remove for an adjustment, and the
flood event a distribution is chosen in. Every message is worded from its message id.

Every change goes through :func:`resilience.stock.operations.record_movement` (it locks the
balance rows, checks, and appends to the ledger): nothing here writes a balance.
"""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.core.errors import Conflict, DomainError, Message, flatten_messages
from resilience.events.queries import events_active_first
from resilience.extensions import db
from resilience.stock import operations as stock
from resilience.stock import queries
from resilience.stock.models import Depot
from resilience.stock.schemas import MovementCreateSchema
from resilience.web.blueprint import bp
from resilience.web.i18n import Translated, message_text
from resilience.web.labels import label
from resilience.web.session import write_required
from resilience.web.stock import milli_qty, qty
from resilience.web.query import accepts

ACTIONS = {"receive": "receipt", "transfer": "transfer", "distribute": "issue", "adjust": "adjustment"}
TEXT_FIELDS = ("donor", "reason", "notes")
ID_FIELDS = ("depot_id", "to_depot_id", "event_id", "household_id", "task_id")

# How a stock page words the API's and the operation's messages, by message id: a label key,
# and the label's values from the message's parameters. Anything else is worded by its own id.
_REQUIRED = "Missing data for required field."
_NOT_FOUND = "stock_err_not_found"
_WORDING: dict[tuple[str, str], str] = {
    ("depot_id", _REQUIRED): "stock_err_depot_missing",
    ("item_code", _REQUIRED): "stock_err_item_missing",
    ("quantity", _REQUIRED): "stock_err_quantity_missing",
    ("quantity", "must be a number, e.g. 14 or 2.5"): "stock_err_quantity_number",
    ("quantity", "must be a number, e.g. 14 or 2.5; got %(got)r"): "stock_err_quantity_number",
    ("quantity", "must be a finite number"): "stock_err_quantity_number",
    ("quantity", "must be more than 0 for kind %(kind)r"): "stock_err_quantity_positive",
    ("quantity", "an adjustment must not be 0: negative removes, positive adds"): "stock_err_quantity_positive",
    ("quantity", "%(unit)s is counted in whole units; got %(quantity)s"): "stock_err_quantity_whole",
    ("quantity", "%(unit)s allows at most %(decimals)s decimals; got %(quantity)s"): "stock_err_quantity_decimals",
    ("donor", "say who gave it (a receipt needs a donor)"): "stock_err_donor",
    ("reason", "an adjustment needs a reason, e.g. 'karung sobek'"): "stock_err_reason",
    ("to_depot_id", "a transfer needs the receiving depot"): "stock_err_to_depot_missing",
    ("to_depot_id", "must differ from depot_id: a transfer moves stock between two depots"): "stock_err_same_depot",
    ("household_id", "say who received it: household_id, task_id, or a reason such as 'dapur umum'"):
        "stock_err_recipient",
    ("household_id", "household %(id)s is not affected by event %(id2)s: it has no need in the event and lives "
                     "outside its affected area"): "stock_err_not_in_event",
    ("household_id", "task T%(id)s is for household %(task_household)s, not %(id2)s"): "stock_err_task_household",
    ("task_id", "task T%(id)s is %(status)s; aid is handed over on an accepted or done task"): "stock_err_task",
    ("event_id", "task T%(id)s belongs to event %(event_id)s, not %(id2)s"): "stock_err_task",
    ("event_id", "a distribution to a household names its flood event (event_id) or the task (task_id)"):
        "stock_err_event_missing",
    ("item_code", "no item with code %(code)r (see GET /api/v1/items)"): _NOT_FOUND,
    ("depot_id", "no depot with id %(depot_id)s"): _NOT_FOUND,
    ("to_depot_id", "no depot with id %(depot_id)s"): _NOT_FOUND,
    ("household_id", "no household with id %(household_id)s"): _NOT_FOUND,
    ("task_id", "no task with id %(task_id)s"): _NOT_FOUND,
    ("event_id", "no flood event with id %(event_id)s"): _NOT_FOUND,
}
for _name in ID_FIELDS:
    _WORDING[(_name, "Not a valid integer.")] = _NOT_FOUND
for _name in TEXT_FIELDS:
    _WORDING[(_name, "Longer than maximum length %(max)s.")] = "stock_err_too_long"


def _label_values(key: str, params: dict) -> dict:
    if key in ("stock_err_task", "stock_err_task_household"):  # the task is named by its code
        return {"code": f"T{params.get('id', '')}"}
    if key == "stock_err_quantity_decimals":
        return {"unit": params.get("unit", ""), "decimals": params.get("decimals", "")}
    return {name: params[name] for name in ("unit", "max") if name in params}


def worded(errors: list[dict], wording: dict[tuple[str, str], str] = _WORDING) -> list[dict]:
    """``{field, message}`` errors with each message in the page language: the stock page's
    label for its ``(field, message id)`` in ``wording``, else the message's own translation."""
    out = []
    for error in errors:
        field, message = error.get("field") or "", error.get("message")
        key = wording.get((field, message.msgid)) if isinstance(message, Message) else None
        if key is not None:
            text = label(key, **_label_values(key, message.params))
        else:
            text = message_text(message)
        out.append({"field": field, "message": Translated(text)})
    return out


def _error(errors: list[dict], field: str, key: str) -> None:
    errors.append({"field": field, "message": Translated(label(key))})


# --- the form as the API's request ---------------------------------------------------------
def _quantity(raw: str, errors: list[dict]) -> str | None:
    """The typed amount as the API writes it: a decimal comma becomes a point (``2,5`` → ``2.5``);
    a number with both (``1.000,5``) is refused rather than guessed."""
    raw = raw.replace(" ", "")
    if "," in raw and "." in raw:
        _error(errors, "quantity", "stock_err_quantity_separators")
        return None
    return raw.replace(",", ".") or None


def request_body(action: str, form) -> tuple[dict, list[dict]]:
    """The API body the form stands for (blank inputs left out, as a client would), and what
    the page itself refuses about its input."""
    errors: list[dict] = []
    body: dict = {"kind": ACTIONS[action]}
    for name in ("depot_id", "item_code", *TEXT_FIELDS):
        value = (form.get(name) or "").strip()
        if value:
            body[name] = value.upper() if name == "item_code" else value
    names = {"transfer": ("to_depot_id",), "distribute": ("event_id", "household_id", "task_id")}.get(action, ())
    for name in names:
        if (form.get(name) or "").strip():
            body[name] = form[name].strip()
    quantity = _quantity(form.get("quantity") or "", errors)
    if quantity is not None:
        body["quantity"] = quantity
    if action == "distribute" and "event_id" not in body:
        _error(errors, "event_id", "stock_err_event_missing")  # the form is filled in for one event
    if action == "adjust" and form.get("direction") not in ("add", "remove"):
        _error(errors, "direction", "stock_err_direction")
    return body, errors


def movement_input(action: str, form) -> tuple[dict, list[dict]]:
    """The movement the form asks for, loaded by the API's schema, and every problem at once
    (the page's, the schema's, and what the operation says about the fields)."""
    body, errors = request_body(action, form)
    try:
        data = MovementCreateSchema().load(body)
    except ma.ValidationError as exc:
        errors.extend(flatten_messages(exc.messages))
        data = {"kind": body["kind"], **exc.valid_data}
    if action == "adjust" and data.get("quantity") is not None:
        if data["quantity"] <= 0:  # the form takes an amount, and add or remove for its sign
            _error(errors, "quantity", "stock_err_quantity_positive")
            data.pop("quantity")
        elif form.get("direction") == "remove":
            data["quantity"] = -data["quantity"]
    flagged = {e["field"] for e in errors}
    errors.extend(e for e in stock.movement_problems(data) if e["field"] not in flagged)
    return data, worded(errors)


def _domain_errors(exc: DomainError) -> list[dict]:
    balance = exc.extra.get("balance") if isinstance(exc, Conflict) else None
    if balance is not None:
        depot = db.session.get(Depot, exc.extra["depot_id"])
        return [{"field": "quantity", "message": Translated(label(
            "stock_err_insufficient", depot=depot.name if depot else "", item=exc.extra["item_code"],
            have=qty(balance, exc.extra["unit"]), want=qty(exc.extra["requested"], exc.extra["unit"])))}]
    return worded(exc.errors or [{"field": exc.extra.get("field") or "", "message": exc.detail}])


# --- the page ------------------------------------------------------------------------------
def _form_context(action: str, form) -> dict:
    context = {"action": action, "kind": ACTIONS[action], "depots": queries.depots(db.session),
               "items": queries.items(db.session), "form": form}
    if action == "distribute":
        events = events_active_first(db.session)
        chosen = (form.get("event_id") or request.args.get("event") or "").strip()
        event = next((e for e in events if str(e.id) == chosen), None) or next(
            (e for e in events if e.status == "active"), events[0] if events else None)
        context.update(events=events, event=event, households=[], tasks=[])
        if event is not None:
            context.update(households=queries.recipient_households(db.session, event),
                           tasks=queries.issuable_tasks(db.session, event))
    return context


def _counterpart(recorded) -> str:
    """Who gave, received or got it, as the confirmation names them."""
    first = recorded.movements[0]
    if first.kind == "transfer_out":
        return recorded.movements[1].depot.name
    if first.kind == "issue":
        return first.household.head_name if first.household is not None else first.reason
    return first.donor or ""


def _confirmation(action: str, recorded) -> str:
    first = recorded.movements[0]
    item = first.item
    amount = qty(abs(Decimal(first.quantity_milli)) / 1000, item.unit)
    after = {b["depot"].id: milli_qty(b["quantity_milli"], item.unit) for b in recorded.balances}
    values = {"amount": amount, "item": item.name, "depot": first.depot.name, "other": _counterpart(recorded),
              "balance": after[first.depot_id]}
    if action == "transfer":
        values["other_balance"] = after[recorded.movements[1].depot_id]
    if action == "adjust":
        values["amount"] = ("+" if first.quantity_milli > 0 else "−") + amount
    return label(f"stock_done_{action}", **values)


@bp.route("/stock/<any(receive, transfer, distribute, adjust):action>", methods=["GET", "POST"])
@write_required
@accepts("depot_id", "item_code", "event_id", "household_id", "task_id", "event")
def stock_form(action: str):
    if request.method == "GET":
        form = {k: v for k, v in request.args.items() if k in ("depot_id", "item_code", "event_id", "household_id", "task_id")}
        return render_template("stock_form.html", errors=[], **_form_context(action, form))
    data, errors = movement_input(action, request.form)
    status = 422
    if not errors:
        try:
            recorded = stock.record_movement(db.session, data)
        except DomainError as exc:
            errors, status = _domain_errors(exc), exc.status
    if errors:
        db.session.rollback()  # the page re-reads what the refused change touched
        return render_template("stock_form.html", errors=errors, **_form_context(action, request.form)), status
    flash(_confirmation(action, recorded), "info")
    for warning in recorded.warnings:
        if warning.get("code") == "double_aid":
            flash(gettext("Note: this household already received %(category)s aid in the last %(hours)s hours. The distribution is recorded; check that it was needed.", category=label("stock_cat_" + warning["category"]),
                            hours=warning["window_hours"]), "warning")
    return redirect(url_for("web.stock_page") + f"#depot-{data['depot_id']}")
