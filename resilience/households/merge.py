"""Merging a duplicate household into the one kept, and remembering that two are different.

A merge keeps everything of both, in the caller's transaction:
- every need of the absorbed household (with its tasks, which belong to the need) now belongs
  to the one kept. When both have a live need of the same event and category, one of them is
  cancelled through ``dispatch.lifecycle`` (the one further along — in progress, then assigned —
  is kept; if neither is, the kept household's own), so the family is not served twice;
- help requests of the absorbed household point to the one kept;
- stock movements are an append-only ledger and are not rewritten: they keep the household
  they were issued to, which now points to the one kept (``merged_into_id``); the double-aid
  warning and the distribution list read a household with everything merged into it
  (``queries.merged_family``);
- audit entries are a hash chain and are not rewritten either: the merge writes its own entry
  (``household.merged``: what moved, what was cancelled, which fields were filled) on the
  absorbed household, and the row changes write theirs;
- the absorbed household is not deleted: it keeps its own personal data as registered (the
  record of what was reported) and gets ``merged_into_id`` and ``merged_at``; its id still
  resolves. The kept household takes what it lacked: phone, KK number, NIK (moved, since a NIK
  is unique), address, landmark, street, RT/RW; members and vulnerable counts become the larger
  of the two; priorities are derived again.

Refused with 409: a household merged into itself, into or from a household already merged.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.audit.chain import current_actor, record
from resilience.core.db import locked, utcnow
from resilience.core.errors import Conflict, Message, NotFound
from resilience.dispatch import lifecycle
from resilience.households.models import Household, NotDuplicate
from resilience.households.operations import refuse_if_erased
from resilience.needs.models import LIVE_NEED_STATUSES, Need
from resilience.vocabulary import VULNERABILITY_FIELDS

FILLED_TEXT = ("phone", "kk_number", "address", "landmark", "street", "rt", "rw")
_PROGRESS = {"in_progress": 2, "assigned": 1, "open": 0}


def _pair(session: Session, first: int, second: int) -> tuple[Household, Household]:
    """Both households, locked in id order (two merges of one pair never deadlock)."""
    rows = {h.id: h for h in locked(session, select(Household).where(Household.id.in_((first, second)))
                                    .order_by(Household.id))}
    for household_id in (first, second):
        if household_id not in rows:
            raise NotFound(Message("no household with id %(household_id)s", household_id=household_id))
    return rows[first], rows[second]


def merge(session: Session, absorbed_id: int, into_id: int) -> Household:
    """Merge household ``absorbed_id`` into ``into_id``; returns the one kept (flushed)."""
    from resilience.helprequests.models import HelpRequest
    from resilience.needs.operations import rederive_priorities

    if absorbed_id == into_id:
        raise Conflict(Message("a household cannot be merged into itself"), field="into")
    absorbed, kept = _pair(session, absorbed_id, into_id)
    for household in (absorbed, kept):
        refuse_if_erased(household)
        if household.merged_into_id is not None:
            raise Conflict(Message("household %(id)s was already merged into household %(into)s",
                                   id=household.id, into=household.merged_into_id),
                           field="into" if household is kept else None, merged_into=household.merged_into_id)
    live_kept = {(n.event_id, n.category): n for n in session.scalars(
        select(Need).where(Need.household_id == kept.id, Need.status.in_(LIVE_NEED_STATUSES)))}
    moved, cancelled = [], []
    for need in session.scalars(select(Need).where(Need.household_id == absorbed.id).order_by(Need.id)).all():
        other = live_kept.get((need.event_id, need.category)) if need.status in LIVE_NEED_STATUSES else None
        if other is not None:
            drop = other if _PROGRESS[need.status] > _PROGRESS[other.status] else need
            lifecycle.cancel_duplicate_need(session, drop)
            cancelled.append(drop.id)
            if drop is other:
                live_kept[(need.event_id, need.category)] = need
        need.household_id = kept.id
        moved.append(need.id)
    session.flush()
    requests = session.scalars(select(HelpRequest).where(HelpRequest.household_id == absorbed.id)).all()
    for help_request in requests:
        help_request.household_id = kept.id
    filled = _fill(session, absorbed, kept)
    absorbed.merged_into_id = kept.id
    absorbed.merged_at = utcnow()
    session.flush()
    record(session, "household.merged", "household", absorbed.id, {
        "into": kept.id, "needs_moved": moved, "needs_cancelled": cancelled,
        "help_requests_moved": [r.id for r in requests], "fields_filled": filled})
    rederive_priorities(session, kept)
    # households merged into the absorbed one before now point to the one kept
    for earlier in session.scalars(select(Household).where(Household.merged_into_id == absorbed.id,
                                                            Household.id != absorbed.id)):
        earlier.merged_into_id = kept.id
    session.flush()
    return kept


def _fill(session: Session, absorbed: Household, kept: Household) -> list[str]:
    filled = []
    for name in FILLED_TEXT:
        if not getattr(kept, name) and getattr(absorbed, name):
            setattr(kept, name, getattr(absorbed, name))
            filled.append(name)
    if "kk_number" in filled:
        kept.kk_digest = absorbed.kk_digest
    if "phone" in filled:
        kept.phone_digest = absorbed.phone_digest
    if kept.nik is None and absorbed.nik is not None:
        nik, digest = absorbed.nik, absorbed.nik_digest
        absorbed.nik, absorbed.nik_digest = None, None
        session.flush()  # the NIK digest is unique: free it before the kept household takes it
        kept.nik, kept.nik_digest = nik, digest
        filled.append("nik")
    for name in ("members", *VULNERABILITY_FIELDS):
        if (getattr(absorbed, name) or 0) > (getattr(kept, name) or 0):
            setattr(kept, name, getattr(absorbed, name))
            filled.append(name)
    return filled


def mark_not_duplicate(session: Session, household_id: int, other_id: int) -> tuple[NotDuplicate, bool]:
    """Remember that two households are different families; ``(row, created)``. Saying it twice
    (or concurrently) stores one row: the database's unique pair is the guarantee."""
    if household_id == other_id:
        raise Conflict(Message("a household is always the same family as itself"), field="of")
    for hid in (household_id, other_id):
        if session.get(Household, hid) is None:
            raise NotFound(Message("no household with id %(household_id)s", household_id=hid))
    low, high = sorted((household_id, other_id))
    query = select(NotDuplicate).where(NotDuplicate.low_id == low, NotDuplicate.high_id == high)
    existing = session.scalar(query)
    if existing is not None:
        return existing, False
    row = NotDuplicate(low_id=low, high_id=high, decided_by=current_actor())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = session.scalar(query)  # said at the same moment by another coordinator
        if existing is None:
            raise
        return existing, False
    return row, True
