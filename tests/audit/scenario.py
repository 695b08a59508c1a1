"""A realistic stretch of log for the audit tests: two events; households, needs, a matching
round, SMS offers and replies, stock received and handed out (a fractional quantity too)."""

from __future__ import annotations

from tests.conftest import MUNGKU_BARU

MUNGKU_2 = {"lat": -1.64, "lon": 113.69}
BUKIT_SUA = {"lat": -1.6794, "lon": 113.67}


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.get_json()
    return response.get_json()


def build(coordinator, seed) -> dict:
    event = seed.event()
    other = seed.event(name="Banjir Kahayan")
    siti = seed.household(location=MUNGKU_BARU, members=5)
    yohanes = seed.household(nik=None, kk_number=None, phone="0812-1111-2222", head_name="Yohanes Dehen",
                             location=MUNGKU_2, members=3, elderly=0, children_under5=0)
    maria = seed.household(nik=None, kk_number=None, phone="0812-3333-4444", head_name="Maria Ulfa",
                           location=BUKIT_SUA, members=4, elderly=0, children_under5=0)
    evac = seed.need(event["id"], siti["id"], "evacuation", notes="nenek tidak bisa jalan")
    water = seed.need(event["id"], yohanes["id"], "water")
    elsewhere = seed.need(other["id"], maria["id"], "food")
    volunteers = [seed.volunteer(name="Pak Perahu", skills=["boat"], location=MUNGKU_2, capacity=1),
                  seed.volunteer(name="Bu Dapur", skills=["cooking"], location=MUNGKU_BARU, capacity=1)]
    _ok(coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 50000}))
    offered = _ok(coordinator.post(f"/api/v1/events/{event['id']}/dispatch"))["offered"]
    phones = {v["id"]: v["phone"] for v in volunteers}
    for task in offered:
        _ok(coordinator.post("/api/v1/sms/simulate",
                             json={"from": phones[task["volunteer_id"]], "body": f"YA {task['code']}"}))
    _ok(coordinator.post("/api/v1/items", json={"code": "BERAS", "name": "Beras", "unit": "kg", "category": "food"}))
    depot = _ok(coordinator.post("/api/v1/depots", json={"name": "Posko Mungku Baru", "kind": "posko",
                                                          "location": MUNGKU_BARU}))
    for move in ({"kind": "receipt", "item_code": "BERAS", "quantity": 100, "donor": "Dinas Sosial"},
                 {"kind": "issue", "item_code": "BERAS", "quantity": 5.5, "household_id": yohanes["id"],
                  "event_id": event["id"]}):
        _ok(coordinator.post("/api/v1/stock/movements", json={"depot_id": depot["id"], **move}))
    return {"event": event, "other": other, "needs": [evac, water], "elsewhere": elsewhere,
            "tasks": offered, "households": [siti, yohanes, maria]}
