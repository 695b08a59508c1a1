"""Debian's Chromium through the household form as a posko uses it: the map shows the kelurahan
with their names, choosing a kelurahan highlights it, a click on the map places the household
("map" precision, the kelurahan follows the click), and a family known only by kelurahan, RT and
landmark is registered with an approximate point; the import page on a phone. Screenshots at
laptop and phone width, in Bahasa Indonesia.

Runs ``resilience serve`` on a free port against a fresh SQLite file. Skips when
/usr/bin/chromium or the playwright package is missing (never downloads a browser).
Screenshots go to $SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, NO_SIDEWAYS_SCROLL, api, wait_until, watch_errors

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
MUNGKU_CODE = "62.71.05.1004"


def _household(base, token, name):
    [found] = api(base, token, "GET", f"/api/v1/households?q={name}")["items"]
    return found


def _open_form(page, base, event_id):
    page.goto(f"{base}/events/{event_id}/households/new")
    wait_until(page, "document.getElementById('pick-map').dataset.ready === '1'")
    assert page.locator("#pick-map .area-label").count() > 10  # the kelurahan, by name


def test_register_by_map_click_and_by_kelurahan_only(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    event = api(base, token, "POST", "/api/v1/events", {
        "name": "Banjir Rungan Maret", "started_at": "2026-03-10T06:00:00Z", "affected_area": RAKUMPIT_BOX})

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        page.goto(base + "/login")
        page.fill("#email", "koordinator@posko.test")
        page.fill("#password", "a-long-password")
        page.click("button[type=submit]:has-text('Masuk')")
        page.wait_for_url("**/events")

        # 1. A click on the map: the point, "titik di peta", and the kelurahan under it.
        _open_form(page, base, event["id"])
        assert "Kelurahan" in page.inner_text("#household-form") and "Jalan atau dusun" in page.inner_text("#household-form")
        page.fill("#f-head_name", "Ibu Sumiyati")
        page.fill("#f-members", "4")
        page.fill("#f-elderly", "1")
        page.select_option("#f-admin_area", MUNGKU_CODE)  # the map zooms to Mungku Baru and highlights it
        page.fill("#f-rt", "3")
        page.fill("#f-rw", "1")
        page.fill("#f-landmark", "dekat masjid")
        page.select_option("#f-admin_area", "")  # the click alone must find the kelurahan
        box = page.locator("#pick-map").bounding_box()
        page.locator("#pick-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        wait_until(page, "document.querySelector('#pick-map .leaflet-marker-icon') !== null")
        assert page.input_value("#f-location_precision") == "map"
        assert page.input_value("#f-lat") != "" and page.input_value("#f-admin_area") == MUNGKU_CODE
        assert page.inner_text("#precision-now").strip() == "titik di peta"
        page.screenshot(path=str(shots / "household_form_map.png"), full_page=True)
        page.click("#household-form > button[type=submit]")
        page.wait_for_selector("text=Rumah tangga Ibu Sumiyati dan kebutuhannya disimpan")
        clicked = _household(base, token, "sumiyati")
        assert clicked["location_precision"] == "map" and clicked["admin_area"]["code"] == MUNGKU_CODE
        assert clicked["rt"] == "003" and clicked["rw"] == "001" and clicked["landmark"] == "dekat masjid"

        # Typing coordinates after a click makes them "gps".
        _open_form(page, base, event["id"])
        page.locator("#pick-map").click(position={"x": 60, "y": 80})
        assert page.input_value("#f-location_precision") == "map"
        page.fill("#f-lat", "-1.6346")
        page.fill("#f-lon", "113,6858")
        page.dispatch_event("#f-lon", "change")
        assert page.input_value("#f-location_precision") == "gps"
        assert page.inner_text("#precision-now").strip() == "titik GPS"

        # 2. Known only by kelurahan, RT and landmark; a mistake first, shown beside its field.
        # The map shows the event's flood area and the household registered a moment ago.
        _open_form(page, base, event["id"])
        wait_until(page, "document.getElementById('pick-map').dataset.eventReady === '1'")
        assert page.locator("#pick-map path.flood-area").count() == 1
        assert page.locator("#pick-map path.known-household").count() == 1
        page.fill("#f-head_name", "Pak Darto")
        page.fill("#f-members", "3")
        page.fill("#f-rt", "RT x")
        page.click("#household-form > button[type=submit]")
        page.wait_for_selector("#form-errors")
        assert page.get_attribute("#f-rt", "aria-invalid") == "true"
        assert "Nomor RT/RW" in page.inner_text("#e-rt")
        assert page.inner_text("#e-admin_area").strip() == "Pilih kelurahannya, atau tandai titiknya di peta."
        wait_until(page, "document.getElementById('pick-map').dataset.ready === '1'")
        page.select_option("#f-admin_area", MUNGKU_CODE)
        page.fill("#f-rt", "04")
        page.fill("#f-landmark", "belakang SD Negeri 1")
        assert page.inner_text("#precision-now").strip() == "perkiraan (kelurahan)"
        page.screenshot(path=str(shots / "household_form_kelurahan.png"), full_page=True)
        page.click("#household-form > button[type=submit]")
        page.wait_for_selector("text=Rumah tangga Pak Darto dan kebutuhannya disimpan")
        darto = _household(base, token, "darto")
        assert darto["location_precision"] == "kelurahan" and darto["admin_area"]["code"] == MUNGKU_CODE
        assert darto["rt"] == "004"

        page.goto(base + "/households")
        row = page.locator("#households tr", has_text="Pak Darto")
        assert "perkiraan (kelurahan)" in row.inner_text() and "RT 004" in row.inner_text()
        assert "titik di peta" in page.locator("#households tr", has_text="Ibu Sumiyati").inner_text()
        page.screenshot(path=str(shots / "households_precision.png"), full_page=True)

        # Phone width: the form, by kelurahan only, and the import page.
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone_errors = watch_errors(phone)
        phone.context.add_cookies(page.context.cookies())
        _open_form(phone, base, event["id"])
        phone.fill("#f-head_name", "Ibu Rina")
        phone.select_option("#f-admin_area", MUNGKU_CODE)
        phone.fill("#f-rt", "5")
        phone.fill("#f-landmark", "dekat jembatan")
        wide = phone.evaluate("""Array.from(document.querySelectorAll('body *')).filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest('.table-wrap') && !e.closest('.leaflet-container')).map(
            e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)""")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL), wide
        phone.screenshot(path=str(shots / "household_form_phone.png"), full_page=True)
        phone.click("#household-form > button[type=submit]")
        phone.wait_for_selector("text=Rumah tangga Ibu Rina dan kebutuhannya disimpan")
        assert _household(base, token, "rina")["location_precision"] == "kelurahan"
        phone.goto(f"{base}/households/{darto['id']}")
        assert "perkiraan (kelurahan)" in phone.inner_text("#household-location")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        phone.screenshot(path=str(shots / "household_phone.png"), full_page=True)

        csv = tmp_path / "pendataan.csv"
        csv.write_text("nama_kepala_keluarga,kelurahan,rt,patokan,kebutuhan\n"
                       "Ibu Sari,Mungku Baru,6,dekat posyandu,makanan\n"
                       "Pak Anto,Kelurahan Entah,7,,air\n", encoding="utf-8")
        phone.goto(base + "/households")
        phone.click("#import-link")
        phone.set_input_files("#f-file", str(csv))
        phone.select_option("#f-event", str(event["id"]))
        phone.click("#import-check button[type=submit]")
        phone.wait_for_selector("#import-report")
        assert "Kelurahan tidak dikenal “Kelurahan Entah”" in phone.inner_text("#import-problems")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        phone.screenshot(path=str(shots / "household_import_phone.png"), full_page=True)
        phone.check("#run-mode-valid")
        phone.click("#import-run button[type=submit]")
        phone.wait_for_selector("text=1 rumah tangga diimpor")
        assert _household(base, token, "sari")["location_precision"] == "kelurahan"
        assert errors == [] and phone_errors == []
        browser.close()
    for name in ("household_form_map", "household_form_kelurahan", "households_precision", "household_form_phone",
                 "household_phone", "household_import_phone"):
        assert (shots / f"{name}.png").stat().st_size > 1000
