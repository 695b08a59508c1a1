"""Volunteer groups (kelompok relawan) and volunteers (relawan)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    leader_phone: Mapped[str | None] = mapped_column(String(20))  # E.164; safety escalations go here
    base_location: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audit__ = True
    __audit_redact__ = ("leader_phone",)
    __audit_personal__ = ("leader",)


class Volunteer(db.Model):
    __tablename__ = "volunteers"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 0 AND 50", name="capacity_range"),
        CheckConstraint("availability IN ('available', 'busy', 'off')", name="availability"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
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
    __audit_redact__ = ("phone",)
    __audit_personal__ = ("name", "location")
