"""UU PDP rights over HTTP: ``GET /households/{id}/export``, ``POST /households/{id}/erase``."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask_smorest import Blueprint

from resilience.accounts.auth import current_user, roles
from resilience.extensions import db
from resilience.households.operations import get_household
from resilience.privacy.erase import erase
from resilience.privacy.export import export
from resilience.privacy.schemas import EraseResultSchema, EraseSchema, HouseholdExportSchema

blp = Blueprint("privacy", __name__, url_prefix="/households",
                description="Personal-data rights of a household (UU PDP 27/2022): access and erasure")


@blp.get("/<int:household_id>/export")
@roles("admin", "coordinator")
@blp.response(200, HouseholdExportSchema, description="a JSON attachment (household-ID.json)")
@blp.doc(description="Everything held about one household, for its right of access: its fields (decrypted), "
         "the households merged into it, its needs with the household's side of their tasks, the SMS about it "
         "and its own SMS, stock issued to it, its help requests, and the log's entries about all of these "
         "with their sealed personal values opened. Volunteers' personal data (names, phones, replies) is not "
         "included. Admins and coordinators only.")
def export_household(household_id):
    household = get_household(db.session, household_id)
    user = current_user()
    document = export(db.session, household=household, by=f"{user.role}:{user.email}")
    db.session.rollback()  # nothing to write
    body = json.dumps(document, ensure_ascii=False, indent=1, default=str)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="household-{household_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("/<int:household_id>/erase")
@roles("admin")
@blp.arguments(EraseSchema)
@blp.response(200, EraseResultSchema)
@blp.alt_response(409, description="the household was already erased")
@blp.doc(description="Erase the personal data of this household and of the households merged into it "
         "(UU PDP right to erasure): name (\"[dihapus]\"), NIK, KK number, phone and their digests, address, "
         "street, landmark, RT/RW, the exact point (replaced by its kelurahan's approximate point, "
         "`location_precision: kelurahan`), its needs' notes, its tasks' coordinator notes, the notes of stock "
         "issued to it, the SMS about it and its own, its help requests' phone and text, and the openings of "
         "the sealed values of every log entry about these. Members and vulnerable counts, the kelurahan, "
         "needs, tasks and stock quantities stay, so the reports' aggregates do not change; the log keeps "
         "every entry and still verifies. Log entries written before sealing existed hold values in clear "
         "inside their hash and cannot change (counted in `audit_entries_in_clear`; officials get them "
         "withheld). Writes one `household.erased` entry (the reason code and counts only). Admins only; "
         "409 when already erased; an erased household can no longer be edited.")
def erase_household(data, household_id):
    result = erase(db.session, household_id, data["reason"])
    current_app.logger.info("household %s erased (reason %s)", household_id, data["reason"])
    return result
