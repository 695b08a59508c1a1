"""Chromium on the public transparency page and the officials' response log: the public page
without a login at phone and desktop width (no sideways scrolling, the QR code drawn, small
cells shown as <5), printed to PDF, and the log page as an official; screenshots of each.

Skips when /usr/bin/chromium or the playwright package is missing. Screenshots go to
$SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.browser_server import ARGS, CHROMIUM, PASSWORD, api, serve
from tests.web.test_browser import SIDEWAYS
from tests.web.test_indonesian_pages import english_in

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

BOX = {"type": "Polygon", "coordinates": [[[113.60, -1.72], [113.75, -1.72], [113.75, -1.58], [113.60, -1.58],
                                           [113.60, -1.72]]]}


def test_public_page_and_log_in_chromium(tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    users = (("koordinator@posko.test", "coordinator"), ("pejabat@bpbd.test", "official"))
    with serve(tmp_path, users) as (base, token):
        event = api(base, token, "POST", "/api/v1/events", {
            "name": "Banjir Rungan Terbuka", "started_at": "2026-03-10T06:00:00Z", "affected_area": BOX})
        for i in range(8):  # 6 households in Mungku Baru, 2 in Bukit Sua (hidden as <5)
            point = {"lat": -1.6346 + 0.0004 * i, "lon": 113.6858} if i < 6 else {"lat": -1.6794, "lon": 113.67 + 0.0004 * i}
            household = api(base, token, "POST", "/api/v1/households", {
                "head_name": f"Warga Rahasia {i}", "location": point, "members": 3})
            api(base, token, "POST", f"/api/v1/events/{event['id']}/needs",
                 {"household_id": household["id"], "category": "food" if i % 2 else "water"})
        api(base, token, "PATCH", f"/api/v1/events/{event['id']}", {"public": True})
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1366, "height": 768})):
                context = browser.new_context(viewport=viewport, device_scale_factor=2 if name == "phone" else 1)
                page = context.new_page()
                page.goto(f"{base}/transparansi/{event['id']}")
                page.wait_for_function("document.querySelector('.qr img').complete")
                assert page.evaluate("document.querySelector('.qr img').naturalWidth") > 0  # the QR code drew
                assert page.evaluate(SIDEWAYS) == [], f"the public page scrolls sideways at {viewport['width']} px"
                content = page.content()
                assert "Warga Rahasia" not in content and "&lt;5" in content
                assert english_in(content) == []
                page.screenshot(path=str(shots / f"public_{name}.png"), full_page=True)
                if name == "desktop":
                    page.emulate_media(media="print")
                    page.screenshot(path=str(shots / "public_print.png"), full_page=True)
                    pdf = page.pdf(format="A4")
                    (shots / "public.pdf").write_bytes(pdf)
                    assert pdf.startswith(b"%PDF")
                context.close()

            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(base + "/login")
            page.fill("#email", "pejabat@bpbd.test")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/events")
            page.goto(base + "/audit?entity_type=household")
            content = page.content()
            assert "Warga Rahasia" not in content
            assert "household.created" in content and "[tersegel]" in content  # the sealed name
            page.screenshot(path=str(shots / "audit_official.png"), full_page=True)
            page.goto(base + "/audit/verify")
            assert page.locator(".audit-ok").count() == 1
            browser.close()
