"""Households (rumah tangga / KK) in the beneficiary registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.areas.models import AdminArea
from resilience.core.crypto import EncryptedString
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.vocabulary import APPROXIMATE_PRECISIONS, LOCATION_PRECISIONS, VULNERABILITY_FIELDS  # noqa: F401  (re-exported)


class Household(db.Model):
    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint("members >= 1", name="members_positive"),
        *(CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in VULNERABILITY_FIELDS),
        CheckConstraint(
            "location_precision IN (" + ", ".join(f"'{p}'" for p in LOCATION_PRECISIONS) + ")",
            name="location_precision",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    head_name: Mapped[str] = mapped_column(String(200))
    # Sensitive identifiers are encrypted at rest; the digests find duplicates and searches without
    # decrypting.
    kk_number: Mapped[str | None] = mapped_column(EncryptedString)
    nik: Mapped[str | None] = mapped_column(EncryptedString)
    nik_digest: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    kk_digest: Mapped[str | None] = mapped_column(String(64), index=True)  # search by KK number
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    phone_digest: Mapped[str | None] = mapped_column(String(64), index=True)  # duplicates, TOLONG senders
    address: Mapped[str] = mapped_column(String(500), default="")
    landmark: Mapped[str] = mapped_column(String(300), default="")
    # Indonesian address practice: RT and RW (zero-padded, "003"), the jalan or dusun, the
    # kelurahan (admin_area).
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    street: Mapped[str] = mapped_column(String(200), default="", server_default="")
    location: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    location_precision: Mapped[str] = mapped_column(String(10), default="gps", server_default="gps")
    admin_area_id: Mapped[int | None] = mapped_column(ForeignKey("admin_areas.id"), index=True)
    members: Mapped[int] = mapped_column(Integer, default=1)
    elderly: Mapped[int] = mapped_column(Integer, default=0)
    children_under5: Mapped[int] = mapped_column(Integer, default=0)
    pregnant_or_lactating: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[int] = mapped_column(Integer, default=0)
    chronically_ill: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # A household found to be another one's duplicate is merged into it, never deleted: its id
    # still resolves, its needs and stock movements now belong to the one kept. (No foreign key
    # in the database: SQLite cannot drop a referencing column without copying the table, which
    # would lose the spatial column; only households.merge sets it, to a household that exists.)
    merged_into_id: Mapped[int | None] = mapped_column(Integer, index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the household's personal data was erased (UU PDP; resilience/privacy/erase.py):
    # the row keeps its counts, kelurahan and an approximate point, and can no longer be edited.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    admin_area: Mapped[AdminArea | None] = relationship()

    __audit__ = True
    # Officials read the audit log: identity numbers, phones and who in the family is
    # vulnerable stay out of it (the entry still says which of them changed).
    __audit_redact__ = ("kk_number", "kk_digest", "nik", "nik_digest", "phone", "phone_digest", "rt", "rw", "street",
                        *VULNERABILITY_FIELDS)
    # The name, address and point are sealed in the log (audit/sealing.py): officials can
    # verify the entry without reading them.
    __audit_personal__ = ("head_name", "address", "landmark", "location")

    @property
    def location_is_approximate(self) -> bool:
        return self.location_precision in APPROXIMATE_PRECISIONS

    @property
    def vulnerable_count(self) -> int:
        return sum(getattr(self, name) or 0 for name in VULNERABILITY_FIELDS)


class NotDuplicate(db.Model):
    """A coordinator's word that two households are different families: the pair is no longer
    proposed as a duplicate. Stored once per pair whichever way it was said (``low_id`` is the
    smaller id; the check and the unique constraint hold it in the database)."""

    __tablename__ = "household_not_duplicates"
    __table_args__ = (
        UniqueConstraint("low_id", "high_id", name="uq_household_not_duplicates_pair"),
        CheckConstraint("low_id < high_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    high_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    decided_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __audit__ = True
