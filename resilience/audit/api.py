"""The response log over HTTP: list (filters, pages), verify (public, rate-limited, incremental)
and export (JSON Lines, streamed). Every entry is given exactly as it was hashed (see
canonical.py), so anyone can recompute the chain from this output alone."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import Response, current_app, g, request, stream_with_context
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from resilience.accounts.auth import roles
from resilience.audit import queries
from resilience.audit.export import export_lines
from resilience.audit.models import AuditHead
from resilience.audit.sealing import view
from resilience.audit.verification import parse_anchor, remember, verify
from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.errors import Message, ValidationFailed
from resilience.core.ratelimit import rate_limit
from resilience.core.schemas import UTCDateTime, personal_data_visible
from resilience.extensions import db

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The tamper-evident response log")

# Anonymous verification: at most this many calls per client address per window (seconds).
VERIFY_LIMIT, VERIFY_WINDOW = 30, 60
JSONL_MIME = "application/jsonl"


class AuditEntrySchema(ma.Schema):
    seq = ma.fields.Integer()
    time = ma.fields.String(metadata={
        "description": "UTC with microseconds, exactly as hashed: 2026-03-10T07:30:00.123456Z"})
    actor = ma.fields.String()
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.Integer(allow_none=True)
    payload = ma.fields.Raw(metadata={
        "description": "exactly as hashed: personal values appear only as seals "
                       "{\"sealed\": SHA-256(salt + canonical JSON of the value)}"})
    withheld = ma.fields.Boolean(metadata={
        "description": "only for officials, on entries written before seals existed: their personal "
                       "values are replaced by \"<withheld>\", so the hash is not recomputable from "
                       "this entry (the next entry's prev_hash still links it)"})
    personal = ma.fields.Dict(metadata={
        "description": "admin and coordinator only, not hashed: the sealed values in clear, each "
                       "checked against its seal"})
    prev_hash = ma.fields.String()
    hash = ma.fields.String()
    event_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "not hashed: the event the entry is about (its needs, tasks, their SMS, "
                       "its stock movements), for the event filter"})


class QueryTime(UTCDateTime):
    """A time in a query string, where an unencoded ``+07:00`` arrives as `` 07:00``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = re.sub(r"(T[\d:.]+) (\d\d:?\d\d)$", r"\1+\2", value)
        return super()._deserialize(value, attr, data, **kwargs)


class AuditQuery(PageArgs):
    event = ma.fields.Integer(validate=ma.validate.Range(min=1), metadata={
        "description": "entries about this event: the event, its needs, their tasks, the tasks' SMS, "
                       "its stock movements"})
    entity_type = ma.fields.String(validate=ma.validate.Length(max=40))
    entity_id = ma.fields.Integer()
    actor = ma.fields.String(validate=ma.validate.Length(max=254), metadata={
        "description": "exactly as in the entries, e.g. coordinator:koordinator@posko.test"})
    action = ma.fields.String(validate=ma.validate.Length(max=80))
    since = QueryTime(metadata={"description": "entries at or after this time"})
    until = QueryTime(metadata={"description": "entries before this time"})
    after_seq = ma.fields.Integer(validate=ma.validate.Range(min=0))

    @ma.validates_schema
    def _order(self, data, **_kwargs):
        if "since" in data and "until" in data and data["until"] <= data["since"]:
            raise ma.ValidationError(Message("must be later than since"), "until")


class VerifySchema(ma.Schema):
    ok = ma.fields.Boolean()
    entries = ma.fields.Integer()
    first_bad_seq = ma.fields.Integer()


class VerifyQuery(ma.Schema):
    anchor = ma.fields.List(ma.fields.String(), metadata={
        "description": "SEQ:HASH, repeatable: the entry SEQ must still have this hash (e.g. the "
                       "audit head printed in an official report)"})
    full = ma.fields.Boolean(load_default=False, metadata={
        "description": "recompute the whole chain instead of only what was added since the last "
                       "verification"})


class ExportQuery(ma.Schema):
    from_seq = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    to_seq = ma.fields.Integer(validate=ma.validate.Range(min=1))


@blp.get("")
@blp.arguments(AuditQuery, location="query", unknown=ma.RAISE)
@blp.response(200, list_schema(AuditEntrySchema, "AuditList"))
def list_audit(args):
    listing = paginate(db.session, queries.filtered(args), args)
    personal = personal_data_visible()
    listing["items"] = [{**view(entry, personal), "event_id": entry.event_id} for entry in listing["items"]]
    return listing


def _limiter():
    limiter = current_app.extensions.get("audit_verify_limit")
    if limiter is None:
        limit, window = current_app.config.get("AUDIT_VERIFY_RATE_LIMIT", (VERIFY_LIMIT, VERIFY_WINDOW))
        limiter = rate_limit(current_app.config["SETTINGS"].redis_url, limit, window)
        current_app.extensions["audit_verify_limit"] = limiter
    return limiter


@blp.get("/verify")
@blp.arguments(VerifyQuery, location="query", unknown=ma.RAISE)
@blp.response(200, VerifySchema)
@blp.alt_response(429, description="too many anonymous verifications from this address; see Retry-After")
def verify_chain(args):
    if g.get("user") is None:  # anonymous: a public endpoint, so a per-address limit
        wait = _limiter().hit(f"resilience:audit-verify:{request.remote_addr or '-'}")
        if wait is not None:
            abort(429, message=f"too many verifications from this address; try again in {wait} s",
                  headers={"Retry-After": str(wait)})
    anchors = {}
    for text in args.get("anchor", ()):
        try:
            seq, digest = parse_anchor(text)
        except ValueError as exc:
            raise ValidationFailed.field("anchor", str(exc)) from None
        anchors[seq] = digest
    result = verify(db.session, anchors, full=args["full"])
    db.session.rollback()  # end the read before remembering, in a transaction of its own
    remember(db.engine, result)
    return result.as_dict()


@blp.get("/export")
@blp.arguments(ExportQuery, location="query", unknown=ma.RAISE)
@blp.response(200, description="JSON Lines: one entry per line exactly as hashed, then the head",
              content_type=JSONL_MIME)
@roles("admin", "coordinator", "official")
def export_audit(args):
    if "to_seq" in args and args["to_seq"] < args["from_seq"]:
        raise ValidationFailed.field("to_seq", Message("must be at least from_seq"))
    head = db.session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0
    lines = export_lines(db.session, args["from_seq"], args.get("to_seq"), personal=personal_data_visible())
    response = Response(stream_with_context(lines), mimetype=JSONL_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{head}.jsonl"'
    return response
