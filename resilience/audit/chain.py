"""The audit chain: every state change of an audited model writes an entry in the same
transaction, chained by SHA-256 over the previous hash and the entry's canonical JSON.

Entries are written from a session ``after_flush`` hook, so no operation can forget one:
a model opts in with ``__audit__ = True``, lists secret columns in ``__audit_redact__``
(their values never enter the log; only the fact that they changed) and personal ones in
``__audit_personal__`` (sealed: see sealing.py; the hash covers a salted commitment, the clear
value is kept encrypted beside the entry for staff). Operations may add
explicit entries with :func:`record` for events that are not row changes.
"""

from __future__ import annotations

import contextvars
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import event, inspect, insert, select, update
from sqlalchemy.orm import Session

from resilience.audit.canonical import canonical_json, entry_body, entry_hash, format_time
from resilience.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from resilience.audit.scope import events_of
from resilience.audit.sealing import encrypt_openings, entity_type_of, personal_fields, seal_payload
from resilience.audit.verification import Verification, parse_anchor, verify
from resilience.core.db import utcnow

# Re-exported for existing importers: the canonical form lives in canonical.py, verification
# in verification.py.
__all__ = ["REDACTED", "Verification", "canonical_json", "current_actor", "entry_body", "entry_hash",
           "format_time", "parse_anchor", "record", "record_many", "set_actor", "verify"]

REDACTED = "<redacted>"
_GEOMETRY_INLINE_LIMIT = 2000

_actor: contextvars.ContextVar[str] = contextvars.ContextVar("audit_actor", default="system")
_PENDING = "resilience.audit.pending"


def set_actor(actor: str) -> contextvars.Token:
    return _actor.set(actor)


def current_actor() -> str:
    return _actor.get()


# --- turning row changes into payloads ----------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, (WKBElement, WKTElement)):
        shape = to_shape(value)
        wkt = shape.wkt
        if len(wkt) <= _GEOMETRY_INLINE_LIMIT:
            return wkt
        return {
            "geometry_sha256": hashlib.sha256(shape.wkb).hexdigest(),
            "bounds": [round(b, 6) for b in shape.bounds],
        }
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


_entity_type = entity_type_of


@dataclass
class _Change:
    obj: Any
    kind: str  # created / updated / deleted
    payload: dict[str, Any]


def _column_changes(obj: Any, kind: str) -> dict[str, Any]:
    state = inspect(obj)
    redact = set(getattr(obj, "__audit_redact__", ()))
    skip = {"created_at", "updated_at"}
    payload: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skip:
            continue
        history = state.attrs[key].history
        if kind == "created":
            value = getattr(obj, key)
            if value is None:
                continue
            payload[key] = REDACTED if key in redact else _plain(value)
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if key in redact:
                payload[key] = REDACTED
            elif _plain(old) != _plain(new):
                payload[key] = [_plain(old), _plain(new)]
    return payload


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _flush_context, _instances) -> None:
    # Updates and deletes must be read before the flush resets their history; creates are
    # read after it, once their ids exist.
    pending: list[_Change] = session.info.setdefault(_PENDING, [])
    for obj in session.dirty:
        if getattr(obj, "__audit__", False) and session.is_modified(obj, include_collections=False):
            payload = _column_changes(obj, "updated")
            if payload:
                pending.append(_Change(obj, "updated", payload))
    for obj in session.deleted:
        if getattr(obj, "__audit__", False):
            pending.append(_Change(obj, "deleted", {}))
    for obj in session.new:
        if getattr(obj, "__audit__", False):
            pending.append(_Change(obj, "created", {}))


@event.listens_for(Session, "after_flush")
def _write(session: Session, _flush_context) -> None:
    pending: list[_Change] = session.info.pop(_PENDING, [])
    if not pending:
        return
    rows = []
    for change in pending:
        obj = change.obj
        payload = change.payload
        if change.kind == "created":
            payload = _column_changes(obj, "created")
            payload.pop("id", None)
        action = f"{_entity_type(obj)}.{change.kind}"
        status = payload.get("status")
        if change.kind == "updated" and isinstance(status, list):
            action = f"{_entity_type(obj)}.{status[1]}"
        entity_id = inspect(obj).mapper.primary_key_from_instance(obj)[0]
        rows.append((action, _entity_type(obj), entity_id, payload, obj))
    _append(session, rows)


def record(session: Session, action: str, entity_type: str, entity_id: int | None, payload: Any) -> None:
    """An explicit entry for something that is not a row change (e.g. a token issued)."""
    _append(session, [(action, entity_type, entity_id, _plain(payload), None)])


def record_many(session: Session, rows: list[tuple[str, str, int | None, Any]]) -> None:
    """Explicit entries for row changes made with Core statements, which bypass the flush hook
    (e.g. the SMS claim, one ``UPDATE … RETURNING`` for a batch): one head lock for them all.
    Each row is (action, entity_type, entity_id, payload)."""
    if rows:
        _append(session, [(action, entity_type, entity_id, _plain(payload), None)
                          for action, entity_type, entity_id, payload in rows])


def _append(session: Session, rows: list[tuple[str, str, int | None, Any, Any]]) -> None:
    """Chain ``rows`` — (action, entity_type, entity_id, payload, changed object or None) —
    onto the head, under its lock."""
    conn = session.connection()
    events = events_of(conn, [(entity_type, entity_id, obj) for _a, entity_type, entity_id, _p, obj in rows])
    head = conn.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:  # first use of a fresh database
        conn.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS_HASH))
        seq, prev = 0, GENESIS_HASH
    else:
        seq, prev = head
    actor = current_actor()
    personal = personal_fields()
    values = []
    for (action, entity_type, entity_id, payload, _obj), event_id in zip(rows, events):
        # Personal values enter the hash only as seals; their openings go beside, encrypted.
        payload, openings = seal_payload(payload, personal.get(entity_type, frozenset()))
        seq += 1
        now = utcnow()
        body = entry_body(seq, now, actor, action, entity_type, entity_id, payload)
        digest = entry_hash(prev, body)
        values.append(
            dict(
                seq=seq,
                created_at=now,
                actor=actor,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                payload=payload,
                prev_hash=prev,
                hash=digest,
                event_id=event_id,
                private=encrypt_openings(openings),
            )
        )
        prev = digest
    conn.execute(insert(AuditEntry), values)
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
