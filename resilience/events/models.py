"""Flood events (kejadian banjir)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.areas.models import AdminArea
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.vocabulary import EVENT_STATUSES  # noqa: F401  (re-exported)

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    admin_areas: Mapped[list[AdminArea]] = relationship(
        secondary=event_admin_areas, order_by=AdminArea.code
    )

    __audit__ = True
