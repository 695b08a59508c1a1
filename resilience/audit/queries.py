"""Reads of the response log shared by the API and the web page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from resilience.audit.models import AuditEntry, AuditHead


def filtered(args: dict[str, Any], *, newest_first: bool = False) -> Select:
    """Entries matching the log's filters: ``event``, ``entity_type``, ``entity_id``, ``actor``,
    ``action`` (exact), ``since`` (inclusive), ``until`` (exclusive), ``after_seq``."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc() if newest_first else AuditEntry.seq)
    if "event" in args:
        query = query.where(AuditEntry.event_id == args["event"])
    for name in ("entity_type", "entity_id", "actor", "action"):
        if name in args:
            query = query.where(getattr(AuditEntry, name) == args[name])
    if "since" in args:
        query = query.where(AuditEntry.created_at >= args["since"])
    if "until" in args:
        query = query.where(AuditEntry.created_at < args["until"])
    if "after_seq" in args:
        query = query.where(AuditEntry.seq > args["after_seq"])
    return query


def page_of(session: Session, query: Select, page: int, per_page: int) -> tuple[list[AuditEntry], int, int]:
    """(entries of the page, total, the page actually shown: the last one when asked beyond it)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    return list(session.scalars(query.limit(per_page).offset((page - 1) * per_page))), total, page


def head(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    return (row.seq, row.hash) if row else None


def entry(session: Session, seq: int) -> AuditEntry | None:
    return session.get(AuditEntry, seq)
