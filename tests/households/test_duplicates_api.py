"""GET /households/duplicates, POST /households/{id}/merge and /not-duplicate on both
databases: realistic variants are proposed with their reasons, common names far apart are
not; a merge keeps everything of both and is audited; "not the same family" is one row per
pair, also when said at the same moment."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from resilience.audit.models import AuditEntry
from resilience.dispatch.models import Task
from resilience.extensions import db
from resilience.households.models import Household, NotDuplicate
from resilience.needs.models import Need
from tests import factories

HERE = {"lat": -1.6346, "lon": 113.6858}
TEN_M_AWAY = {"lat": -1.63469, "lon": 113.6858}
FAR = {"lat": -1.6600, "lon": 113.7100}  # about 4 km away


def _h(name, location=HERE, **kw):
    """A household; ``location=None``: only its kelurahan (``admin_area``), an approximate point."""
    from resilience.households.operations import create_household
    from resilience.households.schemas import HouseholdCreateSchema

    body = {"head_name": name, **({"location": location} if location else {}), **kw}
    with factories.writing() as session:
        row = create_household(session, HouseholdCreateSchema().load(body))
    return factories._detached(row)


def _pairs(client, query=""):
    response = client.get(f"/api/v1/households/duplicates{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_realistic_variants_are_proposed_with_their_reasons(coordinator):
    sumiyati = _h("Ibu Sumiyati", phone="0812-3456-7890")
    sumiati = _h("Sumiati", location=TEN_M_AWAY, phone="081234567890")
    kk_a = _h("Budi Santoso", location=FAR, kk_number="6271050101090003")
    kk_b = _h("Bapak Budi", location=HERE | {"lat": -1.62}, kk_number="6271050101090003")
    yusuf = _h("Muhammad Yusuf", admin_area="62.71.05.1004", location=None, rt="3")
    moh = _h("Moh. Yusup", admin_area="62.71.05.1004", location=None, rt="003")
    # common names far apart, another RT, different phones: different families
    _h("Siti Aminah", phone="0812-1111-2222")
    _h("Hj. Siti Aminah", location=FAR, phone="0812-3333-4444")
    body = _pairs(coordinator)
    found = {tuple(item["household_ids"]): item for item in body["items"]}
    assert set(found) == {(sumiyati.id, sumiati.id), (kk_a.id, kk_b.id), (yusuf.id, moh.id)}, found
    assert body["total"] == 3
    pair = found[(sumiyati.id, sumiati.id)]
    assert pair["exact"] and [r["code"] for r in pair["reasons"]] == ["same_phone", "similar_name", "near"]
    assert pair["reasons"][2]["distance_m"] < 15
    assert [h["head_name"] for h in pair["households"]] == ["Ibu Sumiyati", "Sumiati"]
    assert found[(kk_a.id, kk_b.id)]["reasons"][0] == {"code": "same_kk"}
    assert [r["code"] for r in found[(yusuf.id, moh.id)]["reasons"]] == ["similar_name", "same_rt"]
    one = _pairs(coordinator, f"?household={moh.id}")
    assert [tuple(i["household_ids"]) for i in one["items"]] == [(yusuf.id, moh.id)]


def test_the_list_refuses_officials_and_unknown_parameters(coordinator, official):
    assert official.get("/api/v1/households/duplicates").status_code == 403
    response = coordinator.get("/api/v1/households/duplicates?sort=name")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert coordinator.get("/api/v1/households/duplicates?household=999").status_code == 404


def test_merge_keeps_everything_of_both_and_is_audited(coordinator):
    event = factories.event()
    kept = _h("Sumiati", phone="081234567890", members=3)
    gone = _h("Ibu Sumiyati", location=TEN_M_AWAY, kk_number="6271050101090003", nik="6271054507800001",
              members=5, elderly=2, landmark="dekat masjid")
    food_kept = factories.need(event, kept, "food")
    food_gone = factories.need(event, gone, "food")  # the same need twice: one is cancelled
    water = factories.need(event, gone, "water")
    volunteer = factories.volunteer(phone="+6281300000001", skills=["logistics"])
    task = factories.task(event, food_gone, volunteer, offer=True)  # held: this one is kept
    response = coordinator.post(f"/api/v1/households/{gone.id}/merge", json={"into": kept.id})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == kept.id and body["members"] == 5 and body["elderly"] == 2
    assert body["kk_number"] == "6271050101090003" and body["nik"] == "6271054507800001"
    assert body["landmark"] == "dekat masjid" and body["phone"] == "+6281234567890"
    db.session.rollback()
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(
        [food_kept.id, food_gone.id, water.id])))}
    assert {n.household_id for n in needs.values()} == {kept.id}
    assert needs[food_kept.id].status == "cancelled" and needs[food_gone.id].status == "assigned"
    assert needs[water.id].status == "open"
    assert db.session.get(Task, task.id).need_id == food_gone.id
    absorbed = db.session.get(Household, gone.id)
    assert absorbed.merged_into_id == kept.id and absorbed.merged_at is not None
    assert absorbed.head_name == "Ibu Sumiyati"  # kept as it was reported
    shown = coordinator.get(f"/api/v1/households/{gone.id}").get_json()
    assert shown["merged_into_id"] == kept.id  # the id still resolves
    listed = [h["id"] for h in coordinator.get("/api/v1/households").get_json()["items"]]
    assert listed == [kept.id]
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "household.merged")).all()
    assert entry.entity_id == gone.id and entry.actor.startswith("coordinator:")
    assert entry.payload["into"] == kept.id and entry.payload["needs_cancelled"] == [food_kept.id]
    assert sorted(entry.payload["needs_moved"]) == sorted([food_gone.id, water.id])
    assert coordinator.get("/api/v1/audit/verify").get_json()["ok"] is True
    assert _pairs(coordinator)["total"] == 0  # a merged household is no longer proposed


def test_merge_refusals_are_409_and_change_nothing(coordinator):
    a, b, c = _h("Sumiati"), _h("Sumiyati"), _h("Sumiyatii")
    assert coordinator.post(f"/api/v1/households/{a.id}/merge", json={"into": a.id}).status_code == 409
    assert coordinator.post(f"/api/v1/households/{a.id}/merge", json={"into": b.id}).status_code == 200
    again = coordinator.post(f"/api/v1/households/{a.id}/merge", json={"into": c.id})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    into_merged = coordinator.post(f"/api/v1/households/{c.id}/merge", json={"into": a.id})
    assert into_merged.status_code == 409 and into_merged.get_json()["merged_into"] == b.id
    assert coordinator.post(f"/api/v1/households/{c.id}/merge", json={"into": 999}).status_code == 404
    assert coordinator.post(f"/api/v1/households/{c.id}/merge", json={}).status_code == 422
    db.session.rollback()
    assert db.session.get(Household, c.id).merged_into_id is None


def test_double_aid_warning_sees_across_a_merge(coordinator):
    event = factories.event()
    kept, gone = _h("Sumiati"), _h("Sumiyati", location=TEN_M_AWAY)
    factories.need(event, kept, "food")
    factories.need(event, gone, "food")
    factories.item()
    depot = factories.depot()
    factories.movement(depot, "receipt", "BERAS", 100, donor="Dinas Sosial")
    first = factories.movement(depot, "issue", "BERAS", 10, household_id=gone.id, event_id=event.id)
    assert coordinator.post(f"/api/v1/households/{gone.id}/merge", json={"into": kept.id}).status_code == 200
    response = coordinator.post("/api/v1/stock/movements", json={
        "kind": "issue", "depot_id": depot.id, "item_code": "BERAS", "quantity": 5, "household_id": kept.id,
        "event_id": event.id})
    assert response.status_code == 201, response.get_json()
    [warning] = response.get_json()["warnings"]
    assert warning["code"] == "double_aid" and warning["movement_ids"] == [first.id]


def test_not_duplicate_is_remembered_once_whichever_way_round(coordinator):
    a, b = _h("Sumiati"), _h("Sumiyati", location=TEN_M_AWAY)
    assert _pairs(coordinator)["total"] == 1
    first = coordinator.post(f"/api/v1/households/{b.id}/not-duplicate", json={"of": a.id})
    assert first.status_code == 201 and first.get_json()["household_ids"] == [a.id, b.id]
    again = coordinator.post(f"/api/v1/households/{a.id}/not-duplicate", json={"of": b.id})
    assert again.status_code == 200
    assert _pairs(coordinator)["total"] == 0
    assert coordinator.post(f"/api/v1/households/{a.id}/not-duplicate", json={"of": a.id}).status_code == 409
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(NotDuplicate)) == 1


def test_the_database_holds_one_row_per_pair(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    a, b = _h("Sumiati"), _h("Sumiyati")
    with factories.writing() as session:
        session.add(NotDuplicate(low_id=a.id, high_id=b.id, decided_by="x"))
    with pytest.raises(IntegrityError):
        with factories.writing() as session:
            session.add(NotDuplicate(low_id=a.id, high_id=b.id, decided_by="y"))
    with pytest.raises(IntegrityError):  # the reverse order is refused by the check
        with factories.writing() as session:
            session.add(NotDuplicate(low_id=b.id, high_id=a.id, decided_by="y"))


def test_not_duplicate_said_at_the_same_moment_is_stored_once(app, coordinator):
    a, b = _h("Sumiati"), _h("Sumiyati")
    barrier = threading.Barrier(8)
    statuses = []

    def worker(index):
        client = app.test_client()
        first, second = (a.id, b.id) if index % 2 else (b.id, a.id)
        barrier.wait()
        response = client.post(f"/api/v1/households/{first}/not-duplicate", json={"of": second},
                               headers={"Authorization": f"Bearer {coordinator.token}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(statuses) == {201: 1, 200: 7}, statuses
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(NotDuplicate)) == 1
