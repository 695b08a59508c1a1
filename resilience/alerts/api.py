"""What needs a coordinator now: ``GET /alerts`` and ``POST /alerts/{id}/ack``.

Coordinators and admins only, reading too: an alert holds no personal data, but it is a work
list about individual needs, tasks and volunteers, not an aggregate — and officials oversee
through aggregates (SPEC, Auth)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from resilience.accounts.auth import current_user, roles
from resilience.alerts import operations
from resilience.alerts.queries import alert_query
from resilience.alerts.schemas import AlertQuery, AlertSchema
from resilience.core.api import list_schema, paginate
from resilience.extensions import db

blp = Blueprint("alerts", __name__, url_prefix="/alerts",
                description="Alerts: what needs a coordinator now, each with the action that resolves it")


@blp.get("")
@blp.arguments(AlertQuery, location="query", unknown=ma.RAISE)
@blp.response(200, list_schema(AlertSchema, "AlertList"))
@blp.alt_response(403, description="officials do not get the coordinators' work list")
@roles("admin", "coordinator")
def list_alerts(args):
    """Open alerts by default (``state``: open, acknowledged, resolved, all); emergencies first,
    then newest first."""
    query = alert_query(args.get("event"), args.get("kind"), args["state"])
    return paginate(db.session, query, args)


@blp.post("/<int:alert_id>/ack")
@blp.response(200, AlertSchema)
@blp.alt_response(404, description="no such alert")
@blp.alt_response(409, description="already acknowledged or resolved")
@roles("admin", "coordinator")
def acknowledge_alert(alert_id):
    """A coordinator has seen to it: the alert leaves the open list and its SMS stop repeating."""
    user = current_user()
    return operations.acknowledge(db.session, alert_id, f"{user.role}:{user.email}")
