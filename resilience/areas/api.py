from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.areas.models import AdminArea
from resilience.areas.operations import area_by_code
from resilience.areas.schemas import AdminAreaDetailSchema, AdminAreaSchema, AreaQuery
from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.errors import NotFound
from resilience.extensions import db

blp = Blueprint("areas", __name__, url_prefix="/areas", description="Administrative areas (wilayah)")


@blp.get("")
@blp.arguments(AreaQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(AdminAreaSchema, "AdminAreaList"))
def list_areas(page, level=None, parent=None):
    query = select(AdminArea).order_by(AdminArea.code)
    if level:
        query = query.where(AdminArea.level == level)
    if parent:
        query = query.where(AdminArea.parent_id == area_by_code(db.session, parent, "parent").id)
    return paginate(db.session, query, page)


@blp.get("/<code>")
@blp.response(200, AdminAreaDetailSchema)
def get_area(code):
    area = db.session.scalar(select(AdminArea).where(AdminArea.code == code))
    if area is None:
        raise NotFound(f"no area with code {code}")
    return area
