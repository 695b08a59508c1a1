"""Reading the administrative areas as the pages show them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.areas.models import VILLAGE_LEVELS, AdminArea


def villages(session: Session) -> list[AdminArea]:
    """Every kelurahan and desa, by code."""
    return session.scalars(select(AdminArea).where(AdminArea.level.in_(VILLAGE_LEVELS)).order_by(AdminArea.code)).all()
