"""The shape of every API error (problem+json), request limits, the OpenAPI document and the
health checks, on both databases. Authentication and roles: tests/accounts/test_auth.py."""

import json

from sqlalchemy import func, select

from resilience.events.models import FloodEvent
from resilience.extensions import db


def _count_events():
    return db.session.scalar(select(func.count()).select_from(FloodEvent))


def test_wrong_content_type_is_415_and_stores_nothing(coordinator):
    response = coordinator.client.post(
        "/api/v1/events",
        data="name=Banjir",
        headers={"Authorization": f"Bearer {coordinator.token}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert _count_events() == 0


def test_body_over_1_mb_is_413(coordinator):
    big = {"name": "x" * (1024 * 1024 + 10), "started_at": "2026-03-10T06:00:00Z"}
    response = coordinator.client.post(
        "/api/v1/events",
        data=json.dumps(big),
        headers={"Authorization": f"Bearer {coordinator.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert _count_events() == 0


def test_malformed_json_is_400(coordinator):
    response = coordinator.client.post(
        "/api/v1/events",
        data="{not json",
        headers={"Authorization": f"Bearer {coordinator.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_unknown_and_wrongly_typed_fields_are_listed(coordinator):
    response = coordinator.post(
        "/api/v1/events",
        json={"name": 12, "started_at": "yesterday", "colour": "blue"},
    )
    assert response.status_code == 422
    body = response.get_json()
    fields = {e["field"] for e in body["errors"]}
    assert {"name", "started_at", "colour"} <= fields
    assert _count_events() == 0


def test_pagination_limits(coordinator):
    response = coordinator.get("/api/v1/events?per_page=501")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "per_page"
    response = coordinator.get("/api/v1/events?page=0")
    assert response.status_code == 422


def test_not_found_is_problem(coordinator):
    response = coordinator.get("/api/v1/events/999999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "999999" in response.get_json()["detail"]


def test_openapi_document_describes_the_api(app):
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/events", "/api/v1/households", "/api/v1/events/{event_id}/needs",
                 "/api/v1/needs/{need_id}", "/api/v1/groups", "/api/v1/volunteers",
                 "/api/v1/audit", "/api/v1/audit/verify"):
        assert path in spec["paths"], path
    household = spec["components"]["schemas"]["HouseholdCreate"]
    # issue 12: a household may be registered without a point when it names its kelurahan
    assert household["required"] == ["head_name"] and household["properties"]["location"]["type"] == "object"
    assert {"admin_area", "location_precision", "rt", "rw"} <= set(household["properties"])
    assert "bearer" in spec["components"]["securitySchemes"]


def test_health_and_readiness(app):
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"].startswith("ok")
