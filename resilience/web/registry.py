"""The registry's review pages for coordinators: probable and exact duplicates side by side with
why they were flagged (merge one into the other, or "not the same family"), and the residents'
own TOLONG requests waiting to be verified into a household and a need (or rejected).

Coordinators and admins only (every row is about a named family)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.core.errors import DomainError
from resilience.events import queries as event_queries
from resilience.extensions import db
from resilience.helprequests import operations as help_requests
from resilience.helprequests.schemas import HelpRequestVerifySchema
from resilience.households import duplicates
from resilience.households import merge as merging
from resilience.households import operations as households
from resilience.needs.models import CATEGORIES
from resilience.vocabulary import VULNERABILITY_FIELDS
from resilience.web.blueprint import bp, nav_item
from resilience.web.forms import FormErrors, load
from resilience.web.people import PER_PAGE, Page, failure, page_number
from resilience.web.session import write_required
from resilience.web.query import accepts

nav_item("web.duplicates", "duplicates", "write")
nav_item("web.help_requests", "help_requests", "write")


# --------------------------------------------------------------------------- duplicates
@bp.get("/households/duplicates", endpoint="duplicates")
@write_required
@accepts("page")
def duplicates_list():
    pairs = duplicates.scan(db.session)
    page = page_number()
    last = max(1, -(-len(pairs) // PER_PAGE))
    page = min(page, last)
    shown = pairs[(page - 1) * PER_PAGE:page * PER_PAGE]
    by_id = {h.id: h for h in households.households_by_id(db.session, {i for p in shown for i in (p.a, p.b)})}
    rows = [{"pair": p, "a": by_id[p.a], "b": by_id[p.b]} for p in shown]
    return render_template("duplicates.html", rows=rows,
                           result=Page(items=rows, total=len(pairs), page=page, per_page=PER_PAGE),
                           vulnerability=VULNERABILITY_FIELDS)


def _form_id(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _on_pair(operation, first: int | None, second: int | None, missing: str) -> bool:
    """Run ``operation(session, first, second)`` for a pair form; a refusal is flashed (the
    redirect answers 302, which commits: whatever the operation flushed is rolled back here)."""
    if first is None or second is None:
        flash(missing, "error")
        return False
    try:
        operation(db.session, first, second)
    except DomainError as exc:
        db.session.rollback()
        errors, _status = failure(exc)
        flash("; ".join(str(e["message"]) for e in errors), "error")
        return False
    return True


@bp.post("/households/duplicates/merge", endpoint="duplicates_merge")
@write_required
def duplicates_merge():
    absorbed, into = _form_id("household"), _form_id("into")
    if _on_pair(merging.merge, absorbed, into, gettext("Choose the two households to merge.")):
        flash(gettext("Household %(absorbed)s was merged into household %(into)s; its needs now belong there.",
                      absorbed=absorbed, into=into), "info")
    return redirect(url_for("web.duplicates"))


@bp.post("/households/duplicates/different", endpoint="duplicates_different")
@write_required
def duplicates_different():
    first, second = _form_id("household"), _form_id("of")
    if _on_pair(merging.mark_not_duplicate, first, second, gettext("Choose the two households.")):
        flash(gettext("Noted: households %(a)s and %(b)s are different families.", a=first, b=second), "info")
    return redirect(url_for("web.duplicates"))


# --------------------------------------------------------------------------- help requests
def _help_page(form=None, errors=(), failed_id=None, status=200):
    query = help_requests.request_query("pending")
    pending = list(db.session.scalars(query.limit(200)))
    for item in pending:
        item.hints = help_requests.hints(db.session, item)
    villages = help_requests.kelurahan_choices(db.session)
    return render_template("help_requests.html", pending=pending, villages=villages,
                           events=event_queries.events(db.session, "active"), categories=CATEGORIES,
                           form=form or {}, errors=list(errors), failed_id=failed_id), status


@bp.get("/help-requests", endpoint="help_requests")
@write_required
def help_requests_list():
    return _help_page()


def _verify_body(form) -> dict:
    need = {"event_id": form.get("event_id", ""), "category": form.get("category", "")}
    if (form.get("household_id") or "").strip():
        return {"household_id": form.get("household_id", "").strip(), "need": need}
    household = {"head_name": form.get("head_name", ""), "admin_area": form.get("admin_area", "")}
    for name in ("rt", "rw", "landmark", "members", *VULNERABILITY_FIELDS):
        value = (form.get(name) or "").strip()
        if value:
            household[name] = value
    return {"household": household, "need": need}


@bp.post("/help-requests/<int:request_id>/verify", endpoint="help_request_verify")
@write_required
def help_request_verify(request_id: int):
    try:
        data = load(HelpRequestVerifySchema(), _verify_body(request.form))
        help_requests.verify(db.session, request_id, data)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()
        errors, status = failure(exc)
        return _help_page(request.form, errors, request_id, status)
    flash(gettext("Help request verified: the household and its need are recorded, and the sender was told by SMS."),
          "info")
    return redirect(url_for("web.help_requests"))


@bp.post("/help-requests/<int:request_id>/reject", endpoint="help_request_reject")
@write_required
def help_request_reject(request_id: int):
    try:
        help_requests.reject(db.session, request_id)
    except DomainError as exc:
        db.session.rollback()
        errors, _status = failure(exc)
        flash("; ".join(str(e["message"]) for e in errors), "error")
        return redirect(url_for("web.help_requests"))
    flash(gettext("Help request set aside."), "info")
    return redirect(url_for("web.help_requests"))
