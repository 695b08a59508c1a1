"""The response log (audit) as a web page for every role: filter by event, entity, actor, action
and time range, page through it, open an entry, verify the chain, download the export.

Officials get each entry as ``audit.sealing`` shows it to them (personal values sealed, or
withheld on entries from before seals); admins and coordinators also see the sealed values in
clear. Times are typed and shown in the deployment's zone (TIMEZONE).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Response, abort, g, render_template, request, stream_with_context
from flask_babel import gettext
from resilience.audit import queries
from resilience.audit.export import export_lines
from resilience.audit.models import AuditEntry
from resilience.audit.sealing import REDACTED, is_seal, personal_fields, view
from resilience.audit.verification import remember, verify
from resilience.events.queries import events_active_first
from resilience.extensions import db
from resilience.web.blueprint import bp, nav_item
from resilience.web.i18n import local_zone
from resilience.web.session import login_required
from resilience.web.query import Query, accepts

PER_PAGE = 50
FILTERS = ("event", "entity_type", "entity_id", "actor", "action", "since", "until", "page")

nav_item("web.audit_log", "audit_menu")


def _time(text: str) -> datetime:
    """A time from the form (``2026-03-10T14:00``, local) or ISO 8601 with an offset."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(timezone.utc)


def _filters() -> tuple[dict, dict[str, str]]:
    """The query's filters, and an error message per bad one (an unknown parameter included)."""
    args, errors = {}, {}
    for name in request.args:
        if name not in FILTERS:
            errors[name] = gettext("Unknown parameter.")
    for name in ("event", "entity_id", "page"):
        value = request.args.get(name, "").strip()
        if value:
            if value.isdigit() and 0 < int(value) < 2**31:
                args[name] = int(value)
            else:
                errors[name] = gettext("Must be a whole number.")
    for name in ("entity_type", "actor", "action"):
        value = request.args.get(name, "").strip()
        if value:
            args[name] = value[:254]
    for name in ("since", "until"):
        value = request.args.get(name, "").strip()
        if value:
            try:
                args[name] = _time(value)
            except ValueError:
                errors[name] = gettext("Must be a date and time, e.g. 2026-03-10T14:00.")
    if "since" in args and "until" in args and args["until"] <= args["since"]:
        errors["until"] = gettext("Must be later than the start.")
    return args, errors


def _shown(entry: AuditEntry) -> dict:
    line = view(entry, g.web_user.sees_personal_data)
    line["local_time"] = entry.created_at
    line["payload_text"] = json.dumps(_preview(line["payload"]), ensure_ascii=False, sort_keys=True)
    return line


def _preview(payload):
    """The list's short form of a payload: redacted fields left out, a seal as the word
    "[sealed]" (the entry's own page shows it exactly as hashed)."""
    if not isinstance(payload, dict):
        return payload
    mark = "[" + gettext("sealed") + "]"
    return {key: mark if is_seal(value) else value for key, value in payload.items() if value != REDACTED}


@bp.get("/audit")
@login_required
@accepts(*FILTERS, checked_by_view=True)
def audit_log():
    args, errors = _filters()
    entries, total, page = [], 0, 1
    if not errors:
        rows, total, page = queries.page_of(db.session, queries.filtered(args, newest_first=True),
                                            args.get("page", 1), PER_PAGE)
        entries = [_shown(entry) for entry in rows]
    head = queries.head(db.session)
    status = 422 if errors else 200
    kept = {k: v for k, v in request.args.items() if k in FILTERS and k != "page"}
    return render_template("audit_log.html", entries=entries, total=total, page=page, per_page=PER_PAGE,
                           errors=errors, form=request.args, kept=kept, head=head,
                           events=events_active_first(db.session), entity_types=sorted(personal_fields())), status


@bp.get("/audit/<int:seq>")
@login_required
def audit_entry(seq: int):
    entry = queries.entry(db.session, seq)
    if entry is None:
        abort(404)
    line = view(entry, g.web_user.sees_personal_data)
    return render_template("audit_entry.html", entry=line, local=entry.created_at, event_id=entry.event_id,
                           text=json.dumps(line, ensure_ascii=False, sort_keys=True, indent=2))


@bp.get("/audit/verify")
@login_required
@accepts("full")
def audit_verify():
    q = Query()
    full = q.flag("full")
    q.done()
    result = verify(db.session, {}, full=full)
    db.session.rollback()
    remember(db.engine, result)
    return render_template("audit_verify.html", result=result.as_dict(), full=full)


@bp.get("/audit/export.jsonl")
@login_required
def audit_export():
    current = queries.head(db.session)
    lines = export_lines(db.session, personal=g.web_user.sees_personal_data)
    response = Response(stream_with_context(lines), mimetype="application/jsonl")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{current[0] if current else 0}.jsonl"'
    return response
