"""Shared steps of the alert tests: a dispatched need, replies through the simulator, time
moved back in the database."""

from __future__ import annotations

from sqlalchemy import select, text as sql

from resilience.alerts.models import Alert
from resilience.extensions import db

NEAR = {"lat": -1.6346, "lon": 113.6858}


def dispatched(coordinator, seed, *, volunteers=1, category="evacuation", **need_fields):
    event = seed.event()
    h = seed.household(location=NEAR, landmark="dekat masjid", elderly=1)
    need = seed.need(event["id"], h["id"], category, **need_fields)
    vols = [seed.volunteer(name=f"Relawan {i}", skills=["boat", "first_aid"],
                           location={"lat": -1.64 - 0.01 * i, "lon": 113.69}, capacity=2)
            for i in range(volunteers)]
    match = coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 20000})
    assert match.status_code == 200, match.get_json()
    offered = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    return event, need, vols, offered


def reply(client, phone, body):
    response = client.post("/api/v1/sms/simulate", json={"from": phone, "body": body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def alerts(kind=None, **where) -> list[Alert]:
    db.session.rollback()
    query = select(Alert).order_by(Alert.id)
    if kind:
        query = query.where(Alert.kind == kind)
    rows = list(db.session.scalars(query))
    for name, value in where.items():
        rows = [a for a in rows if getattr(a, name) == value]
    db.session.rollback()
    return rows


def set_time(app, table: str, column: str, row_id: int, when: str = "2026-01-01T00:00:00") -> None:
    """Move a stored time back (the clock of a test cannot wait 30 minutes)."""
    db.session.rollback()
    value = when.replace("T", " ") if app.config["SETTINGS"].is_sqlite else when + "Z"
    with db.engine.begin() as conn:
        conn.execute(sql(f"UPDATE {table} SET {column} = :t WHERE id = :id"), {"t": value, "id": row_id})


def run(function, *args, **kwargs):
    """A worker's unit of work: run ``function(db.session, …)`` and commit."""
    from resilience.core.db import reset_read_only, set_read_only

    db.session.rollback()
    token = set_read_only(False)
    try:
        result = function(db.session, *args, **kwargs)
        db.session.commit()
        return result
    finally:
        reset_read_only(token)
