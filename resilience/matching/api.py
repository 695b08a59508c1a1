from flask_smorest import Blueprint

from resilience.dispatch import operations as dispatch
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.matching import operations
from resilience.matching.schemas import (
    DispatchRequestSchema,
    DispatchResultSchema,
    MatchRequestSchema,
    ProposalSchema,
)

blp = Blueprint("matching", __name__, url_prefix="", description="Matching volunteers to needs, and dispatch")


@blp.post("/events/<int:event_id>/match")
@blp.arguments(MatchRequestSchema, required=False)
@blp.response(200, ProposalSchema)
def match(data, event_id):
    """Propose tasks for the event's open needs (exact optimum); nothing is sent."""
    event = get_event(db.session, event_id)
    proposal = operations.propose(db.session, event, (data or {}).get("max_distance_m"))
    return proposal


@blp.post("/events/<int:event_id>/dispatch")
@blp.arguments(DispatchRequestSchema, required=False)
@blp.response(200, DispatchResultSchema)
def dispatch_tasks(data, event_id):
    """Confirm proposed tasks (all, or task_ids): they become offers to the volunteers."""
    event = get_event(db.session, event_id)
    result = dispatch.confirm(db.session, event, (data or {}).get("task_ids"))
    return result
