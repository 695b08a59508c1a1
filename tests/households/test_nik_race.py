"""One NIK registered 15 times at once, on both databases: exactly one 201, the rest 409
naming ``nik``, never a 500, one row stored; also with the check before insert switched off,
so the unique index on the NIK digest alone must hold it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from resilience.core import crypto
from resilience.extensions import db
from resilience.households import operations
from resilience.households.models import Household
from tests import factories
from tests.volunteers.test_phone_race import _check, post_at_once

NIK = "6271054507800001"


def _only_digest(session, household):
    household.nik_digest = None if household.nik is None else crypto.digest(household.nik)


def _body(index):
    return {"head_name": f"Kepala {index}", "nik": NIK, "location": {"lat": -1.6346, "lon": 113.6858}, "members": 3}


@pytest.mark.parametrize("fast_path", [True, False], ids=["checked", "database-only"])
def test_fifteen_registrations_of_one_nik(app, coordinator, monkeypatch, fast_path):
    if not fast_path:
        monkeypatch.setattr(operations, "_check_nik_unique", _only_digest)
    results = post_at_once(app, coordinator.token, "/api/v1/households", [_body(i) for i in range(15)])
    _check(results, "nik")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Household)
                             .where(Household.nik_digest == crypto.digest(NIK))) == 1


def test_households_without_a_nik_may_be_many(app, coordinator):
    bodies = [{"head_name": f"Kepala {i}", "location": {"lat": -1.6346, "lon": 113.6858}} for i in range(5)]
    results = post_at_once(app, coordinator.token, "/api/v1/households", bodies)
    assert [status for status, _, _ in results] == [201] * 5


def test_changing_to_a_taken_nik_is_a_409_even_past_the_check(app, coordinator, monkeypatch):
    factories.household(nik=NIK)
    other = factories.household(nik="6271054507800002")
    monkeypatch.setattr(operations, "_check_nik_unique", _only_digest)
    response = coordinator.patch(f"/api/v1/households/{other.id}", json={"nik": NIK})
    assert response.status_code == 409 and response.get_json()["field"] == "nik"
    db.session.rollback()
    assert db.session.get(Household, other.id).nik == "6271054507800002"
