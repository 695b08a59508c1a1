from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.stock import distributions, operations
from resilience.stock.profiles import current_profiles
from resilience.stock.schemas import (
    BalanceSchema,
    DepotCreateSchema,
    DepotQuery,
    DepotSchema,
    DistributionQuery,
    HouseholdWithoutAidSchema,
    ItemCreateSchema,
    ItemQuery,
    ItemSchema,
    LedgerCheckSchema,
    MovementCreateSchema,
    MovementQuery,
    MovementSchema,
    NeedsEstimateQuery,
    NeedsEstimateSchema,
    RecordedSchema,
    WithoutAidQuery,
)

blp = Blueprint("stock", __name__, url_prefix="", description="Aid stock: depots, items, the ledger, distributions")


# --- depots --------------------------------------------------------------------------------
@blp.post("/depots")
@blp.arguments(DepotCreateSchema)
@blp.response(201, DepotSchema)
def create_depot(data):
    depot = operations.create_depot(db.session, data)
    return depot


@blp.get("/depots")
@blp.arguments(DepotQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(DepotSchema, "DepotList"))
def list_depots(page, **filters):
    return paginate(db.session, operations.depot_query(db.session, **filters), page)


@blp.get("/depots/<int:depot_id>")
@blp.response(200, DepotSchema)
def get_depot(depot_id):
    return operations.get_depot(db.session, depot_id)


@blp.get("/depots/<int:depot_id>/stock")
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(BalanceSchema, "BalanceList"))
def depot_stock(page, depot_id):
    depot = operations.get_depot(db.session, depot_id)
    return paginate(db.session, operations.balance_query(depot), page)


# --- items ---------------------------------------------------------------------------------
@blp.post("/items")
@blp.arguments(ItemCreateSchema)
@blp.response(201, ItemSchema)
def create_item(data):
    item = operations.create_item(db.session, data)
    return item


@blp.get("/items")
@blp.arguments(ItemQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(ItemSchema, "ItemList"))
def list_items(page, **filters):
    return paginate(db.session, operations.item_query(db.session, **filters), page)


@blp.get("/items/<int:item_id>")
@blp.response(200, ItemSchema)
def get_item(item_id):
    return operations.get_item(db.session, item_id)


# --- the ledger ----------------------------------------------------------------------------
@blp.post("/stock/movements")
@blp.arguments(MovementCreateSchema)
@blp.response(201, RecordedSchema)
@blp.doc(description="Record a receipt, an issue (to a household, a task, or a recipient named in "
         "`reason`), a transfer (two movements in one transaction) or an adjustment. Taking out more "
         "than the depot holds is a 409 with `balance`. Movements are never changed or deleted: "
         "correct with a new movement.")
def record_movement(data):
    recorded = operations.record_movement(db.session, data)
    return recorded


@blp.get("/stock/movements")
@blp.arguments(MovementQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(MovementSchema, "MovementList"))
def list_movements(page, **filters):
    return paginate(db.session, operations.movement_query(db.session, **filters), page)


@blp.get("/stock/movements/<int:movement_id>")
@blp.response(200, MovementSchema)
def get_movement(movement_id):
    return operations.get_movement(db.session, movement_id)


@blp.get("/stock/check")
@blp.response(200, LedgerCheckSchema)
@blp.doc(description="Proves every balance equals the sum of its movements and every transfer is one "
         "matching pair.")
def check_ledger():
    return operations.check_ledger(db.session)


# --- events: distributions, households without aid, needs ---------------------------------
@blp.get("/events/<int:event_id>/distributions")
@blp.arguments(DistributionQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(MovementSchema, "DistributionList"))
def list_distributions(page, event_id, **filters):
    event = get_event(db.session, event_id)
    return paginate(db.session, distributions.distribution_query(event, **filters), page)


@blp.get("/events/<int:event_id>/households-without-aid")
@blp.arguments(WithoutAidQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(HouseholdWithoutAidSchema, "HouseholdWithoutAidList"))
def households_without_aid(page, event_id, category=None):
    event = get_event(db.session, event_id)
    return paginate(db.session, distributions.without_aid_query(event, category), page)


@blp.get("/events/<int:event_id>/needs-estimate")
@blp.arguments(NeedsEstimateQuery, location="query", as_kwargs=True)
@blp.response(200, NeedsEstimateSchema)
@blp.doc(description="Minimum needs (BNPB, Sphere) of the people with a live need in the event for "
         "`days`, against the stock of the depots serving the event: needed, available, shortfall.")
def needs_estimate(event_id, days, profile=None):
    event = get_event(db.session, event_id)
    return distributions.needs_estimate(db.session, event, current_profiles(), days, profile)
