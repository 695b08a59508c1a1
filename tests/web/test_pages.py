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
    assert h["kelurahan"] == "Mungku Baru" and h["landmark"] == "dekat masjid"
    assert h["members"] == 5 and h["vulnerable"] == 2  # one elderly, one child under five
    assert h["needs"] == [{"id": need["id"], "category": "evacuation", "priority": need["priority"], "status": "open"}]
    [v] = data["volunteers"]
    assert v["id"] == volunteer["id"] and v["availability"] == "available" and v["name"] == "Budi Santoso"
    assert data["tasks"] == []
    counters = web_coordinator.get(f"/events/{event['id']}/counters.json").get_json()
    assert counters["open_needs_by_priority"][str(need["priority"])] == 1
    assert sum(counters["open_needs_by_priority"].values()) == 1
    assert set(counters["tasks_by_status"]) >= {"proposed", "offered", "accepted"}
    assert counters["households_served"] == 0


def test_map_colours_a_household_by_its_least_advanced_live_need(web_coordinator, seed):
    """A household's map entry: the highest priority and the least advanced status among its
    live needs (open < assigned < in_progress), "done" with priority 0 when none is live, and
    every need listed in order (the map is built in one pass over rows ordered by household)."""
    import sqlalchemy as sa

    from resilience.extensions import db

    event = seed.event()
    mixed, busy, finished = (seed.household(), seed.household(nik=None, kk_number=None, phone=None),
                             seed.household(nik=None, kk_number=None, phone=None))
    plan = [(mixed, "food", "done", 4), (mixed, "water", "assigned", 5), (mixed, "clothing", "open", 2),
            (busy, "food", "in_progress", 3), (busy, "water", "done", 1),
            (finished, "food", "done", 5), (finished, "water", "cancelled", 4)]
    ids = []
    for household, category, status, priority in plan:
        need = seed.need(event["id"], household["id"], category)
        with db.engine.begin() as conn:  # test data: the states a dispatch would have reached
            conn.execute(sa.text("UPDATE needs SET status = :s, priority = :p WHERE id = :i"),
                         {"s": status, "p": priority, "i": need["id"]})
        ids.append(need["id"])
    data = web_coordinator.get(f"/events/{event['id']}/map.json").get_json()
    by_id = {h["id"]: h for h in data["households"]}
    assert [(by_id[h["id"]]["status"], by_id[h["id"]]["priority"]) for h in (mixed, busy, finished)] == [
        ("open", 5), ("in_progress", 3), ("done", 0)]
    assert [n["id"] for n in by_id[mixed["id"]]["needs"]] == ids[:3]
    assert by_id[busy["id"]]["needs"][0] == {"id": ids[3], "category": "food", "priority": 3, "status": "in_progress"}


def test_households_served_counts_like_the_official_report(web_coordinator, seed):
    """A household is served when every need that is not cancelled is done: one done need
    beside an open one is not enough, on the dashboard as in the report."""
    event = seed.event()
    siti = seed.household()
    food = seed.need(event["id"], siti["id"], "food")
    water = seed.need(event["id"], siti["id"], "water")
    other = seed.household(nik="6271051203850002", kk_number="6271050101090004", phone="0812-1111-2222")
    clothing = seed.need(event["id"], other["id"], "clothing")

    def served():
        counters = web_coordinator.get(f"/events/{event['id']}/counters.json").get_json()
        report = seed.client.get(f"/api/v1/events/{event['id']}/report").get_json()
        assert counters["households_served"] == report["totals"]["households"]["served"]
        return counters["households_served"]

    for need, status in ((food, "done"), (clothing, "done")):
        assert seed.client.patch(f"/api/v1/needs/{need['id']}", json={"status": status}).status_code == 200
    assert served() == 1  # the second household; Siti still waits for water
    assert seed.client.patch(f"/api/v1/needs/{water['id']}", json={"status": "cancelled"}).status_code == 200
    assert served() == 2


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


# --- drawing / editing the affected area -------------------------------------------------------
TRIANGLE = {"type": "Polygon", "coordinates": [[[113.66, -1.66], [113.71, -1.66], [113.69, -1.61], [113.66, -1.66]]]}


def test_edit_affected_area_replaces_only_the_area(web_coordinator, seed):
    event = seed.event(name="Banjir Rungan", offer_timeout_minutes=35)
    web_coordinator.get(f"/events/{event['id']}")
    response = web_coordinator.post(f"/events/{event['id']}/area", {"affected_area": json.dumps(TRIANGLE)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event['id']}")
    after = seed.client.get(f"/api/v1/events/{event['id']}").get_json()
    assert after["affected_area"]["coordinates"][0][:3] == TRIANGLE["coordinates"][0][:3]
    assert after["name"] == "Banjir Rungan" and after["offer_timeout_minutes"] == 35  # PATCH: the rest stays
    codes = {a["code"] for a in after["affected_admin_areas"]}
    assert "62.71.05.1004" in codes  # Mungku Baru lies in the triangle: derived again
    page = web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True)
    assert "Wilayah terdampak \"Banjir Rungan\" disimpan" in page.replace("&#34;", '"') and "Mungku Baru" in page


def test_edit_affected_area_rejects_bad_input_and_changes_nothing(web_coordinator, seed):
    event = seed.event()
    before = seed.client.get(f"/api/v1/events/{event['id']}").get_json()
    web_coordinator.get(f"/events/{event['id']}")
    bow_tie = {"type": "Polygon", "coordinates": [[[113.6, -1.7], [113.7, -1.6], [113.7, -1.7], [113.6, -1.6], [113.6, -1.7]]]}
    for form in ({"affected_area": "{not json"}, {"affected_area": "  "},
                 {"affected_area": json.dumps({"type": "Point", "coordinates": [113.6, -1.7]})},
                 {"affected_area": json.dumps(bow_tie)}):
        response = web_coordinator.post(f"/events/{event['id']}/area", form)
        assert response.status_code == 422, form
        page = response.get_data(as_text=True)
        assert 'href="#f-affected_area"' in page and 'id="area-edit" class="card" open' in page
    assert seed.client.get(f"/api/v1/events/{event['id']}").get_json() == before


def test_remove_affected_area_and_officials_may_not(web_coordinator, web_official, seed):
    event = seed.event()
    web_official.get(f"/events/{event['id']}")
    assert web_official.post(f"/events/{event['id']}/area", {"clear_area": "1"}).status_code == 403
    assert seed.client.get(f"/api/v1/events/{event['id']}").get_json()["affected_area"] is not None
    web_coordinator.get(f"/events/{event['id']}")
    assert web_coordinator.post(f"/events/{event['id']}/area", {"clear_area": "1"}).status_code == 302
    after = seed.client.get(f"/api/v1/events/{event['id']}").get_json()
    assert after["affected_area"] is None and after["affected_admin_areas"] == []
    assert web_coordinator.post(f"/events/{event['id']}/area", {"clear_area": "1"}, csrf=False).status_code == 400


def test_kelurahan_boundaries_for_the_new_event_map(web, web_coordinator):
    assert web.get("/areas/kelurahan.json").status_code == 302  # login first
    response = web_coordinator.get("/areas/kelurahan.json")
    data = response.get_json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 30
    assert {"code", "name"} <= set(data["features"][0]["properties"])
    assert "max-age=3600" in response.headers["Cache-Control"]
    page = web_coordinator.get("/events/new").get_data(as_text=True)
    assert 'id="draw-map"' in page and 'data-areas="/areas/kelurahan.json"' in page and "draw.js" in page


# --- base-map tiles --------------------------------------------------------------------------
def test_tiles_are_off_by_default_and_follow_the_settings(app, web_coordinator, seed):
    import dataclasses

    event = seed.event()
    page = web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True)
    assert 'data-tiles=""' in page
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(settings, tile_url="https://tiles.example.id/{z}/{x}/{y}.png",
                                                 tile_attribution="© OpenStreetMap <contributors>")
    try:
        for path in (f"/events/{event['id']}", "/events/new"):
            page = web_coordinator.get(path).get_data(as_text=True)
            assert 'data-tiles="https://tiles.example.id/{z}/{x}/{y}.png"' in page
            assert 'data-attribution="© OpenStreetMap &lt;contributors&gt;"' in page
    finally:
        app.config["SETTINGS"] = settings


def test_tile_settings_are_validated():
    import pytest

    from resilience.core.settings import Settings, SettingsError

    base = {"SECRET_KEY": "x" * 20, "RESILIENCE_INSTANCE_PATH": "/tmp/resilience-tiles-test"}
    ok = Settings.from_env({**base, "RESILIENCE_TILE_URL": "https://{s}.tile.example.id/{z}/{x}/{y}.png",
                            "RESILIENCE_TILE_ATTRIBUTION": "© OpenStreetMap contributors"})
    assert ok.tile_url.endswith("{y}.png") and ok.tile_attribution == "© OpenStreetMap contributors"
    assert Settings.from_env(base).tile_url is None
    for env, words in (
        ({"RESILIENCE_TILE_URL": "https://t.example.id/{z}/{x}.png", "RESILIENCE_TILE_ATTRIBUTION": "a"}, "missing {y}"),
        ({"RESILIENCE_TILE_URL": "file:///tiles/{z}/{x}/{y}.png", "RESILIENCE_TILE_ATTRIBUTION": "a"}, "http(s)"),
        ({"RESILIENCE_TILE_URL": "https://t.example.id/{z}/{x}/{y}.png"}, "RESILIENCE_TILE_ATTRIBUTION is required"),
        ({"RESILIENCE_TILE_ATTRIBUTION": "© OSM"}, "RESILIENCE_TILE_URL is not"),
    ):
        with pytest.raises(SettingsError, match=re.escape(words)) as info:
            Settings.from_env({**base, **env})
        assert "\n" not in str(info.value)


# --- words in the page language ----------------------------------------------------------------
def _two_needs_one_contested_volunteer(seed):
    """The engine test's case: need A (priority 1) is nearer to V1, but V1 must serve need B
    (priority 5), which only V1 reaches within 3 km; A goes to the farther V2."""
    lat, lon = MUNGKU_BARU["lat"], MUNGKU_BARU["lon"]
    event = seed.event()
    a = seed.household(location={"lat": lat, "lon": lon})
    b = seed.household(location={"lat": lat + 0.03, "lon": lon}, head_name="Rahmat", nik="6271054507800002",
                       kk_number="6271050101090004", phone="0812-3456-7891")
    need_a = seed.need(event["id"], a["id"], "food", priority=1, priority_reason="sudah mengungsi")
    need_b = seed.need(event["id"], b["id"], "food", priority=5, priority_reason="rumah terendam")
    v1 = seed.volunteer(name="Andi", skills=[], capacity=1, location={"lat": lat + 0.01, "lon": lon})
    v2 = seed.volunteer(name="Bayu", skills=[], capacity=1, location={"lat": lat - 0.02, "lon": lon})
    return event, need_a, need_b, v1, v2


def test_matching_reasons_are_stored_as_codes_and_worded_in_the_page_language(web_coordinator, seed):
    from resilience.dispatch.models import Task
    from resilience.extensions import db

    event, need_a, need_b, v1, v2 = _two_needs_one_contested_volunteer(seed)
    web_coordinator.get(f"/events/{event['id']}/match")
    assert web_coordinator.post(f"/events/{event['id']}/match", {"max_distance_km": "3"}).status_code == 302
    db.session.rollback()
    tasks = {t.need_id: t for t in db.session.query(Task).filter_by(event_id=event["id"])}
    a, b = tasks[need_a["id"]], tasks[need_b["id"]]
    assert (a.volunteer_id, b.volunteer_id) == (v2["id"], v1["id"])
    assert a.explanation_code == "nearer_needed_for_higher_priority"
    assert a.explanation_params["nearer_volunteer_id"] == v1["id"]
    assert a.explanation_params["higher_need_id"] == need_b["id"] and a.explanation_params["higher_priority"] == 5
    assert b.explanation_code == "nearest" and b.explanation_params["max_distance_m"] == 3000
    # the API keeps the English sentence
    api = seed.client.get(f"/api/v1/tasks/{a.id}").get_json()
    assert api["explanation"].startswith("nearer volunteer Andi")

    page = web_coordinator.get(f"/events/{event['id']}/match").get_data(as_text=True)
    assert (f"relawan yang lebih dekat, Andi (1,1 km), dibutuhkan untuk kebutuhan berprioritas lebih tinggi "
            f"(kebutuhan #{need_b['id']}, prioritas 5)") in page
    assert "relawan terdekat dalam 3,0 km" in page and "makanan" in page
    web_coordinator.get(f"/lang/en?next=/events")
    page = web_coordinator.get(f"/events/{event['id']}/match").get_data(as_text=True)
    assert f"nearer volunteer Andi (1.1 km) was needed for a higher-priority need (need #{need_b['id']}, priority 5)" in page
    assert "nearest volunteer within 3.0 km" in page and "food" in page
    data = json.loads(re.search(r'<script type="application/json" id="match-data">(.*?)</script>', page, re.S).group(1))
    assert sorted(line["id"] for line in data["lines"]) == sorted([a.id, b.id])
    line = next(line for line in data["lines"] if line["id"] == b.id)
    assert line["priority"] == 5 and line["need"] == [round(MUNGKU_BARU["lat"] + 0.03, 6), MUNGKU_BARU["lon"]]


def test_swapped_task_explains_itself_in_both_languages(web_coordinator, seed):
    event, need_a, _need_b, v1, v2 = _two_needs_one_contested_volunteer(seed)
    seed.client.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 3000})
    web_coordinator.get(f"/events/{event['id']}/match")
    from resilience.dispatch.models import Task
    from resilience.extensions import db

    db.session.rollback()
    task = db.session.query(Task).filter_by(need_id=need_a["id"], status="proposed").one()
    v3 = seed.volunteer(name="Citra", skills=[], capacity=1)
    assert web_coordinator.post(f"/events/{event['id']}/tasks/{task.id}/swap", {"volunteer_id": str(v3["id"])}).status_code == 302
    page = web_coordinator.get(f"/events/{event['id']}/match").get_data(as_text=True)
    assert f"dipindahkan koordinator dari tugas {task.code}" in page


def test_domain_words_follow_the_language(web_coordinator, seed):
    event = seed.event()
    page = web_coordinator.get("/events").get_data(as_text=True)
    assert "<td>aktif</td>" in page
    dash = web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True)
    labels = {kind: dict(pairs) for kind, pairs in
              json.loads(re.search(r'id="map-labels">(.*?)</script>', dash, re.S).group(1)).items()}
    assert labels["task_status"]["proposed"] == "diusulkan" and labels["skill"]["boat"] == "perahu"
    assert labels["need_status"]["in_progress"] == "sedang dikerjakan" and labels["category"]["water"] == "air bersih"
    assert list(labels["task_status"]) == ["proposed", "offered", "accepted", "declined", "expired", "done",
                                           "cancelled", "failed"]
    web_coordinator.get("/lang/en?next=/events")
    assert "<td>active</td>" in web_coordinator.get("/events").get_data(as_text=True)
    dash = web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True)
    assert '["proposed", "proposed"]' in dash and '<html lang="en">' in dash


def test_every_stored_value_has_words_in_both_languages():
    from resilience.dispatch.inbox_actions import COMMANDS
    from resilience.dispatch.models import TASK_STATUSES
    from resilience.events.models import EVENT_STATUSES
    from resilience.needs.models import CATEGORIES, NEED_STATUSES
    from resilience.sms.models import SMS_STATUSES
    from resilience.volunteers.models import AVAILABILITY, GROUP_KINDS, SKILLS
    from resilience.web.i18n import TERMS
    from resilience.web.labels import LABELS, SOURCE
    from tests.web.catalogues import catalogue

    values = {"task_status": TASK_STATUSES, "need_status": NEED_STATUSES, "category": CATEGORIES, "skill": SKILLS,
              "availability": AVAILABILITY, "event_status": EVENT_STATUSES, "sms_status": SMS_STATUSES,
              "group_kind": GROUP_KINDS, "inbox_command": tuple(COMMANDS)}
    assert set(values) == set(TERMS)
    indonesian = catalogue("id")
    for kind, codes in values.items():
        missing = [c for c in codes if f"{TERMS[kind]}{c}" not in LABELS]
        assert missing == [], (kind, missing)
        for code in codes:  # worded in Bahasa Indonesia (English is the message id itself)
            key = f"{TERMS[kind]}{code}"
            entry = indonesian.get(SOURCE[key], context=key)
            assert entry is not None and entry.string, (kind, code)


def test_swap_offers_the_nearest_suitable_volunteers_first(web_coordinator, seed):
    lat, lon = MUNGKU_BARU["lat"], MUNGKU_BARU["lon"]
    event = seed.event()
    household = seed.household()
    seed.need(event["id"], household["id"], "evacuation")  # needs a boat
    seed.volunteer(name="Dekat", skills=["boat"], location={"lat": lat + 0.001, "lon": lon})
    seed.volunteer(name="Jauh", skills=["boat"], location={"lat": lat + 0.03, "lon": lon})
    seed.volunteer(name="Sedang", skills=["boat"], location={"lat": lat + 0.01, "lon": lon})
    seed.volunteer(name="Tanpa Perahu", skills=[], location={"lat": lat, "lon": lon})
    seed.client.post(f"/api/v1/events/{event['id']}/match", json={})
    page = web_coordinator.get(f"/events/{event['id']}/match").get_data(as_text=True)
    select = re.search(r'<select id="swap-\d+" name="volunteer_id">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r">(\w[\w ]*?) \(", select) == ["Sedang", "Jauh"]  # Dekat holds the task; no boat, no choice
    assert "Sedang (1,1 km)" in select


def test_map_json_is_gzipped_for_browsers_that_accept_it(web_coordinator, seed):
    import gzip

    event = seed.event()
    plain = web_coordinator.get(f"/events/{event['id']}/map.json")
    assert plain.headers.get("Content-Encoding") is None and "Accept-Encoding" in plain.headers["Vary"]
    packed = web_coordinator.get(f"/events/{event['id']}/map.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert len(packed.data) < len(plain.data) / 2
