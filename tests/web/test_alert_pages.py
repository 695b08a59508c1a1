"""The alerts page: open alerts worded in the page language (Indonesian by default) with the
action that resolves them and links, emergencies first, Acknowledge with CSRF, the count in
the main menu for coordinators, officials kept out, filters, bad parameters harmless."""

from __future__ import annotations

import re

import pytest

from resilience.alerts import operations
from tests.alerts.helpers import alerts, run


@pytest.fixture
def raised(seed):
    event = seed.event(name="Banjir Rungan")
    h = seed.household()
    need = seed.need(event["id"], h["id"], "evacuation")
    group = seed.group()
    volunteer = seed.volunteer(name="Budi Perahu", group_id=group["id"])

    def raise_all(session):
        ids = {}
        ids["no_candidate"] = operations.raise_alert(
            session, "no_candidate", f"need:{need['id']}", event_id=event["id"], need_id=need["id"],
            params={"category": "evacuation", "priority": 5})[0].id
        ids["opted_out"] = operations.raise_alert(
            session, "opted_out_with_tasks", f"volunteer:{volunteer['id']}", event_id=event["id"],
            volunteer_id=volunteer["id"], params={"tasks": ["T7"], "count": 1})[0].id
        ids["emergency"] = operations.raise_alert(
            session, "safety_escalation", "task:7", severity="emergency", event_id=event["id"],
            volunteer_id=volunteer["id"], params={"category": "evacuation"})[0].id
        return ids

    return {"event": event, "need": need, "volunteer": volunteer, **run(raise_all)}


def _items(page: str) -> list[str]:
    return re.findall(r'<li id="alert-(\d+)"', page)


def test_the_page_lists_open_alerts_in_indonesian_emergencies_first(web_coordinator, raised):
    response = web_coordinator.get("/alerts")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _items(page) == [str(raised["emergency"]), str(raised["opted_out"]), str(raised["no_candidate"])]
    assert "Darurat keselamatan" in page and "Tidak ada relawan tersisa" in page
    assert "Yang perlu dilakukan:" in page and "Akui" in page
    assert f'/needs/{raised["need"]["id"]}/edit' in page and f'/events/{raised["event"]["id"]}/match' in page
    assert f'/volunteers/{raised["volunteer"]["id"]}/edit' in page and "Budi Perahu" in page and "T7" in page
    assert 'class="alert-item severity-emergency state-open"' in page
    # the count in the menu, with the emergency marked
    assert re.search(r'id="nav-alert-count" class="nav-count nav-count-emergency"[^>]*><span class="count">3<', page)
    assert "darurat: 1" in page  # for screen readers


def test_the_page_in_english(web_coordinator, raised):
    page = web_coordinator.get("/alerts?lang=en").get_data(as_text=True)
    assert "Safety emergency" in page and "What to do:" in page and "Acknowledge" in page


def test_acknowledge_from_the_page(web_coordinator, raised):
    web_coordinator.get("/alerts")
    response = web_coordinator.post(f"/alerts/{raised['emergency']}/ack", {"next": "/alerts?state=open"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/alerts?state=open")
    [emergency] = [a for a in alerts("safety_escalation")]
    assert emergency.acknowledged_by.startswith("coordinator:") and emergency.acknowledged_at is not None
    page = web_coordinator.get("/alerts").get_data(as_text=True)
    assert str(raised["emergency"]) not in _items(page) and "nav-count-emergency" not in page
    assert re.search(r'id="nav-alert-count" class="nav-count"[^>]*><span class="count">2<', page)
    # twice: a message on the page, no 5xx, nothing changed
    again = web_coordinator.post(f"/alerts/{raised['emergency']}/ack", {})
    assert again.status_code == 302
    assert "sudah" in web_coordinator.get("/alerts").get_data(as_text=True)
    acknowledged = web_coordinator.get("/alerts?state=acknowledged").get_data(as_text=True)
    assert _items(acknowledged) == [str(raised["emergency"])] and "Akui</button>" not in acknowledged


def test_acknowledge_needs_the_csrf_token_and_an_outside_next_is_ignored(web_coordinator, raised):
    assert web_coordinator.post(f"/alerts/{raised['no_candidate']}/ack", {}, csrf=False).status_code == 400
    assert alerts("no_candidate")[0].is_open
    response = web_coordinator.post(f"/alerts/{raised['no_candidate']}/ack", {"next": "//evil.example/alerts"})
    assert response.headers["Location"].endswith("/alerts")
    assert web_coordinator.post("/alerts/99999/ack", {}).status_code == 302  # a message, not a 5xx


def test_filters_and_bad_parameters(web_coordinator, raised):
    assert _items(web_coordinator.get("/alerts?kind=no_candidate").get_data(as_text=True)) == [
        str(raised["no_candidate"])]
    assert _items(web_coordinator.get(f"/alerts?event={raised['event']['id'] + 1}").get_data(as_text=True)) == []
    assert web_coordinator.get("/alerts?page=999").status_code == 200  # past the end: an empty page
    unknown = web_coordinator.get("/alerts?staus=open&lang=xx")  # a typo is not read as "all states"
    assert unknown.status_code == 422
    assert sorted(re.findall(r"<li><code>(\w+)=", unknown.get_data(as_text=True))) == ["lang", "staus"]
    refused = web_coordinator.get("/alerts?state=nope&kind=x&event=abc&page=-1")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert sorted(re.findall(r"<li><code>(\w+)=", page)) == ["event", "kind", "page", "state"]
    assert "<code>state=nope</code>: Pilih salah satu: open, acknowledged, resolved, all" in page


def test_officials_get_neither_the_page_nor_the_count(web_official, raised):
    assert web_official.get("/alerts").status_code == 403
    page = web_official.get("/events").get_data(as_text=True)
    assert "nav-alert-count" not in page and 'href="/alerts"' not in page


def test_no_alerts_no_count(web_coordinator):
    page = web_coordinator.get("/alerts").get_data(as_text=True)
    assert re.search(r'id="nav-alert-count"[^>]* hidden>', page) and 'href="/alerts"' in page
    assert 'id="no-alerts"' in page


def test_the_count_as_json_for_the_menu_refresh(web_coordinator, web_official, raised):
    response = web_coordinator.get("/alerts/count.json")
    assert response.status_code == 200
    assert response.get_json() == {"total": 3, "emergencies": 1, "words": "terbuka, darurat: 1"}
    assert web_official.get("/alerts/count.json").status_code == 403


def test_the_duty_phone_and_long_wait_are_set_when_creating_an_event(web_coordinator, coordinator):
    form = {"name": "Banjir Kahayan", "started_at": "2026-03-10T13:00", "offer_timeout_minutes": "20",
            "long_wait_minutes": "45", "duty_phone": "0811-0000-0001"}
    web_coordinator.get("/events/new")
    response = web_coordinator.post("/events/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    [event] = [e for e in coordinator.get("/api/v1/events").get_json()["items"] if e["name"] == "Banjir Kahayan"]
    assert event["duty_phone"] == "+6281100000001" and event["long_wait_minutes"] == 45
    bad = web_coordinator.post("/events/new", {**form, "duty_phone": "021 555 1234", "long_wait_minutes": "0"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'href="#f-duty_phone"' in page and 'href="#f-long_wait_minutes"' in page
    assert "Nomor ponsel koordinator piket" in page


def test_the_group_leader_phone_is_set_on_the_group_form(web_coordinator, coordinator):
    web_coordinator.get("/groups")
    response = web_coordinator.post("/groups", {"name": "Tim Perahu", "kind": "community", "leader": "Pak Usman",
                                                "leader_phone": "0811 0000 0002"})
    assert response.status_code == 302
    [group] = coordinator.get("/api/v1/groups").get_json()["items"]
    assert group["leader_phone"] == "+6281100000002"
    page = web_coordinator.get(f"/groups/{group['id']}/edit").get_data(as_text=True)
    assert 'value="+6281100000002"' in page
    response = web_coordinator.post(f"/groups/{group['id']}/edit", {"name": "Tim Perahu", "kind": "community",
                                                                     "leader": "Pak Usman", "leader_phone": ""})
    assert response.status_code == 302
    assert coordinator.get("/api/v1/groups").get_json()["items"][0]["leader_phone"] is None


def test_the_page_structure_in_both_languages(web_coordinator, raised):
    from tests.web.test_a11y import check_page

    for lang in ("id", "en"):
        web_coordinator.get(f"/lang/{lang}?next=/events")
        for path in ("/alerts", "/alerts?state=all"):
            page = check_page(web_coordinator.get(path).get_data(as_text=True), lang=lang)
            assert {"f-state", "f-kind", "f-event"} <= page.label_for


@pytest.fixture
def long_waits(seed, coordinator):
    """Three priority 5 needs waiting past the limit: two in Mungku Baru, one registered by
    kelurahan only in Pahandut; and one other alert."""
    from datetime import timedelta

    from resilience.core.db import utcnow
    from resilience.dispatch import alerting

    event = seed.event(name="Banjir Rungan")
    here = [seed.household(nik=f"62710545078000{i:02d}", kk_number=f"62710501010900{i:02d}",
                           phone=f"0812-3456-78{i:02d}", head_name=f"Keluarga {i}") for i in (1, 2)]
    response = coordinator.post("/api/v1/households", json={
        "head_name": "Keluarga Pahandut", "members": 3, "admin_area": "62.71.01.1001", "rt": "3",
        "landmark": "dekat pasar"})
    assert response.status_code == 201, response.get_json()
    there = response.get_json()
    needs = [seed.need(event["id"], h["id"], "evacuation", priority=5, priority_reason="air naik cepat")
             for h in (*here, there)]

    def sweep(session):
        raised = alerting.long_waits(session, utcnow() + timedelta(hours=2))
        other = operations.raise_alert(session, "no_candidate", f"need:{needs[0]['id']}", event_id=event["id"],
                                       need_id=needs[0]["id"], params={"category": "evacuation", "priority": 5})
        return [a.id for a in raised], other[0].id

    raised, other = run(sweep)
    assert len(raised) == 3
    return {"event": event, "needs": needs, "other": other}


def test_long_waits_are_counted_per_kelurahan_above_the_list(web_coordinator, long_waits):
    page = web_coordinator.get("/alerts").get_data(as_text=True)
    event_id = long_waits["event"]["id"]
    groups = re.findall(r'<li id="wait-(\d+)-([\w.]+)" class="wait-item">\s*<div class="wait-head">\s*'
                        r'<h3 class="wait-place">([^<]+)</h3>\s*<span class="wait-count"><strong>(\d+)',
                        page, re.S)
    assert groups == [(str(event_id), "62.71.05.1004", "Mungku Baru", "2"),
                      (str(event_id), "62.71.01.1001", "Pahandut", "1")]
    assert "Kebutuhan prioritas yang menunggu terlalu lama, per kelurahan" in page
    assert _items(page) == [str(long_waits["other"])]  # the single alerts: long waits are in the table
    assert "<h1>Peringatan (4)</h1>" in page
    assert f"/households?event={event_id}&amp;area=62.71.05.1004" in page
    # one by one, when asked for by kind
    single = web_coordinator.get(f"/alerts?kind=long_wait&event={event_id}").get_data(as_text=True)
    assert len(_items(single)) == 3 and 'id="wait-groups"' not in single


def test_acknowledge_a_kelurahan_s_long_waits_at_once(web_coordinator, long_waits):
    event_id = long_waits["event"]["id"]
    web_coordinator.get("/alerts")
    response = web_coordinator.post("/alerts/long-waits/ack",
                                    {"event": str(event_id), "area": "62.71.05.1004", "next": "/alerts"})
    assert response.status_code == 302
    acked = [a for a in alerts("long_wait") if a.acknowledged_at is not None]
    assert sorted(a.need_id for a in acked) == sorted(n["id"] for n in long_waits["needs"][:2])
    assert all(a.acknowledged_by.startswith("coordinator:") for a in acked)
    page = web_coordinator.get("/alerts").get_data(as_text=True)
    assert "Peringatan diakui: 2." in page
    assert 'id="wait-' + str(event_id) + '-62.71.05.1004"' not in page and "Pahandut" in page
    # again: nothing left there, said so; a bad event is a 400, never a 5xx
    web_coordinator.post("/alerts/long-waits/ack", {"event": str(event_id), "area": "62.71.05.1004"})
    assert "Tidak ada lagi yang perlu diakui" in web_coordinator.get("/alerts").get_data(as_text=True)
    for bad in ("abc", "99999999999", ""):
        assert web_coordinator.post("/alerts/long-waits/ack", {"event": bad}).status_code == 400
    assert web_coordinator.post("/alerts/long-waits/ack", {"event": str(event_id)}, csrf=False).status_code == 400
    assert len([a for a in alerts("long_wait") if a.acknowledged_at is not None]) == 2
