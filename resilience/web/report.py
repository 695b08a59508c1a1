"""The officials' read-only event overview, built on the official report (no personal data),
with the report's downloads (JSON, HXL-tagged CSV, GeoJSON, XLSX, PDF) for a browser session;
XLSX and PDF come in the page's language."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, abort, render_template, request
from flask_babel import gettext
from resilience.events.operations import get_event
from resilience.events.queries import events_active_first
from resilience.extensions import db
from resilience.needs.models import CATEGORIES
from resilience.reports.api import filename, render
from resilience.reports.formats import CSV_TABLES
from resilience.reports.operations import FORMATS, PRIORITIES, build_report
from resilience.web.blueprint import bp, nav_item
from resilience.web.report_figures import first_page
from resilience.web.i18n import current_language, duration, local_time, number
from resilience.web.session import login_required
from resilience.web.query import accepts

WAITING_SHOWN = 100

nav_item("web.report_index", "report_menu")


@bp.get("/reports")
@login_required
def report_index():
    events = events_active_first(db.session)
    return render_template("report_index.html", events=events)


@bp.get("/events/<int:event_id>/report")
@login_required
def report_page(event_id: int):
    event = get_event(db.session, event_id)
    report = build_report(db.session, event)  # detaches the session's objects: read from the dict
    return render_template("report.html", report=report, categories=CATEGORIES, priorities=PRIORITIES,
                           waiting_shown=WAITING_SHOWN, figures=first_page(db.session, report))


@bp.get("/events/<int:event_id>/report.<fmt>")
@login_required
@accepts("table")
def report_download(event_id: int, fmt: str):
    table = request.args.get("table", "kelurahan")
    if fmt not in FORMATS or table not in CSV_TABLES:
        abort(404, description=gettext("Unknown report format: %(fmt)s.", fmt=fmt))
    report = build_report(db.session, get_event(db.session, event_id))
    body, media_type = render(report, fmt, table, db.session, lang=current_language())
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(report, fmt, table)}"'
    return response


@bp.app_template_filter("report_time")
def _report_time(value: str | None) -> str:
    """The report's UTC timestamps (``2026-01-05T07:30:00Z``) in the TIMEZONE setting's zone."""
    if not value:
        return gettext("—")
    return local_time(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc))


@bp.app_template_filter("report_duration")
def _duration(minutes: float | None) -> str:
    """Minutes as a person reads them: "45 mnt", "2 j 05 mnt", "3 hr 4 j"."""
    return duration(minutes)


@bp.app_template_filter("report_number")
def _number(value) -> str:
    if value is None:
        return gettext("—")
    return number(value, 1 if isinstance(value, float) and not value.is_integer() else 0)


