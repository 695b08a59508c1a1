"""Debian's Chromium through the household and roster pages: search a household, edit it
(placing it by a map click, then typing the exact point), add a volunteer with skill
checkboxes and a map point, switch availability from the roster; screenshots of the household
list and the roster (laptop and phone widths).

Runs ``resilience serve`` on a free port against a fresh SQLite file. Skips when
/usr/bin/chromium or the playwright package is missing (never downloads a browser).
Screenshots go to $SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import MUNGKU_BARU, RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, NO_SIDEWAYS_SCROLL, api, watch_errors

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")




def test_household_and_roster_pages_in_chromium(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    event = api(base, token, "POST", "/api/v1/events", {
        "name": "Banjir Rungan Maret", "started_at": "2026-03-10T06:00:00Z", "affected_area": RAKUMPIT_BOX})
    siti = api(base, token, "POST", "/api/v1/households", {
        "head_name": "Siti Aminah", "phone": "0812-3456-7890", "nik": "6271054507800001", "address": "Jl. Mungku Baru RT 02",
        "landmark": "dekat masjid", "location": MUNGKU_BARU, "members": 5, "elderly": 1, "children_under5": 1})
    api(base, token, "POST", f"/api/v1/events/{event['id']}/needs", {"household_id": siti["id"], "category": "evacuation"})
    for i, (name, category) in enumerate((("Rahmat Hidayat", "food"), ("Yohana Dewi", "water"), ("Bambang", "medical"))):
        other = api(base, token, "POST", "/api/v1/households", {
            "head_name": name, "location": {"lat": -1.64 - i * 0.01, "lon": 113.68}, "members": 2 + i,
            "address": f"Jl. Rungan {i}", "landmark": "tepi sungai"})
        api(base, token, "POST", f"/api/v1/events/{event['id']}/needs", {"household_id": other["id"], "category": category})
    group = api(base, token, "POST", "/api/v1/groups", {"name": "Karang Taruna Mungku Baru", "kind": "youth"})
    api(base, token, "POST", "/api/v1/volunteers", {
        "name": "Andi Pratama", "phone": "+6281345678901", "group_id": group["id"], "skills": ["boat"],
        "location": {"lat": -1.64, "lon": 113.69}, "capacity": 2})

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        page.goto(base + "/login")
        page.fill("#email", "koordinator@posko.test")
        page.fill("#password", "a-long-password")
        page.click("button[type=submit]:has-text('Masuk')")
        page.wait_for_url("**/events")

        # The list: all four, highest priority first; then search by name.
        page.click("nav >> text=Rumah tangga")
        page.wait_for_selector("#households")
        first = page.inner_text("#households tbody tr:first-child td:first-child").strip()
        assert first == "Siti Aminah"  # evacuation with vulnerable members: priority 5
        assert page.locator("#households tbody tr").count() == 4
        page.screenshot(path=str(shots / "households.png"), full_page=True)
        page.fill("#q", "aminah")
        page.select_option("#event", str(event["id"]))
        page.click("#hh-filters button[type=submit]")
        page.wait_for_url("**/households?*q=aminah*")
        assert page.locator("#households tbody tr").count() == 1
        assert "1 rumah tangga" in page.inner_text("#hh-count")

        # Edit: click the map (fills the point), then type the exact one.
        page.click("#households >> text=Siti Aminah")
        page.wait_for_selector("#household-facts")
        page.click("text=Ubah data rumah tangga")
        page.wait_for_selector("#pick-map .leaflet-marker-icon")  # the stored point is shown
        page.fill("#f-members", "6")
        page.fill("#f-landmark", "sebelah sekolah")
        old_lat = page.input_value("#f-lat")
        page.click("#pick-map", position={"x": 100, "y": 100})
        assert page.input_value("#f-lat") != old_lat
        page.fill("#f-lat", "-1.6863")
        page.fill("#f-lon", "113,6481")  # a decimal comma, as many Indonesian keyboards type it
        page.dispatch_event("#f-lon", "change")
        assert page.get_attribute("#pick-map", "data-point") == "-1.6863,113.6481"
        page.fill("#f-phone", "0812")  # too short: the form says so and keeps the typed values
        page.click("#household-form > button[type=submit]")
        page.wait_for_selector("#form-errors")
        assert "Nomor telepon terlalu pendek" in page.inner_text("#form-errors")
        assert page.get_attribute("#f-phone", "aria-invalid") == "true"
        assert page.input_value("#f-landmark") == "sebelah sekolah"
        page.fill("#f-phone", "0813-4567-8901")
        page.click("#household-form > button[type=submit]")
        page.wait_for_selector("text=Perubahan data Siti Aminah disimpan")
        facts = page.inner_text("#household-facts")
        assert "sebelah sekolah" in facts and "Bukit Sua" in facts and "+6281345678901" in facts
        stored = api(base, token, "GET", f"/api/v1/households/{siti['id']}")
        assert stored["members"] == 6 and stored["location"] == {"lat": -1.6863, "lon": 113.6481}

        # A new volunteer: checkboxes, group, a map point.
        page.click("nav >> text=Relawan")
        page.click("text=Tambah relawan")
        page.fill("#f-name", "Budi Santoso")
        page.fill("#f-phone", "0813 5555 0101")
        page.check("#skill-boat")
        page.check("#skill-first_aid")
        page.select_option("#f-group_id", str(group["id"]))
        page.fill("#f-capacity", "3")
        page.click("#pick-map", position={"x": 180, "y": 180})
        assert page.input_value("#f-lat") != "" and page.input_value("#f-lon") != ""
        page.click("#volunteer-form > button[type=submit]")
        page.wait_for_selector("text=Relawan Budi Santoso ditambahkan")
        row = page.locator("#roster tr", has_text="Budi Santoso")
        assert "+6281355550101" in row.inner_text() and "perahu" in row.inner_text() and "P3K" in row.inner_text()

        # One click: Andi is off duty.
        page.locator("#roster tr", has_text="Andi Pratama").locator("button.avail.off").click()
        page.wait_for_selector("text=Andi Pratama sekarang libur")
        assert page.locator("#roster tr", has_text="Andi Pratama").locator("button.avail.off").get_attribute(
            "aria-pressed") == "true"
        page.screenshot(path=str(shots / "roster.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(page.context.cookies())
        phone.goto(base + "/households")
        phone.wait_for_selector("#households")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        phone.screenshot(path=str(shots / "households_phone.png"), full_page=True)
        phone.goto(base + "/volunteers")
        phone.screenshot(path=str(shots / "roster_phone.png"), full_page=True)
        wide = phone.evaluate("""Array.from(document.querySelectorAll('body *')).filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)""")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL), wide
        assert errors == []
        browser.close()
    volunteers = api(base, token, "GET", "/api/v1/volunteers")["items"]
    budi = next(v for v in volunteers if v["name"] == "Budi Santoso")
    assert budi["skills"] == ["boat", "first_aid"] and budi["group_id"] == group["id"] and budi["capacity"] == 3
    assert next(v for v in volunteers if v["name"] == "Andi Pratama")["availability"] == "off"
    for name in ("households", "roster", "households_phone", "roster_phone"):
        assert (shots / f"{name}.png").stat().st_size > 1000
