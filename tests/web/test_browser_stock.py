"""Drive Debian's Chromium through the stock pages: a new item and posko, receive aid, distribute
to a household (all through the forms), the dashboard's stock counter, then the official's
read-only report; screenshots of the stock and report pages, the report's first page at laptop
and phone width and the PDF's first page rendered to PNG (pdftoppm).

Same set-up as test_browser.py: ``resilience serve`` on a free port against a fresh SQLite
file; skips when /usr/bin/chromium or playwright is missing. Screenshots go to $SCREENSHOT_DIR,
else the test's tmp directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MUNGKU_BARU, RAKUMPIT_BOX
from tests.web.browser_server import ARGS, CHROMIUM, PASSWORD, api, serve, wait_until, watch_errors

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture
def server(tmp_path):
    """``resilience serve`` on a fresh SQLite file with a coordinator (and a token) and an official."""
    users = (("koordinator@posko.test", "coordinator"), ("pejabat@bpbd.test", "official"))
    with serve(tmp_path, users) as running:
        yield running


def _login(page, base, email):
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/events")


def test_receive_and_distribute_in_chromium(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    event = api(base, token, "POST", "/api/v1/events", {"name": "Banjir Rungan Maret", "started_at": "2026-03-10T06:00:00Z",
                                                 "affected_area": RAKUMPIT_BOX})
    household = api(base, token, "POST", "/api/v1/households", {
        "head_name": "Siti Aminah", "phone": "0812-3456-7890", "nik": "6271054507800001",
        "location": MUNGKU_BARU, "members": 5, "elderly": 1})
    api(base, token, "POST", f"/api/v1/events/{event['id']}/needs", {"household_id": household["id"], "category": "food"})

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        _login(page, base, "koordinator@posko.test")

        page.goto(base + "/stock")
        page.click("text=Barang baru")
        page.fill("#f-code", "beras")
        page.fill("#f-name", "Beras")
        page.select_option("#f-unit", "kg")
        page.select_option("#f-category", "food")
        page.click("#stock-new button[type=submit]")
        page.wait_for_selector("text=Barang BERAS (Beras) dibuat.")

        page.click("text=Posko/gudang baru")
        page.fill("#f-name", "Posko Kelurahan Mungku Baru")
        page.fill("#f-lat", "-1.634")
        page.fill("#f-lon", "113.686")
        page.click("#stock-new button[type=submit]")
        page.wait_for_selector("text=Posko \"Posko Kelurahan Mungku Baru\" dibuat.")

        # Receive: a mistake first (no donor), then the right form.
        page.click(".stock-actions >> text=Terima bantuan")
        page.select_option("#f-depot_id", label="Posko Kelurahan Mungku Baru")
        page.select_option("#f-item_code", "BERAS")
        page.fill("#f-quantity", "100")
        page.evaluate("document.getElementById('f-donor').removeAttribute('required')")
        page.click("#stock-form button[type=submit]")
        page.wait_for_selector("#form-errors")
        assert "Isi siapa yang memberi bantuan ini (donatur)." in page.inner_text("#form-errors")
        page.fill("#f-donor", "Dinas Sosial Kota Palangka Raya")
        page.click("#stock-form button[type=submit]")
        page.wait_for_selector("text=Saldo sekarang 100 kg.")

        page.click(".stock-actions >> text=Salurkan ke rumah tangga")
        page.select_option("#f-depot_id", label="Posko Kelurahan Mungku Baru")
        page.select_option("#f-item_code", "BERAS")
        page.fill("#f-quantity", "12,5")
        page.select_option("#f-household_id", str(household["id"]))
        page.screenshot(path=str(shots / "stock_distribute.png"), full_page=True)
        page.click("#stock-form button[type=submit]")
        page.wait_for_selector("text=disalurkan dari Posko Kelurahan Mungku Baru kepada Siti Aminah")
        assert "87,5 kg" in page.inner_text(".depots")
        assert "penyaluran" in page.inner_text(".stock-ledger")
        page.screenshot(path=str(shots / "stock.png"), full_page=True)

        page.goto(f"{base}/events/{event['id']}")
        wait_until(page, "document.getElementById('c-stock').textContent !== '…'")
        assert page.inner_text("#c-stock").strip() != ""
        page.goto(f"{base}/events/{event['id']}/stock")
        page.screenshot(path=str(shots / "stock_shortfall.png"), full_page=True)
        browser.close()
    assert errors == [], errors  # no JavaScript error and no Content-Security-Policy refusal

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        _login(page, base, "pejabat@bpbd.test")
        page.click("nav >> text=Laporan")
        page.click(f"text={event['name']}")
        page.wait_for_selector("#kelurahan-table")
        text = page.inner_text("main")
        assert "Siti Aminah" not in text and "6271054507800001" not in text and "0812" not in text
        assert page.inner_text("#r-affected").strip() == "1" and "Utuh:" in text
        assert "12,5 kg" in text  # the rice handed out
        page.screenshot(path=str(shots / "report_official.png"), full_page=True)
        # The first page: the shaded map (Mungku Baru waits) and the charts, at laptop and phone width.
        assert page.locator('#report-map path[data-code="62.71.05.1004"]').get_attribute("data-class") == "1"
        assert page.locator("#response-chart rect").count() > 0 or "Belum ada tugas" in text
        page.screenshot(path=str(shots / "report_first_page.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.screenshot(path=str(shots / "report_first_page_phone.png"))
        page.set_viewport_size({"width": 1366, "height": 768})
        with page.expect_download() as download:
            page.click("#dl-pdf")
        pdf = Path(download.value.path())
        assert pdf.read_bytes().startswith(b"%PDF-")
        if shutil.which("pdftoppm"):  # poppler-utils (.ci/setup installs it)
            subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                            str(shots / "report_pdf_page1")], check=True, timeout=60)
            assert (shots / "report_pdf_page1.png").stat().st_size > 10000
        with page.expect_download() as download:
            page.click("text=CSV per kelurahan (HXL)")
        lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert lines[1].startswith("#event+name,") and "#adm4+code" in lines[1]
        page.goto(base + "/stock")
        assert "Terima bantuan" not in page.inner_text("main")  # read-only for officials
        assert "rumah tangga di Mungku Baru" in page.inner_text(".stock-ledger")
        browser.close()
    assert errors == [], errors
    for name in ("stock", "stock_distribute", "stock_shortfall", "report_official"):
        assert (shots / f"{name}.png").stat().st_size > 1000

