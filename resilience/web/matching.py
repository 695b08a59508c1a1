"""Matching: run a match, review the proposal, remove or swap single assignments, confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from resilience.core.errors import DomainError, ValidationFailed
from resilience.dispatch import operations as dispatch
from resilience.dispatch.models import Task
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.matching import operations as matching
from resilience.needs.models import Need
from resilience.volunteers.models import Volunteer
from resilience.web import bp
from resilience.web.i18n import translate
from resilience.web.session import write_required


def _proposed(event_id: int) -> list[Task]:
    return db.session.scalars(
        select(Task).options(joinedload(Task.need).joinedload(Need.household), joinedload(Task.volunteer))
        .where(Task.event_id == event_id, Task.status == "proposed").order_by(Task.id)
    ).unique().all()


def _unserved(event_id: int, proposed: list[Task]) -> list[Need]:
    taken = {t.need_id for t in proposed}
    needs = db.session.scalars(
        select(Need).options(joinedload(Need.household))
        .where(Need.event_id == event_id, Need.status == "open").order_by(Need.priority.desc(), Need.id)
    ).unique().all()
    return [n for n in needs if n.id not in taken]


@bp.get("/events/<int:event_id>/match")
@write_required
def match_page(event_id: int):
    event = get_event(db.session, event_id)
    proposed = _proposed(event.id)
    volunteers = db.session.scalars(
        select(Volunteer).where(Volunteer.availability == "available", Volunteer.sms_opt_out.is_(False))
        .order_by(Volunteer.name, Volunteer.id)
    ).all()
    return render_template("match.html", event=event, tasks=proposed, unserved=_unserved(event.id, proposed),
                           volunteers=volunteers)


def _back(event_id: int):
    return redirect(url_for("web.match_page", event_id=event_id))


@bp.post("/events/<int:event_id>/match")
@write_required
def match_run(event_id: int):
    event = get_event(db.session, event_id)
    raw = (request.form.get("max_distance_km") or "").strip().replace(",", ".")
    try:
        max_distance_m = float(raw) * 1000 if raw else None
    except ValueError:
        raise ValidationFailed.field("max_distance_km", "Not a valid number.") from None
    proposal = matching.propose(db.session, event, max_distance_m)
    db.session.commit()
    flash(translate("match_done", **{k: proposal.summary[k] for k in ("served", "needs", "volunteers")}), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/dispatch")
@write_required
def match_confirm(event_id: int):
    event = get_event(db.session, event_id)
    chosen = request.form.getlist("task_id")
    task_ids = [int(t) for t in chosen if t.isdigit()] or None
    result = dispatch.confirm(db.session, event, task_ids)
    db.session.commit()
    flash(translate("dispatched", offered=len(result.offered), skipped=len(result.skipped)), "info")
    for skipped in result.skipped:
        flash(f"T{skipped['task_id']}: {skipped['reason']}", "warning")
    return _back(event_id)


def _event_task(event_id: int, task_id: int) -> Task:
    task = dispatch.get_task(db.session, task_id)
    if task.event_id != event_id:
        raise ValidationFailed.field("task_id", f"task {task.code} is not in this event")
    return task


@bp.post("/events/<int:event_id>/tasks/<int:task_id>/remove")
@write_required
def match_remove(event_id: int, task_id: int):
    task = _event_task(event_id, task_id)
    dispatch.cancel(db.session, task)
    db.session.commit()
    flash(translate("task_removed", code=task.code), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/tasks/<int:task_id>/swap")
@write_required
def match_swap(event_id: int, task_id: int):
    task = _event_task(event_id, task_id)
    raw = request.form.get("volunteer_id") or ""
    if not raw.isdigit():
        raise ValidationFailed.field("volunteer_id", "choose a volunteer")
    try:
        dispatch.reassign(db.session, task, int(raw))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return _back(event_id)
    db.session.commit()
    return _back(event_id)
