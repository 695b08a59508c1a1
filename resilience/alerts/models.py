"""An alert (peringatan): something a coordinator must act on, raised by the code that noticed
it (dispatch, sms, the check-in sweep) and closed by a coordinator's acknowledgement or,
when the condition goes away by itself, resolved.

``subject`` says what the alert is about (``need:12``, ``task:40``, ``sms:7``,
``volunteer:3``); at most one alert per kind and subject is open at a time, and the database
guarantees it (a partial unique index), so two workers noticing the same thing raise one alert.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.vocabulary import ALERT_KINDS, ALERT_SEVERITIES

_OPEN_SQL = "acknowledged_at IS NULL AND resolved_at IS NULL"
_UNRESOLVED_SQL = "resolved_at IS NULL"


class Alert(db.Model):
    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("kind IN (%s)" % ", ".join(f"'{k}'" for k in ALERT_KINDS), name="kind"),
        CheckConstraint("severity IN (%s)" % ", ".join(f"'{s}'" for s in ALERT_SEVERITIES), name="severity"),
        Index("uq_alerts_open_subject", "kind", "subject", unique=True,
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        # Resolving looks up the unresolved alerts of a subject at every change of a need.
        Index("ix_alerts_unresolved_subject", "subject",
              sqlite_where=text(_UNRESOLVED_SQL), postgresql_where=text(_UNRESOLVED_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(10), default="warning")
    subject: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("flood_events.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    sms_message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_messages.id"), index=True)
    # Parameters for the wording (no personal data: codes, counts, categories, priorities).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The coordinator-on-duty SMS: when it was last sent and how often (repeats until ack).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notify_count: Mapped[int] = mapped_column(Integer, default=0)

    __audit__ = True

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.resolved_at is None
