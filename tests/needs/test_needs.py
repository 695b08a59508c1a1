"""Needs in a flood event: derived and overridden priority, duplicates, status changes, the
household's vulnerability feeding back into priority, list filters; on both databases."""

import pytest
from sqlalchemy import func, select

from resilience.extensions import db
from resilience.needs.models import Need

PAHANDUT = {"lat": -2.1997, "lon": 113.9503}  # inside kelurahan 62.71.01.1001
NO_VULNERABLE = {"elderly": 0, "children_under5": 0, "pregnant_or_lactating": 0, "disabled": 0, "chronically_ill": 0}


def _nik(serial: int) -> str:
    return f"627105450780{serial:04d}"


def _count_needs():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Need))


def _post(client, event_id, **body):
    return client.post(f"/api/v1/events/{event_id}/needs", json=body)


def _fields(response):
    return {e["field"] for e in response.get_json().get("errors", [])}


# --- derived priority ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "category, counts, expected",
    [
        ("evacuation", {"elderly": 1}, 5),
        ("food", {}, 3),
        ("clothing", {"elderly": 1, "children_under5": 1, "disabled": 1}, 4),
        ("medical", {}, 4),
        ("water", {"pregnant_or_lactating": 1}, 4),
        ("psychosocial", {"chronically_ill": 1}, 3),
        ("logistics", {}, 2),
        ("food", {"elderly": 2, "children_under5": 1}, 5),
        ("evacuation", {"elderly": 2, "disabled": 2}, 5),  # capped at 5
    ],
)
def test_priority_is_derived(seed, category, counts, expected):
    event = seed.event()
    household = seed.household(members=6, **{**NO_VULNERABLE, **counts})
    need = seed.need(event["id"], household["id"], category)
    assert need["priority"] == expected
    assert need["derived_priority"] == expected
    assert need["priority_overridden"] is False
    assert need["status"] == "open"
    assert need["category"] == category
    assert need["event_id"] == event["id"] and need["household_id"] == household["id"]


def test_need_shows_required_skill_and_kelurahan(seed, coordinator):
    event = seed.event()
    household = seed.household()
    need = seed.need(event["id"], household["id"], "evacuation", notes="rumah terendam")
    assert need["required_skill"] == "boat"
    assert need["admin_area"] == {"code": "62.71.05.1004", "name": "Mungku Baru"}
    assert need["notes"] == "rumah terendam"
    assert need["reported_at"].endswith("Z")
    food = seed.need(event["id"], household["id"], "food")
    assert food["required_skill"] is None
    fetched = coordinator.get(f"/api/v1/needs/{need['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json()["id"] == need["id"] and fetched.get_json()["category"] == "evacuation"


# --- overriding priority -------------------------------------------------------------------
def test_override_without_reason_is_422(seed, coordinator):
    event = seed.event()
    household = seed.household(**NO_VULNERABLE)  # food → 3
    response = _post(coordinator, event["id"], household_id=household["id"], category="food", priority=5)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "priority_reason" in _fields(response)
    response = _post(coordinator, event["id"], household_id=household["id"], category="food",
                     priority=5, priority_reason="   ")
    assert response.status_code == 422
    assert "priority_reason" in _fields(response)
    assert _count_needs() == 0


def test_override_with_reason(seed, coordinator):
    event = seed.event()
    household = seed.household(**NO_VULNERABLE)
    response = _post(coordinator, event["id"], household_id=household["id"], category="food",
                     priority=5, priority_reason="rumah terendam 1,5 m")
    assert response.status_code == 201, response.get_json()
    need = response.get_json()
    assert need["priority"] == 5
    assert need["priority_overridden"] is True
    assert need["derived_priority"] == 3
    assert need["priority_reason"] == "rumah terendam 1,5 m"
    assert coordinator.get(f"/api/v1/needs/{need['id']}").get_json()["priority"] == 5


def test_override_to_a_lower_priority_needs_a_reason_too(seed, coordinator):
    event = seed.event()
    household = seed.household(**NO_VULNERABLE)
    response = _post(coordinator, event["id"], household_id=household["id"], category="evacuation", priority=1)
    assert response.status_code == 422
    assert "priority_reason" in _fields(response)


def test_same_priority_as_derived_needs_no_reason(seed, coordinator):
    event = seed.event()
    household = seed.household(**NO_VULNERABLE)
    response = _post(coordinator, event["id"], household_id=household["id"], category="food", priority=3)
    assert response.status_code == 201, response.get_json()
    need = response.get_json()
    assert need["priority"] == 3 and need["priority_overridden"] is False


@pytest.mark.parametrize("priority", [0, 6, "tinggi"])
def test_priority_out_of_range_is_422(seed, coordinator, priority):
    event = seed.event()
    household = seed.household()
    response = _post(coordinator, event["id"], household_id=household["id"], category="food",
                     priority=priority, priority_reason="x")
    assert response.status_code == 422
    assert "priority" in _fields(response)
    assert _count_needs() == 0


def test_patch_priority_override_and_back_to_derived(seed, coordinator):
    event = seed.event()
    household = seed.household(**NO_VULNERABLE)
    need = seed.need(event["id"], household["id"], "food")
    url = f"/api/v1/needs/{need['id']}"
    response = coordinator.patch(url, json={"priority": 1})
    assert response.status_code == 422
    assert "priority_reason" in _fields(response)
    assert coordinator.get(url).get_json()["priority"] == 3
    patched = coordinator.patch(url, json={"priority": 1, "priority_reason": "sudah dibantu tetangga"}).get_json()
    assert patched["priority"] == 1 and patched["priority_overridden"] is True
    back = coordinator.patch(url, json={"priority": None}).get_json()
    assert back["priority"] == 3 and back["priority_overridden"] is False


# --- bad references and duplicates ---------------------------------------------------------
def test_unknown_household_is_422(seed, coordinator):
    event = seed.event()
    response = _post(coordinator, event["id"], household_id=987654, category="food")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "household_id" in _fields(response)
    assert _count_needs() == 0


@pytest.mark.parametrize("category", ["shelter", "Food", ""])
def test_unknown_category_is_422(seed, coordinator, category):
    event = seed.event()
    household = seed.household()
    response = _post(coordinator, event["id"], household_id=household["id"], category=category)
    assert response.status_code == 422
    assert "category" in _fields(response)
    assert _count_needs() == 0


def test_unknown_field_is_422(seed, coordinator):
    event = seed.event()
    household = seed.household()
    response = _post(coordinator, event["id"], household_id=household["id"], category="food", urgent=True)
    assert response.status_code == 422
    assert "urgent" in _fields(response)


def test_unknown_event_is_404(seed, coordinator):
    household = seed.household()
    response = _post(coordinator, 999999, household_id=household["id"], category="food")
    assert response.status_code == 404
    assert _count_needs() == 0


def test_second_live_need_of_same_category_is_409(seed, coordinator):
    event = seed.event()
    household = seed.household()
    first = seed.need(event["id"], household["id"], "food")
    response = _post(coordinator, event["id"], household_id=household["id"], category="food")
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert _count_needs() == 1
    # a different category is fine
    seed.need(event["id"], household["id"], "water")
    # the same category in another event is fine
    other = seed.event(name="Banjir Kahayan")
    seed.need(other["id"], household["id"], "food")
    # once the first is cancelled, a new one of that category is allowed
    cancelled = coordinator.patch(f"/api/v1/needs/{first['id']}", json={"status": "cancelled"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = _post(coordinator, event["id"], household_id=household["id"], category="food")
    assert again.status_code == 201, again.get_json()
    assert _count_needs() == 4


def test_a_done_need_does_not_block_a_new_one(seed, coordinator):
    event = seed.event()
    household = seed.household()
    need = seed.need(event["id"], household["id"], "food")
    assert coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "done"}).status_code == 200
    # done is not live: a new food need may be recorded
    assert _post(coordinator, event["id"], household_id=household["id"], category="food").status_code == 201
    assert _post(coordinator, event["id"], household_id=household["id"], category="food").status_code == 409


def test_reopening_while_a_newer_live_duplicate_exists_is_409(seed, coordinator):
    event = seed.event()
    household = seed.household()
    first = seed.need(event["id"], household["id"], "food")
    coordinator.patch(f"/api/v1/needs/{first['id']}", json={"status": "cancelled"})
    seed.need(event["id"], household["id"], "food")
    response = coordinator.patch(f"/api/v1/needs/{first['id']}", json={"status": "open"})
    assert response.status_code == 409, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    assert coordinator.get(f"/api/v1/needs/{first['id']}").get_json()["status"] == "cancelled"


def test_need_on_a_closed_event_is_409(seed, coordinator):
    event = seed.event()
    household = seed.household()
    assert coordinator.patch(f"/api/v1/events/{event['id']}", json={"status": "closed"}).status_code == 200
    response = _post(coordinator, event["id"], household_id=household["id"], category="food")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert _count_needs() == 0


# --- status -----------------------------------------------------------------------------------
def test_status_transitions(seed, coordinator):
    event = seed.event()
    household = seed.household()
    need = seed.need(event["id"], household["id"], "food")
    url = f"/api/v1/needs/{need['id']}"

    done = coordinator.patch(url, json={"status": "done"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done"

    bad = coordinator.patch(url, json={"status": "assigned"})
    assert bad.status_code == 409
    assert bad.mimetype == "application/problem+json"
    problem = bad.get_json()
    assert problem["allowed"] == ["open"]
    assert problem["current"] == "done"
    assert coordinator.get(url).get_json()["status"] == "done"

    assert coordinator.patch(url, json={"status": "cancelled"}).status_code == 409

    reopened = coordinator.patch(url, json={"status": "open"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "open"
    cancelled = coordinator.patch(url, json={"status": "cancelled"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    reopened = coordinator.patch(url, json={"status": "open"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "open"


def test_a_coordinators_status_change_moves_the_live_task(seed, coordinator):
    """Closing a need by hand ends its task too: an accepted task is done with it, an offer is
    cancelled and its volunteer told, so no task goes on for a need that moved without it."""
    event = seed.event()
    household = seed.household(nik=None)
    food = seed.need(event["id"], household["id"], "food")
    water = seed.need(event["id"], household["id"], "water")
    volunteer = seed.volunteer(skills=["cooking"], capacity=3)
    coordinator.post(f"/api/v1/events/{event['id']}/match")
    offered = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    task = {t["need_id"]: t for t in offered}
    accepted = coordinator.post("/api/v1/sms/simulate",
                                json={"from": volunteer["phone"], "body": f"YA {task[water['id']]['code']}"})
    assert accepted.status_code == 200, accepted.get_json()

    assert coordinator.patch(f"/api/v1/needs/{water['id']}", json={"status": "done"}).status_code == 200
    assert coordinator.get(f"/api/v1/tasks/{task[water['id']]['id']}").get_json()["status"] == "done"
    assert coordinator.patch(f"/api/v1/needs/{food['id']}", json={"status": "cancelled"}).status_code == 200
    assert coordinator.get(f"/api/v1/tasks/{task[food['id']]['id']}").get_json()["status"] == "cancelled"
    kinds = [m["kind"] for m in coordinator.get(f"/api/v1/sms?task={task[food['id']]['id']}").get_json()["items"]]
    assert sorted(kinds) == ["cancellation", "offer"]


def test_unknown_status_is_422(seed, coordinator):
    event = seed.event()
    household = seed.household()
    need = seed.need(event["id"], household["id"], "food")
    response = coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "finished"})
    assert response.status_code == 422
    assert "status" in _fields(response)


def test_get_and_patch_missing_need_is_404(coordinator):
    response = coordinator.get("/api/v1/needs/999999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "999999" in response.get_json()["detail"]
    assert coordinator.patch("/api/v1/needs/999999", json={"status": "done"}).status_code == 404


def test_official_cannot_record_needs(seed, official):
    event = seed.event()
    household = seed.household()
    response = official.post(f"/api/v1/events/{event['id']}/needs", json={"household_id": household["id"], "category": "food"})
    assert response.status_code == 403
    assert _count_needs() == 0


# --- vulnerability changes ------------------------------------------------------------------
def test_household_vulnerability_rederives_live_needs(seed, coordinator):
    event = seed.event()
    household = seed.household(**NO_VULNERABLE)
    food = seed.need(event["id"], household["id"], "food")  # 3
    evacuation = seed.need(event["id"], household["id"], "evacuation", priority=2,
                           priority_reason="sudah mengungsi sendiri")  # derived 4, overridden 2
    water = seed.need(event["id"], household["id"], "water")  # 3, then done
    coordinator.patch(f"/api/v1/needs/{water['id']}", json={"status": "done"})

    response = coordinator.patch(f"/api/v1/households/{household['id']}", json={"elderly": 1})
    assert response.status_code == 200, response.get_json()

    food_now = coordinator.get(f"/api/v1/needs/{food['id']}").get_json()
    assert food_now["priority"] == 4 and food_now["derived_priority"] == 4
    evacuation_now = coordinator.get(f"/api/v1/needs/{evacuation['id']}").get_json()
    assert evacuation_now["priority"] == 2 and evacuation_now["priority_overridden"] is True
    assert evacuation_now["derived_priority"] == 5
    water_now = coordinator.get(f"/api/v1/needs/{water['id']}").get_json()
    assert water_now["priority"] == 3  # not live: left as it was

    coordinator.patch(f"/api/v1/households/{household['id']}", json={"elderly": 2, "disabled": 1})
    assert coordinator.get(f"/api/v1/needs/{food['id']}").get_json()["priority"] == 5
    coordinator.patch(f"/api/v1/households/{household['id']}", json={"elderly": 0, "disabled": 0})
    assert coordinator.get(f"/api/v1/needs/{food['id']}").get_json()["priority"] == 3


# --- list -------------------------------------------------------------------------------------
def _listed(client, event_id, query=""):
    response = client.get(f"/api/v1/events/{event_id}/needs{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_list_filters_and_order(seed, coordinator):
    event = seed.event()
    mungku = seed.household(**NO_VULNERABLE)
    pahandut = seed.household(nik=_nik(2), location=PAHANDUT, elderly=1, children_under5=0)
    food = seed.need(event["id"], mungku["id"], "food")  # 3
    clothing = seed.need(event["id"], mungku["id"], "clothing")  # 2
    evacuation = seed.need(event["id"], pahandut["id"], "evacuation")  # 5
    water = seed.need(event["id"], pahandut["id"], "water")  # 4
    coordinator.patch(f"/api/v1/needs/{water['id']}", json={"status": "done"})
    other_event = seed.event(name="Banjir Kahayan")
    seed.need(other_event["id"], mungku["id"], "medical")

    everything = _listed(coordinator, event["id"])
    assert everything["total"] == 4
    assert [n["id"] for n in everything["items"]] == [evacuation["id"], water["id"], food["id"], clothing["id"]]
    priorities = [n["priority"] for n in everything["items"]]
    assert priorities == sorted(priorities, reverse=True)

    def ids(query):
        return {n["id"] for n in _listed(coordinator, event["id"], query)["items"]}

    assert ids("?status=open") == {evacuation["id"], food["id"], clothing["id"]}
    assert ids("?status=done") == {water["id"]}
    assert ids("?category=food") == {food["id"]}
    assert ids("?priority=5") == {evacuation["id"]}
    assert ids("?priority=2") == {clothing["id"]}
    assert ids("?area=62.71.05.1004") == {food["id"], clothing["id"]}
    assert ids("?area=62.71.05") == {food["id"], clothing["id"]}
    assert ids("?area=62.71.01.1001") == {evacuation["id"], water["id"]}
    assert ids("?status=open&area=62.71.01.1001") == {evacuation["id"]}

    assert coordinator.get(f"/api/v1/events/{event['id']}/needs?status=finished").status_code == 422
    assert coordinator.get(f"/api/v1/events/{event['id']}/needs?category=shelter").status_code == 422
    response = coordinator.get(f"/api/v1/events/{event['id']}/needs?area=99.99")
    assert response.status_code == 422 and "area" in _fields(response)
    assert coordinator.get("/api/v1/events/999999/needs").status_code == 404


# --- audit ------------------------------------------------------------------------------------
def test_create_is_audited_and_rejections_are_not(seed, coordinator):
    event = seed.event()
    household = seed.household()
    need = seed.need(event["id"], household["id"], "evacuation", notes="lantai dua")
    log = coordinator.get("/api/v1/audit?entity_type=need&per_page=500").get_json()
    created = [e for e in log["items"] if e["action"] == "need.created"]
    assert len(created) == 1
    assert created[0]["entity_id"] == need["id"]
    assert created[0]["payload"]["category"] == "evacuation"
    assert created[0]["payload"]["household_id"] == household["id"]
    for secret in ("6271054507800001", "6271050101090003", "81234567890"):
        assert secret not in str(log)

    total = coordinator.get("/api/v1/audit").get_json()["total"]
    assert _post(coordinator, event["id"], household_id=household["id"], category="evacuation").status_code == 409
    assert _post(coordinator, event["id"], household_id=household["id"], category="food", priority=1).status_code == 422
    assert _post(coordinator, event["id"], household_id=424242, category="food").status_code == 422
    assert coordinator.patch(f"/api/v1/needs/{need['id']}", json={"priority": 1}).status_code == 422
    coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "done"})
    after_done = coordinator.get("/api/v1/audit?per_page=500").get_json()
    assert after_done["total"] == total + 1
    assert after_done["items"][-1]["action"] == "need.done"
    assert coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "assigned"}).status_code == 409
    assert coordinator.get("/api/v1/audit").get_json()["total"] == total + 1


def test_list_loads_kelurahan_with_the_page(seed, coordinator):
    """A page of needs names each household's kelurahan without a query per need (the flood-day
    load benchmark found 60 queries and 150 decryptions behind one page of 50)."""
    from tests.conftest import selects_sent

    event = seed.event()
    for serial in range(1, 7):
        household = seed.household(nik=_nik(serial), **({"location": PAHANDUT} if serial % 2 else {}))
        seed.need(event["id"], household["id"], "food")
    with selects_sent() as selects:
        page = coordinator.get(f"/api/v1/events/{event['id']}/needs").get_json()
    assert page["total"] == 6
    assert {n["admin_area"]["code"] for n in page["items"]} == {"62.71.01.1001", "62.71.05.1004"}
    # the token, the event, the count and the page (plus a few of the app's own): not one per need
    assert len(selects) <= 6, selects
