"""A household's personal-data page (UU PDP 27/2022): everything held about one household,
readable and printable for the household that asked (right of access), its JSON, and for
admins the erasure (right to erasure) with its reason.

The page shows what ``GET /api/v1/households/{id}/export`` gives (``privacy.export``), worded in
the page language; erasing calls ``privacy.erase`` as ``POST /households/{id}/erase`` does.
Coordinators and admins only, as the API.
"""

from __future__ import annotations

import json
from datetime import datetime

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from resilience.core.errors import DomainError, Message
from resilience.extensions import db
from resilience.households.operations import get_household
from resilience.privacy.erase import erase
from resilience.privacy.export import export
from resilience.vocabulary import ERASURE_REASONS
from resilience.web.blueprint import bp
from resilience.web.people import failure, localise
from resilience.web.session import write_required

# The household fields in the order a person reads them (the export's keys).
HOUSEHOLD_FIELDS = ("head_name", "nik", "kk_number", "phone", "address", "street", "rt", "rw", "landmark",
                    "admin_area", "location", "location_precision", "members", "elderly", "children_under5",
                    "pregnant_or_lactating", "disabled", "chronically_ill", "created_at", "updated_at",
                    "merged_into_id", "merged_at", "erased_at")
FIELD_LABELS = {
    "head_name": lazy_gettext("Head of household"), "nik": lazy_gettext("NIK (16 digits)"),
    "kk_number": lazy_gettext("KK number (16 digits)"), "phone": lazy_gettext("Phone"),
    "address": lazy_gettext("Address"), "street": lazy_gettext("Street or dusun"), "rt": lazy_gettext("RT"),
    "rw": lazy_gettext("RW"), "landmark": lazy_gettext("Landmark"), "admin_area": lazy_gettext("Kelurahan"),
    "location": lazy_gettext("Location"), "location_precision": lazy_gettext("How the location is known"),
    "members": lazy_gettext("Members"), "elderly": lazy_gettext("Elderly"),
    "children_under5": lazy_gettext("Children under 5"),
    "pregnant_or_lactating": lazy_gettext("Pregnant or breastfeeding"), "disabled": lazy_gettext("With a disability"),
    "chronically_ill": lazy_gettext("Chronically ill"), "created_at": lazy_gettext("Recorded"),
    "updated_at": lazy_gettext("Last changed"), "merged_into_id": lazy_gettext("Merged into household"),
    "merged_at": lazy_gettext("Merged"), "erased_at": lazy_gettext("Personal data erased"),
}
TIME_KEYS = ("created_at", "updated_at", "merged_at", "erased_at", "reported_at", "sent_at", "delivered_at",
             "received_at", "decided_at", "time", "generated_at")


def _when(value):
    """The export's UTC strings as times the page formats in its zone."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value


def _readable(document: dict) -> dict:
    """The export with its times as datetimes (nested lists and objects too)."""
    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        return _when(value) if key in TIME_KEYS or key.endswith("_at") else value
    return walk(document)


def _audit_changes(line: dict) -> list[tuple[str, str, object]]:
    """One log entry's fields as (name, how it is held, value): ``value`` in clear, ``opened``
    (a sealed value, opened for staff), ``sealed`` (sealed, the opening erased), ``redacted``
    (never written to the log)."""
    personal = line.get("personal") or {}
    out = []
    for name, value in (line.get("payload") or {}).items():
        if name.endswith("_digest"):  # keyed digests for look-ups: no value a person can read
            continue
        if isinstance(value, dict) and set(value) == {"sealed"}:
            out.append((name, "opened", personal[name]) if name in personal else (name, "sealed", None))
        elif value == "<redacted>":
            out.append((name, "redacted", None))
        else:
            out.append((name, "clear", value))
    return out


def _document(household_id: int) -> tuple[object, dict]:
    household = get_household(db.session, household_id)
    user = g.web_user
    return household, export(db.session, household=household, by=f"{user.role}:{user.email}")


def _page(household, document: dict, errors=(), form=None, status: int = 200):
    readable = _readable(document)
    return render_template(
        "household_data.html", household=household, doc=readable, fields=HOUSEHOLD_FIELDS, labels=FIELD_LABELS,
        changes={line["seq"]: _audit_changes(line) for line in readable["audit"]},
        reasons=ERASURE_REASONS, can_erase=g.web_user.role == "admin" and household.erased_at is None,
        errors=list(errors), form=form or {}), status


@bp.get("/households/<int:household_id>/data")
@write_required
def household_data(household_id: int):
    household, document = _document(household_id)
    return _page(household, document)


@bp.get("/households/<int:household_id>/data.json")
@write_required
def household_data_json(household_id: int):
    """The same document as the API's export, as an attachment."""
    _, document = _document(household_id)
    body = json.dumps(document, ensure_ascii=False, indent=1, default=str)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="household-{household_id}.json"'
    return response


@bp.post("/households/<int:household_id>/erase")
@write_required
def household_erase(household_id: int):
    """Admins only: the reason from the law's list, and the household's number typed again, so a
    mistaken click on the wrong household erases nothing."""
    if g.web_user.role != "admin":
        abort(403, description=gettext("Only an admin can erase a household's personal data."))
    household = get_household(db.session, household_id)
    reason, confirm = request.form.get("reason", ""), request.form.get("confirm", "").strip().lstrip("#")
    errors = []
    if reason not in ERASURE_REASONS:
        errors.append({"field": "reason", "message": Message("Must be one of: %(choices)s.",
                                                             choices=", ".join(ERASURE_REASONS))})
    if confirm != str(household.id):
        errors.append({"field": "confirm", "message": Message(
            "Type the household's number %(id)s to confirm.", id=household.id)})
    status = 422
    if not errors:
        try:
            result = erase(db.session, household.id, reason)
        except DomainError as exc:
            db.session.rollback()
            errors, status = failure(exc)
        else:
            flash(gettext("The personal data of household #%(id)s is erased (households: %(households)s; "
                          "log entries whose sealed values can no longer be opened: %(entries)s).",
                          id=household.id, households=len(result["households"]),
                          entries=result["audit_openings_deleted"]), "info")
            return redirect(url_for("web.household_data", household_id=household.id))
    else:
        errors = localise(errors)
    household, document = _document(household_id)
    return _page(household, document, errors, request.form, status)
