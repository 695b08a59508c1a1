"""Responses keep their schema's key order (Flask's JSON provider sorts keys by default)."""

from resilience.events.schemas import EventSchema


def test_an_event_lists_its_fields_in_schema_order(coordinator):
    created = coordinator.post("/api/v1/events", json={"name": "Banjir Rungan",
                                                       "started_at": "2026-03-10T06:00:00Z"})
    assert created.status_code == 201
    expected = list(EventSchema().fields)
    assert expected != sorted(expected)  # otherwise this test could not tell the difference
    assert list(created.get_json()) == expected
    listed = coordinator.get("/api/v1/events").get_json()
    assert list(listed) == ["items", "total", "page", "per_page"]
    assert list(listed["items"][0]) == expected


def test_a_problem_starts_with_type_title_status(coordinator):
    body = coordinator.get("/api/v1/events/999999").get_json()
    assert list(body)[:4] == ["type", "title", "status", "detail"]
