"""Tasks (tugas): one need assigned to one volunteer. Matching proposes them, SMS runs them;
their status changes only in ``dispatch.lifecycle``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.needs.models import Need
from resilience.volunteers.models import Volunteer

TASK_STATUSES = (
    "proposed", "offered", "accepted", "declined", "expired", "done", "cancelled", "failed",
)
LIVE_TASK_STATUSES = ("proposed", "offered", "accepted")
_LIVE_SQL = "status IN ('proposed', 'offered', 'accepted')"


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'offered', 'accepted', 'declined', 'expired', 'done', "
            "'cancelled', 'failed')",
            name="status",
        ),
        # A need is never in two live tasks, whatever races happen above this line.
        Index(
            "uq_tasks_live_need",
            "need_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("flood_events.id"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    distance_m: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="")
    # The same reason as data for the web app to word in the page language (see
    # matching.engine.EXPLANATION_CODES; ids instead of the engine's indices); None when unknown.
    explanation_code: Mapped[str | None] = mapped_column(String(40))
    explanation_params: Mapped[dict | None] = mapped_column(JSON)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The volunteer's words after TIDAK ("motor mogok"), shown on the task board.
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Why a coordinator changed it by hand (done on the volunteer's behalf, cancelled, …).
    coordinator_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The safety check-in of an at-risk task: due, asked (AMAN/BANTU SMS sent), answered safe,
    # help asked (BANTU), escalated (no answer, or BANTU).
    checkin_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    checkin_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_safe_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_help_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    need: Mapped[Need] = relationship()
    volunteer: Mapped[Volunteer] = relationship()

    __audit__ = True
    # Free text (the explanation names volunteers): sealed in the log.
    __audit_personal__ = ("decline_reason", "coordinator_note", "explanation")

    @property
    def code(self) -> str:
        """The short code volunteers quote in SMS replies (``T123``)."""
        return f"T{self.id}"

    @staticmethod
    def id_from_code(code: str) -> int | None:
        code = code.strip().upper()
        if code.startswith("T") and code[1:].isdigit():
            return int(code[1:])
        return None
