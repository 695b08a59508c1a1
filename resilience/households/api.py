import marshmallow as ma
from flask import request
from flask_smorest import Blueprint

from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.errors import Message, ValidationFailed
from resilience.core.schemas import personal_data_visible
from resilience.core.transaction import commit, read_phase
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.households import operations
from resilience.households.importer import MODES
from resilience.households.importer import check_import, store_import
from resilience.households.rows import CODES
from resilience.households.spreadsheet import MAX_FILE_BYTES, XLSX_TYPES
from resilience.accounts.auth import roles
from resilience.households import duplicates, merge as merging
from resilience.households.schemas import (
    DuplicatePairSchema,
    DuplicateQuery,
    MergeSchema,
    NotDuplicateResultSchema,
    NotDuplicateSchema,
    HouseholdCreateSchema,
    HouseholdCreatedSchema,
    HouseholdPatchSchema,
    HouseholdQuery,
    HouseholdSchema,
)

blp = Blueprint("households", __name__, url_prefix="/households", description="Household registry")


@blp.post("")
@blp.arguments(HouseholdCreateSchema)
@blp.response(201, HouseholdCreatedSchema)
def create_household(data):
    household = operations.create_household(db.session, data)
    # Stored either way: the candidates are a warning for the caller to look at.
    household.duplicates = [p.as_candidate(household.id) for p in duplicates.candidates(db.session, household)]
    return household


@blp.get("")
@blp.arguments(HouseholdQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(HouseholdSchema, "HouseholdList"))
def list_households(page, **filters):
    if not personal_data_visible():
        # A search by name or address, or a tiny box, would tell an official whether a given
        # family is registered and where: personal data by another road.
        for name in ("q", "bbox"):
            if filters.get(name):
                raise ValidationFailed.field(name, Message("not available to your role: officials see households per kelurahan"))
    return paginate(db.session, operations.household_query(db.session, **filters), page)


@blp.get("/duplicates")
@roles("admin", "coordinator")
@blp.arguments(DuplicateQuery, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, list_schema(DuplicatePairSchema, "DuplicatePairList"))
@blp.doc(description="Pairs of households that may be one family, best first, each with its reasons "
         "(same_kk, same_phone, similar_name with its similarity, near with the distance, same_rt, "
         "same_kelurahan) and a score. Names are compared the Indonesian way (titles such as Ibu, Bapak, "
         "H., Hj. set aside; Muhammad/Moh./M.; old and new spelling). Pairs said to be different families "
         "(`not-duplicate`) and merged households are left out. Coordinators and admins only.")
def list_duplicates(page=1, per_page=50, household=None, min_score=0.0, exact=None):
    if household is not None:
        operations.get_household(db.session, household)
    pairs = [p for p in duplicates.scan(db.session, household)
             if p.score >= min_score and (exact is None or p.exact == exact)]
    number = page
    shown = pairs[(number - 1) * per_page:number * per_page]
    wanted = {i for p in shown for i in (p.a, p.b)}
    by_id = {h.id: h for h in operations.households_by_id(db.session, wanted)}
    items = [{**p.as_dict(), "households": [by_id[p.a], by_id[p.b]]} for p in shown]
    return {"items": items, "total": len(pairs), "page": number, "per_page": per_page}


@blp.post("/<int:household_id>/merge")
@blp.arguments(MergeSchema)
@blp.response(200, HouseholdSchema)
@blp.doc(description="Merge this household (a duplicate) into `into`, which is kept and returned. Every need "
         "(with its tasks) and help request moves to the one kept; a live need both had in the same event "
         "and category is cancelled once (the one further along is kept); empty fields of the one kept are "
         "filled; stock movements and audit entries stay as written and are read through `merged_into_id`. "
         "The merged household is kept with `merged_into_id` set. 409 for a merge into itself or when either "
         "was already merged.")
def merge_household(data, household_id):
    return merging.merge(db.session, household_id, data["into"])


@blp.post("/<int:household_id>/not-duplicate")
@roles("admin", "coordinator")
@blp.arguments(NotDuplicateSchema)
@blp.response(201, NotDuplicateResultSchema)
@blp.alt_response(200, schema=NotDuplicateResultSchema, description="this pair was already recorded")
@blp.doc(description="Record that this household and `of` are different families: the pair is no longer "
         "proposed as duplicates. One record per pair, whichever way round it is said.")
def not_duplicate(data, household_id):
    row, created = merging.mark_not_duplicate(db.session, household_id, data["of"])
    return row, 201 if created else 200


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
    event = ma.fields.Integer(metadata={"description": "flood event for the `needs`/`kebutuhan` column"})
    dry_run = ma.fields.Boolean(load_default=False, truthy={"true", "1"}, falsy={"false", "0"},
                                metadata={"description": "`true`: check and report, store nothing"})
    mode = ma.fields.String(load_default="all_or_nothing", validate=ma.validate.OneOf(MODES), metadata={
        "description": "`all_or_nothing` (default): any error stores nothing; `valid_rows`: store the rows "
                       "without errors and report the others"})
    sheet = ma.fields.String(validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "the sheet of an XLSX workbook to read (required when several sheets hold data)"})


class ImportProblemSchema(ma.Schema):
    row = ma.fields.Integer(allow_none=True, metadata={"description": "spreadsheet row (the header is 1)"})
    field = ma.fields.String(metadata={"description": "the column as written in the file"})
    column = ma.fields.String(metadata={"description": "the household field it means"})
    code = ma.fields.String(metadata={"description": "stable problem code: " + ", ".join(CODES)})
    params = ma.fields.Dict()
    message = ma.fields.String(metadata={"description": "English; pages word `code` + `params` themselves"})
    suggestion = ma.fields.String()
    severity = ma.fields.String(metadata={"description": "`error` (row not stored) or `warning`"})


class ImportReportSchema(ma.Schema):
    sheet = ma.fields.String(allow_none=True)
    rows = ma.fields.Integer()
    valid_rows = ma.fields.Integer()
    invalid_rows = ma.fields.Integer()
    created = ma.fields.Integer()
    needs_created = ma.fields.Integer()
    dry_run = ma.fields.Boolean()
    mode = ma.fields.String()
    errors = ma.fields.List(ma.fields.Nested(ImportProblemSchema))
    warnings = ma.fields.List(ma.fields.Nested(ImportProblemSchema))


@blp.post("/import")
@blp.arguments(ImportQuery, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(201, ImportReportSchema)
@blp.alt_response(200, schema=ImportReportSchema, description="dry run: the report, nothing stored")
@blp.doc(
    description="A CSV or XLSX spreadsheet of households, one per row under a header row; headers in "
    "Bahasa Indonesia or English (e.g. nama_kepala_keluarga/head_name, nik, no_kk/kk_number, telepon/phone, "
    "alamat/address, jalan/dusun, rt, rw, kelurahan (name or code), patokan/landmark, lintang/lat, "
    "bujur/lon, jumlah_jiwa/members, lansia, balita, ibu_hamil_menyusui, disabilitas, sakit_kronis, "
    "kebutuhan/needs) or an HXL hashtag row. A row without coordinates but with its kelurahan gets an "
    "approximate point (`location_precision: kelurahan`). Need categories in either language "
    "(evakuasi, makanan, air, pakaian, kesehatan/medis, psikososial, logistik), separated by ; or ,. "
    "The report names each row, column, problem code and a suggestion. `dry_run=true` stores nothing "
    "(200). A real run stores all rows or none (`mode=all_or_nothing`, 422 on any error) or only the "
    "valid ones (`mode=valid_rows`). A file that cannot be read safely (binary, .xls, CR-only line "
    "endings, a huge cell, several sheets without `sheet`) is a 4xx problem with a stable code.",
    requestBody={"content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
        "text/csv": {"schema": {"type": "string"}},
        XLSX_TYPES[0]: {"schema": {"type": "string", "format": "binary"}},
    }},
)
def import_households(event=None, dry_run=False, mode="all_or_nothing", sheet=None):
    request.max_content_length = MAX_FILE_BYTES + 1024 * 1024
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed.field("file", "attach the CSV or XLSX as the form field 'file'")
        data, filename, content_type = upload.read(), upload.filename or "", upload.mimetype or ""
    else:
        data, filename, content_type = request.get_data(), "", request.mimetype or ""
    with read_phase(db.session):  # the long part holds no write lock (SQLite: registrations go on)
        flood = get_event(db.session, event) if event is not None else None
        report, checked = check_import(db.session, data, flood, filename=filename, content_type=content_type,
                                       sheet=sheet, dry_run=dry_run, mode=mode)
    if dry_run:
        return report.as_dict(), 200
    store_import(db.session, checked, flood, report, commit=commit)  # valid_rows: batch by batch
    if report.created == 0 and report.errors:
        db.session.rollback()
        body = report.as_dict()
        errors = body.pop("errors")
        raise ValidationFailed(
            f"{len(errors)} problem(s) in the file; nothing was imported. " + "; ".join(report.lines()[:3]),
            errors=errors, **body)
    return report.as_dict()
