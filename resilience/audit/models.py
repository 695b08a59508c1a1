"""The response log: an append-only hash chain of every state change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from resilience.audit.canonical import GENESIS_HASH
from resilience.core.crypto import EncryptedString
from resilience.core.db import UTCDateTime
from resilience.extensions import db

__all__ = ["GENESIS_HASH", "AuditEntry", "AuditHead", "AuditVerified"]


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_event_id_seq", "event_id", "seq"),
        Index("ix_audit_entries_entity", "entity_type", "entity_id"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(254), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[Any] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Not hashed: an index for "entries about this event" (the event itself, its needs, their
    # tasks, the tasks' SMS, its stock movements), filled when the entry is written
    # (resilience/audit/scope.py). Editing it cannot hide an entry from verify or the export.
    event_id: Mapped[int | None] = mapped_column(Integer)
    # Not hashed: the openings of the payload's seals ({field: [salt, value]}), encrypted; staff
    # read the personal values from here, officials never (resilience/audit/sealing.py).
    private: Mapped[str | None] = mapped_column(EncryptedString)


class AuditHead(db.Model):
    """One row: the newest seq and hash, updated in the same transaction as each append.

    Appenders lock this row (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers
    anyway), so the chain never forks; and verify compares it with the last entry, so removing
    entries from the end is caught too.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditVerified(db.Model):
    """One row: the end of the prefix of the chain a verification last found intact (its seq
    and hash). An incremental verification starts there instead of at the first entry, after
    recomputing that entry and comparing its hash with the one remembered here."""

    __tablename__ = "audit_verified"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
