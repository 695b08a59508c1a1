from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.households.models import Household
from resilience.needs import operations
from resilience.needs.models import Need
from resilience.needs.schemas import NeedCreateSchema, NeedPatchSchema, NeedQuery, NeedSchema

blp = Blueprint("needs", __name__, url_prefix="", description="Needs of households in an event")


@blp.post("/events/<int:event_id>/needs")
@blp.arguments(NeedCreateSchema)
@blp.response(201, NeedSchema)
def create_need(data, event_id):
    need = operations.create_need(db.session, get_event(db.session, event_id), data)
    return need


@blp.get("/events/<int:event_id>/needs")
@blp.arguments(NeedQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(NeedSchema, "NeedList"))
def list_needs(page, event_id, **filters):
    event = get_event(db.session, event_id)
    # Each item names its household's kelurahan: loaded with the page in one query (without the
    # household's encrypted fields), not one query and three decryptions per need.
    query = operations.need_query(db.session, event, **filters).options(
        joinedload(Need.household).load_only(Household.id, Household.admin_area_id).joinedload(Household.admin_area))
    return paginate(db.session, query, page)


@blp.get("/needs/<int:need_id>")
@blp.response(200, NeedSchema)
def get_need(need_id):
    return operations.get_need(db.session, need_id)


@blp.patch("/needs/<int:need_id>")
@blp.arguments(NeedPatchSchema)
@blp.response(200, NeedSchema)
def patch_need(data, need_id):
    need = operations.get_need(db.session, need_id)
    operations.update_need(db.session, need, data)
    return need
