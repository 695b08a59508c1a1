"""Households with their needs, the volunteer roster, and each volunteer's SMS conversation."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from resilience.core.errors import DomainError
from resilience.dispatch.models import Task
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.households import operations as households
from resilience.households.models import VULNERABILITY_FIELDS
from resilience.households.schemas import HouseholdCreateSchema
from resilience.needs import operations as needs
from resilience.needs.models import CATEGORIES
from resilience.needs.schemas import NeedCreateSchema
from resilience.sms import operations as sms
from resilience.sms.models import SmsMessage
from resilience.sms.schemas import SimulateSchema
from resilience.volunteers.models import Volunteer
from resilience.volunteers.operations import get_volunteer
from resilience.web import bp, nav_item
from resilience.web.forms import FormErrors, blank_to_none, integers, load, number
from resilience.web.i18n import translate
from resilience.web.session import write_required

TEXT_FIELDS = ("head_name", "phone", "nik", "kk_number", "address", "landmark")
COUNT_FIELDS = ("members", *VULNERABILITY_FIELDS)


def _household_input(form) -> tuple[dict, dict, list[dict]]:
    errors: list[dict] = []
    data = blank_to_none(form, TEXT_FIELDS)
    data.setdefault("head_name", "")
    data.update(integers(form, COUNT_FIELDS, errors))
    lat, lon = number(form, "lat", errors), number(form, "lon", errors)
    if lat is not None and lon is not None:
        data["location"] = {"lat": lat, "lon": lon}
    need = {"category": form.get("category", ""), **blank_to_none(form, ("notes",))}
    return data, need, errors


def _validated(form) -> tuple[dict, dict]:
    """Every problem at once: unparsable inputs, then the API's own schema checks."""
    data, need, errors = _household_input(form)
    for schema, values in ((HouseholdCreateSchema(), data), (NeedCreateSchema(), {"household_id": 0, **need})):
        try:
            load(schema, values)
        except FormErrors as exc:
            errors.extend(e for e in exc.errors if e["field"] != "location" or "location" in values)
    if errors:
        raise FormErrors(errors)
    # household_id is filled in once the household exists.
    return load(HouseholdCreateSchema(), data), load(NeedCreateSchema(), {"household_id": 0, **need})


@bp.route("/events/<int:event_id>/households/new", methods=["GET", "POST"])
@write_required
def household_new(event_id: int):
    event = get_event(db.session, event_id)
    context = {"event": event, "categories": CATEGORIES, "vulnerability": VULNERABILITY_FIELDS}
    if request.method == "GET":
        return render_template("household_new.html", form={}, errors=[], **context)
    try:
        data, need_data = _validated(request.form)
        household = households.create_household(db.session, data)
        need_data["household_id"] = household.id
        needs.create_need(db.session, event, need_data)
    except FormErrors as exc:
        db.session.rollback()
        return render_template("household_new.html", form=request.form, errors=exc.errors, **context), 422
    except DomainError as exc:
        db.session.rollback()
        return render_template("household_new.html", form=request.form,
                               errors=FormErrors.from_domain(exc).errors, **context), exc.status
    db.session.commit()
    flash(translate("household_created", name=household.head_name), "info")
    return redirect(url_for("web.dashboard", event_id=event.id))


nav_item("web.volunteers", "volunteers", "write")


@bp.get("/volunteers")
@write_required
def volunteers():
    rows = db.session.scalars(
        select(Volunteer).options(joinedload(Volunteer.group)).order_by(Volunteer.name, Volunteer.id)
    ).all()
    return render_template("volunteers.html", volunteers=rows)


def _conversation(volunteer: Volunteer) -> list[SmsMessage]:
    return db.session.scalars(
        select(SmsMessage).where((SmsMessage.volunteer_id == volunteer.id) | (SmsMessage.phone == volunteer.phone))
        .order_by(SmsMessage.id)
    ).all()


@bp.get("/volunteers/<int:volunteer_id>/sms")
@write_required
def volunteer_sms(volunteer_id: int):
    volunteer = get_volunteer(db.session, volunteer_id)
    tasks = db.session.scalars(select(Task).where(Task.volunteer_id == volunteer.id).order_by(Task.id.desc())).all()
    outbox = current_app.config["SETTINGS"].sms_backend == "outbox"
    return render_template("sms.html", volunteer=volunteer, messages=_conversation(volunteer), tasks=tasks,
                           outbox=outbox)


@bp.post("/volunteers/<int:volunteer_id>/sms")
@write_required
def volunteer_sms_simulate(volunteer_id: int):
    volunteer = get_volunteer(db.session, volunteer_id)
    data = load(SimulateSchema(), {"from": volunteer.phone, "body": request.form.get("body", "")}) \
        if (request.form.get("body") or "").strip() else None
    if data is None:
        flash(translate("fix_errors") + " " + translate("reply"), "error")
    else:
        result = sms.simulate_reply(db.session, data["from_"], data["body"])
        flash(translate("simulated", phone=volunteer.phone, replies=len(result["replies"])), "info")
    return redirect(url_for("web.volunteer_sms", volunteer_id=volunteer.id))
