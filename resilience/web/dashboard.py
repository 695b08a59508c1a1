"""Flood events: the list, the new-event form, the dashboard and its map and counters JSON."""

from __future__ import annotations

from datetime import datetime

import gzip
import json
from collections import defaultdict

import orjson
from flask import Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from geoalchemy2.shape import to_shape

from resilience.areas.queries import villages
from resilience.core.errors import DomainError, Message
from resilience.core.geo import area_to_geojson
from resilience.dispatch import queries as task_queries
from resilience.dispatch.models import TASK_STATUSES
from resilience.events import operations as events
from resilience.events import queries as event_queries
from resilience.events.models import FloodEvent
from resilience.events.schemas import EventCreateSchema, EventPatchSchema
from resilience.extensions import db
from resilience.needs import queries as need_queries
from resilience.needs.models import LIVE_NEED_STATUSES
from resilience.reports.figures import MAP_COLOURS, map_class, map_classes
from resilience.volunteers import queries as volunteer_queries
from resilience.web.blueprint import bp, nav_item
from resilience.web.forms import FormErrors, load
from resilience.web.i18n import Translated, local_zone, terms, with_zone
from resilience.web.labels import label
from resilience.web.session import login_required, write_required

# Base-map tiles: app.config (tests, embedding apps) wins over the settings from the environment
# (RESILIENCE_TILE_URL, RESILIENCE_TILE_ATTRIBUTION); unset = no base map, every layer still drawn.
TILE_URL_CONFIG = "WEB_TILE_URL"  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
TILE_ATTRIBUTION_CONFIG = "WEB_TILE_ATTRIBUTION"

nav_item("web.events", "events")


DRAW_MESSAGES = ("close_here", "points_more", "points_close", "need_three", "closed", "cleared", "not_json",
                 "not_polygon")


def tiles() -> dict:
    settings = current_app.config.get("SETTINGS")
    url = current_app.config.get(TILE_URL_CONFIG) or getattr(settings, "tile_url", None) or ""
    attribution = (current_app.config.get(TILE_ATTRIBUTION_CONFIG) or getattr(settings, "tile_attribution", None)
                   or "")
    return {"url": url, "attribution": attribution}


def draw_messages() -> dict:
    # draw.js fills in the number of points itself: it replaces "{n}"
    return {key: label("draw_" + key, n="{n}") for key in DRAW_MESSAGES}


@bp.app_context_processor
def _map_context() -> dict:
    return {"tiles": tiles, "draw_messages": draw_messages}


@bp.get("/")
def index():
    return redirect(url_for("web.events") if g.web_user else url_for("web.login"))


@bp.get("/events", endpoint="events")
@login_required
def events_list():
    rows = event_queries.events(db.session)
    return render_template("events.html", events=rows)


def _not_json(exc: ValueError) -> Message:
    return Message("not JSON: %(error)s (line %(line)s, column %(column)s)", english=f"not JSON: {exc}",
                   error=getattr(exc, "msg", str(exc)), line=getattr(exc, "lineno", 1), column=getattr(exc, "colno", 1))


def _event_input(form) -> dict:
    data: dict = {"name": form.get("name", "")}
    errors: list[dict] = []
    started = (form.get("started_at") or "").strip()
    if started:
        data["started_at"] = started if ("+" in started[10:] or started.endswith("Z")) else with_zone(started)
    else:
        errors.append({"field": "started_at", "message": Message("Missing data for required field.")})
    area = (form.get("affected_area") or "").strip()
    if area:
        try:
            data["affected_area"] = json.loads(area)
        except ValueError as exc:
            errors.append({"field": "affected_area", "message": _not_json(exc)})
    for name in ("offer_timeout_minutes", "long_wait_minutes"):
        value = (form.get(name) or "").strip()
        if value:
            try:
                data[name] = int(value)
            except ValueError:
                errors.append({"field": name, "message": Message("Not a valid integer.")})
    duty_phone = (form.get("duty_phone") or "").strip()
    if duty_phone:
        data["duty_phone"] = duty_phone
    if errors:
        raise FormErrors(errors)
    return data


@bp.route("/events/new", methods=["GET", "POST"])
@write_required
def event_new():
    if request.method == "GET":
        now = datetime.now(local_zone()).strftime("%Y-%m-%dT%H:%M")
        return render_template("event_new.html", form={"started_at": now}, errors=[])
    try:
        data = load(EventCreateSchema(), _event_input(request.form))
        event = events.create_event(db.session, data)
    except FormErrors as exc:
        return render_template("event_new.html", form=request.form, errors=exc.errors), 422
    except DomainError as exc:
        return render_template("event_new.html", form=request.form, errors=FormErrors.from_domain(exc).errors), exc.status
    flash(gettext("Event \"%(name)s\" created.", name=event.name), "info")
    return redirect(url_for("web.dashboard", event_id=event.id))


def _dashboard_page(event: FloodEvent, area_form=None, errors=None, status: int = 200):
    # [value, words] pairs: JSON objects lose their order (tojson sorts keys), lifecycle order matters
    labels = {kind: list(terms(kind).items())
              for kind in ("category", "need_status", "task_status", "availability", "skill")}
    return render_template("dashboard.html", event=event, labels=labels, area_form=area_form or {},
                           errors=errors or []), status


@bp.get("/events/<int:event_id>")
@login_required
def dashboard(event_id: int):
    return _dashboard_page(events.get_event(db.session, event_id))


@bp.post("/events/<int:event_id>/area")
@write_required
def event_area(event_id: int):
    """Replace (or remove) the event's affected area; nothing else about the event changes."""
    event = events.get_event(db.session, event_id)
    text = (request.form.get("affected_area") or "").strip()
    try:
        if request.form.get("clear_area"):
            data = {"affected_area": None}
        elif not text:
            raise FormErrors([{"field": "affected_area", "message": Translated(gettext("Draw or paste the area, or tick remove."))}])
        else:
            try:
                raw = json.loads(text)
            except ValueError as exc:
                raise FormErrors([{"field": "affected_area", "message": _not_json(exc)}]) from None
            data = load(EventPatchSchema(), {"affected_area": raw})
        events.update_event(db.session, event, data)
    except FormErrors as exc:
        return _dashboard_page(events.get_event(db.session, event_id), request.form, exc.errors, 422)
    except DomainError as exc:
        db.session.rollback()  # the page re-reads what the refused change touched
        return _dashboard_page(events.get_event(db.session, event_id), request.form,
                               FormErrors.from_domain(exc).errors, exc.status)
    if event.affected_area is None:
        flash(gettext("Affected area of \"%(name)s\" removed.", name=event.name), "info")
    else:
        flash(gettext("Affected area of \"%(name)s\" saved: %(count)s kelurahan affected.", name=event.name, count=len(event.admin_areas)), "info")
    return redirect(url_for("web.dashboard", event_id=event.id))


def _lat_lon(geometry) -> list[float] | None:
    if geometry is None:
        return None
    point = to_shape(geometry)
    return [round(point.y, 6), round(point.x, 6)]


def _areas(event: FloodEvent | None) -> dict:
    areas = list(event.admin_areas) if event is not None else []
    if not areas:
        areas = villages(db.session)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code, "name": a.name},
         "geometry": area_to_geojson(to_shape(a.boundary))}
        for a in areas if a.boundary is not None
    ]}


# A household's colour follows its least advanced live need: open < assigned < in_progress.
_LIVE_RANK = {status: rank for rank, status in enumerate(LIVE_NEED_STATUSES)}
_DONE = len(LIVE_NEED_STATUSES)


def _households(event: FloodEvent, personal: bool) -> list[dict]:
    """One entry per household with its needs, its highest live priority and its least advanced
    live status, built in one pass over the rows (ordered by household; unpacked by position:
    attribute access and a second pass were a measurable part of the map at 10,000 households)."""
    households: list[dict] = []
    entry: dict = {}
    needs: list[dict] = []
    current, top, rank = None, 0, _DONE
    live_rank = _LIVE_RANK.get
    for row in need_queries.event_map_rows(db.session, event.id, personal):
        need_id, category, priority, status, household_id, lat, lon, kelurahan, members, vulnerable = row[:10]
        if household_id != current:
            if current is not None:
                entry["priority"], entry["status"] = top, (LIVE_NEED_STATUSES[rank] if rank < _DONE else "done")
            current, top, rank, needs = household_id, 0, _DONE, []
            entry = {"id": household_id, "location": None if lat is None else [round(lat, 6), round(lon, 6)],
                     "kelurahan": kelurahan, "members": members, "vulnerable": vulnerable,
                     "priority": 0, "status": "done", "needs": needs}
            if personal:
                entry["head_name"], entry["landmark"] = row[10], row[11]
            households.append(entry)
        needs.append({"id": need_id, "category": category, "priority": priority, "status": status})
        need_rank = live_rank(status)
        if need_rank is not None:
            if priority > top:
                top = priority
            if need_rank < rank:
                rank = need_rank
    if current is not None:
        entry["priority"], entry["status"] = top, (LIVE_NEED_STATUSES[rank] if rank < _DONE else "done")
    return households


def _waiting_by_kelurahan(households: list[dict]) -> list[dict]:
    """Households with a live need, per kelurahan: what an official's map shows instead of
    households' points (no point, no family, no vulnerable count), with the shading class the
    map colours the kelurahan by (the report's classes: 0, then four round steps)."""
    counts: dict[str | None, list[int]] = {}
    for entry in households:
        row = counts.setdefault(entry["kelurahan"], [0, 0])
        row[0] += 1
        row[1] += entry["status"] != "done"
    classes = map_classes(max((waiting for _total, waiting in counts.values()), default=0))
    return [{"kelurahan": name, "households": total, "waiting": waiting, "class": map_class(waiting, classes)}
            for name, (total, waiting) in sorted(counts.items(), key=lambda kv: kv[0] or "")]


def _shading_legend(rows: list[dict]) -> list[dict]:
    from resilience.web.report_figures import legend_label

    classes = map_classes(max((row["waiting"] for row in rows), default=0))
    return [{"class": i, "colour": MAP_COLOURS[i], "text": legend_label(low, high)}
            for i, (low, high) in enumerate(classes)]


def map_data(event: FloodEvent, personal: bool) -> dict:
    if not personal:  # an official: the areas and counts per kelurahan, no person and no point
        by_kelurahan = _waiting_by_kelurahan(_households(event, False))
        return {
            "event": {"id": event.id, "name": event.name, "status": event.status},
            "flood_area": area_to_geojson(to_shape(event.affected_area)) if event.affected_area is not None else None,
            "kelurahan": _areas(event),
            "households": [], "volunteers": [], "tasks": [],
            "by_kelurahan": by_kelurahan,
            "shading": _shading_legend(by_kelurahan),
        }
    volunteers = volunteer_queries.all_volunteers(db.session)
    tasks = task_queries.live_tasks(db.session, event.id)
    return {
        "event": {"id": event.id, "name": event.name, "status": event.status},
        "flood_area": area_to_geojson(to_shape(event.affected_area)) if event.affected_area is not None else None,
        "kelurahan": _areas(event),
        "households": _households(event, personal),
        "volunteers": [
            {"id": v.id, "location": _lat_lon(v.location), "availability": v.availability,
             "sms_opt_out": v.sms_opt_out, "skills": list(v.skills or []),
             **({"name": v.name} if personal else {})}
            for v in volunteers
        ],
        "tasks": [
            {"id": t.id, "code": t.code, "status": t.status, "distance_m": t.distance_m,
             "from": _lat_lon(t.volunteer.location), "to": _lat_lon(t.need.household.location)}
            for t in tasks
        ],
    }


def counters(event: FloodEvent) -> dict:
    open_needs = need_queries.open_counts_by_priority(db.session, event.id)
    tasks = task_queries.task_counts(db.session, event.id)
    served = need_queries.households_served(db.session, event.id)
    from resilience.reports.operations import MINIMUM_NEEDS_DAYS, estimate, shortfall_lines

    try:
        short = shortfall_lines(estimate(db.session, event, MINIMUM_NEEDS_DAYS))
    except DomainError:  # an unreadable minimum-needs file must not stop the other counters
        short = None
    return {
        "open_needs_by_priority": {str(p): open_needs.get(p, 0) for p in range(5, 0, -1)},
        "tasks_by_status": {s: tasks.get(s, 0) for s in TASK_STATUSES},
        "households_served": served or 0,
        # Minimum needs (BNPB, Sphere) for MINIMUM_NEEDS_DAYS against the stock serving the event.
        "stock_shortfall": None if short is None else {"days": MINIMUM_NEEDS_DAYS, "lines": len(short), "items": short},
    }


GZIP_MIN_BYTES = 2048


def _json(data):
    """A JSON response, gzip-compressed when the browser accepts it: map.json of the 600-household
    demo is about 210 KB as text and about a fifth of that compressed, which matters on a posko's
    weak link. Encoded by orjson: at 10,000 households (2.6 MB) the standard library's encoder
    took a third of the map's time in Python (bench/RESULTS.md)."""
    response = Response(orjson.dumps(data, default=current_app.json.default), mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings and response.content_length and response.content_length >= GZIP_MIN_BYTES:
        response.set_data(gzip.compress(response.get_data(), compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
    return response


@bp.get("/areas/kelurahan.json")
@login_required
def kelurahan_json():
    """Every kelurahan boundary: the orientation layer of the new-event map."""
    response = _json(_areas(None))
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/events/<int:event_id>/map.json")
@login_required
def map_json(event_id: int):
    event = events.get_event(db.session, event_id)
    return _json(map_data(event, g.web_user.sees_personal_data))


@bp.get("/events/<int:event_id>/counters.json")
@login_required
def counters_json(event_id: int):
    return jsonify(counters(events.get_event(db.session, event_id)))
