"""Debian's Chromium on the alerts page: alerts raised by a real flood morning (a decline with
nobody left, a volunteer who stops SMS while holding a task) and an emergency; the count in
the menu, the page at laptop and phone widths (screenshots), acknowledging from the page.

Runs ``resilience serve`` on a free port against a fresh SQLite file (tests/web/browser_server.py).
Skips when /usr/bin/chromium or the playwright package is missing. Screenshots go to
$SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import MUNGKU_BARU, RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, NO_SIDEWAYS_SCROLL, api, serve

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _flood_morning(base, token, db_path: Path) -> None:
    event = api(base, token, "POST", "/api/v1/events", {
        "name": "Banjir Rungan Maret", "started_at": "2026-03-10T06:00:00Z", "affected_area": RAKUMPIT_BOX})
    for i, (name, category) in enumerate((("Siti Aminah", "evacuation"), ("Rahmat Hidayat", "food"))):
        household = api(base, token, "POST", "/api/v1/households", {
            "head_name": name, "location": {"lat": MUNGKU_BARU["lat"] - i * 0.01, "lon": MUNGKU_BARU["lon"]},
            "members": 4, "pregnant_or_lactating": 1 - i, "landmark": "dekat masjid"})
        api(base, token, "POST", f"/api/v1/events/{event['id']}/needs",
             {"household_id": household["id"], "category": category})
    group = api(base, token, "POST", "/api/v1/groups", {"name": "Tim Perahu Rungan", "kind": "community"})
    boat = api(base, token, "POST", "/api/v1/volunteers", {
        "name": "Andi Pratama", "phone": "+6281345678901", "group_id": group["id"], "skills": ["boat"],
        "location": {"lat": -1.64, "lon": 113.69}, "capacity": 1})
    cook = api(base, token, "POST", "/api/v1/volunteers", {
        "name": "Sari Wulandari", "phone": "+6281345678902", "skills": ["cooking"],
        "location": {"lat": -1.64, "lon": 113.69}, "capacity": 1})
    api(base, token, "POST", f"/api/v1/events/{event['id']}/match", {"max_distance_m": 20000})
    offered = api(base, token, "POST", f"/api/v1/events/{event['id']}/dispatch")["offered"]
    codes = {t["volunteer_id"]: t["code"] for t in offered}
    api(base, token, "POST", "/api/v1/sms/simulate", {"from": boat["phone"], "body": f"TIDAK {codes[boat['id']]}"})
    api(base, token, "POST", "/api/v1/sms/simulate", {"from": cook["phone"], "body": f"YA {codes[cook['id']]}"})
    api(base, token, "POST", "/api/v1/sms/simulate", {"from": cook["phone"], "body": "BERHENTI"})
    # The safety emergency is the check-in's to raise; here it is written as that code would.
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO alerts (kind, severity, subject, event_id, task_id, volunteer_id, params, created_at, "
                     "notify_count) VALUES ('safety_escalation', 'emergency', :subject, :event, :task, :volunteer, "
                     ":params, datetime('now'), 0)",
                     {"subject": f"task:{offered[0]['id']}", "event": event["id"], "task": offered[0]["id"],
                      "volunteer": boat["id"], "params": json.dumps({"category": "evacuation"})})


def test_alerts_page_in_chromium(tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with serve(tmp_path) as (base, token):
        _flood_morning(base, token, tmp_path / "browser.db")
        kinds = [a["kind"] for a in api(base, token, "GET", "/api/v1/alerts")["items"]]
        assert kinds == ["safety_escalation", "opted_out_with_tasks", "no_candidate"]

        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/login")
            page.fill("#email", "koordinator@posko.test")
            page.fill("#password", "a-long-password")
            page.click("button[type=submit]:has-text('Masuk')")
            page.wait_for_url("**/events")
            badge = page.locator("#nav-alert-count")
            assert badge.locator(".count").inner_text() == "3" and "nav-count-emergency" in badge.get_attribute("class")

            page.click("nav >> text=Peringatan")
            page.wait_for_selector("#alerts")
            titles = page.locator(".alert-title").all_inner_texts()
            assert titles[0] == "Darurat keselamatan" and len(titles) == 3
            assert page.locator(".alert-item").first.evaluate("e => getComputedStyle(e).borderLeftWidth") == "8px"
            page.screenshot(path=str(shots / "alerts.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 360, "height": 740})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(base + "/alerts")
            phone.wait_for_selector("#alerts")
            wide = phone.evaluate("""Array.from(document.querySelectorAll('body *')).filter(
                e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)""")
            assert phone.evaluate(NO_SIDEWAYS_SCROLL), wide
            button = phone.locator(".alert-item").first.locator("button")
            assert button.bounding_box()["height"] >= 40  # a thumb can hit it
            phone.screenshot(path=str(shots / "alerts_phone.png"), full_page=True)

            page.locator(".alert-item").first.locator("button:has-text('Akui')").click()
            page.wait_for_selector(".flash")
            assert "sudah diakui" in page.inner_text(".flash")
            assert page.locator(".alert-title").all_inner_texts()[0] != "Darurat keselamatan"
            assert page.locator("#nav-alert-count .count").inner_text() == "2"
            assert "nav-count-emergency" not in page.locator("#nav-alert-count").get_attribute("class")
            # another coordinator acknowledges one: the menu follows without a reload
            other = api(base, token, "GET", "/api/v1/alerts")["items"][0]
            api(base, token, "POST", f"/api/v1/alerts/{other['id']}/ack")
            page.evaluate("window.resilienceRefreshAlertCount()")
            assert page.locator("#nav-alert-count .count").inner_text() == "1"
            api(base, token, "POST", f"/api/v1/alerts/{api(base, token, 'GET', '/api/v1/alerts')['items'][0]['id']}/ack")
            page.evaluate("window.resilienceRefreshAlertCount()")
            assert page.locator("#nav-alert-count").is_hidden()
            assert errors == []
            browser.close()
