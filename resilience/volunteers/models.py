"""Volunteer groups (kelompok relawan) and volunteers (relawan)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from resilience.core.crypto import EncryptedString, PhoneDigest
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.vocabulary import AVAILABILITY, GROUP_KINDS, SKILLS  # noqa: F401  (re-exported)

CHANNELS = ("sms", "whatsapp")  # a volunteer's preferred channel


class VolunteerGroup(db.Model):
    __tablename__ = "volunteer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    leader: Mapped[str] = mapped_column(String(200), default="")
    leader_phone: Mapped[str | None] = mapped_column(EncryptedString)  # E.164, encrypted; safety escalations go here
    base_location: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audit__ = True
    __audit_redact__ = ("leader_phone",)
    __audit_personal__ = ("leader",)


class Volunteer(PhoneDigest, db.Model):
    __tablename__ = "volunteers"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 0 AND 50", name="capacity_range"),
        CheckConstraint("availability IN ('available', 'busy', 'off')", name="availability"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # E.164, encrypted at rest. Its keyed digest is how a phone is found and what makes it unique
    # (a UNIQUE index: two registrations at once cannot both store it). The UNIQUE on ``phone``
    # itself is a leftover of 0001 (SQLite cannot drop it without copying the table): it holds
    # trivially, ciphertexts never repeat. Find a volunteer by phone with :meth:`by_phone`.
    phone: Mapped[str] = mapped_column(EncryptedString, unique=True)
    phone_digest: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_groups.id"), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    trainings: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    availability: Mapped[str] = mapped_column(String(20), default="available", index=True)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    sms_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # How messages reach them: "sms" or "whatsapp" (through Twilio, falling back to SMS).
    preferred_channel: Mapped[str] = mapped_column(String(10), default="sms", server_default="sms")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[VolunteerGroup | None] = relationship()

    __audit__ = True
    __audit_redact__ = ("phone", "phone_digest")
    __audit_personal__ = ("name", "location")

    @classmethod
    def by_phone(cls, session: Session, phone: str) -> "Volunteer | None":
        """The volunteer with this E.164 phone, or None: the one way to find a volunteer by phone."""
        if not phone:
            return None
        return session.scalar(select(cls).where(cls.phone_is(phone)))
