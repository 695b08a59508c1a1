"""Reading the roster as the pages show it: groups with their member counts, the volunteers a
proposal may swap in, names by id, and a volunteer's SMS conversation."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from resilience.sms.models import SmsMessage
from resilience.volunteers.models import Volunteer, VolunteerGroup
from resilience.volunteers.operations import volunteer_query


def roster_page(session: Session, filters: dict, page: int, per_page: int) -> tuple[list[Volunteer], int, int]:
    """``(volunteers, total, page)``: the API's volunteer filters (group, availability, skill, q),
    by name, one page of them with their groups; a page past the end is the last page."""
    query = volunteer_query(session, **filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))
    rows = session.scalars(query.options(joinedload(Volunteer.group)).order_by(None)
                           .order_by(Volunteer.name, Volunteer.id).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total, page


def groups(session: Session) -> list[VolunteerGroup]:
    return session.scalars(select(VolunteerGroup).order_by(VolunteerGroup.name)).all()


def member_counts(session: Session) -> dict[int | None, int]:
    """Group id → how many volunteers it has (None: without a group)."""
    return dict(session.execute(select(Volunteer.group_id, func.count()).group_by(Volunteer.group_id)).all())


def all_volunteers(session: Session) -> list[Volunteer]:
    return session.scalars(select(Volunteer).order_by(Volunteer.id)).all()


def reachable_available(session: Session) -> list[Volunteer]:
    """Available volunteers who accept SMS, by name: those a task can be offered to."""
    return session.scalars(
        select(Volunteer).where(Volunteer.availability == "available", Volunteer.sms_opt_out.is_(False))
        .order_by(Volunteer.name, Volunteer.id)).all()


def names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Volunteer.id, Volunteer.name).where(Volunteer.id.in_(ids))).all())


def conversation(session: Session, volunteer: Volunteer) -> list[SmsMessage]:
    """Every SMS to or from the volunteer (by id, or by phone for replies not yet linked), oldest first."""
    return session.scalars(
        select(SmsMessage).where((SmsMessage.volunteer_id == volunteer.id) | SmsMessage.phone_is(volunteer.phone))
        .order_by(SmsMessage.id)).all()
