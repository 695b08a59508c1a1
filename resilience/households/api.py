import marshmallow as ma
from flask import request
from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.errors import ValidationFailed
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.households import operations
from resilience.households.importer import COLUMNS, decode
from resilience.households.importer import import_households as import_households_csv
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
    return household


class ImportQuery(ma.Schema):
    event = ma.fields.Integer(metadata={"description": "flood event for the `needs` column"})


class ImportReportSchema(ma.Schema):
    rows = ma.fields.Integer()
    created = ma.fields.Integer()
    needs_created = ma.fields.Integer()
    errors = ma.fields.List(ma.fields.Dict())


@blp.post("/import")
@blp.arguments(ImportQuery, location="query", as_kwargs=True)
@blp.response(201, ImportReportSchema)
@blp.doc(
    description="CSV with columns " + ", ".join(COLUMNS) + " (head_name, lat, lon required; `needs` "
    "is a ;-separated list of categories). All or nothing: any bad row stores nothing and the "
    "answer (422) lists every bad row and field.",
    requestBody={"content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
        "text/csv": {"schema": {"type": "string"}},
    }},
)
def import_households(event=None):
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed.field("file", "attach the CSV as the form field 'file'")
        data = upload.read()
    else:
        data = request.get_data()
    flood = get_event(db.session, event) if event is not None else None
    report = import_households_csv(db.session, decode(data), flood)
    if report.errors:  # the 422 rolls back every row already added
        raise ValidationFailed(
            f"{len(report.errors)} problem(s) in the file; nothing was imported. " + "; ".join(report.lines()[:3]),
            errors=report.errors,
            rows=report.rows,
            created=0,
        )
    return report.as_dict()
