from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.events import operations
from resilience.events.queries import event_query
from resilience.events.schemas import EventCreateSchema, EventPatchSchema, EventQuery, EventSchema
from resilience.extensions import db

blp = Blueprint("events", __name__, url_prefix="/events", description="Flood events")


@blp.post("")
@blp.arguments(EventCreateSchema)
@blp.response(201, EventSchema)
def create_event(data):
    event = operations.create_event(db.session, data)
    return event


@blp.get("")
@blp.arguments(EventQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(EventSchema, "EventList"))
def list_events(page, status=None):
    return paginate(db.session, event_query(status), page)


@blp.get("/<int:event_id>")
@blp.response(200, EventSchema)
def get_event(event_id):
    return operations.get_event(db.session, event_id)


@blp.patch("/<int:event_id>")
@blp.arguments(EventPatchSchema)
@blp.response(200, EventSchema)
def patch_event(data, event_id):
    event = operations.get_event(db.session, event_id)
    operations.update_event(db.session, event, data)
    return event
