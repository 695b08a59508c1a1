"""Flood events: create with an affected area, derived kelurahan, status changes, bad geometry."""

from sqlalchemy import func, select

from resilience.events.models import FloodEvent
from resilience.extensions import db


def test_create_event_derives_affected_kelurahan(coordinator, seed):
    event = seed.event()
    assert event["status"] == "active"
    assert event["offer_timeout_minutes"] == 20
    assert event["started_at"] == "2026-03-10T06:00:00Z"
    codes = {a["code"] for a in event["affected_admin_areas"]}
    assert "62.71.05.1004" in codes  # Mungku Baru
    assert "62.71.01.1001" not in codes  # Pahandut, in the city, far south
    assert event["affected_area"]["type"] == "Polygon"

    listed = coordinator.get("/api/v1/events").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == event["id"]
    assert listed["page"] == 1 and listed["per_page"] == 50


def test_patch_event_closes_and_reopens(coordinator, seed):
    event = seed.event()
    closed = coordinator.patch(f"/api/v1/events/{event['id']}", json={"status": "closed"}).get_json()
    assert closed["status"] == "closed" and closed["ended_at"] is not None
    reopened = coordinator.patch(f"/api/v1/events/{event['id']}", json={"status": "active"}).get_json()
    assert reopened["status"] == "active" and reopened["ended_at"] is None
    bad = coordinator.patch(f"/api/v1/events/{event['id']}", json={"status": "finished"})
    assert bad.status_code == 422


def test_patch_area_rederives_kelurahan(coordinator, seed):
    event = seed.event(affected_area=None)
    assert event["affected_admin_areas"] == []
    box = {"type": "Polygon", "coordinates": [[[113.90, -2.23], [113.97, -2.23], [113.97, -2.17], [113.90, -2.17], [113.90, -2.23]]]}
    patched = coordinator.patch(f"/api/v1/events/{event['id']}", json={"affected_area": box}).get_json()
    assert "62.71.01.1001" in {a["code"] for a in patched["affected_admin_areas"]}


def _rejected(coordinator, area, field_fragment, message_fragment):
    before = db.session.scalar(select(func.count()).select_from(FloodEvent))
    response = coordinator.post("/api/v1/events", json={"name": "x", "started_at": "2026-03-10T06:00:00Z", "affected_area": area})
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert any(e["field"].startswith("affected_area") and field_fragment in e["field"] for e in errors), errors
    assert any(message_fragment in e["message"].lower() for e in errors), errors
    assert db.session.scalar(select(func.count()).select_from(FloodEvent)) == before


def test_not_closed_ring_is_rejected(coordinator):
    area = {"type": "Polygon", "coordinates": [[[113.60, -1.72], [113.74, -1.72], [113.74, -1.58], [113.60, -1.58]]]}
    _rejected(coordinator, area, "", "closed")


def test_self_intersecting_polygon_says_where(coordinator):
    bow_tie = {"type": "Polygon", "coordinates": [[[113.60, -1.72], [113.74, -1.58], [113.74, -1.72], [113.60, -1.58], [113.60, -1.72]]]}
    _rejected(coordinator, bow_tie, "", "self")
    response = coordinator.post("/api/v1/events", json={"name": "x", "started_at": "2026-03-10T06:00:00Z", "affected_area": bow_tie})
    assert "113.67" in response.get_json()["detail"]  # the crossing point


def test_swapped_coordinates_get_a_hint(coordinator):
    swapped = {"type": "Polygon", "coordinates": [[[-1.72, 113.60], [-1.72, 113.74], [-1.58, 113.74], [-1.58, 113.60], [-1.72, 113.60]]]}
    _rejected(coordinator, swapped, "", "swapped")


def test_not_a_polygon_is_rejected(coordinator):
    _rejected(coordinator, {"type": "Point", "coordinates": [113.6, -1.6]}, "", "polygon")
    _rejected(coordinator, {"type": "Polygon"}, "", "coordinates")
