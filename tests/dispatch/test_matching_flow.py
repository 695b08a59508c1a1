"""Propose → review → confirm through the API, on both databases, including concurrent use."""

import threading

from sqlalchemy import func, select, text

from resilience.dispatch.models import Task
from resilience.extensions import db

NEAR = {"lat": -1.6346, "lon": 113.6858}   # Mungku Baru
NEAR2 = {"lat": -1.6400, "lon": 113.6900}
FAR = {"lat": -1.95, "lon": 113.67}        # ~35 km south


def _setup(seed):
    event = seed.event()
    h1 = seed.household(nik=None, location=NEAR, elderly=1)
    h2 = seed.household(nik=None, location=NEAR2, elderly=0, head_name="Yohanes Dehen")
    h3 = seed.household(nik=None, location=FAR, head_name="Jauh Sekali")
    evac = seed.need(event["id"], h1["id"], "evacuation")
    food = seed.need(event["id"], h2["id"], "food")
    far = seed.need(event["id"], h3["id"], "water")
    return event, evac, food, far


def _match(client, event_id, **body):
    response = client.post(f"/api/v1/events/{event_id}/match", json=body or None)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_match_respects_skill_distance_and_availability(coordinator, seed):
    event, evac, food, far = _setup(seed)
    boat = seed.volunteer(name="Pak Perahu", skills=["boat"], location=NEAR2, capacity=1)
    cook = seed.volunteer(name="Bu Dapur", skills=["cooking"], location=NEAR, capacity=3)
    seed.volunteer(name="Libur", skills=["boat"], location=NEAR, availability="off")
    seed.volunteer(name="Sibuk", skills=["boat"], location=NEAR, availability="busy")
    opted = seed.volunteer(name="Berhenti", skills=["boat"], location=NEAR)
    coordinator.patch(f"/api/v1/volunteers/{opted['id']}", json={"sms_opt_out": True})

    proposal = _match(coordinator, event["id"])
    by_need = {t["need_id"]: t for t in proposal["tasks"]}
    assert by_need[evac["id"]]["volunteer_id"] == boat["id"]  # only the boat volunteer may evacuate
    assert by_need[food["id"]]["volunteer_id"] == cook["id"]
    assert far["id"] not in by_need
    assert [u["need_id"] for u in proposal["unassigned"]] == [far["id"]]
    assert all(t["status"] == "proposed" and t["code"] == f"T{t['id']}" for t in proposal["tasks"])
    assert proposal["summary"]["served"] == 2
    assert proposal["summary"]["priority_served"] == evac["priority"] + food["priority"]
    assert by_need[evac["id"]]["distance_m"] > 0 and by_need[evac["id"]]["explanation"]
    assert by_need[evac["id"]]["need"]["required_skill"] == "boat"

    wider = _match(coordinator, event["id"], max_distance_m=50000)
    assert {t["need_id"] for t in wider["tasks"]} == {evac["id"], food["id"], far["id"]}
    # The earlier proposal was replaced, not added to.
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.status == "proposed")) == 3


def test_priority_wins_over_distance(coordinator, seed):
    event = seed.event()
    vulnerable = seed.household(nik=None, location=NEAR, elderly=2, disabled=1, members=5)
    other = seed.household(nik=None, location=NEAR2, head_name="Tanpa Rentan", elderly=0, children_under5=0)
    high = seed.need(event["id"], vulnerable["id"], "food")   # 3 + 1 + 1 = 5
    low = seed.need(event["id"], other["id"], "food")         # 3
    seed.volunteer(name="Satu-satunya", skills=["cooking"], location=NEAR2, capacity=1)
    proposal = _match(coordinator, event["id"])
    assert [t["need_id"] for t in proposal["tasks"]] == [high["id"]]
    assert [u["need_id"] for u in proposal["unassigned"]] == [low["id"]]


def test_confirm_offers_and_books_capacity(coordinator, seed):
    event, evac, food, _far = _setup(seed)
    seed.volunteer(name="Pak Perahu", skills=["boat"], location=NEAR2, capacity=1)
    seed.volunteer(name="Bu Dapur", skills=["cooking"], location=NEAR, capacity=1)
    proposal = _match(coordinator, event["id"])
    first = proposal["tasks"][0]["id"]
    response = coordinator.post(f"/api/v1/events/{event['id']}/dispatch", json={"task_ids": [first, 99999]})
    body = response.get_json()
    assert response.status_code == 200
    assert [t["id"] for t in body["offered"]] == [first]
    assert body["offered"][0]["status"] == "offered" and body["offered"][0]["offered_at"]
    assert {"task_id": 99999, "reason": "no such task in this event"} in body["skipped"]
    rest = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()
    assert len(rest["offered"]) == 1
    needs = coordinator.get(f"/api/v1/events/{event['id']}/needs?status=assigned").get_json()
    assert needs["total"] == 2
    # Both volunteers are now full: a new match proposes nothing for the remaining need.
    again = _match(coordinator, event["id"], max_distance_m=50000)
    assert again["tasks"] == []
    assert coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"] == []


def test_declined_volunteer_is_never_proposed_again(coordinator, seed):
    event, evac, _food, _far = _setup(seed)
    first = seed.volunteer(name="Pertama", skills=["boat"], location=NEAR, capacity=2)
    second = seed.volunteer(name="Kedua", skills=["boat"], location=FAR, capacity=2)
    proposal = _match(coordinator, event["id"], max_distance_m=50000)
    task = next(t for t in proposal["tasks"] if t["need_id"] == evac["id"])
    assert task["volunteer_id"] == first["id"]
    coordinator.post(f"/api/v1/events/{event['id']}/dispatch", json={"task_ids": [task["id"]]})
    db.session.rollback()
    with db.engine.begin() as conn:  # the SMS loop will do this on "TIDAK"; here by hand
        conn.execute(text("UPDATE tasks SET status = 'declined' WHERE id = :id"), {"id": task["id"]})
        conn.execute(text("UPDATE needs SET status = 'open' WHERE id = :id"), {"id": evac["id"]})
    again = _match(coordinator, event["id"], max_distance_m=50000)
    task2 = next(t for t in again["tasks"] if t["need_id"] == evac["id"])
    assert task2["volunteer_id"] == second["id"]


def test_cancel_and_reassign(coordinator, seed):
    event, evac, food, _far = _setup(seed)
    boat = seed.volunteer(name="Pak Perahu", skills=["boat"], location=NEAR2, capacity=2)
    boat2 = seed.volunteer(name="Pak Perahu Dua", skills=["boat", "first_aid"], location=NEAR, capacity=2)
    cook = seed.volunteer(name="Bu Dapur", skills=["cooking"], location=NEAR, capacity=2)
    _match(coordinator, event["id"])
    offered = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    evac_task = next(t for t in offered if t["need_id"] == evac["id"])

    no_skill = coordinator.patch(f"/api/v1/tasks/{evac_task['id']}", json={"volunteer_id": cook["id"]})
    assert no_skill.status_code == 422 and "boat" in no_skill.get_json()["detail"]
    other = boat2["id"] if evac_task["volunteer_id"] == boat["id"] else boat["id"]
    moved = coordinator.patch(f"/api/v1/tasks/{evac_task['id']}", json={"volunteer_id": other})
    assert moved.status_code == 200, moved.get_json()
    new = moved.get_json()
    assert new["id"] != evac_task["id"] and new["volunteer_id"] == other and new["status"] == "offered"
    assert coordinator.get(f"/api/v1/tasks/{evac_task['id']}").get_json()["status"] == "cancelled"

    cancelled = coordinator.patch(f"/api/v1/tasks/{new['id']}", json={"status": "cancelled"}).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    assert coordinator.get(f"/api/v1/needs/{evac['id']}").get_json()["status"] == "open"
    again = coordinator.patch(f"/api/v1/tasks/{new['id']}", json={"status": "cancelled"})
    assert again.status_code == 409 and again.get_json()["allowed"] == []
    bad = coordinator.patch(f"/api/v1/tasks/{new['id']}", json={"status": "done"})
    assert bad.status_code == 422


def test_official_cannot_match(official, seed):
    event = seed.event()
    assert official.post(f"/api/v1/events/{event['id']}/match").status_code == 403
    assert official.get("/api/v1/tasks").status_code == 200


def test_bad_match_requests(coordinator, seed):
    event = seed.event()
    assert coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": -5}).status_code == 422
    assert coordinator.post(f"/api/v1/events/{event['id']}/match", json={"radius": 5}).status_code == 422
    assert coordinator.post("/api/v1/events/9999/match").status_code == 404
    assert coordinator.post(f"/api/v1/events/{event['id']}/dispatch", json={"task_ids": []}).status_code == 422


def _concurrently(app, token, calls):
    results = []

    def run(method, path, body):
        client = app.test_client()
        response = getattr(client, method)(path, json=body, headers={"Authorization": f"Bearer {token}"})
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_coordinators_confirming_at_once_never_double_book(app, coordinator, seed):
    event = seed.event()
    households = [seed.household(nik=None, location={"lat": -1.63 - i * 0.002, "lon": 113.68}, head_name=f"W{i}")
                  for i in range(6)]
    for h in households:
        seed.need(event["id"], h["id"], "food")
    for i in range(3):
        seed.volunteer(name=f"Relawan {i}", skills=["cooking"], location=NEAR, capacity=2)
    proposal = _match(coordinator, event["id"])
    assert len(proposal["tasks"]) == 6
    path = f"/api/v1/events/{event['id']}/dispatch"
    results = _concurrently(app, coordinator.token, [("post", path, None)] * 4)
    assert all(status == 200 for status, _ in results), results
    offered = [t["id"] for _, body in results for t in body["offered"]]
    assert sorted(offered) == sorted(t["id"] for t in proposal["tasks"])  # each exactly once
    db.session.rollback()
    per_volunteer = db.session.execute(
        select(Task.volunteer_id, func.count()).where(Task.status == "offered").group_by(Task.volunteer_id)
    ).all()
    assert all(count <= 2 for _, count in per_volunteer)


def test_a_volunteer_shared_by_two_events_is_not_overbooked(app, coordinator, seed):
    events = [seed.event(name=f"Banjir {i}") for i in range(2)]
    for i, event in enumerate(events):
        h = seed.household(nik=None, location=NEAR, head_name=f"KK {i}")
        seed.need(event["id"], h["id"], "food")
    seed.volunteer(name="Satu", skills=["cooking"], location=NEAR, capacity=1)
    for event in events:
        assert len(_match(coordinator, event["id"])["tasks"]) == 1
    results = _concurrently(app, coordinator.token,
                            [("post", f"/api/v1/events/{e['id']}/dispatch", None) for e in events])
    assert all(status == 200 for status, _ in results), results
    offered = sum(len(body["offered"]) for _, body in results)
    assert offered == 1
    skipped = [s["reason"] for _, body in results for s in body["skipped"]]
    assert skipped == ["volunteer has no capacity left"]
