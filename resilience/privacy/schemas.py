"""The export's and the erasure's shapes, for the OpenAPI document."""

import marshmallow as ma

from resilience.audit.api import AuditEntrySchema
from resilience.core.schemas import UTCDateTime
from resilience.households.schemas import HouseholdSchema
from resilience.vocabulary import ERASURE_REASONS

_TIME = {"description": "UTC, e.g. 2026-03-10T07:30:00Z; null when it did not happen"}


class ExportEventSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class ExportTaskSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "T + digits, as in the SMS"})
    category = ma.fields.String()
    status = ma.fields.String()
    distance_m = ma.fields.Float()
    coordinator_note = ma.fields.String()
    proposed_at = ma.fields.String(allow_none=True, metadata=_TIME)
    offered_at = ma.fields.String(allow_none=True, metadata=_TIME)
    accepted_at = ma.fields.String(allow_none=True, metadata=_TIME)
    declined_at = ma.fields.String(allow_none=True, metadata=_TIME)
    expired_at = ma.fields.String(allow_none=True, metadata=_TIME)
    done_at = ma.fields.String(allow_none=True, metadata=_TIME)
    cancelled_at = ma.fields.String(allow_none=True, metadata=_TIME)
    failed_at = ma.fields.String(allow_none=True, metadata=_TIME)
    checkin_due_at = ma.fields.String(allow_none=True, metadata=_TIME)
    checkin_asked_at = ma.fields.String(allow_none=True, metadata=_TIME)
    checkin_safe_at = ma.fields.String(allow_none=True, metadata=_TIME)
    checkin_help_at = ma.fields.String(allow_none=True, metadata=_TIME)
    checkin_escalated_at = ma.fields.String(allow_none=True, metadata=_TIME)


class ExportNeedSchema(ma.Schema):
    id = ma.fields.Integer()
    household_id = ma.fields.Integer()
    event = ma.fields.Nested(ExportEventSchema)
    category = ma.fields.String()
    status = ma.fields.String()
    priority = ma.fields.Integer()
    derived_priority = ma.fields.Integer()
    priority_overridden = ma.fields.Boolean()
    priority_reason = ma.fields.String()
    notes = ma.fields.String()
    reporter = ma.fields.String()
    reported_at = ma.fields.String(metadata=_TIME)
    created_at = ma.fields.String(metadata=_TIME)
    updated_at = ma.fields.String(metadata=_TIME)
    tasks = ma.fields.List(ma.fields.Nested(ExportTaskSchema), metadata={
        "description": "the household's side of each task: no volunteer name, phone or id, no volunteer's words"})


class ExportSmsSchema(ma.Schema):
    id = ma.fields.Integer()
    direction = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "offer, expiry, cancellation, checkin, … (to the volunteer "
                                                     "of one of its tasks) or help_request (to the household)"})
    status = ma.fields.String()
    body = ma.fields.String(allow_none=True)
    segments = ma.fields.Integer()
    task_code = ma.fields.String(allow_none=True)
    phone = ma.fields.String(metadata={"description": "only on the household's own messages (its number); "
                                                      "a volunteer's number is not the household's data"})
    created_at = ma.fields.String(metadata=_TIME)
    sent_at = ma.fields.String(allow_none=True, metadata=_TIME)
    delivered_at = ma.fields.String(allow_none=True, metadata=_TIME)


class ExportItemSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()


class ExportIssueSchema(ma.Schema):
    id = ma.fields.Integer()
    time = ma.fields.String(metadata=_TIME)
    event_id = ma.fields.Integer(allow_none=True)
    depot = ma.fields.String()
    item = ma.fields.Nested(ExportItemSchema)
    quantity = ma.fields.Float(metadata={"description": "in the item's unit, positive"})
    task_code = ma.fields.String(allow_none=True)
    household_id = ma.fields.Integer()
    notes = ma.fields.String()


class ExportHelpRequestSchema(ma.Schema):
    id = ma.fields.Integer()
    received_at = ma.fields.String(metadata=_TIME)
    status = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    body = ma.fields.String(allow_none=True)
    household_id = ma.fields.Integer()
    need_id = ma.fields.Integer(allow_none=True)
    decided_at = ma.fields.String(allow_none=True, metadata=_TIME)


class ExportNotDuplicateSchema(ma.Schema):
    household_ids = ma.fields.List(ma.fields.Integer())
    created_at = ma.fields.String(metadata=_TIME)


class HouseholdExportSchema(ma.Schema):
    format = ma.fields.String(metadata={"description": "resilience-household-export/1"})
    generated_at = ma.fields.String(metadata=_TIME)
    generated_by = ma.fields.String(metadata={"description": "the user who made the export (role:email)"})
    household = ma.fields.Nested(HouseholdSchema, metadata={"description": "every field, decrypted"})
    merged_households = ma.fields.List(ma.fields.Nested(HouseholdSchema), metadata={
        "description": "households found to be duplicates of this one and merged into it"})
    needs = ma.fields.List(ma.fields.Nested(ExportNeedSchema))
    sms = ma.fields.List(ma.fields.Nested(ExportSmsSchema), metadata={
        "description": "outbound SMS about its tasks (what was told about the household, to whom not said) and "
                       "the household's own SMS (its TOLONG messages and the answers to its number); the "
                       "volunteers' replies are theirs and are not included"})
    stock_issued = ma.fields.List(ma.fields.Nested(ExportIssueSchema))
    help_requests = ma.fields.List(ma.fields.Nested(ExportHelpRequestSchema))
    not_duplicates = ma.fields.List(ma.fields.Nested(ExportNotDuplicateSchema))
    audit = ma.fields.List(ma.fields.Nested(AuditEntrySchema), metadata={
        "description": "the log's entries about all of the above, exactly as hashed, with `personal`: the "
                       "openings of their seals (for tasks only the coordinator's note)"})


class EraseSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.OneOf(ERASURE_REASONS), metadata={
        "description": "why: " + ", ".join(ERASURE_REASONS) + " (a code: the log of the erasure holds no "
                       "personal value)"})


class EraseResultSchema(ma.Schema):
    household_id = ma.fields.Integer()
    erased_at = UTCDateTime()
    reason = ma.fields.String()
    households = ma.fields.List(ma.fields.Integer(), metadata={"description": "this one and those merged into it"})
    needs = ma.fields.Integer()
    tasks = ma.fields.Integer()
    sms = ma.fields.Integer()
    stock_movements = ma.fields.Integer()
    help_requests = ma.fields.Integer()
    audit_openings_deleted = ma.fields.Integer(metadata={
        "description": "log entries whose sealed personal values can no longer be opened"})
    audit_entries_in_clear = ma.fields.Integer(metadata={
        "description": "log entries written before sealing (migration 0014) that hold personal values in clear "
                       "inside the hash: they cannot change without breaking the chain; officials get them "
                       "withheld"})
