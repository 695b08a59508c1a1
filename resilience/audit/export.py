"""The log as JSON Lines: one entry per line exactly as it was hashed, in seq order, then the
head. Shared by ``resilience audit export`` and ``GET /api/v1/audit/export``.

    {"action":"flood_event.created","actor":"…","entity_id":1,…,"prev_hash":"000…","seq":1,"time":"…","hash":"…"}
    …
    {"head":{"hash":"…","seq":812},"from_seq":1,"to_seq":812}

The last line names the head of the log when the export began and the range exported; a file
without it was cut short, and a full export whose last entry is not the head lost its tail.
"""

from __future__ import annotations

from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.audit.canonical import canonical_json
from resilience.audit.models import GENESIS_HASH, AuditHead
from resilience.audit.sealing import view
from resilience.audit.verification import stream_rows


def export_lines(session: Session, from_seq: int = 1, to_seq: int | None = None, *,
                 personal: bool = False) -> Iterator[str]:
    """Lines (each ending in a newline) of the entries ``from_seq``..``to_seq`` (default: up to
    the head as it is when the export starts; entries appended meanwhile are left out).

    ``personal``: for staff, each sealed entry also carries its openings (``personal``); without
    it (officials) no personal value is written: seals stay seals, and an entry from before
    seals existed is written withheld (see sealing.py; the verifier checks it by its links)."""
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    head_seq, head_hash = head if head else (0, GENESIS_HASH)
    last_wanted = head_seq if to_seq is None else min(to_seq, head_seq)
    for entry in stream_rows(session, max(from_seq, 1) - 1, last_wanted, private=personal):
        yield canonical_json(view(entry, personal)) + "\n"
    trailer = {"head": {"seq": head_seq, "hash": head_hash}, "from_seq": max(from_seq, 1), "to_seq": last_wanted}
    yield canonical_json(trailer) + "\n"
