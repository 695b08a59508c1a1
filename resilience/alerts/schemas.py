"""API schemas of alerts. The payload holds no personal data (codes, categories, counts), but
alerts are the coordinators' work list: officials do not get them (see ``alerts.api``)."""

from __future__ import annotations

import marshmallow as ma

from resilience.alerts.queries import ALERT_STATES, state_of
from resilience.core.api import PageArgs
from resilience.core.schemas import UTCDateTime
from resilience.vocabulary import ALERT_KINDS, ALERT_SEVERITIES


class AlertSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(ALERT_KINDS)})
    severity = ma.fields.String(metadata={"enum": list(ALERT_SEVERITIES)})
    state = ma.fields.Function(state_of, metadata={"enum": ["open", "acknowledged", "resolved"]})
    subject = ma.fields.String(metadata={"description": "what it is about: need:12, task:40, sms:7, volunteer:3"})
    event_id = ma.fields.Integer(allow_none=True)
    need_id = ma.fields.Integer(allow_none=True)
    task_id = ma.fields.Integer(allow_none=True)
    volunteer_id = ma.fields.Integer(allow_none=True)
    sms_message_id = ma.fields.Integer(allow_none=True)
    params = ma.fields.Dict(metadata={"description": "for the wording: codes, categories, priorities, counts"})
    created_at = UTCDateTime()
    acknowledged_at = UTCDateTime(allow_none=True)
    acknowledged_by = ma.fields.String(allow_none=True)
    resolved_at = UTCDateTime(allow_none=True)
    notified_at = UTCDateTime(allow_none=True, metadata={"description": "last SMS to the coordinator on duty"})
    notify_count = ma.fields.Integer()


class AlertQuery(PageArgs):
    event = ma.fields.Integer(validate=ma.validate.Range(min=1))
    kind = ma.fields.String(validate=ma.validate.OneOf(ALERT_KINDS))
    state = ma.fields.String(load_default="open", validate=ma.validate.OneOf(ALERT_STATES),
                             metadata={"description": "open (default), acknowledged, resolved or all"})
