import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.audit.chain import parse_anchor, verify
from resilience.core.errors import ValidationFailed
from resilience.audit.models import AuditEntry
from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.schemas import UTCDateTime
from resilience.extensions import db

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The tamper-evident response log")


class AuditEntrySchema(ma.Schema):
    seq = ma.fields.Integer()
    time = UTCDateTime(attribute="created_at")
    actor = ma.fields.String()
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.Integer(allow_none=True)
    payload = ma.fields.Raw()
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class AuditQuery(ma.Schema):
    entity_type = ma.fields.String()
    entity_id = ma.fields.Integer()
    action = ma.fields.String()
    after_seq = ma.fields.Integer(validate=ma.validate.Range(min=0))


class VerifySchema(ma.Schema):
    ok = ma.fields.Boolean()
    entries = ma.fields.Integer()
    first_bad_seq = ma.fields.Integer()


@blp.get("")
@blp.arguments(AuditQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(AuditEntrySchema, "AuditList"))
def list_audit(page, entity_type=None, entity_id=None, action=None, after_seq=None):
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if after_seq is not None:
        query = query.where(AuditEntry.seq > after_seq)
    return paginate(db.session, query, page)


class VerifyQuery(ma.Schema):
    anchor = ma.fields.List(ma.fields.String(), metadata={
        "description": "SEQ:HASH, repeatable: the entry SEQ must still have this hash (e.g. the "
                       "audit head printed in an official report)"})


@blp.get("/verify")
@blp.arguments(VerifyQuery, location="query", as_kwargs=True)
@blp.response(200, VerifySchema)
def verify_chain(anchor=()):
    anchors = {}
    for text in anchor:
        try:
            seq, digest = parse_anchor(text)
        except ValueError as exc:
            raise ValidationFailed.field("anchor", str(exc)) from None
        anchors[seq] = digest
    return verify(db.session, anchors).as_dict()
