"""Drive Debian's Chromium through the task board: tasks offered through the API, the board
filtered by category (no reload), a volunteer's YA by SMS shows up on the board without a
reload, an action's form kept while a coordinator types in it; screenshots of the board at
laptop (1280x800) and phone (390x844) size in Bahasa Indonesia, and of the event settings.

Same set-up as test_browser.py: ``resilience serve`` on a free port against a fresh SQLite
file; skips when /usr/bin/chromium or playwright is missing. Screenshots go to
$SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import MUNGKU_BARU, RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, PASSWORD, api, wait_until
from tests.web.test_browser import SIDEWAYS
from tests.web.test_indonesian_pages import english_in

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

BUKIT_SUA = {"lat": -1.6794, "lon": 113.67}


def _offered_tasks(base, token) -> tuple[dict, dict]:
    """An event with an evacuation (priority 5), a medical and a food need, offered by SMS to
    three volunteers; returns the event and phone by task code."""
    event = api(base, token, "POST", "/api/v1/events", {"name": "Banjir Rungan Maret", "started_at": "2026-03-10T06:00:00Z",
                                                 "affected_area": RAKUMPIT_BOX})
    group = api(base, token, "POST", "/api/v1/groups", {"name": "Karang Taruna Mungku Baru", "kind": "youth",
                                                 "base_location": {"lat": -1.635, "lon": 113.686}})
    people = [("Budi Santoso", "+6281345678901", ["boat"], {"lat": -1.64, "lon": 113.69}),
              ("Sari Wulandari", "+6281345678902", ["first_aid"], {"lat": -1.675, "lon": 113.672}),
              ("Joko Susilo", "+6281345678903", ["cooking"], {"lat": -1.636, "lon": 113.687}),
              ("Rudi Hartono", "+6281345678904", ["boat", "first_aid"], {"lat": -1.645, "lon": 113.68})]
    phones = {}
    for name, phone, skills, where in people:
        volunteer = api(base, token, "POST", "/api/v1/volunteers", {
            "name": name, "phone": phone, "skills": skills, "location": where, "availability": "available",
            "capacity": 1, "group_id": group["id"]})
        phones[volunteer["id"]] = phone
    for head, nik, where, category, priority in (
            ("Siti Aminah", "6271054507800001", MUNGKU_BARU, "evacuation", 5),
            ("Rina Marlina", "6271054507800002", BUKIT_SUA, "medical", 4),
            ("Ahmad Fauzi", "6271054507800003", MUNGKU_BARU, "food", 2)):
        household = api(base, token, "POST", "/api/v1/households", {"head_name": head, "nik": nik, "location": where,
                                                              "members": 4, "elderly": 1})
        api(base, token, "POST", f"/api/v1/events/{event['id']}/needs", {
            "household_id": household["id"], "category": category, "priority": priority,
            "priority_reason": "dinilai petugas"})
    api(base, token, "POST", f"/api/v1/events/{event['id']}/match", {})
    offered = api(base, token, "POST", f"/api/v1/events/{event['id']}/dispatch", {})["offered"]
    return event, {f"T{t['id']}": phones[t["volunteer_id"]] for t in offered}


def test_board_in_chromium(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    event, phones = _offered_tasks(base, token)
    assert len(phones) == 3
    board_url = f"{base}/events/{event['id']}/board"

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/login")
        page.fill("#email", "koordinator@posko.test")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/events")

        page.click("nav >> text=Papan tugas")  # the menu leads to the newest active event's board
        page.wait_for_url(board_url)
        assert page.inner_text("#board-count").startswith("3 tugas")
        assert page.locator("#board-table tbody tr").count() == 3
        assert english_in(page.content()) == []
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        # a filter changes the rows at once, and the address with them
        page.select_option("#f-category", "evacuation")
        wait_until(page, "document.querySelectorAll('#board-table tbody tr').length === 1")
        assert page.url.endswith("?category=evacuation")
        code = page.inner_text("#board-table tbody tr th").strip()
        assert "ditawarkan" in page.inner_text(f"#task-{code[1:]}")

        # the volunteer answers YA by SMS: the board shows it without a reload
        api(base, token, "POST", "/api/v1/sms/simulate", {"from": phones[code], "body": f"YA {code}"})
        page.wait_for_selector(f"#task-{code[1:]}[data-status=accepted]", timeout=15000)
        assert page.evaluate("window.__sameDocument === true")
        assert "diterima" in page.inner_text(f"#task-{code[1:]}")

        # while the coordinator types a reason the rows are not replaced under them
        page.click(f"#task-{code[1:]} summary")
        page.fill(f"#done-{code[1:]}", "relawan lapor lewat telepon")
        page.wait_for_timeout(6500)  # longer than one polling interval
        assert page.input_value(f"#done-{code[1:]}") == "relawan lapor lewat telepon"
        assert "dijeda" in page.inner_text("#board-status")
        page.screenshot(path=str(shots / "board_actions.png"), full_page=True)
        page.click(f"#task-{code[1:]} button:has-text('Tandai selesai')")
        page.wait_for_selector("text=dicatat selesai; relawan diberi tahu lewat SMS")
        assert page.url.endswith("?category=evacuation")  # back to the same filtered board
        assert "selesai" in page.inner_text(f"#task-{code[1:]}")

        page.goto(board_url)
        page.wait_for_selector("#board-table")
        assert page.evaluate(SIDEWAYS) == [], "the board scrolls sideways at 1280 px"
        page.screenshot(path=str(shots / "board.png"), full_page=True)

        page.goto(f"{base}/events/{event['id']}/edit")
        page.fill("#f-offer_timeout_minutes", "0")
        page.fill("#f-duty_phone", "12")
        page.click("#event-edit button[type=submit]")
        page.wait_for_selector("#e-duty_phone")
        assert page.is_visible("#e-offer_timeout_minutes")
        page.screenshot(path=str(shots / "event_edit_errors.png"), full_page=True)
        assert english_in(page.content()) == []

        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    storage_state=page.context.storage_state())
        mobile = phone.new_page()
        mobile.goto(board_url)
        mobile.wait_for_selector("#board-table")
        assert mobile.evaluate(SIDEWAYS) == [], "the board scrolls sideways at 390 px"
        mobile.screenshot(path=str(shots / "phone_board.png"), full_page=True)
        mobile.goto(f"{base}/events/{event['id']}/edit")
        assert mobile.evaluate(SIDEWAYS) == [], "the event settings scroll sideways at 390 px"
        mobile.screenshot(path=str(shots / "phone_event_edit.png"), full_page=True)
        phone.close()
        assert errors == [], errors
        browser.close()
    for name in ("board", "board_actions", "phone_board", "event_edit_errors", "phone_event_edit"):
        assert (shots / f"{name}.png").stat().st_size > 1000
