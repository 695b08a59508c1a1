from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.extensions import db
from resilience.volunteers import operations
from resilience.volunteers.models import VolunteerGroup
from resilience.volunteers.schemas import (
    GroupCreateSchema,
    GroupPatchSchema,
    GroupSchema,
    VolunteerCreateSchema,
    VolunteerPatchSchema,
    VolunteerQuery,
    VolunteerSchema,
)

blp = Blueprint("volunteers", __name__, url_prefix="", description="Volunteer groups and roster")


@blp.post("/groups")
@blp.arguments(GroupCreateSchema)
@blp.response(201, GroupSchema)
def create_group(data):
    group = operations.create_group(db.session, data)
    return group


@blp.get("/groups")
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(GroupSchema, "GroupList"))
def list_groups(page):
    return paginate(db.session, select(VolunteerGroup).order_by(VolunteerGroup.name), page)


@blp.get("/groups/<int:group_id>")
@blp.response(200, GroupSchema)
def get_group(group_id):
    return operations.get_group(db.session, group_id)


@blp.patch("/groups/<int:group_id>")
@blp.arguments(GroupPatchSchema)
@blp.response(200, GroupSchema)
def patch_group(data, group_id):
    group = operations.get_group(db.session, group_id)
    operations.update_group(db.session, group, data)
    return group


@blp.post("/volunteers")
@blp.arguments(VolunteerCreateSchema)
@blp.response(201, VolunteerSchema)
def create_volunteer(data):
    volunteer = operations.create_volunteer(db.session, data)
    return volunteer


@blp.get("/volunteers")
@blp.arguments(VolunteerQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(VolunteerSchema, "VolunteerList"))
def list_volunteers(page, **filters):
    return paginate(db.session, operations.volunteer_query(db.session, **filters), page)


@blp.get("/volunteers/<int:volunteer_id>")
@blp.response(200, VolunteerSchema)
def get_volunteer(volunteer_id):
    return operations.get_volunteer(db.session, volunteer_id)


@blp.patch("/volunteers/<int:volunteer_id>")
@blp.arguments(VolunteerPatchSchema)
@blp.response(200, VolunteerSchema)
def patch_volunteer(data, volunteer_id):
    volunteer = operations.get_volunteer(db.session, volunteer_id)
    operations.update_volunteer(db.session, volunteer, data)
    return volunteer
