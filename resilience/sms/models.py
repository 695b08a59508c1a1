"""SMS messages: the outbox and the inbox. A message may be linked to the task it is about
(``task_id``, a relationship by name): ``sms/`` stores the link and never looks inside it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.core.crypto import EncryptedString, PhoneDigest
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.volunteers.models import Volunteer

SMS_STATUSES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "received")
# Provider statuses only move forward: a late "sent" never replaces "delivered".
STATUS_RANK = {"queued": 0, "sending": 1, "sent": 2, "undelivered": 3, "failed": 3, "delivered": 4}
FINAL_STATUSES = ("delivered", "undelivered", "failed")


class SmsMessage(PhoneDigest, db.Model):
    __tablename__ = "sms_messages"
    __table_args__ = (
        CheckConstraint("direction IN ('outbound', 'inbound')", name="direction"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'received')",
            name="status",
        ),
        Index("ix_sms_messages_due", "status", "next_attempt_at"),
        # A WhatsApp message is replaced by SMS at most once: the database refuses a second.
        Index("uq_sms_messages_fallback_of", "fallback_of_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(10))
    # The other end's number (a volunteer's, a resident's, a stranger's), encrypted at rest; look
    # it up by its keyed digest: ``SmsMessage.phone_is(phone)``.
    phone: Mapped[str] = mapped_column(EncryptedString)
    phone_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30), default="")  # offer, confirmation, reply, …
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), index=True)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The backend that carried it (twilio, gammu, outbox), and why it left the one before.
    channel: Mapped[str | None] = mapped_column(String(10))
    channel_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    attempt_token: Mapped[str | None] = mapped_column(String(32))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An inbound message the system did not act on (free text, an unknown number) waits in the
    # coordinator's inbox until someone handles it.
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(120))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # WhatsApp's "read" status
    # The WhatsApp message this SMS replaces (it was not delivered): an id, not a foreign key.
    fallback_of_id: Mapped[int | None] = mapped_column(Integer)

    task: Mapped["Task | None"] = relationship("Task")  # noqa: F821  (dispatch.models, by name)
    volunteer: Mapped[Volunteer | None] = relationship()

    __audit__ = True
    __audit_redact__ = ("phone", "phone_digest", "attempt_token")
    __audit_personal__ = ("body",)

    def advance(self, status: str, provider_sid: str | None, error_code: int | None) -> bool:
        """A provider status update; statuses only move forward. True when something changed."""
        changed = False
        if provider_sid and self.provider_sid is None:
            self.provider_sid, changed = provider_sid, True
        if status in STATUS_RANK and STATUS_RANK[status] > STATUS_RANK.get(self.status, -1) \
                and self.status not in FINAL_STATUSES:
            self.status, changed = status, True
            if status == "delivered":
                self.delivered_at = utcnow()
            if status in ("sent", "delivered") and self.sent_at is None:
                self.sent_at = utcnow()
            if error_code:
                self.error_code = error_code
        return changed
