"""A help request (permintaan bantuan): a ``TOLONG …`` SMS from someone who is not a volunteer,
waiting until a coordinator has called back and verified it into a household and a need (or
rejected it). Unverified requests are never matched: they have no need until verified.

The sender's phone and the text are personal data: both are encrypted at rest like a
household's phone, and the phone has a keyed digest (``crypto.digest``) to find the requests
of one number, and the household already registered with it, without decrypting.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.core.crypto import EncryptedString
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.vocabulary import HELP_REQUEST_STATUSES


class HelpRequest(db.Model):
    __tablename__ = "help_requests"
    __table_args__ = (
        CheckConstraint("status IN (%s)" % ", ".join(f"'{s}'" for s in HELP_REQUEST_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(EncryptedString)
    phone_digest: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(EncryptedString)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    sms_message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_messages.id"), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    household: Mapped[Household | None] = relationship()
    need: Mapped[Need | None] = relationship()

    __audit__ = True
    __audit_redact__ = ("phone", "phone_digest", "body")
