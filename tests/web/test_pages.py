"""The dashboard JSON, the official's view without personal data, and match → confirm → SMS
reply through the web forms (the same operations as the API)."""

from __future__ import annotations

import json
import re

from tests.conftest import MUNGKU_BARU, RAKUMPIT_BOX


def _created_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/events/(\d+)$", response.headers["Location"]).group(1))


def _household_form(**overrides):
    form = {"head_name": "Siti Aminah", "phone": "0812-3456-7890", "nik": "6271054507800001",
            "kk_number": "6271050101090003", "address": "Jl. Mungku Baru RT 02", "landmark": "dekat masjid",
            "lat": str(MUNGKU_BARU["lat"]), "lon": str(MUNGKU_BARU["lon"]), "members": "5", "elderly": "1",
            "children_under5": "1", "pregnant_or_lactating": "0", "disabled": "0", "chronically_ill": "0",
            "category": "evacuation", "notes": "rumah terendam"}
    form.update(overrides)
    return form


def test_event_form_validates_and_creates(web_coordinator):
    web_coordinator.get("/events/new")
    response = web_coordinator.post("/events/new", {"name": " ", "started_at": "2026-03-10T13:00",
                                                    "affected_area": "{not json"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Periksa isian berikut" in page and "affected_area" in page
    response = web_coordinator.post("/events/new", {"name": "Banjir Rungan", "started_at": "2026-03-10T13:00",
                                                    "affected_area": json.dumps(RAKUMPIT_BOX),
                                                    "offer_timeout_minutes": "20"})
    event_id = _created_id(response)
    event = web_coordinator.client.application.extensions  # noqa: F841 (the app is alive)
    page = web_coordinator.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Banjir Rungan" in page and 'id="map"' in page
    events_page = web_coordinator.get("/events").get_data(as_text=True)
    assert "2026-03-10 13:00 WIB" in events_page  # typed in WIB, stored in UTC, shown in WIB


def test_household_form_reports_bad_fields(web_coordinator, seed):
    event = seed.event()
    web_coordinator.get(f"/events/{event['id']}/households/new")
    response = web_coordinator.post(f"/events/{event['id']}/households/new",
                                    _household_form(nik="123", lat="abc", elderly="9"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#f-nik"' in page and 'href="#f-lat"' in page
    response = web_coordinator.post(f"/events/{event['id']}/households/new", _household_form(elderly="9"))
    assert response.status_code == 422 and 'href="#f-elderly"' in response.get_data(as_text=True)


def test_dashboard_json_shapes(web_coordinator, seed):
    event = seed.event()
    household = seed.household()
    need = seed.need(event["id"], household["id"], "evacuation")
    volunteer = seed.volunteer(name="Budi Santoso")
    data = web_coordinator.get(f"/events/{event['id']}/map.json").get_json()
    assert data["event"] == {"id": event["id"], "name": "Banjir Rungan", "status": "active"}
    assert data["flood_area"]["type"] in ("Polygon", "MultiPolygon")
    assert data["kelurahan"]["type"] == "FeatureCollection" and data["kelurahan"]["features"]
    assert {"code", "name"} <= set(data["kelurahan"]["features"][0]["properties"])
    [h] = data["households"]
    assert h["id"] == household["id"] and h["location"] == [MUNGKU_BARU["lat"], MUNGKU_BARU["lon"]]
    assert h["priority"] == need["priority"] and h["status"] == "open" and h["head_name"] == "Siti Aminah"
    assert h["needs"] == [{"id": need["id"], "category": "evacuation", "priority": need["priority"], "status": "open"}]
    [v] = data["volunteers"]
    assert v["id"] == volunteer["id"] and v["availability"] == "available" and v["name"] == "Budi Santoso"
    assert data["tasks"] == []
    counters = web_coordinator.get(f"/events/{event['id']}/counters.json").get_json()
    assert counters["open_needs_by_priority"][str(need["priority"])] == 1
    assert sum(counters["open_needs_by_priority"].values()) == 1
    assert set(counters["tasks_by_status"]) >= {"proposed", "offered", "accepted"}
    assert counters["households_served"] == 0


def test_official_sees_no_personal_data(web_official, seed):
    event = seed.event()
    household = seed.household()
    seed.need(event["id"], household["id"], "food")
    seed.volunteer(name="Budi Santoso")
    raw = web_official.get(f"/events/{event['id']}/map.json").get_data(as_text=True)
    for secret in ("6271054507800001", "6271050101090003", "3456", "Siti Aminah", "Budi Santoso", "+62"):
        assert secret not in raw
    page = web_official.get(f"/events/{event['id']}").get_data(as_text=True)
    assert "tanpa data pribadi" in page and "6271054507800001" not in page
    assert web_official.get(f"/events/{event['id']}/match").status_code == 403
    assert web_official.post(f"/events/{event['id']}/match", {}).status_code == 403
    assert web_official.get(f"/events/{event['id']}/households/new").status_code == 403


def test_create_event_add_household_match_confirm_and_simulate_yes(web_coordinator, seed):
    client = web_coordinator
    client.get("/events/new")
    event_id = _created_id(client.post("/events/new", {"name": "Banjir Rungan Maret", "started_at": "2026-03-10T13:00",
                                                       "affected_area": json.dumps(RAKUMPIT_BOX)}))
    client.get(f"/events/{event_id}/households/new")
    response = client.post(f"/events/{event_id}/households/new", _household_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    volunteer = seed.volunteer(name="Budi Santoso", skills=["boat"])

    assert "Belum ada usulan" in client.get(f"/events/{event_id}/match").get_data(as_text=True)
    assert client.post(f"/events/{event_id}/match", {"max_distance_km": "8"}).status_code == 302
    page = client.get(f"/events/{event_id}/match").get_data(as_text=True)
    code = re.search(r'<th scope="row">(T\d+)</th>', page).group(1)
    assert "Budi Santoso" in page and "Mungku Baru" in page and "evakuasi" in page
    lines = client.get(f"/events/{event_id}/map.json").get_json()["tasks"]
    assert [t["status"] for t in lines] == ["proposed"]

    assert client.post(f"/events/{event_id}/dispatch", {}).status_code == 302
    page = client.get(f"/events/{event_id}/match").get_data(as_text=True)
    assert "1 tugas ditawarkan lewat SMS" in page

    page = client.get(f"/volunteers/{volunteer['id']}/sms").get_data(as_text=True)
    assert code in page and "offered" in page and "Simulator" in page
    assert client.post(f"/volunteers/{volunteer['id']}/sms", {"body": f"ya {code}"}).status_code == 302
    page = client.get(f"/volunteers/{volunteer['id']}/sms").get_data(as_text=True)
    assert "accepted" in page and f"ya {code}" in page

    task = seed.client.get(f"/api/v1/tasks/{code[1:]}").get_json()
    assert task["status"] == "accepted"
    counters = client.get(f"/events/{event_id}/counters.json").get_json()
    assert counters["tasks_by_status"]["accepted"] == 1


def test_remove_and_swap_a_proposed_assignment(web_coordinator, seed):
    event = seed.event()
    household = seed.household()
    seed.need(event["id"], household["id"], "food")
    first = seed.volunteer(name="Andi", skills=[])
    second = seed.volunteer(name="Bayu", skills=[], location={"lat": -1.70, "lon": 113.70})
    proposal = seed.client.post(f"/api/v1/events/{event['id']}/match", json={}).get_json()
    [task] = proposal["tasks"]
    assert task["volunteer_id"] == first["id"]
    web_coordinator.get(f"/events/{event['id']}/match")
    response = web_coordinator.post(f"/events/{event['id']}/tasks/{task['id']}/swap", {"volunteer_id": str(second["id"])})
    assert response.status_code == 302
    page = web_coordinator.get(f"/events/{event['id']}/match").get_data(as_text=True)
    new_code = re.search(r'<th scope="row">(T\d+)</th>', page).group(1)
    assert new_code != f"T{task['id']}" and "Bayu" in page
    response = web_coordinator.post(f"/events/{event['id']}/tasks/{new_code[1:]}/remove", {})
    assert response.status_code == 302
    page = web_coordinator.get(f"/events/{event['id']}/match").get_data(as_text=True)
    assert "Belum ada usulan" in page and f"Tugas {new_code} dihapus" in page


def test_simulator_rejects_an_empty_reply(web_coordinator, seed):
    volunteer = seed.volunteer()
    web_coordinator.get(f"/volunteers/{volunteer['id']}/sms")
    assert web_coordinator.post(f"/volunteers/{volunteer['id']}/sms", {"body": "  "}).status_code == 302
    assert "Periksa isian" in web_coordinator.get(f"/volunteers/{volunteer['id']}/sms").get_data(as_text=True)
