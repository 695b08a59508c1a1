"""Erasing one household's personal data (UU PDP 27/2022: the right to erasure).

What goes, for the household and every household merged into it (about.py says what is the
household's data):
- head's name (``[dihapus]``), NIK, KK number and phone with their digests, address, street,
  landmark, RT and RW;
- the exact point: replaced by the kelurahan's approximate point (the same point-on-surface a
  household registered without GPS gets), ``location_precision: kelurahan``; so the kelurahan,
  and every aggregate per kelurahan, stays what it was;
- free text about it: its needs' notes, priority reasons and reporters, the coordinator's notes
  on their tasks, the notes of stock issued to it, the bodies of the SMS about it (offers to
  volunteers, its own TOLONG and the answers sent to its number, with that number), its help
  requests' phone and text;
- in the response log: the *openings* of the seals of every entry about those rows (for a
  task, only the coordinator's note). The hashed payloads keep their seals, so the chain and
  every exported log still verify, and with the openings gone the sealed values can no longer
  be read or recovered (a seal is a salted SHA-256; the salt was only in the opening).

What stays, because reports need it and none of it identifies a family on its own: members and
the vulnerable-member counts (shown to officials only per kelurahan, as before), the kelurahan,
needs (category, status, priority, times), tasks (code, state, times, distance, volunteer), stock
quantities, and every audit entry. Volunteers' own data (their names, phones, replies) is theirs,
not the household's, and stays.

Entries written before personal values were sealed (migration 0014) hold those values in clear
*inside* the hash; changing them would break the chain. Officials always get them withheld
(sealing.official_view); the erasure marks them (``sealing.erased_openings``) so that staff get
them withheld from then on as well: no page, API, log export or household export shows the
erased values again, and the chain still verifies. Known limit: the values stay in the
database file, inside those entries' hashed payloads; the erasure answers how many entries
(``audit_entries_in_clear``) so an admin knows.

The erasure writes no personal value itself: the rows are changed with bulk UPDATEs, which write
no automatic audit entries (an update entry would seal, and keep an opening of, the old values);
one explicit ``household.erased`` entry records the fact, the reason code and the counts.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from resilience.audit.chain import record
from resilience.audit.models import AuditEntry
from resilience.audit.sealing import encrypt_openings, erased_openings, read_openings, withheld_payload
from resilience.core.db import utcnow
from resilience.core.errors import Conflict, Message, NotFound
from resilience.dispatch.models import Task
from resilience.helprequests.models import HelpRequest
from resilience.households.models import Household
from resilience.households.operations import approximate_point
from resilience.needs.models import Need
from resilience.privacy.about import TASK_FIELDS_OF_HOUSEHOLD, audit_entries, gather
from resilience.sms.models import SmsMessage
from resilience.stock.models import StockMovement
from resilience.vocabulary import ERASED_TEXT


def _locked(session: Session, household_id: int) -> Household:
    household = session.scalars(select(Household).where(Household.id == household_id).with_for_update()
                                .execution_options(populate_existing=True)).one_or_none()
    if household is None:
        raise NotFound(Message("no household with id %(household_id)s", household_id=household_id))
    return household


def _approximate(household: Household):
    if household.admin_area is not None:
        return approximate_point(household.admin_area)
    # Outside every known kelurahan: the point rounded to 0.01° (about 1 km).
    shape = to_shape(household.location)
    return from_shape(Point(round(shape.x, 2), round(shape.y, 2)), srid=4326)


def _bulk(session: Session, model, ids, **values) -> int:
    ids = sorted(set(ids))
    if not ids:
        return 0
    session.execute(update(model).where(model.id.in_(ids)).values(**values)
                    .execution_options(synchronize_session="fetch"))
    return len(ids)


def _close_openings(session: Session, entries: list[AuditEntry]) -> tuple[int, int]:
    """Delete the openings of these entries (a task's: only the household's fields); returns
    (entries whose openings changed, entries holding personal values in clear in the hash)."""
    changed = in_clear = 0
    for entry in entries:
        if withheld_payload(entry.entity_type, entry.payload)[1]:
            # Written before seals (so it has no openings): from now on withheld from staff too.
            in_clear += 1
            session.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq).values(private=erased_openings()))
            continue
        openings = read_openings(entry.private)
        if openings is None:
            continue
        if entry.entity_type == "task":
            kept = {k: v for k, v in openings.items() if k not in TASK_FIELDS_OF_HOUSEHOLD}
            if kept == openings:
                continue
            value = kept or None
        else:
            value = None
        session.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq)
                        .values(private=encrypt_openings(value) if value else None))
        changed += 1
    return changed, in_clear


def erase(session: Session, household_id: int, reason: str) -> dict[str, Any]:
    """Erase the personal data of household ``household_id`` (and of those merged into it);
    409 when it was already erased. Returns what was done (counts, no personal value)."""
    household = _locked(session, household_id)
    if household.erased_at is not None:
        raise Conflict(Message("household %(id)s was already erased", id=household.id),
                       erased_at=household.erased_at.isoformat())
    data = gather(session, household)
    entries = audit_entries(session, data)  # read before anything changes
    now = utcnow()
    for member in data.family:
        _bulk(session, Household, [member.id], head_name=ERASED_TEXT, nik=None, nik_digest=None, kk_number=None,
              kk_digest=None, phone=None, phone_digest=None, address="", street="", landmark="", rt=None, rw=None,
              location=_approximate(member), location_precision="kelurahan", erased_at=now)
    counts = {
        "households": [h.id for h in data.family],
        "needs": _bulk(session, Need, [n.id for n in data.needs], notes="", priority_reason="", reporter=""),
        "tasks": _bulk(session, Task, [t.id for t in data.tasks], coordinator_note=""),
        "sms": _bulk(session, SmsMessage, [m.id for m in data.task_sms], body=ERASED_TEXT)
        + _bulk(session, SmsMessage, [m.id for m in data.own_sms], body=ERASED_TEXT, phone="", phone_digest=None),
        "stock_movements": _bulk(session, StockMovement, [m.id for m in data.movements], notes=""),
        "help_requests": _bulk(session, HelpRequest, [r.id for r in data.help_requests], phone=ERASED_TEXT,
                               phone_digest="", body=ERASED_TEXT),
    }
    changed, in_clear = _close_openings(session, entries)
    counts["audit_openings_deleted"] = changed
    counts["audit_entries_in_clear"] = in_clear
    record(session, "household.erased", "household", household.id, {"reason": reason, **counts})
    session.flush()
    session.expire_all()
    return {"household_id": household.id, "erased_at": now, "reason": reason, **counts}
