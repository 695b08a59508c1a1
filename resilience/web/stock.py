"""Aid stock pages that read: balances per posko, the ledger, and the minimum-needs shortfall of
an event; and how a quantity and a ledger line's counterpart are written on every stock page.

The forms that change stock are in :mod:`resilience.web.stock_forms` (receive, transfer,
distribute, adjust) and :mod:`resilience.web.stock_setup` (new posko and items). Officials see
balances, the ledger and the shortfall, with households shown by kelurahan only.
"""

from __future__ import annotations

from decimal import Decimal

from flask import g, render_template
from flask_babel import format_decimal, gettext

from resilience.events.operations import get_event
from resilience.events.queries import events_active_first
from resilience.extensions import db
from resilience.reports.operations import estimate, shortfall_lines
from resilience.stock import queries
from resilience.stock.models import StockMovement
from resilience.vocabulary import MOVEMENT_KINDS
from resilience.web.blueprint import bp, nav_item
from resilience.web.labels import label
from resilience.web.session import login_required
from resilience.web.query import Query, accepts

LEDGER_PAGE = 50
RECENT = 15
LEDGER_KINDS = MOVEMENT_KINDS

nav_item("web.stock_page", "stock_menu")


def qty(value, unit: str = "") -> str:
    """A quantity as the page language writes it (Indonesian: 2,5 kg; English: 2.5 kg)."""
    text = format_decimal(Decimal(str(value)), format="#,##0.###")
    return f"{text} {unit}".strip()


def milli_qty(milli: int, unit: str = "") -> str:
    return qty(Decimal(int(milli)) / 1000, unit)


bp.add_app_template_filter(qty, "stock_qty")
bp.add_app_template_filter(milli_qty, "stock_milli")


@bp.get("/stock")
@login_required
def stock_page():
    active = [e for e in events_active_first(db.session) if e.status == "active"]
    return render_template("stock.html", depots=queries.depots(db.session), balances=queries.held_balances(db.session),
                           movements=queries.ledger(db.session, RECENT), events=active)


@bp.get("/stock/ledger")
@login_required
@accepts("depot", "item", "kind", "page")
def stock_ledger():
    q = Query()
    filters = {"depot": q.integer("depot"), "item": q.text("item", 40).upper() or None,
               "kind": q.choice("kind", LEDGER_KINDS)}
    page = q.page()
    q.done()
    total = queries.count(db.session, queries.ledger_query(db.session, **filters))
    movements = queries.ledger(db.session, LEDGER_PAGE, (page - 1) * LEDGER_PAGE, **filters)
    return render_template("stock_ledger.html", movements=movements, depots=queries.depots(db.session),
                           items=queries.items(db.session), filters=filters, page=page,
                           pages=max(1, -(-total // LEDGER_PAGE)), total=total)


@bp.get("/events/<int:event_id>/stock")
@login_required
@accepts("days")
def stock_event(event_id: int):
    event = get_event(db.session, event_id)
    q = Query()
    days = q.integer("days", 7, 1, 90)
    q.done()
    needs = estimate(db.session, event, days)
    return render_template("stock_event.html", event=event, estimate=needs, days=days,
                           shortfalls=shortfall_lines(needs),
                           movements=queries.ledger(db.session, RECENT, kind="issue", event=event.id),
                           without_aid=queries.without_aid_count(db.session, event))


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



