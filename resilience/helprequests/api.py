import marshmallow as ma
from flask_smorest import Blueprint

from resilience.accounts.auth import roles
from resilience.core.api import list_schema, paginate
from resilience.extensions import db
from resilience.helprequests import operations
from resilience.helprequests.schemas import HelpRequestQuery, HelpRequestSchema, HelpRequestVerifySchema

blp = Blueprint("help_requests", __name__, url_prefix="/help-requests",
                description="TOLONG SMS from residents who are not volunteers, waiting for a coordinator")


def _shown(request):
    request.hints = operations.hints(db.session, request)
    return request


@blp.get("")
@roles("admin", "coordinator")
@blp.arguments(HelpRequestQuery, location="query", unknown=ma.RAISE)
@blp.response(200, list_schema(HelpRequestSchema, "HelpRequestList"))
def list_requests(args):
    page = {"page": args.pop("page"), "per_page": args.pop("per_page")}
    body = paginate(db.session, operations.request_query(args.get("status")), page)
    for request in body["items"]:
        _shown(request)
    return body


@blp.get("/<int:request_id>")
@roles("admin", "coordinator")
@blp.response(200, HelpRequestSchema)
def get_request(request_id):
    return _shown(operations.get_request(db.session, request_id))


@blp.post("/<int:request_id>/verify")
@roles("admin", "coordinator")
@blp.arguments(HelpRequestVerifySchema)
@blp.response(200, HelpRequestSchema)
@blp.doc(description="After calling the sender back: register the household (`household`, the sender's phone "
         "unless given) or attach a registered one (`household_id`), and record its need (`need`). The sender "
         "gets an SMS that help is on its way. 409 when the request is no longer pending.")
def verify_request(data, request_id):
    return _shown(operations.verify(db.session, request_id, data))


@blp.post("/<int:request_id>/reject")
@roles("admin", "coordinator")
@blp.response(200, HelpRequestSchema)
def reject_request(request_id):
    return _shown(operations.reject(db.session, request_id))
