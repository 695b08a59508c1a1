"""An event's settings in the web: rename, close or reopen, the offer timeout, the long-wait
alert, the coordinator on duty's phone, the safety check-in intervals and the public page.

Validated by the API's own schema (``events.schemas.EventPatchSchema``) and saved by
``events.operations.update_event``; an error stands beside its field and nothing is stored.
Coordinators and admins only (the duty phone is personal data).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.core.errors import DomainError
from resilience.events import operations as events
from resilience.events.models import FloodEvent
from resilience.events.schemas import EventPatchSchema
from resilience.extensions import db
from resilience.vocabulary import EVENT_STATUSES
from resilience.web.blueprint import bp
from resilience.web.forms import FormErrors, load
from resilience.web.people import changed_fields, failure
from resilience.web.session import write_required

NUMBERS = ("offer_timeout_minutes", "long_wait_minutes", "checkin_after_minutes", "checkin_escalate_minutes")
# The fields this page edits; a field the schema does not know (yet) is left out of the form.
FIELDS = ("name", "status", *NUMBERS, "duty_phone", "public")


def _fields() -> tuple[str, ...]:
    known = EventPatchSchema().fields
    return tuple(f for f in FIELDS if f in known)


def _form_of(event: FloodEvent) -> dict:
    form = {f: getattr(event, f) for f in _fields()}
    form["duty_phone"] = event.duty_phone or ""
    return {k: ("" if v is None else v) for k, v in form.items()}


def _input(form) -> dict:
    data: dict = {}
    for name in _fields():
        if name == "public":
            data[name] = bool(form.get(name))
        elif name == "duty_phone":
            data[name] = (form.get(name) or "").strip() or None
        else:
            data[name] = (form.get(name) or "").strip()
    return data


def _page(event: FloodEvent, form: dict, errors: list[dict], status: int = 200):
    return render_template("event_edit.html", event=event, form=form, errors=errors, fields=_fields(),
                           numbers=[n for n in NUMBERS if n in _fields()], statuses=EVENT_STATUSES), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@write_required
def event_edit(event_id: int):
    event = events.get_event(db.session, event_id)
    if request.method == "GET":
        return _page(event, _form_of(event), [])
    form = {**request.form.to_dict(), "public": bool(request.form.get("public"))}
    try:
        loaded = load(EventPatchSchema(only=_fields()), _input(request.form))
        events.update_event(db.session, event, changed_fields(event, loaded))
    except (FormErrors, DomainError) as exc:
        db.session.rollback()  # nothing of a refused form is stored
        errors, status = failure(exc)
        return _page(events.get_event(db.session, event_id), form, errors, status)
    flash(gettext("Event \"%(name)s\" saved.", name=event.name), "info")
    return redirect(url_for("web.dashboard", event_id=event.id))
