"""Drive Debian's Chromium through the coordinator app: login → create event → add household →
match → confirm → simulate YA → the task is accepted; screenshots of the main pages.

Runs ``resilience serve`` on a free port against a fresh SQLite file. Skips when
/usr/bin/chromium or the playwright package is missing (never downloads a browser).
Screenshots go to $SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, api, wait_until, watch_errors
from tests.web.test_indonesian_pages import english_in

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")




# The page does not scroll sideways; when it does, name the elements that stick out.
SIDEWAYS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return [];
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
  const out = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
    .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className);
  return out.length ? out : ['scrollWidth ' + root.scrollWidth + ' > ' + width];
}"""


def _draw_polygon(page, map_selector, points):
    """Click points on a Leaflet map (pixel offsets in the map box), then close the ring."""
    for x, y in points:
        page.click(map_selector, position={"x": x, "y": y})
    page.click("button[data-draw=close]")


def _area(page) -> dict:
    return json.loads(page.input_value("#f-affected_area"))


def test_coordinator_flow_in_chromium(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    volunteer = api(base, token, "POST", "/api/v1/volunteers", {
        "name": "Budi Santoso", "phone": "+6281345678901", "skills": ["boat"],
        "location": {"lat": -1.64, "lon": 113.69}, "availability": "available", "capacity": 2})
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        page.goto(base + "/login")
        page.screenshot(path=str(shots / "login.png"))
        page.fill("#email", "koordinator@posko.test")
        page.fill("#password", "a-long-password")
        page.click("button[type=submit]:has-text('Masuk')")
        page.wait_for_url("**/events")

        # New event: draw the flood area by clicking the map; undo a stray point first.
        page.goto(base + "/events/new")
        page.fill("#f-name", "Banjir Rungan Maret")
        page.wait_for_selector("#draw-map svg path")  # the kelurahan boundaries
        page.click("#draw-map", position={"x": 250, "y": 330})
        page.click("button[data-draw=undo]")
        assert page.inner_text(".draw-status").startswith("0 titik")
        _draw_polygon(page, "#draw-map", [(120, 90), (420, 100), (400, 300), (140, 280)])
        area = _area(page)
        assert area["type"] == "Polygon" and len(area["coordinates"][0]) == 5
        assert area["coordinates"][0][0] == area["coordinates"][0][-1]
        assert "1 poligon tergambar" in page.inner_text(".draw-status")
        # a second ring, closed by clicking its first point: a MultiPolygon
        for x, y in ((300, 320), (380, 320), (340, 345), (300, 320)):
            page.click("#draw-map", position={"x": x, "y": y})
        area = _area(page)
        assert area["type"] == "MultiPolygon" and [len(p[0]) for p in area["coordinates"]] == [5, 4]
        page.click("button[data-draw=undo]")  # reopens the second ring
        assert _area(page)["type"] == "Polygon"
        # The text box is the keyboard path: a pasted area replaces the drawing and is shown.
        page.fill("#f-affected_area", json.dumps(RAKUMPIT_BOX))
        page.dispatch_event("#f-affected_area", "change")
        page.screenshot(path=str(shots / "event_new_drawn.png"), full_page=True)
        page.click("#event-save")
        page.wait_for_url("**/events/*")
        event_url = page.url

        # Dashboard: edit the affected area with the keyboard (pan the map, add the centre).
        page.wait_for_selector("#map .leaflet-interactive")
        wait_until(page, "document.getElementById('map-status').hidden")
        page.click("#area-edit summary")
        wait_until(page, "document.getElementById('f-affected_area').value.includes('Polygon')")
        page.click("button[data-draw=clear]")
        assert page.input_value("#f-affected_area") == ""
        for keys in ([], ["ArrowRight"] * 3, ["ArrowDown"] * 3):
            page.focus("#map")
            for key in keys:
                page.keyboard.press(key)
            page.wait_for_timeout(300)  # the pan animation
            page.focus("button[data-draw=centre]")
            page.keyboard.press("Enter")
        page.focus("button[data-draw=close]")
        page.keyboard.press("Enter")
        ring = _area(page)["coordinates"][0]
        assert len(ring) == 4 and len({tuple(point) for point in ring}) == 3
        page.screenshot(path=str(shots / "dashboard_area_edit.png"), full_page=True)
        page.fill("#f-affected_area", json.dumps(RAKUMPIT_BOX))  # keep the households inside
        page.click("#area-form button[type=submit]")
        page.wait_for_selector("text=Wilayah terdampak \"Banjir Rungan Maret\" disimpan")
        wait_until(page, "document.getElementById('map-status').hidden")
        assert "Mungku Baru" in page.inner_text("#affected")

        page.click("text=Tambah rumah tangga dan kebutuhan")
        page.fill("#f-head_name", "Siti Aminah")
        page.fill("#f-phone", "0812-3456-7890")
        page.fill("#f-members", "4")
        page.fill("#f-elderly", "1")
        page.select_option("#f-category", "evacuation")
        page.click("#pick-map", position={"x": 180, "y": 180})  # places the point; then type the exact one
        assert page.input_value("#f-lat") != ""
        page.fill("#f-lat", "-1.6346")
        page.fill("#f-lon", "113.6858")
        page.screenshot(path=str(shots / "household_form.png"), full_page=True)
        page.click("form.card > button[type=submit]")
        page.wait_for_url(event_url)
        page.wait_for_selector(".leaflet-interactive")  # households, boundaries and flood area drawn
        wait_until(page, "document.getElementById('c-served').textContent !== '…'")
        assert "diusulkan" in page.inner_text("#c-tasks")  # task states in Bahasa Indonesia
        page.screenshot(path=str(shots / "dashboard.png"))
        assert english_in(page.content()) == []  # the map legend and counters drawn by JavaScript

        page.click("text=Pencocokan")
        page.click("button:has-text('Jalankan pencocokan')")
        page.wait_for_selector("#proposal")
        page.wait_for_selector("#match-map path.leaflet-interactive")
        code = page.inner_text("#proposal tbody tr th").strip()
        reason = page.inner_text("#proposal tbody tr td:nth-child(8)")
        assert reason.startswith("relawan terdekat dengan keahlian perahu dalam 8,0 km"), reason
        page.hover("#proposal tbody tr")
        page.wait_for_selector("#match-map path[stroke-width='7']")  # the row's line stands out
        assert "selected" in page.get_attribute("#proposal tbody tr", "class")
        page.screenshot(path=str(shots / "match.png"), full_page=True)
        assert english_in(page.content()) == []  # the proposal table and map drawn by match.js

        # Phone width: the main pages fit without sideways scrolling; screenshots.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    storage_state=page.context.storage_state())
        mobile = phone.new_page()
        for name, path in (("events", "/events"), ("event_new", "/events/new"), ("dashboard", event_url[len(base):]),
                           ("match", event_url[len(base):] + "/match"), ("volunteers", "/volunteers")):
            mobile.goto(base + path)
            if name == "dashboard":
                wait_until(mobile, "document.getElementById('map-status').hidden")
            if name == "match":
                mobile.wait_for_selector("#match-map path.leaflet-interactive")
            assert mobile.evaluate(SIDEWAYS) == [], f"{path} scrolls sideways at 390 px"
            if name == "match":  # not even inside its own box: each task is a card
                wrap = mobile.evaluate("(() => { const w = document.querySelector('#proposal').parentElement;"
                                       " return [w.scrollWidth, w.clientWidth]; })()")
                assert wrap[0] <= wrap[1], f"the proposal table is {wrap[0]} px wide in a {wrap[1]} px box"
            mobile.screenshot(path=str(shots / f"phone_{name}.png"), full_page=name != "dashboard")
        phone.close()

        page.click("button:has-text('Konfirmasi dan kirim SMS')")
        page.wait_for_selector("text=1 tugas ditawarkan lewat SMS")

        page.goto(f"{base}/volunteers")
        page.screenshot(path=str(shots / "volunteers.png"))
        page.goto(f"{base}/volunteers/{volunteer['id']}/sms")
        page.fill("#f-body", f"YA {code}")
        page.click("form.phone button[type=submit]")
        page.wait_for_selector("#tasks .status-accepted")
        page.screenshot(path=str(shots / "sms.png"), full_page=True)
        assert code in page.inner_text("#tasks")
        for path in ("/login", "/events", "/events/new", event_url[len(base):], event_url[len(base):] + "/match"):
            page.goto(base + path)
            assert page.evaluate(SIDEWAYS) == [], f"{path} scrolls sideways at 1366 px"
        assert errors == [], errors  # no JavaScript error on any page
        browser.close()
    for name in ("login", "event_new_drawn", "dashboard_area_edit", "household_form", "dashboard", "match", "volunteers", "sms",
                 "phone_dashboard", "phone_match", "phone_event_new"):
        assert (shots / f"{name}.png").stat().st_size > 1000
