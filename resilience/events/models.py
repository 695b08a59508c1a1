"""Flood events (kejadian banjir)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.areas.models import AdminArea
from resilience.core.crypto import EncryptedString
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.vocabulary import CHECKIN_CATEGORIES, EVENT_STATUSES  # noqa: F401  (re-exported)

EVENT_TRANSITIONS = {"active": ["closed"], "closed": ["active"]}

event_admin_areas = Table(
    "event_admin_areas",
    db.metadata,
    Column("event_id", ForeignKey("flood_events.id", ondelete="CASCADE"), primary_key=True),
    Column("admin_area_id", ForeignKey("admin_areas.id"), primary_key=True),
)


class FloodEvent(db.Model):
    __tablename__ = "flood_events"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'closed')", name="status"),
        CheckConstraint("offer_timeout_minutes BETWEEN 1 AND 1440", name="offer_timeout"),
        CheckConstraint("checkin_after_minutes BETWEEN 1 AND 1440", name="checkin_after"),
        CheckConstraint("checkin_escalate_minutes BETWEEN 1 AND 1440", name="checkin_escalate"),
        CheckConstraint("long_wait_minutes BETWEEN 1 AND 10080", name="long_wait"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    affected_area: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True
    )
    offer_timeout_minutes: Mapped[int] = mapped_column(Integer, default=20)
    # The volunteer safety check-in: asked this long after an at-risk task is accepted, and
    # escalated when not answered this long after asking.
    checkin_after_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    checkin_escalate_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    checkin_categories: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(CHECKIN_CATEGORIES))
    # A priority 4-5 need open longer than this raises a long_wait alert.
    long_wait_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # The coordinator on duty: alerts go to this phone by SMS (E.164), when set.
    duty_phone: Mapped[str | None] = mapped_column(EncryptedString)  # encrypted at rest
    # The public transparency page /transparansi/{id} (aggregates only).
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    admin_areas: Mapped[list[AdminArea]] = relationship(
        secondary=event_admin_areas, order_by=AdminArea.code
    )

    __audit__ = True
    __audit_redact__ = ("duty_phone",)
