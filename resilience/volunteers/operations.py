"""The volunteer roster."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import box
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from resilience.core.db import like_pattern
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed, flush_unique
from resilience.core.geo import parse_bbox
from resilience.core.invalid import InvalidValue
from resilience.volunteers.models import Volunteer, VolunteerGroup

VOLUNTEER_FIELDS = ("name", "phone", "group_id", "skills", "trainings", "location", "availability",
                    "capacity", "sms_opt_out", "preferred_channel")


def create_group(session: Session, data: dict[str, Any]) -> VolunteerGroup:
    name = data["name"].strip()
    if session.scalar(select(VolunteerGroup.id).where(func.lower(VolunteerGroup.name) == func.lower(name))):
        raise Conflict(Message("a volunteer group named '%(name)s' already exists", name=name), field="name")
    group = VolunteerGroup(name=name, kind=data["kind"], leader=(data.get("leader") or "").strip(),
                           leader_phone=data.get("leader_phone"), base_location=data.get("base_location"))
    session.add(group)
    _flush_group(session, name)
    return group


def _flush_group(session: Session, name: str) -> None:
    """The unique index is the guarantee (a racing twin, or a name whose case the database folds
    differently from Python, passes the check above): a 409, never a 500."""
    flush_unique(session, "volunteer_groups.name", "name",
                 Message("a volunteer group named '%(name)s' already exists", name=name))


def get_group(session: Session, group_id: int) -> VolunteerGroup:
    group = session.get(VolunteerGroup, group_id)
    if group is None:
        raise NotFound(Message("no volunteer group with id %(group_id)s", group_id=group_id))
    return group


def update_group(session: Session, group: VolunteerGroup, data: dict[str, Any]) -> VolunteerGroup:
    """Changes the given fields; a new name must not be another group's (case-insensitive)."""
    if "name" in data:
        name = data["name"].strip()
        other = session.scalar(select(VolunteerGroup.id).where(
            func.lower(VolunteerGroup.name) == func.lower(name), VolunteerGroup.id != group.id))
        if other is not None:
            raise Conflict(Message("a volunteer group named '%(name)s' already exists", name=name), field="name")
        group.name = name
    if "kind" in data:
        group.kind = data["kind"]
    if "leader" in data:
        group.leader = (data["leader"] or "").strip()
    if "leader_phone" in data:
        group.leader_phone = data["leader_phone"]
    if "base_location" in data:
        group.base_location = data["base_location"]
    _flush_group(session, group.name)
    return group


def get_volunteer(session: Session, volunteer_id: int) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound(Message("no volunteer with id %(volunteer_id)s", volunteer_id=volunteer_id))
    return volunteer


def _check_group(session: Session, group_id: int | None) -> None:
    if group_id is not None and session.get(VolunteerGroup, group_id) is None:
        raise ValidationFailed.field("group_id", Message("no volunteer group with id %(group_id)s", group_id=group_id))


def _check_phone(session: Session, phone: str, volunteer_id: int | None) -> None:
    other = session.scalar(select(Volunteer.id).where(Volunteer.phone_is(phone)))
    if other is not None and other != volunteer_id:
        raise Conflict(Message("another volunteer already has this phone number"), existing_id=other, field="phone")


def _flush(session: Session) -> None:
    flush_unique(session, "volunteers.phone_digest", "phone", Message("another volunteer already has this phone number"))


def create_volunteer(session: Session, data: dict[str, Any]) -> Volunteer:
    _check_group(session, data.get("group_id"))
    _check_phone(session, data["phone"], None)
    volunteer = Volunteer(
        name=data["name"].strip(),
        phone=data["phone"],
        group_id=data.get("group_id"),
        skills=sorted(data.get("skills") or []),
        trainings=list(data.get("trainings") or []),
        location=data["location"],
        availability=data.get("availability", "available"),
        capacity=data.get("capacity", 1),
        sms_opt_out=False,
        preferred_channel=data.get("preferred_channel", "sms"),
    )
    session.add(volunteer)
    _flush(session)
    return volunteer


def update_volunteer(session: Session, volunteer: Volunteer, data: dict[str, Any]) -> Volunteer:
    if "group_id" in data:
        _check_group(session, data["group_id"])
    if "phone" in data:
        _check_phone(session, data["phone"], volunteer.id)
    for key, value in data.items():
        if key == "skills":
            value = sorted(value)
        if key == "name":
            value = value.strip()
        if key in VOLUNTEER_FIELDS:
            setattr(volunteer, key, value)
    _flush(session)
    return volunteer


def volunteer_query(session: Session, group=None, availability=None, skill=None, bbox=None, q=None):
    query = select(Volunteer).order_by(Volunteer.id)
    if group is not None:
        query = query.where(Volunteer.group_id == group)
    if availability:
        query = query.where(Volunteer.availability == availability)
    if skill:
        # skills is a JSON list of known words; its text always holds them quoted.
        query = query.where(cast(Volunteer.skills, String).like(f'%"{skill}"%'))
    if bbox:
        try:
            min_lon, min_lat, max_lon, max_lat = parse_bbox(bbox)
        except InvalidValue as exc:
            raise ValidationFailed.field("bbox", exc.message) from exc
        envelope = from_shape(box(min_lon, min_lat, max_lon, max_lat), srid=4326)
        query = query.where(func.ST_Intersects(Volunteer.location, envelope))
    if q:
        query = query.where(func.lower(Volunteer.name).like(like_pattern(q), escape="\\"))
    return query
