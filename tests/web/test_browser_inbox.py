"""Debian's Chromium through the SMS inbox on ``resilience serve`` (the embedded default, SMS
sent by its worker thread): the match page shows the offers going out without a reload; the
inbox lists free-text replies, an unknown number and a failed SMS with its reason in Bahasa
Indonesia; a reply is applied as accept, another is answered (the segment counter refuses a
third SMS), the failed one is resent. Screenshots of the inbox at laptop (1280×800) and phone
(390×844) size.

Skips when /usr/bin/chromium or the playwright package is missing. Screenshots go to
$SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, NO_SIDEWAYS_SCROLL, api, wait_until

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _flag_free_text(database: Path) -> None:
    """Mark the free-text replies for attention, as the reply reader does (a fixture step here:
    this branch does not contain the reader's change), and store one SMS the provider refused."""
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE sms_messages SET needs_attention = 1 WHERE direction = 'inbound' "
                     "AND (body LIKE 'baik%' OR body LIKE 'Saya tidak%' OR body LIKE 'sudah%')")
        offer = conn.execute("SELECT phone, phone_digest, body, task_id, volunteer_id FROM sms_messages "
                             "WHERE kind = 'offer' ORDER BY id DESC LIMIT 1").fetchone()
        conn.execute("INSERT INTO sms_messages (direction, phone, phone_digest, body, kind, encoding, segments, status, "
                     "error_code, error_message, attempts, channel_reason, needs_attention, task_id, volunteer_id, "
                     "created_at, updated_at) VALUES ('outbound', ?, ?, ?, 'offer', 'GSM-7', 2, 'undelivered', 30003, "
                     "'Twilio refused the message (30003)', 1, '', 0, ?, ?, datetime('now'), datetime('now'))", offer)


def test_inbox_in_chromium(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    event = api(base, token, "POST", "/api/v1/events", {
        "name": "Banjir Rungan Maret", "started_at": "2026-03-10T06:00:00Z", "affected_area": RAKUMPIT_BOX})
    people = (("Siti Aminah", "food", "Andi Pratama"), ("Rahmat Hidayat", "water", "Yohana Dewi"),
              ("Bambang Sutrisno", "clothing", "Dedi Kurniawan"))
    volunteers = []
    for i, (head, category, name) in enumerate(people):
        household = api(base, token, "POST", "/api/v1/households", {
            "head_name": head, "location": {"lat": -1.635 - i * 0.004, "lon": 113.686}, "members": 3 + i,
            "address": f"Jl. Rungan {i}", "landmark": "dekat masjid" if i == 0 else "tepi sungai"})
        api(base, token, "POST", f"/api/v1/events/{event['id']}/needs", {"household_id": household["id"],
                                                                          "category": category})
        volunteers.append(api(base, token, "POST", "/api/v1/volunteers", {
            "name": name, "phone": f"+62813456780{i:02d}", "skills": ["cooking"], "capacity": 1,
            "location": {"lat": -1.636 - i * 0.004, "lon": 113.688}}))
    api(base, token, "POST", f"/api/v1/events/{event['id']}/match", {})

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/login")
        page.fill("#email", "koordinator@posko.test")
        page.fill("#password", "a-long-password")
        page.click("button[type=submit]:has-text('Masuk')")
        page.wait_for_url("**/events")

        # Confirm on the match page: the request answers, the worker sends, the counts follow.
        page.goto(base + f"/events/{event['id']}/match")
        page.click("#confirm-form button[type=submit]")
        page.wait_for_selector("text=3 tugas ditawarkan lewat SMS")
        wait_until(page, """document.querySelector('#sms-progress .sms-count[data-status="sent"] strong')
                            ?.textContent === '3'""", timeout=20)
        page.screenshot(path=str(shots / "match_sms_sent.png"), full_page=True)

        tasks = api(base, token, "GET", f"/api/v1/tasks?event={event['id']}")["items"]
        by_volunteer = {t["volunteer_id"]: t for t in tasks}
        andi, yohana, dedi = volunteers
        for volunteer, body in ((andi, "baik pak, saya berangkat sekarang"), (yohana, "Saya tidak bisa pak, perahu bocor"),
                                (dedi, "sudah sampai, rumahnya kosong")):
            api(base, token, "POST", "/api/v1/sms/simulate", {"from": volunteer["phone"], "body": body})
        api(base, token, "POST", "/api/v1/sms/simulate", {"from": andi["phone"], "body": "STATUS"})
        _flag_free_text(tmp_path / "browser.db")
        # An unknown number's free text waits in the inbox (its phone stored encrypted, as any).
        api(base, token, "POST", "/api/v1/sms/simulate",
            {"from": "+6281299990123", "body": "pak air sudah sepinggang, ada nenek di rumah"})

        page.goto(base + "/events")
        assert page.inner_text("nav a[href='/inbox'] .nav-count").startswith("5")  # 4 replies + 1 failed SMS
        page.click("nav >> text=Kotak masuk SMS")
        page.wait_for_selector("ol.inbox")
        assert page.locator("ol.inbox > li").count() == 5
        text = page.inner_text("ol.inbox")
        assert "nomor tidak dikenal" in text and "+62812*****123" in text and "+6281299990123" not in text
        assert "Ponsel tidak dapat dihubungi" in text and "STATUS" not in text
        page.screenshot(path=str(shots / "inbox.png"), full_page=True)

        # Apply "oke siap meluncur" as accept of Andi's task.
        item = page.locator("ol.inbox > li", has_text="saya berangkat sekarang")
        item.locator("select[name=command]").select_option("accept")
        item.locator("button:has-text('Terapkan')").click()
        page.wait_for_selector("text=Diterapkan pada tugas")
        assert api(base, token, "GET", f"/api/v1/tasks/{by_volunteer[andi['id']]['id']}")["status"] == "accepted"

        # Answer Dedi: the counter counts GSM-7 characters and refuses a third SMS.
        item = page.locator("ol.inbox > li", has_text="rumahnya kosong")
        box = item.locator("textarea")
        box.fill("x" * 200)
        assert "200 karakter, 2 dari 2 SMS" in item.locator(".gsm7-count").inner_text()
        box.fill("[]" * 80)  # 160 characters, but each takes two GSM-7 septets: 320, a third SMS
        assert "terlalu panjang" in item.locator(".gsm7-count").inner_text()
        assert item.locator("button:has-text('Kirim balasan')").is_disabled()
        box.fill("Terima kasih. Tandai selesai hanya jika warga sudah dibantu; kembali ke posko.")
        item.locator("button:has-text('Kirim balasan')").click()
        page.wait_for_selector("text=Balasan masuk antrean")

        # Resend the SMS the provider refused.
        page.select_option("#f-show", "failed")
        page.click(".inbox-filters button[type=submit]")
        page.wait_for_url("**show=failed**")
        page.locator("ol.inbox > li", has_text="tidak dapat dihubungi").locator("button:has-text('Kirim ulang')").click()
        page.wait_for_selector("text=dikirim ulang sebagai SMS baru")
        assert page.locator("ol.inbox > li", has_text="Ditangani oleh").count() == 1

        page.goto(base + "/inbox")
        page.screenshot(path=str(shots / "inbox_after.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(page.context.cookies())
        phone.goto(base + "/inbox?show=all")
        phone.wait_for_selector("ol.inbox")
        wide = phone.evaluate("""Array.from(document.querySelectorAll('body *')).filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)""")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL), wide
        phone.screenshot(path=str(shots / "inbox_phone.png"), full_page=True)
        assert errors == []
        browser.close()
