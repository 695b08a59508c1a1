"""Verifying the chain on the server, incrementally.

A verification walks entries in seq order, recomputing each hash (see canonical.py) and
checking each link, then compares the last one with the head row (so a shortened tail is
caught). The prefix found intact is remembered in ``audit_verified`` (seq, hash); the next
incremental call starts at that entry — recomputing it and comparing its hash with the one
remembered, so a later rewrite of the log up to there shows — and checks only what was added.

What only a full check (``full=True``) catches: an entry inside the remembered prefix edited
*without* recomputing the hashes after it (the remembered entry's hash is unchanged). When an
incremental call finds the remembered entry changed it falls back to a full check, to name the
first bad entry. Anchors (``SEQ:HASH`` written down outside the database) are always checked:
the walk starts at the earliest anchor when that lies inside the remembered prefix.

The remembered row is written by :func:`remember`, in its own short transaction and only for an
entry that is committed with that hash, so a verification inside a transaction that is later
rolled back can never remember entries that do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from resilience.audit.canonical import body_of, entry_hash
from resilience.audit.models import GENESIS_HASH, AuditEntry, AuditHead, AuditVerified
from resilience.core.db import reset_read_only, set_read_only, utcnow


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    # what broke: "chain" (an entry or link), "head", "anchor" or "checkpoint" (the remembered
    # entry no longer has the remembered hash although the chain itself verifies)
    reason: str | None = None
    full: bool = True
    checked: int = 0  # entries whose hash was recomputed by this call
    good_seq: int = 0  # the end of the prefix found intact, and its hash
    good_hash: str = GENESIS_HASH

    def as_dict(self) -> dict[str, Any]:
        if self.ok:
            return {"ok": True, "entries": self.entries}
        return {"ok": False, "first_bad_seq": self.first_bad_seq, "entries": self.entries}


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` (as a report prints them: the head's sequence number and hash) as a pair;
    ValueError naming what is wrong otherwise."""
    seq, sep, digest = text.strip().partition(":")
    if not sep or not seq.isdigit() or int(seq) < 1:
        raise ValueError(f"{text!r}: expected SEQ:HASH, e.g. 1520:3f9a… (a sequence number from 1)")
    digest = digest.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"{text!r}: the hash must be 64 hexadecimal digits (SHA-256)")
    return int(seq), digest


_COLUMNS = (AuditEntry.seq, AuditEntry.created_at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity_type,
            AuditEntry.entity_id, AuditEntry.payload, AuditEntry.prev_hash, AuditEntry.hash)


def stream_rows(session: Session, after: int, until: int | None = None, batch: int = 2000,
                *, private: bool = False) -> Iterator[Any]:
    """Entries after seq ``after`` (up to ``until``) in seq order, as plain rows (no ORM
    objects: a third of the time at 60,000 entries), read in batches; with the decrypted
    ``private`` openings only when asked (the export for staff)."""
    columns = (*_COLUMNS, AuditEntry.private) if private else _COLUMNS
    last = after
    while until is None or last < until:
        query = select(*columns).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        if until is not None:
            query = query.where(AuditEntry.seq <= until)
        chunk = session.execute(query).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def remembered(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(AuditVerified.seq, AuditVerified.hash).where(AuditVerified.id == 1)).one_or_none()
    return (row.seq, row.hash) if row else None


def verify(session: Session, anchors: dict[int, str] | None = None, *, full: bool = False) -> Verification:
    """Check the chain (from the remembered prefix unless ``full``) and the anchors; report the
    first entry that was altered, removed or inserted. Writes nothing (see :func:`remember`)."""
    checkpoint = remembered(session)
    if full or checkpoint is None:
        return _walk(session, 1, anchors or {}, checkpoint, full=True)
    start = min([checkpoint[0], *(anchors or {})])
    result = _walk(session, start, anchors or {}, checkpoint, full=False)
    if not result.ok and result.reason == "checkpoint":
        # The remembered entry changed: find out from the start where the log was rewritten.
        return _walk(session, 1, anchors or {}, checkpoint, full=True)
    return result


def _walk(session: Session, start: int, anchors: dict[int, str], checkpoint: tuple[int, str] | None,
          *, full: bool) -> Verification:
    anchors = dict(anchors)
    if start > 1:
        # Trust the link into ``start`` as stored: everything before it was verified already.
        prev = session.scalar(select(AuditEntry.prev_hash).where(AuditEntry.seq == start))
        if prev is None:  # the entry itself is gone
            return Verification(False, start - 1, start, "chain", full)
    else:
        prev = GENESIS_HASH
    expected, checked, good_seq, good_hash = start, 0, start - 1, prev

    def bad(seq: int, reason: str) -> Verification:
        return Verification(False, expected - 1, seq, reason, full, checked, good_seq, good_hash)

    for entry in stream_rows(session, start - 1):
        if entry.seq != expected:  # a gap: the entry ``expected`` was removed
            return bad(expected, "chain")
        checked += 1
        if entry.prev_hash != prev or entry.hash != entry_hash(prev, body_of(entry)):
            return bad(entry.seq, "chain")
        if entry.seq in anchors and anchors.pop(entry.seq) != entry.hash:
            return bad(entry.seq, "anchor")
        if checkpoint and entry.seq == checkpoint[0] and entry.hash != checkpoint[1]:
            return bad(entry.seq, "checkpoint")
        prev = good_hash = entry.hash
        good_seq = entry.seq
        expected += 1
    count = expected - 1
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    head_seq, head_hash = head if head else (0, GENESIS_HASH)
    if head_seq != count:  # entries removed from the end (or the head row edited)
        return bad(min(head_seq, count) + 1, "head")
    if head_hash != prev:
        return bad(max(head_seq, 1), "head")
    if checkpoint and checkpoint[0] > count:  # the remembered entry is gone
        return bad(count + 1, "checkpoint")
    if anchors:  # anchored entries the log no longer holds
        return bad(min(anchors), "anchor")
    return Verification(True, count, None, None, full, checked, good_seq, good_hash)


def remember(engine: Engine, result: Verification) -> None:
    """Store the prefix ``result`` found intact, in a transaction of its own (call it after the
    verifying session's transaction ended, so SQLite's write lock is free).

    An intact chain moves the remembered entry forward (never back: a concurrent call may have
    gone further). A full check that found the chain itself broken moves it back to before the
    break, so incremental calls report the break too. Anchors and the remembered entry's own
    mismatch leave it alone: the first may be a caller's typo, the second is the evidence."""
    if result.ok:
        seq, digest, lower = result.good_seq, result.good_hash, False
    elif result.full and result.reason in ("chain", "head"):
        seq, digest, lower = min(result.good_seq, (result.first_bad_seq or 1) - 1), None, True
    else:
        return
    token = set_read_only(False)  # SQLite: BEGIN IMMEDIATE, even inside a GET request
    try:
        _store(engine, seq, digest, lower)
    except (IntegrityError, OperationalError):
        pass  # a concurrent call stored it first, or the database is busy: only a shortcut lost
    finally:
        reset_read_only(token)


def _store(engine: Engine, seq: int, digest: str | None, lower: bool) -> None:
    with engine.begin() as conn:
        current = conn.execute(select(AuditVerified.seq).where(AuditVerified.id == 1)).scalar()
        if lower:
            if current is not None and current > seq:
                if seq < 1:
                    conn.execute(delete(AuditVerified).where(AuditVerified.id == 1))
                else:
                    digest = conn.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq))
                    conn.execute(update(AuditVerified).where(AuditVerified.id == 1)
                                 .values(seq=seq, hash=digest, verified_at=utcnow()))
            return
        if seq < 1 or (current is not None and current >= seq):
            return
        committed = conn.scalar(select(exists().where(AuditEntry.seq == seq, AuditEntry.hash == digest)))
        if not committed:
            return
        values = dict(seq=seq, hash=digest, verified_at=utcnow())
        if current is None:
            conn.execute(insert(AuditVerified).values(id=1, **values))
        else:
            conn.execute(update(AuditVerified).where(AuditVerified.id == 1, AuditVerified.seq < seq).values(**values))
