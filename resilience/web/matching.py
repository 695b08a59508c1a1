"""Matching: run a match, review the proposal (table and map), remove or swap single
assignments, confirm."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from geoalchemy2.shape import to_shape

from resilience.core.errors import DomainError, Message, ValidationFailed
from resilience.core.geo import haversine_m
from resilience.dispatch import operations as dispatch
from resilience.dispatch import queries as task_queries
from resilience.dispatch.models import Task
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.matching import operations as matching
from resilience.needs import queries as need_queries
from resilience.needs.models import Need
from resilience.volunteers import queries as volunteer_queries
from resilience.volunteers.models import Volunteer
from resilience.web.blueprint import bp
from resilience.web.i18n import distance, message_text, term
from resilience.web.labels import label
from resilience.web.session import write_required



def reason_text(task: Task, names: dict[int, str]) -> str:
    """The task's matching reason in the page language, from its code and parameters; the
    stored English sentence for tasks that have no code (made before codes existed)."""
    code, p = task.explanation_code, task.explanation_params or {}
    if not code:
        return task.explanation or ""
    if code == "reassigned":
        return gettext("reassigned by the coordinator from task %(task)s (%(distance)s)", task=p.get("from_task", "?"), distance=distance(p.get("distance_m")))
    nearer = {"volunteer": names.get(p.get("nearer_volunteer_id"), f"#{p.get('nearer_volunteer_id')}"),
              "nearer": distance(p.get("nearer_distance_m"))}
    if code == "nearest":
        skill = gettext(" with skill %(skill)s", skill=term(p["skill"], "skill")) if p.get("skill") else ""
        text = gettext("nearest volunteer%(skill)s within %(limit)s (%(distance)s)", skill=skill, limit=distance(p.get("max_distance_m")),
                         distance=distance(p.get("distance_m")))
    elif code == "nearer_needed_for_higher_priority":
        text = label("match_reason_" + code, need=p.get("higher_need_id"), priority=p.get("higher_priority"), **nearer)
    elif code == "nearer_assigned_elsewhere":
        text = label("match_reason_" + code, needs=", ".join(f"#{n}" for n in p.get("other_need_ids", [])), **nearer)
    elif code == "nearer_unavailable":
        text = label("match_reason_" + code, **nearer)
    else:
        return task.explanation or code
    return gettext("re-offered") + ": " + text if p.get("reoffered") else text


def reason_texts(tasks: list[Task]) -> dict[int, str]:
    wanted = {(t.explanation_params or {}).get("nearer_volunteer_id") for t in tasks} - {None}
    names = volunteer_queries.names(db.session, wanted)
    return {t.id: reason_text(t, names) for t in tasks}


def _proposed(event_id: int) -> list[Task]:
    return task_queries.proposed_tasks(db.session, event_id)


def _unserved(event_id: int, proposed: list[Task]) -> list[Need]:
    taken = {t.need_id for t in proposed}
    return [n for n in need_queries.open_needs_by_priority(db.session, event_id) if n.id not in taken]


def _lat_lon(geometry) -> list[float] | None:
    if geometry is None:
        return None
    point = to_shape(geometry)
    return [round(point.y, 6), round(point.x, 6)]


SWAP_CHOICES = 12  # nearest suitable volunteers offered per row (the API can reassign to anyone)


def _swap_choices(tasks: list[Task], volunteers: list[Volunteer]) -> dict[int, list[tuple[Volunteer, float]]]:
    """For each proposed task, the nearest other volunteers who have the skill its need
    requires, nearest first. A full list per row would make the page megabytes long."""
    places = [(v, _lat_lon(v.location)) for v in volunteers]
    choices = {}
    for t in tasks:
        at = _lat_lon(t.need.household.location)
        skill = t.need.required_skill
        fits = [(v, haversine_m(at[0], at[1], p[0], p[1])) for v, p in places
                if p is not None and v.id != t.volunteer_id and (not skill or skill in (v.skills or []))]
        fits.sort(key=lambda pair: (pair[1], pair[0].id))
        choices[t.id] = fits[:SWAP_CHOICES]
    return choices


def _map_data(tasks: list[Task], unserved: list[Need]) -> dict:
    """What the proposal map draws: one line per proposed task (household → volunteer) and the
    open needs left unserved. The page already shows these names to its (coordinator) reader."""
    return {
        "lines": [
            {"id": t.id, "code": t.code, "priority": t.need.priority,
             "need": _lat_lon(t.need.household.location), "volunteer": _lat_lon(t.volunteer.location),
             "label": f"{t.code} · {term(t.need.category, 'category')} · P{t.need.priority} → {t.volunteer.name} "
                      f"({distance(t.distance_m)})"}
            for t in tasks
        ],
        "unserved": [
            {"priority": n.priority, "at": _lat_lon(n.household.location),
             "label": f"{term(n.category, 'category')} · P{n.priority}"}
            for n in unserved
        ],
    }


@bp.get("/events/<int:event_id>/match")
@write_required
def match_page(event_id: int):
    event = get_event(db.session, event_id)
    proposed = _proposed(event.id)
    unserved = _unserved(event.id, proposed)
    volunteers = volunteer_queries.reachable_available(db.session)
    return render_template("match.html", event=event, tasks=proposed, unserved=unserved,
                           swap_choices=_swap_choices(proposed, volunteers), reasons=reason_texts(proposed),
                           map_data=_map_data(proposed, unserved),
                           sms=task_queries.sms_progress(db.session, event.id))


@bp.get("/events/<int:event_id>/sms-progress.json")
@write_required
def match_sms_progress(event_id: int):
    """The event's task SMS by status, polled by the match page while some are still going out."""
    event = get_event(db.session, event_id)
    return jsonify(task_queries.sms_progress(db.session, event.id))


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
        raise ValidationFailed.field("max_distance_km", Message("Not a valid number.")) from None
    proposal = matching.propose(db.session, event, max_distance_m)
    flash(gettext("Proposal: %(served)s of %(needs)s needs, %(volunteers)s volunteers available.", **{k: proposal.summary[k] for k in ("served", "needs", "volunteers")}), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/dispatch")
@write_required
def match_confirm(event_id: int):
    event = get_event(db.session, event_id)
    chosen = request.form.getlist("task_id")
    task_ids = [int(t) for t in chosen if t.isdigit()] or None
    result = dispatch.confirm(db.session, event, task_ids)
    flash(gettext("%(offered)s tasks offered by SMS; %(skipped)s skipped.", offered=len(result.offered), skipped=len(result.skipped)), "info")
    for skipped in result.skipped:
        # dispatch gives its reasons as English text for now; a page shows them once they carry
        # message ids (core.errors.Message), never in English
        reason = skipped["reason"]
        text = message_text(reason) if isinstance(reason, Message) else gettext("not offered")
        flash(gettext("T%(task)s: %(reason)s", task=skipped["task_id"], reason=text), "warning")
    return _back(event_id)


def _event_task(event_id: int, task_id: int) -> Task:
    task = dispatch.get_task(db.session, task_id)
    if task.event_id != event_id:
        raise ValidationFailed.field("task_id", Message("task %(code)s is not in this event", code=task.code))
    return task


@bp.post("/events/<int:event_id>/tasks/<int:task_id>/remove")
@write_required
def match_remove(event_id: int, task_id: int):
    task = _event_task(event_id, task_id)
    dispatch.cancel(db.session, task)
    flash(gettext("Task %(code)s removed from the proposal.", code=task.code), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/tasks/<int:task_id>/swap")
@write_required
def match_swap(event_id: int, task_id: int):
    task = _event_task(event_id, task_id)
    raw = request.form.get("volunteer_id") or ""
    if not raw.isdigit():
        raise ValidationFailed.field("volunteer_id", Message("choose a volunteer"))
    try:
        dispatch.reassign(db.session, task, int(raw))
    except DomainError as exc:
        db.session.rollback()  # a redirect is a 3xx, which commits: undo the refused change
        flash(message_text(exc.detail), "error")
        return _back(event_id)
    return _back(event_id)
