"""Which flood event an audit entry is about, for the log's ``event`` filter.

An entry is about event E when its entity is E itself, one of E's needs or tasks, an SMS of one
of those tasks, or a stock movement booked against E. Households, volunteers, depots and items
are not (a household may be in several events). The answer is stored in the entry's unhashed,
indexed ``event_id`` column as the entry is written, so the filter is one index range scan.

The entity tables are named here with lightweight ``table()`` constructs instead of the other
packages' models: every package imports the audit chain, so it imports none of them.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import Integer, column, select, table
from sqlalchemy.engine import Connection

_needs = table("needs", column("id", Integer), column("event_id", Integer))
_tasks = table("tasks", column("id", Integer), column("event_id", Integer))
_movements = table("stock_movements", column("id", Integer), column("event_id", Integer))
_sms = table("sms_messages", column("id", Integer), column("task_id", Integer))

# entity_type -> the table whose row carries event_id directly
_DIRECT = {"need": _needs, "task": _tasks, "stock_movement": _movements}
SCOPED_TYPES = ("flood_event", "sms_message", *_DIRECT)


def _lookup(conn: Connection, source, ids: set[int]) -> dict[int, int | None]:
    if not ids:
        return {}
    return dict(conn.execute(select(source.c.id, source.c.event_id).where(source.c.id.in_(sorted(ids)))).all())


def events_of(conn: Connection, rows: Iterable[tuple[str, int | None, Any]]) -> list[int | None]:
    """The event of each (entity_type, entity_id, obj) — ``obj`` the changed ORM object when
    there is one (its attributes answer without a query; a deleted row can only answer that
    way), else None. One query per entity type at most."""
    rows = list(rows)
    known: dict[tuple[str, int], int | None] = {}
    wanted: dict[str, set[int]] = {}
    sms_tasks: dict[int, int | None] = {}
    for entity_type, entity_id, obj in rows:
        if entity_id is None or entity_type not in SCOPED_TYPES:
            continue
        if entity_type == "flood_event":
            known[(entity_type, entity_id)] = entity_id
        elif entity_type == "sms_message":
            if obj is not None:
                sms_tasks[entity_id] = getattr(obj, "task_id", None)
            else:
                wanted.setdefault(entity_type, set()).add(entity_id)
        elif obj is not None and getattr(obj, "event_id", None) is not None:
            known[(entity_type, entity_id)] = obj.event_id
        else:
            wanted.setdefault(entity_type, set()).add(entity_id)
    for entity_type, source in _DIRECT.items():
        for key, event_id in _lookup(conn, source, wanted.get(entity_type, set())).items():
            known[(entity_type, key)] = event_id
    if wanted.get("sms_message"):
        sms_tasks.update(conn.execute(select(_sms.c.id, _sms.c.task_id)
                                      .where(_sms.c.id.in_(sorted(wanted["sms_message"])))).all())
    task_events = _lookup(conn, _tasks, {t for t in sms_tasks.values() if t is not None})
    for sms_id, task_id in sms_tasks.items():
        known[("sms_message", sms_id)] = task_events.get(task_id) if task_id is not None else None
    return [known.get((entity_type, entity_id)) for entity_type, entity_id, _obj in rows]
