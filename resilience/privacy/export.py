"""Everything held about one household, as one JSON document (UU PDP: the right of access).

Its shape is documented in the OpenAPI document (``HouseholdExportSchema`` in schemas.py);
what belongs to the household and what is the volunteers' is decided in about.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from resilience.audit.sealing import staff_view, withheld_payload
from resilience.core.crypto import Unreadable
from resilience.events.models import FloodEvent
from resilience.households.schemas import HouseholdSchema
from resilience.privacy.about import TASK_FIELDS_OF_HOUSEHOLD, HouseholdData, audit_entries, gather
from resilience.stock.units import number

FORMAT = "resilience-household-export/1"
TASK_TIMES = ("proposed_at", "offered_at", "accepted_at", "declined_at", "expired_at", "done_at", "cancelled_at",
              "failed_at", "checkin_due_at", "checkin_asked_at", "checkin_safe_at", "checkin_help_at",
              "checkin_escalated_at")


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    return None if isinstance(value, Unreadable) else value


def _need(session: Session, need, tasks) -> dict[str, Any]:
    event = session.get(FloodEvent, need.event_id)
    return {
        "id": need.id, "household_id": need.household_id, "event": {"id": event.id, "name": event.name},
        "category": need.category, "status": need.status, "priority": need.priority,
        "derived_priority": need.derived_priority, "priority_overridden": need.priority_overridden,
        "priority_reason": need.priority_reason, "notes": need.notes, "reporter": need.reporter,
        "reported_at": iso(need.reported_at), "created_at": iso(need.created_at), "updated_at": iso(need.updated_at),
        "tasks": [_task(task) for task in tasks if task.need_id == need.id],
    }


def _task(task) -> dict[str, Any]:
    return {"code": task.code, "category": task.need.category, "status": task.status,
            "distance_m": task.distance_m, "coordinator_note": task.coordinator_note,
            **{name: iso(getattr(task, name)) for name in TASK_TIMES}}


def _sms(message, *, with_phone: bool) -> dict[str, Any]:
    line = {"id": message.id, "direction": message.direction, "kind": message.kind, "status": message.status,
            "body": _text(message.body), "segments": message.segments, "task_code": (
                f"T{message.task_id}" if message.task_id is not None else None),
            "created_at": iso(message.created_at), "sent_at": iso(message.sent_at),
            "delivered_at": iso(message.delivered_at)}
    if with_phone:  # the household's own number; a volunteer's is the volunteer's
        line["phone"] = message.phone
    return line


def _movement(movement) -> dict[str, Any]:
    return {"id": movement.id, "time": iso(movement.created_at), "event_id": movement.event_id,
            "depot": movement.depot.name, "item": {"code": movement.item.code, "name": movement.item.name,
                                                   "unit": movement.item.unit},
            "quantity": number(-movement.quantity_milli), "task_code": (
                f"T{movement.task_id}" if movement.task_id is not None else None),
            "household_id": movement.household_id, "notes": movement.notes}


def _help_request(request) -> dict[str, Any]:
    return {"id": request.id, "received_at": iso(request.received_at), "status": request.status,
            "phone": _text(request.phone), "body": _text(request.body), "household_id": request.household_id,
            "need_id": request.need_id, "decided_at": iso(request.decided_at)}


def _audit_line(entry, erased: bool) -> dict[str, Any]:
    line = staff_view(entry)
    if entry.entity_type == "task" and "personal" in line:  # the household's side of a task only
        line["personal"] = {k: v for k, v in line["personal"].items() if k in TASK_FIELDS_OF_HOUSEHOLD}
    if erased:
        # An entry from before seals keeps the erased values in clear inside its hash; the
        # export of an erased household withholds them as officials get them.
        payload, withheld = withheld_payload(entry.entity_type, line["payload"])
        if withheld:
            line["payload"], line["withheld"] = payload, True
    return line


def export(session: Session, data: HouseholdData | None = None, *, household=None, now: datetime | None = None,
           by: str = "") -> dict[str, Any]:
    """The export document of ``household`` (or of already gathered ``data``). Call it with
    personal data visible (admin, coordinator): the household schema masks otherwise."""
    data = data or gather(session, household)
    schema = HouseholdSchema()
    erased = any(h.erased_at is not None for h in data.family)
    return {
        "format": FORMAT,
        "generated_at": iso(now or datetime.now(timezone.utc)),
        "generated_by": by,
        "household": schema.dump(data.household),
        "merged_households": [schema.dump(h) for h in data.family[1:]],
        "needs": [_need(session, need, data.tasks) for need in data.needs],
        "sms": [_sms(m, with_phone=False) for m in data.task_sms] + [_sms(m, with_phone=True) for m in data.own_sms],
        "stock_issued": [_movement(m) for m in data.movements if m.kind == "issue"],
        "help_requests": [_help_request(r) for r in data.help_requests],
        "not_duplicates": [{"household_ids": [p.low_id, p.high_id], "created_at": iso(p.created_at)}
                           for p in data.not_duplicates],
        "audit": [_audit_line(entry, erased) for entry in audit_entries(session, data)],
    }
