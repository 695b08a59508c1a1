"""One volunteer phone registered 15 times at once, on both databases: exactly one 201, the
rest 409 naming ``phone``, never a 500, one row stored. Also with the friendly check before
insert switched off, so the database's unique constraint alone must hold it."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from resilience.extensions import db
from resilience.volunteers import operations
from resilience.volunteers.models import Volunteer
from tests import factories

PHONE = "+6281345699999"


def _body(index):
    return {"name": f"Relawan {index}", "phone": PHONE, "skills": ["boat"], "location": {"lat": -1.64, "lon": 113.69}}


def post_at_once(app, token, path, bodies):
    """POST every body from its own thread (own app context and session), all released
    together; return (status, json, mimetype) per body."""
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def worker(index, body):
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        results[index] = (response.status_code, response.get_json(), response.mimetype)

    threads = [threading.Thread(target=worker, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def _check(results, field):
    statuses = Counter(status for status, _, _ in results)
    assert statuses == {201: 1, 409: 14}, [r[1] for r in results if r[0] not in (201, 409)]
    for status, body, mimetype in results:
        if status == 409:
            assert mimetype == "application/problem+json"
            assert body["status"] == 409 and body["field"] == field and body["type"] == "/problems/conflict"


@pytest.mark.parametrize("fast_path", [True, False], ids=["checked", "database-only"])
def test_fifteen_registrations_of_one_phone(app, coordinator, monkeypatch, fast_path):
    if not fast_path:
        monkeypatch.setattr(operations, "_check_phone", lambda session, phone, volunteer_id: None)
    results = post_at_once(app, coordinator.token, "/api/v1/volunteers", [_body(i) for i in range(15)])
    _check(results, "phone")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Volunteer).where(Volunteer.phone_is(PHONE))) == 1


def test_changing_to_a_taken_phone_is_a_409_even_past_the_check(app, coordinator, monkeypatch):
    factories.volunteer(phone=PHONE)
    other = factories.volunteer(phone="+6281345611111")
    monkeypatch.setattr(operations, "_check_phone", lambda session, phone, volunteer_id: None)
    response = coordinator.patch(f"/api/v1/volunteers/{other.id}", json={"phone": "0813-4569-9999"})
    assert response.status_code == 409 and response.get_json()["field"] == "phone"
    db.session.rollback()
    assert db.session.get(Volunteer, other.id).phone == "+6281345611111"
