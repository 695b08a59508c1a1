"""The canonical form of an audit entry: the exact bytes its hash covers.

    hash = SHA-256( UTF-8( prev_hash + canonical_json(body) ) )  as 64 lowercase hex digits

where ``body`` holds seven keys — ``seq``, ``time``, ``actor``, ``action``, ``entity_type``,
``entity_id``, ``payload`` — and ``canonical_json`` is JSON with sorted keys at every level, no
whitespace (``,`` and ``:`` separators) and non-ASCII characters written as themselves (no
``\\u`` escapes). ``time`` is UTC with microseconds: ``2026-03-10T07:30:00.123456Z``.
The first entry's ``prev_hash`` is 64 zeros. The API and the export give every field in this
form, so anyone can recompute a hash; ``verify_export.py`` is an independent copy of this rule.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "time", "actor", "action", "entity_type", "entity_id", "payload")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def entry_body(
    seq: int,
    created_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    payload: Any,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "time": format_time(created_at),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "payload": payload,
    }


def body_of(entry) -> dict[str, Any]:
    """The hashed body of a stored :class:`AuditEntry`."""
    return entry_body(entry.seq, entry.created_at, entry.actor, entry.action, entry.entity_type,
                      entry.entity_id, entry.payload)


def as_hashed(entry) -> dict[str, Any]:
    """An entry as it was hashed, with its links: the body plus ``prev_hash`` and ``hash``
    (one export line; the API's entry without its unhashed ``event_id``)."""
    line = body_of(entry)
    line["prev_hash"] = entry.prev_hash
    line["hash"] = entry.hash
    return line
