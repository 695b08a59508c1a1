"""The volunteer roster and groups: list with filters, add and edit forms, a quick availability
switch, and each volunteer's SMS conversation with the phone simulator (outbox mode).

The SMS opt-out flag is shown but not editable here: the SPEC gives it to the volunteer, who
sends BERHENTI/STOP or MULAI, so a coordinator cannot message someone who said stop.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.core.errors import DomainError, Message
from resilience.core.schemas import point_dict
from resilience.dispatch import queries as task_queries
from resilience.extensions import db
from resilience.sms.inbox import simulate_reply
from resilience.sms.schemas import SimulateSchema
from resilience.volunteers import operations as volunteer_ops
from resilience.volunteers import queries as volunteer_queries
from resilience.sms.reasons import channel_reason
from resilience.volunteers.models import AVAILABILITY, CHANNELS, GROUP_KINDS, SKILLS, Volunteer, VolunteerGroup
from resilience.volunteers.schemas import (
    GroupCreateSchema, GroupPatchSchema, VolunteerCreateSchema, VolunteerPatchSchema,
)
from resilience.web.blueprint import bp, nav_item
from resilience.web.forms import FormErrors, load
from resilience.web.i18n import message_text
from resilience.web.labels import label
from resilience.web.people import Page, changed_fields, failure, integer_input, page_number, point_input
from resilience.web.session import write_required
from resilience.web.query import Query, accepts

ROSTER_PER_PAGE = 100


nav_item("web.volunteers", "volunteers", "write")
nav_item("web.groups", "grp_groups", "write")


def _groups() -> list[VolunteerGroup]:
    return volunteer_queries.groups(db.session)


# --------------------------------------------------------------------------- the roster
def _roster_filters() -> dict:
    """The roster's filters; a value the page cannot read is a 422 naming it."""
    q = Query()
    f = {"group": q.integer("group"), "skill": q.choice("skill", SKILLS),
         "availability": q.choice("availability", AVAILABILITY), "q": q.text("q") or None}
    q.done()
    return f


@bp.get("/volunteers")
@write_required
@accepts("group", "skill", "availability", "q", "page")
def volunteers():
    f = _roster_filters()
    rows, total, page = volunteer_queries.roster_page(db.session, f, page_number(), ROSTER_PER_PAGE)
    result = Page(items=rows, total=total, page=page, per_page=ROSTER_PER_PAGE)
    return render_template("volunteers.html", result=result, volunteers=rows, f=f, groups=_groups(),
                           skills=SKILLS, availability=AVAILABILITY)


def _back_to_roster():
    target = request.form.get("next") or ""
    if not target.startswith("/volunteers") or target.startswith("//"):
        target = url_for("web.volunteers")
    return redirect(target)


@bp.post("/volunteers/<int:volunteer_id>/availability")
@write_required
def volunteer_availability(volunteer_id: int):
    volunteer = volunteer_ops.get_volunteer(db.session, volunteer_id)
    try:
        data = load(VolunteerPatchSchema(only=("availability",)), {"availability": request.form.get("availability", "")})
        volunteer_ops.update_volunteer(db.session, volunteer, data)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # a redirect is a 3xx, which commits: undo the refused change
        errors, _status = failure(exc)
        flash(gettext("Please check these fields:") + " " + "; ".join(e["message"] for e in errors), "error")
        return _back_to_roster()
    flash(gettext("%(name)s is now %(availability)s.", name=volunteer.name,
                    availability=label("avail_" + volunteer.availability)), "info")
    return _back_to_roster()


# --------------------------------------------------------------------------- add and edit
def _volunteer_input(form) -> tuple[dict, list[dict]]:
    errors: list[dict] = []
    data: dict = {"name": (form.get("name") or "").strip(), "phone": (form.get("phone") or "").strip(),
                  "skills": [s for s in form.getlist("skills")],
                  "trainings": [t.strip() for t in (form.get("trainings") or "").splitlines() if t.strip()],
                  "availability": form.get("availability") or "",
                  "preferred_channel": form.get("preferred_channel") or "sms"}
    group = (form.get("group_id") or "").strip()
    data["group_id"] = int(group) if group.isdigit() else None
    capacity = integer_input(form, "capacity", errors)
    if capacity is not None:
        data["capacity"] = capacity
    elif not (form.get("capacity") or "").strip():
        errors.append({"field": "capacity", "message": Message("Missing data for required field.")})
    location = point_input(form, errors, "location", required=True)
    if location is not None:
        data["location"] = location
    return data, errors


def _form_values(volunteer: Volunteer | None) -> dict:
    if volunteer is None:
        return {"availability": "available", "capacity": "1", "skills": [], "preferred_channel": "sms"}
    point = point_dict(volunteer.location) or {}
    return {"name": volunteer.name, "phone": volunteer.phone, "group_id": str(volunteer.group_id or ""),
            "skills": list(volunteer.skills or []), "trainings": "\n".join(volunteer.trainings or []),
            "availability": volunteer.availability, "capacity": str(volunteer.capacity),
            "preferred_channel": volunteer.preferred_channel,
            "lat": str(point.get("lat", "")), "lon": str(point.get("lon", ""))}


def _posted_values(form) -> dict:
    values = form.to_dict()
    values["skills"] = form.getlist("skills")
    return values


def _render_form(volunteer, form, errors, status=200):
    return render_template("volunteer_form.html", volunteer=volunteer, form=form, errors=errors, groups=_groups(),
                           skills=SKILLS, availability=AVAILABILITY, channels=CHANNELS,
                           whatsapp=bool(current_app.config["SETTINGS"].whatsapp_from)), status


@bp.route("/volunteers/new", methods=["GET", "POST"])
@write_required
def volunteer_new():
    if request.method == "GET":
        return _render_form(None, _form_values(None), [])
    data, errors = _volunteer_input(request.form)
    try:
        try:
            loaded = load(VolunteerCreateSchema(), data)
        except FormErrors as exc:
            raise FormErrors(errors + exc.errors) from exc
        if errors:
            raise FormErrors(errors)
        volunteer = volunteer_ops.create_volunteer(db.session, loaded)
    except (FormErrors, DomainError) as exc:
        errors, status = failure(exc)
        return _render_form(None, _posted_values(request.form), errors, status)
    flash(gettext("Volunteer %(name)s added.", name=volunteer.name), "info")
    return redirect(url_for("web.volunteers"))


@bp.route("/volunteers/<int:volunteer_id>/edit", methods=["GET", "POST"])
@write_required
def volunteer_edit(volunteer_id: int):
    volunteer = volunteer_ops.get_volunteer(db.session, volunteer_id)
    if request.method == "GET":
        return _render_form(volunteer, _form_values(volunteer), [])
    data, errors = _volunteer_input(request.form)
    try:
        try:
            loaded = load(VolunteerPatchSchema(), data)
        except FormErrors as exc:
            raise FormErrors(errors + exc.errors) from exc
        if errors:
            raise FormErrors(errors)
        changed = changed_fields(volunteer, loaded, points=("location",), unordered=("skills",))
        if changed:
            volunteer_ops.update_volunteer(db.session, volunteer, changed)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # the page re-reads what the refused change touched
        errors, status = failure(exc)
        return _render_form(volunteer_ops.get_volunteer(db.session, volunteer_id), _posted_values(request.form),
                            errors, status)
    flash(gettext("Changes to %(name)s saved.", name=volunteer.name) if changed else gettext("Nothing changed."), "info")
    return redirect(url_for("web.volunteers"))


# --------------------------------------------------------------------------- groups
def _group_page(form, errors, status=200):
    counts = volunteer_queries.member_counts(db.session)
    rows = [{"group": g, "point": point_dict(g.base_location), "members": counts.get(g.id, 0)} for g in _groups()]
    return render_template("groups.html", groups=rows, form=form, errors=errors, kinds=GROUP_KINDS), status


@bp.get("/groups")
@write_required
def groups():
    return _group_page({"kind": "community"}, [])


def _group_input(form) -> tuple[dict, list[dict]]:
    errors: list[dict] = []
    data: dict = {"name": (form.get("name") or "").strip(), "kind": form.get("kind") or "",
                  "leader": (form.get("leader") or "").strip(),
                  "leader_phone": (form.get("leader_phone") or "").strip() or None}
    data["base_location"] = point_input(form, errors, "base_location", required=False)
    return data, errors


def _load_group(schema, data: dict, errors: list[dict]) -> dict:
    try:
        loaded = load(schema, data)
    except FormErrors as exc:
        raise FormErrors(errors + exc.errors) from exc
    if errors:
        raise FormErrors(errors)
    return loaded


@bp.post("/groups")
@write_required
def group_new():
    data, errors = _group_input(request.form)
    if data["base_location"] is None:
        del data["base_location"]
    try:
        group = volunteer_ops.create_group(db.session, _load_group(GroupCreateSchema(), data, errors))
    except (FormErrors, DomainError) as exc:
        errors, status = failure(exc)
        return _group_page(request.form, errors, status)
    flash(gettext("Group %(name)s added.", name=group.name), "info")
    return redirect(url_for("web.groups"))


def _group_values(group: VolunteerGroup) -> dict:
    point = point_dict(group.base_location) or {}
    return {"name": group.name, "kind": group.kind, "leader": group.leader or "",
            "leader_phone": group.leader_phone or "",
            "lat": str(point.get("lat", "")), "lon": str(point.get("lon", ""))}


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@write_required
def group_edit(group_id: int):
    group = volunteer_ops.get_group(db.session, group_id)
    if request.method == "GET":
        return render_template("group_form.html", group=group, form=_group_values(group), errors=[],
                               kinds=GROUP_KINDS)
    data, errors = _group_input(request.form)
    try:
        loaded = _load_group(GroupPatchSchema(), data, errors)
        changed = changed_fields(group, loaded, points=("base_location",))
        if changed:
            volunteer_ops.update_group(db.session, group, changed)
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # the page re-reads what the refused change touched
        errors, status = failure(exc)
        return render_template("group_form.html", group=volunteer_ops.get_group(db.session, group_id),
                               form=request.form, errors=errors, kinds=GROUP_KINDS), status
    flash(gettext("Changes to group %(name)s saved.", name=group.name) if changed else gettext("Nothing changed."), "info")
    return redirect(url_for("web.groups"))


# --------------------------------------------------------------------------- SMS conversation
@bp.get("/volunteers/<int:volunteer_id>/sms")
@write_required
def volunteer_sms(volunteer_id: int):
    volunteer = volunteer_ops.get_volunteer(db.session, volunteer_id)
    tasks = task_queries.volunteer_tasks(db.session, volunteer.id)
    outbox = current_app.config["SETTINGS"].sms_backend == "outbox"
    messages = volunteer_queries.conversation(db.session, volunteer)
    return render_template("sms.html", volunteer=volunteer, messages=messages, tasks=tasks, outbox=outbox,
                           switches={m.id: message_text(channel_reason(m.channel_reason))
                                     for m in messages if m.channel_reason})


@bp.post("/volunteers/<int:volunteer_id>/sms")
@write_required
def volunteer_sms_simulate(volunteer_id: int):
    volunteer = volunteer_ops.get_volunteer(db.session, volunteer_id)
    data = load(SimulateSchema(), {"from": volunteer.phone, "body": request.form.get("body", "")}) \
        if (request.form.get("body") or "").strip() else None
    if data is None:
        flash(gettext("Please check these fields:") + " " + gettext("Reply"), "error")
    else:
        result = simulate_reply(db.session, data["from_"], data["body"])
        flash(gettext("SMS from %(phone)s received; %(replies)s replies sent.", phone=volunteer.phone, replies=len(result["replies"])), "info")
    return redirect(url_for("web.volunteer_sms", volunteer_id=volunteer.id))
