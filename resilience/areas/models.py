"""Administrative areas (wilayah) with Kemendagri codes and boundaries."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.extensions import db

# Kemendagri levels; households are placed in the lowest ones.
LEVELS = ("provinsi", "kota", "kabupaten", "kecamatan", "kelurahan", "desa")
VILLAGE_LEVELS = ("kelurahan", "desa")


class AdminArea(db.Model):
    __tablename__ = "admin_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_areas.id"), index=True)
    boundary: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True))
    centroid: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )

    parent: Mapped["AdminArea | None"] = relationship(remote_side="AdminArea.id")

    __audit__ = True
