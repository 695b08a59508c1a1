"""Load the Rakumpit demo (see generate.py) through the same operations the API uses, so
every row is validated and audited like real data. Loading twice changes nothing."""

from __future__ import annotations

import time
from decimal import Decimal
from datetime import datetime, timezone

from sqlalchemy import select

from resilience.accounts.models import User
from resilience.accounts.operations import create_token, create_user, reset_password
from resilience.core.identity import normalize_phone, validate_kk, validate_nik
from resilience.core.schemas import point_element
from resilience.demo.generate import generate, generate_stock
from resilience.events.models import FloodEvent
from resilience.events.operations import create_event
from resilience.extensions import db
from resilience.households.operations import create_household
from resilience.needs.operations import create_need
from resilience.volunteers.operations import create_group, create_volunteer
from resilience.stock.operations import create_depot, create_item, record_movement
from geoalchemy2.shape import from_shape
from shapely.geometry import shape

DEMO_USERS = (("koordinator@demo.resilience.id", "coordinator"), ("pejabat@demo.resilience.id", "official"))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _point(location: dict) -> object:
    return point_element(location["lat"], location["lon"])


def load_demo(seed: int = 2024) -> str:
    """Adds the demo to the session (flushed, not committed: the caller is the unit of work)."""
    data = generate(seed)
    session = db.session
    if session.scalar(select(FloodEvent.id).where(FloodEvent.name == data["event"]["name"])):
        return "demo already loaded (nothing changed)"
    started = time.monotonic()
    event_data = data["event"]
    event = create_event(
        session,
        {
            "name": event_data["name"],
            "started_at": _time(event_data["started_at"]),
            "affected_area": from_shape(shape(event_data["affected_area"]), srid=4326),
            "offer_timeout_minutes": event_data["offer_timeout_minutes"],
        },
    )
    # The demo shows the public transparency page (/transparansi/{id}); a real event starts
    # with it off until a coordinator turns it on.
    event.public = True
    groups = {}
    for group in data["groups"]:
        groups[group["key"]] = create_group(
            session,
            {"name": group["name"], "kind": group["kind"], "leader": group["leader"],
             "base_location": _point(group["base_location"])},
        )
    for volunteer in data["volunteers"]:
        create_volunteer(
            session,
            {
                "name": volunteer["name"],
                "phone": normalize_phone(volunteer["phone"]),
                "group_id": groups[volunteer["group_key"]].id,
                "skills": volunteer["skills"],
                "trainings": volunteer["trainings"],
                "location": _point(volunteer["location"]),
                "availability": volunteer["availability"],
                "capacity": volunteer["capacity"],
                "preferred_channel": volunteer.get("preferred_channel", "sms"),
            },
        )
    households = {}
    for row in data["households"]:
        households[row["key"]] = create_household(
            session,
            {
                "head_name": row["head_name"],
                "phone": normalize_phone(row["phone"]) if row["phone"] else None,
                "nik": validate_nik(row["nik"]) if row["nik"] else None,
                "kk_number": validate_kk(row["kk_number"]) if row["kk_number"] else None,
                "address": row["address"],
                "landmark": row["landmark"],
                "location": _point(row["location"]),
                "members": row["members"],
                "elderly": row["elderly"],
                "children_under5": row["children_under5"],
                "pregnant_or_lactating": row["pregnant_or_lactating"],
                "disabled": row["disabled"],
                "chronically_ill": row["chronically_ill"],
            },
        )
    for need in data["needs"]:
        create_need(
            session,
            event,
            {
                "household_id": households[need["household_key"]].id,
                "category": need["category"],
                "notes": need["notes"],
                "reporter": "Posko Kelurahan",
                "reported_at": _time(need["reported_at"]),
            },
        )
    stock = _load_stock(session, generate_stock(data, seed), event, households)
    lines = []
    for email, role in DEMO_USERS:
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(session, email, role, None)
        lines.append(f"  {role:<12} {email}  token: {create_token(session, email)}")
    seconds = time.monotonic() - started
    return "\n".join(
        [
            f"demo loaded in {seconds:.1f} s: event {event.id} {event.name!r}, "
            f"{len(households)} households, {len(data['needs'])} needs, "
            f"{len(data['volunteers'])} volunteers in {len(groups)} groups, {stock}",
            "API tokens (shown once; more with 'resilience tokens create EMAIL'):",
            *lines,
        ]
    )


def demo_logins(session) -> list[tuple[str, str, str]]:
    """(role, email, password) of the demo's coordinator and official, for the web login page.

    The passwords are generated now. Only their hashes are stored, as for every user: no
    password sits in the repository, in a file or in the database in plain text. So a later
    ``resilience demo`` cannot print the old ones; it gives the demo users new passwords and
    prints those instead, and the printed logins always work."""
    logins = []
    for email, role in DEMO_USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            _user, password = create_user(session, email, role, None)
        else:
            password = reset_password(session, user)
        logins.append((role, email, password))
    return logins


def _load_stock(session, stock: dict, event, households: dict) -> str:
    """Items, depots and the stock ledger of the demo, through the same operations as the API."""
    for item in stock["items"]:
        create_item(session, item)
    depots = {}
    for depot in stock["depots"]:
        depots[depot["key"]] = create_depot(
            session, {"name": depot["name"], "kind": depot["kind"], "address": depot["address"],
                      "location": _point(depot["location"])},
        )
    for movement in stock["movements"]:
        body = {k: v for k, v in movement.items() if k not in ("depot", "to_depot", "household_key")}
        body["depot_id"] = depots[movement["depot"]].id
        body["quantity"] = Decimal(str(movement["quantity"]))
        if "to_depot" in movement:
            body["to_depot_id"] = depots[movement["to_depot"]].id
        if "household_key" in movement:
            body["household_id"] = households[movement["household_key"]].id
            body["event_id"] = event.id
        record_movement(session, body)
    return (f"{len(depots)} depots, {len(stock['items'])} items, "
            f"{len(stock['movements'])} stock movements")
