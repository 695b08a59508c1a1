"""The household registry: create, change, find."""

from __future__ import annotations

from typing import Any

from shapely.geometry import box
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from resilience.areas.models import VILLAGE_LEVELS, AdminArea
from resilience.areas.operations import area_by_code, area_for_point
from resilience.core import crypto
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed, flush_unique
from resilience.core.geo import parse_bbox
from resilience.core.invalid import InvalidValue
from resilience.events.models import FloodEvent
from resilience.households.models import VULNERABILITY_FIELDS, Household
from resilience.households.queries import matches_text
from resilience.needs.models import Need

FIELDS = ("head_name", "phone", "nik", "kk_number", "address", "landmark", "rt", "rw", "street", "members",
          *VULNERABILITY_FIELDS)  # location, location_precision and admin_area: see _place


def get_household(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound(Message("no household with id %(household_id)s", household_id=household_id))
    return household


def refuse_if_erased(household: Household) -> None:
    """An erased household's personal data stays erased: it is not edited back (409)."""
    if household.erased_at is not None:
        raise Conflict(Message("household %(id)s was erased (its personal data, UU PDP) and cannot be changed",
                               id=household.id))


def households_by_id(session: Session, ids) -> list[Household]:
    return list(session.scalars(select(Household).where(Household.id.in_(list(ids))))) if ids else []


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
    flush_unique(session, "households.nik_digest", "nik", Message("a household with this NIK is already registered"))


def _set_kk_digest(household: Household) -> None:
    household.kk_digest = None if household.kk_number is None else crypto.digest(household.kk_number)


def _set_phone_digest(household: Household) -> None:
    household.phone_digest = None if not household.phone else crypto.digest(household.phone)


def kelurahan(session: Session, code: str, field: str = "admin_area") -> AdminArea:
    """The village-level area (kelurahan/desa) with this Kemendagri code, or a 422 on ``field``."""
    area = area_by_code(session, code, field)
    if area.level not in VILLAGE_LEVELS:
        raise ValidationFailed.field(field, Message("%(code)s is a %(level)s; give the kelurahan/desa code",
                                                    code=code, level=area.level))
    return area


def approximate_point(area: AdminArea):
    """A point surely inside the kelurahan, the same every time: GEOS point-on-surface of its
    boundary (the centroid of a crescent-shaped kelurahan may lie outside it)."""
    return from_shape(to_shape(area.boundary).representative_point(), srid=4326)


def _disagree(point_area: AdminArea | None, area: AdminArea) -> ValidationFailed:
    if point_area is None:
        return ValidationFailed.field("admin_area", Message(
            "the point lies outside every known kelurahan, not in %(name)s (%(code)s); correct the point or "
            "the kelurahan", name=area.name, code=area.code))
    return ValidationFailed.field("admin_area", Message(
        "the point lies in %(point_name)s (%(point_code)s), not in %(name)s (%(code)s); correct the point or "
        "the kelurahan", point_name=point_area.name, point_code=point_area.code, name=area.name, code=area.code))


def _place(session: Session, household: Household, data: dict[str, Any], *, creating: bool) -> None:
    """Point, precision and kelurahan together.

    - a point: stored with the given precision (``gps`` unless ``map``); its kelurahan is derived
      and must be the ``admin_area`` when one is given;
    - only ``admin_area``: a new household, or one whose point is itself approximate, gets the
      kelurahan's point-on-surface and ``kelurahan`` precision; a measured point stays and must
      lie in that kelurahan.
    """
    area = kelurahan(session, data["admin_area"]) if data.get("admin_area") else None
    if data.get("location") is not None:
        point_area = area_for_point(session, data["location"])
        if area is not None and (point_area is None or point_area.id != area.id):
            raise _disagree(point_area, area)
        household.location = data["location"]
        household.location_precision = data.get("location_precision") or "gps"
        household.admin_area = point_area
    elif area is not None:
        if creating or household.location_is_approximate:
            household.location = approximate_point(area)
            household.location_precision = "kelurahan"
            household.admin_area = area
        elif household.admin_area is None or household.admin_area.id != area.id:
            raise _disagree(household.admin_area, area)
    elif creating:
        raise ValidationFailed.field("location", Message("give the point, or the kelurahan code as admin_area"))


def create_household(session: Session, data: dict[str, Any]) -> Household:
    household = Household(**{k: v for k, v in data.items() if k in FIELDS})
    household.head_name = household.head_name.strip()
    household.members = household.members or 1
    for name in VULNERABILITY_FIELDS:
        setattr(household, name, getattr(household, name) or 0)
    household.address = household.address or ""
    household.landmark = household.landmark or ""
    household.street = household.street or ""
    _check_counts(household)
    _check_nik_unique(session, household)
    _set_kk_digest(household)
    _set_phone_digest(household)
    _place(session, household, data, creating=True)
    session.add(household)
    _flush(session)
    return household


def update_household(session: Session, household: Household, data: dict[str, Any]) -> Household:
    from resilience.needs.operations import rederive_priorities

    refuse_if_erased(household)
    for key, value in data.items():
        if key in FIELDS:
            if key == "street" and value is None:
                value = ""
            setattr(household, key, value.strip() if key == "head_name" else value)
    _check_counts(household)
    # The look-ups below must not flush half of the change: one change, one audit entry.
    with session.no_autoflush:
        if "nik" in data:
            _check_nik_unique(session, household)
        if "kk_number" in data:
            _set_kk_digest(household)
        if "phone" in data:
            _set_phone_digest(household)
        _place(session, household, data, creating=False)
    _flush(session)  # the unique NIK index is the guarantee: a race is a 409
    if any(name in data for name in VULNERABILITY_FIELDS):
        rederive_priorities(session, household)
    return household


def household_query(session: Session, event: int | None = None, area: str | None = None,
                    bbox: str | None = None, q: str | None = None):
    query = select(Household).where(Household.merged_into_id.is_(None)).order_by(Household.id)
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
