"""Test data built in-process, through the same schemas and domain operations the API uses
(so every row passes the API's validation), without an HTTP round trip: for tests where the
HTTP layer is not what they test.

Each function writes in its own transaction on the current app's session, commits like a
request would (audit entries included, written as ``actor``), and returns the ORM row detached
from the session with its columns loaded (``row.id``, ``row.status``: what it was when
created). Read later states and relationships through the session. No transaction is left open
behind: on SQLite an open one would keep the test reading an old snapshot, or hold the write
lock that the requests under test need.

    event = factories.event()
    siti = factories.household(members=5)
    need = factories.need(event, siti, "evacuation")
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any, Iterator

from resilience.core.geo import haversine_m

COORDINATOR = "coordinator:koordinator@posko.test"
MUNGKU_BARU = {"lat": -1.6346, "lon": 113.6858}  # centroid of kelurahan 62.71.05.1004
# A box around Mungku Baru and Bukit Sua (Rakumpit), lon/lat order.
RAKUMPIT_BOX = {
    "type": "Polygon",
    "coordinates": [[[113.60, -1.72], [113.74, -1.72], [113.74, -1.58], [113.60, -1.58], [113.60, -1.72]]],
}
PASSWORD = "a-long-password"

_phones = itertools.count(1)


@contextlib.contextmanager
def writing(actor: str = COORDINATOR) -> Iterator[Any]:
    """The app session in a write transaction of its own, committed at the end (rolled back on
    error), with ``actor`` on the audit entries."""
    from resilience.audit.chain import current_actor, set_actor
    from resilience.core.db import reset_read_only, set_read_only
    from resilience.extensions import db

    session = db.session
    session.rollback()  # a fresh transaction, begun as a writer
    may_write = set_read_only(False)
    previous = current_actor()
    set_actor(actor)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        set_actor(previous)
        reset_read_only(may_write)


def _detached(row):
    """The committed row with its columns loaded, out of the session, no transaction left open."""
    from resilience.extensions import db

    session = db.session
    session.refresh(row)
    session.expunge(row)
    session.rollback()
    return row


def _load(schema_class, body: dict[str, Any]) -> dict[str, Any]:
    return schema_class().load(body)


def _id(row_or_id) -> int:
    return row_or_id if isinstance(row_or_id, int) else row_or_id.id


# --- people and places -----------------------------------------------------------------------
def event(actor: str = COORDINATOR, **overrides):
    from resilience.events.operations import create_event
    from resilience.events.schemas import EventCreateSchema

    body = {"name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z", "affected_area": RAKUMPIT_BOX}
    body.update(overrides)
    with writing(actor) as session:
        row = create_event(session, _load(EventCreateSchema, body))
    return _detached(row)


def household(actor: str = COORDINATOR, **overrides):
    from resilience.households.operations import create_household
    from resilience.households.schemas import HouseholdCreateSchema

    body = {
        "head_name": "Siti Aminah", "phone": "0812-3456-7890", "nik": "6271054507800001",
        "kk_number": "6271050101090003", "address": "Jl. Mungku Baru RT 02",
        "landmark": "dekat masjid", "location": MUNGKU_BARU, "members": 5, "elderly": 1,
        "children_under5": 1, "pregnant_or_lactating": 0, "disabled": 0, "chronically_ill": 0,
    }
    body.update(overrides)
    with writing(actor) as session:
        row = create_household(session, _load(HouseholdCreateSchema, body))
    return _detached(row)


def need(event, household, category: str = "food", actor: str = COORDINATOR, **overrides):
    from resilience.events.operations import get_event
    from resilience.needs.operations import create_need
    from resilience.needs.schemas import NeedCreateSchema

    body = {"household_id": _id(household), "category": category, **overrides}
    with writing(actor) as session:
        row = create_need(session, get_event(session, _id(event)), _load(NeedCreateSchema, body))
    return _detached(row)


def group(actor: str = COORDINATOR, **overrides):
    from resilience.volunteers.operations import create_group
    from resilience.volunteers.schemas import GroupCreateSchema

    body = {"name": "Karang Taruna Mungku Baru", "kind": "youth", "base_location": {"lat": -1.635, "lon": 113.686}}
    body.update(overrides)
    with writing(actor) as session:
        row = create_group(session, _load(GroupCreateSchema, body))
    return _detached(row)


def volunteer(actor: str = COORDINATOR, **overrides):
    """A boat volunteer near Mungku Baru with a phone of its own (+62813456NNNNN)."""
    from resilience.volunteers.operations import create_volunteer
    from resilience.volunteers.schemas import VolunteerCreateSchema

    body = {"name": "Budi Santoso", "phone": f"+62813456{next(_phones) % 100000:05d}", "skills": ["boat"],
            "location": {"lat": -1.64, "lon": 113.69}, "availability": "available", "capacity": 2}
    body.update(overrides)
    with writing(actor) as session:
        row = create_volunteer(session, _load(VolunteerCreateSchema, body))
    return _detached(row)


def task(event, need, volunteer, actor: str = COORDINATOR, offer: bool = False):
    """A proposed task (what matching writes), or offered to the volunteer (what dispatch does:
    the need becomes assigned and the offer SMS is queued) with ``offer=True``."""
    from resilience.core.schemas import point_dict
    from resilience.dispatch.models import Task
    from resilience.dispatch.operations import confirm
    from resilience.events.operations import get_event
    from resilience.needs.models import Need
    from resilience.volunteers.models import Volunteer

    with writing(actor) as session:
        need_row, volunteer_row = session.get(Need, _id(need)), session.get(Volunteer, _id(volunteer))
        here, there = point_dict(need_row.household.location), point_dict(volunteer_row.location)
        row = Task(event_id=_id(event), need_id=need_row.id, volunteer_id=volunteer_row.id, status="proposed",
                   distance_m=round(haversine_m(here["lat"], here["lon"], there["lat"], there["lon"]), 1),
                   explanation="")
        session.add(row)
        session.flush()
        if offer:
            confirm(session, get_event(session, _id(event)), [row.id])
    return _detached(row)


# --- stock -------------------------------------------------------------------------------------
def depot(actor: str = COORDINATOR, **overrides):
    from resilience.stock.operations import create_depot
    from resilience.stock.schemas import DepotCreateSchema

    body = {"name": "Posko Mungku Baru", "kind": "posko", "location": MUNGKU_BARU}
    body.update(overrides)
    with writing(actor) as session:
        row = create_depot(session, _load(DepotCreateSchema, body))
    return _detached(row)


def item(code: str = "BERAS", name: str = "Beras", unit: str = "kg", category: str = "food",
         actor: str = COORDINATOR):
    from resilience.stock.operations import create_item
    from resilience.stock.schemas import ItemCreateSchema

    with writing(actor) as session:
        row = create_item(session, _load(ItemCreateSchema, {"code": code, "name": name, "unit": unit,
                                                              "category": category}))
    return _detached(row)


def movement(depot, kind: str, item_code: str, quantity, actor: str = COORDINATOR, **fields):
    """A ledger movement (receipt, issue, transfer, adjustment); returns its row (a transfer's
    outgoing one)."""
    from resilience.stock.operations import record_movement
    from resilience.stock.schemas import MovementCreateSchema

    body = {"depot_id": _id(depot), "kind": kind, "item_code": item_code, "quantity": quantity, **fields}
    with writing(actor) as session:
        row = record_movement(session, _load(MovementCreateSchema, body)).movements[0]
    return _detached(row)


# --- accounts (written by "system", as the command line's first user is) ---------------------
def user(email: str, role: str, password: str | None = PASSWORD, actor: str = "system"):
    from resilience.accounts.operations import create_user

    with writing(actor) as session:
        row, _ = create_user(session, email, role, password)
    return _detached(row)


def token(email: str, actor: str = "system") -> str:
    """A new API token of an existing user."""
    from resilience.accounts.operations import create_token

    with writing(actor) as session:
        secret = create_token(session, email)
    return secret
