"""The household registry: create, change, find."""

from __future__ import annotations

from typing import Any

from shapely.geometry import box
from geoalchemy2.shape import from_shape
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.areas.models import AdminArea
from resilience.areas.operations import area_by_code, area_for_point
from resilience.core import crypto
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed, unique_violation
from resilience.core.geo import parse_bbox
from resilience.core.invalid import InvalidValue
from resilience.events.models import FloodEvent
from resilience.households.models import VULNERABILITY_FIELDS, Household
from resilience.households.queries import matches_text
from resilience.needs.models import Need

FIELDS = ("head_name", "phone", "nik", "kk_number", "address", "landmark", "location", "members", *VULNERABILITY_FIELDS)


def get_household(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound(Message("no household with id %(household_id)s", household_id=household_id))
    return household


def _check_counts(household: Household) -> None:
    members = household.members or 1
    for name in VULNERABILITY_FIELDS:
        if (getattr(household, name) or 0) > members:
            raise ValidationFailed.field(name, Message("%(value)s is more than the %(members)s members",
                                                       value=getattr(household, name), members=members))


def _check_nik_unique(session: Session, household: Household) -> None:
    if household.nik is None:
        household.nik_digest = None
        return
    with session.no_autoflush:  # the new digest is set below, once the check has passed
        other = session.scalar(select(Household.id).where(
            Household.nik_digest.in_(crypto.lookup_digests(household.nik)), Household.id != household.id))
    if other is not None:
        raise Conflict(Message("a household with this NIK is already registered (id %(other)s)",
                               other=other), existing_id=other, field="nik")
    household.nik_digest = crypto.digest(household.nik)


def _flush(session: Session) -> None:
    """The unique index on the NIK digest is the guarantee (the check above is the friendly
    fast path): a concurrent registration of the same NIK is a 409 here, not a 500."""
    try:
        session.flush()
    except IntegrityError as exc:
        if unique_violation(exc, {"households.nik_digest": "nik"}) is None:
            raise
        session.rollback()
        raise Conflict(Message("a household with this NIK is already registered"), field="nik") from None


def _set_kk_digest(household: Household) -> None:
    household.kk_digest = None if household.kk_number is None else crypto.digest(household.kk_number)


def create_household(session: Session, data: dict[str, Any]) -> Household:
    household = Household(**{k: v for k, v in data.items() if k in FIELDS})
    household.head_name = household.head_name.strip()
    household.members = household.members or 1
    for name in VULNERABILITY_FIELDS:
        setattr(household, name, getattr(household, name) or 0)
    household.address = household.address or ""
    household.landmark = household.landmark or ""
    _check_counts(household)
    _check_nik_unique(session, household)
    _set_kk_digest(household)
    household.admin_area = area_for_point(session, household.location)
    session.add(household)
    _flush(session)
    return household


def update_household(session: Session, household: Household, data: dict[str, Any]) -> Household:
    from resilience.needs.operations import rederive_priorities

    for key, value in data.items():
        if key in FIELDS:
            setattr(household, key, value.strip() if key == "head_name" else value)
    _check_counts(household)
    if "nik" in data:
        _check_nik_unique(session, household)
    if "kk_number" in data:
        _set_kk_digest(household)
    if "location" in data:
        household.admin_area = area_for_point(session, household.location)
    _flush(session)
    if any(name in data for name in VULNERABILITY_FIELDS):
        rederive_priorities(session, household)
    return household


def household_query(session: Session, event: int | None = None, area: str | None = None,
                    bbox: str | None = None, q: str | None = None):
    query = select(Household).order_by(Household.id)
    if event is not None:
        flood = session.get(FloodEvent, event)
        if flood is None:
            raise ValidationFailed.field("event", Message("no flood event with id %(event)s", event=event))
        has_need = exists().where(Need.household_id == Household.id, Need.event_id == flood.id)
        condition = has_need
        if flood.affected_area is not None:
            condition = or_(has_need, func.ST_Within(Household.location, flood.affected_area))
        query = query.where(condition)
    if area:
        target = area_by_code(session, area)
        if target.level in ("kelurahan", "desa"):
            query = query.where(Household.admin_area_id == target.id)
        else:
            codes = select(AdminArea.id).where(AdminArea.code.like(target.code + ".%"))
            query = query.where(Household.admin_area_id.in_(codes))
    if bbox:
        try:
            min_lon, min_lat, max_lon, max_lat = parse_bbox(bbox)
        except InvalidValue as exc:
            raise ValidationFailed.field("bbox", exc.message) from exc
        envelope = from_shape(box(min_lon, min_lat, max_lon, max_lat), srid=4326)
        query = query.where(func.ST_Intersects(Household.location, envelope))
    if q:
        query = query.where(matches_text(q))
    return query
