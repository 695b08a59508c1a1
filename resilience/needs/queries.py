"""Reading needs as the pages show them: an event's needs with their households (the map, the
proposal's unserved needs), a household's needs, and the dashboard's counts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from resilience.areas.models import AdminArea
from resilience.households.models import Household
from resilience.needs.models import LIVE_NEED_STATUSES, Need
from resilience.vocabulary import VULNERABILITY_FIELDS


def event_needs(session: Session, event_id: int, status: str | None = None) -> list[Need]:
    """The event's needs (optionally of one status) with their households, by household."""
    query = select(Need).options(joinedload(Need.household)).where(Need.event_id == event_id)
    if status:
        query = query.where(Need.status == status)
    return session.scalars(query.order_by(Need.household_id, Need.id)).unique().all()


def event_map_rows(session: Session, event_id: int, personal: bool = True) -> list:
    """The event's needs, by household, as plain tuples in this column order (the dashboard
    unpacks them by position): need id, category, priority, status, household id, the point's
    ``lat`` and ``lon``, kelurahan name, members, the sum of the vulnerability counts, and with
    ``personal`` the head's name and the landmark.

    No ORM objects, no geometry parsing, and executed on the session's connection rather than
    through the ORM (whose per-row loading took a third of the time): the map of an event with
    10,000 households stays fast (bench/load.py --map-households)."""
    vulnerable = sum((func.coalesce(getattr(Household, name), 0) for name in VULNERABILITY_FIELDS[1:]),
                     func.coalesce(getattr(Household, VULNERABILITY_FIELDS[0]), 0))
    columns = [Need.id, Need.category, Need.priority, Need.status, Need.household_id,
               func.ST_Y(Household.location).label("lat"), func.ST_X(Household.location).label("lon"),
               AdminArea.name.label("kelurahan"), Household.members, vulnerable.label("vulnerable")]
    if personal:
        columns += [Household.head_name, Household.landmark]
    query = (
        select(*columns)
        .join(Household, Household.id == Need.household_id)
        .outerjoin(AdminArea, AdminArea.id == Household.admin_area_id)
        .where(Need.event_id == event_id)
        .order_by(Need.household_id, Need.id)
    )
    return session.connection().execute(query).all()


def open_needs_by_priority(session: Session, event_id: int) -> list[Need]:
    """The event's open needs, most urgent first, with their households."""
    return session.scalars(
        select(Need).options(joinedload(Need.household))
        .where(Need.event_id == event_id, Need.status == "open").order_by(Need.priority.desc(), Need.id)
    ).unique().all()


def household_needs(session: Session, household_id: int) -> list[Need]:
    """A household's needs in every event (newest event first, most urgent first), with the event."""
    return session.scalars(select(Need).options(joinedload(Need.event)).where(Need.household_id == household_id)
                           .order_by(Need.event_id.desc(), Need.priority.desc(), Need.id)).all()


def open_counts_by_priority(session: Session, event_id: int) -> dict[int, int]:
    """Priority → how many open needs the event has (priorities without any left out)."""
    return dict(session.execute(
        select(Need.priority, func.count()).where(Need.event_id == event_id, Need.status == "open")
        .group_by(Need.priority)).all())


def households_served(session: Session, event_id: int) -> int:
    """Households served as the official report defines it: every need not cancelled is done."""
    still_live = select(Need.household_id).where(Need.event_id == event_id, Need.status.in_(LIVE_NEED_STATUSES))
    return session.scalar(
        select(func.count(func.distinct(Need.household_id))).where(
            Need.event_id == event_id, Need.status == "done", Need.household_id.not_in(still_live))) or 0
