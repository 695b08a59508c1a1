"""Authentication and roles on the JSON API: a missing or wrong token is a 401 problem, an
official reads but cannot write; on both databases."""

from sqlalchemy import func, select

from resilience.events.models import FloodEvent
from resilience.extensions import db


def _count_events():
    return db.session.scalar(select(func.count()).select_from(FloodEvent))


def test_missing_token_is_401_problem(anonymous):
    response = anonymous.get("/api/v1/events")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and body["title"] and "Bearer" in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_is_401(app):
    client = app.test_client()
    response = client.get("/api/v1/events", headers={"Authorization": "Bearer rsl_not-a-token"})
    assert response.status_code == 401
    response = client.get("/api/v1/events", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


def test_official_is_read_only(official, seed):
    assert official.get("/api/v1/events").status_code == 200
    response = official.post("/api/v1/events", json={"name": "x", "started_at": "2026-03-10T06:00:00Z"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "read-only" in response.get_json()["detail"]
    assert _count_events() == 0
