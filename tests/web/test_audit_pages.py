"""The response log's web page: filters (event, entity, actor, action, a local time range),
pages, one entry, verification and the export; officials see no personal value there."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.audit import scenario
from tests.web.conftest import make_user, WebClient

PERSONAL = ("Siti Aminah", "Yohanes Dehen", "Maria Ulfa", "nenek tidak bisa jalan", "Pak Perahu", "dekat masjid")


def test_an_official_reads_filters_and_verifies_the_log(app, coordinator, official, seed, web_official):
    built = scenario.build(coordinator, seed)
    page = web_official.get("/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "household.created" in text and "[tersegel]" in text  # sealed values, marked as such
    for secret in PERSONAL:
        assert secret not in text, secret
    total = official.get("/api/v1/audit").get_json()["total"]
    assert f">{total} " in text or f"{total} entri" in text

    event_id = built["event"]["id"]
    mine = web_official.get(f"/audit?event={event_id}&action=task.accepted").get_data(as_text=True)
    assert mine.count("task.accepted") >= 2 and "household.created" not in mine
    by_actor = web_official.get("/audit?actor=coordinator:koordinator@posko.test&entity_type=stock_movement")
    assert by_actor.status_code == 200 and "stock_movement.created" in by_actor.get_data(as_text=True)
    assert "flood_event.created" not in by_actor.get_data(as_text=True)

    # an afternoon in local time (WIB): everything written in the last hour, nothing after it
    local = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Jakarta"))
    since = (local - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    until = (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    window = web_official.get(f"/audit?since={since}&until={until}").get_data(as_text=True)
    assert "household.created" in window
    later = (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert "household.created" not in web_official.get(f"/audit?since={later}").get_data(as_text=True)

    assert web_official.get("/audit?since=kemarin").status_code == 422
    assert web_official.get("/audit?until=2020-01-01T00:00&since=2021-01-01T00:00").status_code == 422
    assert web_official.get("/audit?colour=red").status_code == 422

    verdict = web_official.get("/audit/verify").get_data(as_text=True)
    assert "audit-ok" in verdict
    assert "audit-ok" in web_official.get("/audit/verify?full=1").get_data(as_text=True)


def test_one_entry_and_the_export_by_role(app, coordinator, official, seed, web_official, limiter):
    scenario.build(coordinator, seed)
    created = coordinator.get("/api/v1/audit?action=household.created").get_json()["items"][0]
    shown = web_official.get(f"/audit/{created['seq']}").get_data(as_text=True)
    assert created["hash"] in shown and "Siti Aminah" not in shown
    assert web_official.get("/audit/999999").status_code == 404

    export = web_official.get("/audit/export.jsonl")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert export.get_data(as_text=True) == official.get("/api/v1/audit/export").get_data(as_text=True)
    assert "Siti Aminah" not in export.get_data(as_text=True)

    make_user("koordinator.log@posko.test", "coordinator")
    staff = WebClient(app.test_client())
    assert staff.login("koordinator.log@posko.test").status_code == 302
    assert "Siti Aminah" in staff.get(f"/audit/{created['seq']}").get_data(as_text=True)
    lines = staff.get("/audit/export.jsonl").get_data(as_text=True).splitlines()
    assert any(json.loads(line).get("personal", {}).get("head_name") == "Siti Aminah" for line in lines[:-1])


def test_the_log_needs_a_login(app):
    response = app.test_client().get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_log_pages_are_in_indonesian(coordinator, seed, web_official):
    from tests.web.test_indonesian_pages import english_in

    scenario.build(coordinator, seed)
    for path in ("/audit", "/audit?since=kemarin", "/audit/3", "/audit/verify"):
        response = web_official.get(path)
        assert english_in(response.get_data(as_text=True)) == [], path
