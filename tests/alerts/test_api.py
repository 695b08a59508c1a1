"""GET /api/v1/alerts and POST /api/v1/alerts/{id}/ack: filters, order, pages, problem+json
for bad input, role rules; and the database deciding between two concurrent raisers."""

from __future__ import annotations

import threading

import pytest

from resilience.alerts import operations
from resilience.extensions import db
from tests.alerts.helpers import alerts, run


def _raise(kind, subject, **fields):
    return run(lambda session: operations.raise_alert(session, kind, subject, **fields)[0].id)


@pytest.fixture
def three(seed):
    """An open warning, an older open emergency, and a resolved warning in another event."""
    one, two = seed.event(name="Banjir A"), seed.event(name="Banjir B")
    emergency = _raise("safety_escalation", "task:9", severity="emergency", event_id=one["id"],
                       params={"category": "evacuation"})
    warning = _raise("no_candidate", "need:1", event_id=one["id"], params={"category": "food", "priority": 3})
    resolved = _raise("long_wait", "need:2", event_id=two["id"], params={"priority": 5})
    run(lambda session: operations.resolve(session, "long_wait", "need:2"))
    return {"events": (one["id"], two["id"]), "emergency": emergency, "warning": warning, "resolved": resolved}


def test_list_open_alerts_emergencies_first(coordinator, three):
    body = coordinator.get("/api/v1/alerts").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 50
    assert [a["id"] for a in body["items"]] == [three["emergency"], three["warning"]]
    first = body["items"][0]
    assert first["kind"] == "safety_escalation" and first["severity"] == "emergency" and first["state"] == "open"
    assert first["subject"] == "task:9" and first["params"] == {"category": "evacuation"}
    assert first["created_at"].endswith("Z") and first["acknowledged_at"] is None


def test_filters_by_event_kind_and_state(coordinator, three):
    one, two = three["events"]
    ids = lambda query: [a["id"] for a in coordinator.get(f"/api/v1/alerts?{query}").get_json()["items"]]  # noqa: E731
    assert ids(f"event={two}") == []
    assert ids(f"event={two}&state=resolved") == [three["resolved"]]
    assert ids("kind=no_candidate") == [three["warning"]]
    assert sorted(ids("state=all")) == sorted([three["emergency"], three["warning"], three["resolved"]])
    assert ids("state=all&per_page=1&page=2") == [three["resolved"]]  # emergency, then newest first
    coordinator.post(f"/api/v1/alerts/{three['warning']}/ack")
    assert ids("state=acknowledged") == [three["warning"]]
    assert ids(f"event={one}") == [three["emergency"]]


@pytest.mark.parametrize("query, field", [
    ("colour=red", "colour"), ("state=closed", "state"), ("kind=flood", "kind"), ("event=0", "event"),
    ("per_page=501", "per_page"), ("page=x", "page"),
])
def test_bad_queries_are_422_problems(coordinator, three, query, field):
    response = coordinator.get(f"/api/v1/alerts?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_ack_once_then_409_and_404(coordinator, admin, three):
    response = coordinator.post(f"/api/v1/alerts/{three['warning']}/ack")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"] == "coordinator:koordinator@posko.test"
    again = admin.post(f"/api/v1/alerts/{three['warning']}/ack")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert coordinator.post(f"/api/v1/alerts/{three['resolved']}/ack").status_code == 409
    missing = coordinator.post("/api/v1/alerts/999/ack")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert [a.acknowledged_by for a in alerts(acknowledged_at=None) if a.id == three["warning"]] == []
    assert admin.post(f"/api/v1/alerts/{three['emergency']}/ack").status_code == 200


def test_officials_and_strangers_get_no_alerts(official, anonymous, three):
    listed = official.get("/api/v1/alerts")
    assert listed.status_code == 403 and listed.mimetype == "application/problem+json"
    assert official.post(f"/api/v1/alerts/{three['warning']}/ack").status_code == 403
    assert anonymous.get("/api/v1/alerts").status_code == 401
    assert alerts(kind="no_candidate")[0].is_open  # nothing changed


def test_the_openapi_document_lists_the_alert_routes(anonymous):
    spec = anonymous.get("/api/openapi.json").get_json()
    listing = spec["paths"]["/api/v1/alerts"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"event", "kind", "state", "page", "per_page"}
    assert {"200", "403", "422"} <= set(listing["responses"])
    ack = spec["paths"]["/api/v1/alerts/{alert_id}/ack"]["post"]
    assert {"200", "404", "409"} <= set(ack["responses"])
    assert "Alert" in spec["components"]["schemas"]


def test_two_raisers_at_once_make_one_alert(app, monkeypatch):
    """PostgreSQL (SQLite serialises writers): both look, both find nothing, both insert; the
    partial unique index lets one win and the other gets the winner's alert."""
    if app.config["SETTINGS"].is_sqlite:
        pytest.skip("SQLite serialises writers; the race needs two concurrent transactions")
    from sqlalchemy.orm import Session

    barrier = threading.Barrier(2, timeout=10)
    real = operations.unresolved_alert
    local = threading.local()

    def looked(session, kind, subject):
        found = real(session, kind, subject)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()  # both have looked before either inserts
        return found

    monkeypatch.setattr(operations, "unresolved_alert", looked)
    results, errors = [], []

    def raiser():
        with app.app_context():
            session = Session(db.engine)
            try:
                alert, created = operations.raise_alert(session, "no_candidate", "need:77", params={"priority": 5})
                session.commit()
                results.append((alert.id, created))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                session.close()

    threads = [threading.Thread(target=raiser) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({alert_id for alert_id, _ in results}) == 1
    assert len(alerts("no_candidate")) == 1
