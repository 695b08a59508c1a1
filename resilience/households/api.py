from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.extensions import db
from resilience.households import operations
from resilience.households.schemas import (
    HouseholdCreateSchema,
    HouseholdPatchSchema,
    HouseholdQuery,
    HouseholdSchema,
)

blp = Blueprint("households", __name__, url_prefix="/households", description="Household registry")


@blp.post("")
@blp.arguments(HouseholdCreateSchema)
@blp.response(201, HouseholdSchema)
def create_household(data):
    household = operations.create_household(db.session, data)
    db.session.commit()
    return household


@blp.get("")
@blp.arguments(HouseholdQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(HouseholdSchema, "HouseholdList"))
def list_households(page, **filters):
    return paginate(db.session, operations.household_query(db.session, **filters), page)


@blp.get("/<int:household_id>")
@blp.response(200, HouseholdSchema)
def get_household(household_id):
    return operations.get_household(db.session, household_id)


@blp.patch("/<int:household_id>")
@blp.arguments(HouseholdPatchSchema)
@blp.response(200, HouseholdSchema)
def patch_household(data, household_id):
    household = operations.get_household(db.session, household_id)
    operations.update_household(db.session, household, data)
    db.session.commit()
    return household
