"""A household's needs (kebutuhan) in one flood event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.core.db import UTCDateTime, utcnow
from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.households.models import Household
from resilience.vocabulary import (  # noqa: F401  (re-exported for the domain)
    LIVE_NEED_STATUSES,
    MANUAL_NEED_STATUSES,
    NEED_CATEGORIES as CATEGORIES,
    NEED_STATUSES,
    REQUIRED_SKILL,
)

# Every transition the system knows; a coordinator may make the MANUAL ones with PATCH,
# the others follow from tasks (matching and SMS).
NEED_TRANSITIONS = {
    "open": ["assigned", "done", "cancelled"],
    "assigned": ["open", "in_progress", "done", "cancelled"],
    "in_progress": ["open", "done", "cancelled"],
    "done": ["open"],
    "cancelled": ["open"],
}


class Need(db.Model):
    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint(
            "status IN ('open', 'assigned', 'in_progress', 'done', 'cancelled')", name="status"
        ),
        # One live need per household, event and category: a second report is a duplicate.
        Index(
            "uq_needs_live_category",
            "event_id",
            "household_id",
            "category",
            unique=True,
            sqlite_where=text("status IN ('open', 'assigned', 'in_progress')"),
            postgresql_where=text("status IN ('open', 'assigned', 'in_progress')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("flood_events.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    priority: Mapped[int] = mapped_column(Integer)
    derived_priority: Mapped[int] = mapped_column(Integer)
    priority_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_reason: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    reporter: Mapped[str] = mapped_column(String(200), default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[FloodEvent] = relationship()
    household: Mapped[Household] = relationship()

    __audit__ = True
    __audit_personal__ = ("notes", "priority_reason", "reporter")  # free text: sealed in the log

    @property
    def required_skill(self) -> str | None:
        return REQUIRED_SKILL[self.category]
