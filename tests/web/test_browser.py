"""Drive Debian's Chromium through the coordinator app: login → create event → add household →
match → confirm → simulate YA → the task is accepted; screenshots of the main pages.

Runs ``resilience serve`` on a free port against a fresh SQLite file. Skips when
/usr/bin/chromium or the playwright package is missing (never downloads a browser).
Screenshots go to $SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import RAKUMPIT_BOX

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env, *args) -> str:
    exe = Path(sys.executable).with_name("resilience")
    out = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture
def server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'browser.db'}", RESILIENCE_INSTANCE_PATH=str(tmp_path),
               SECRET_KEY="browser-test-secret-0123456789", RESILIENCE_ENV="test", SMS_BACKEND="outbox")
    _cli(env, "init-db")
    _cli(env, "users", "create", "koordinator@posko.test", "--role", "coordinator", "--password", "a-long-password")
    token = _cli(env, "tokens", "create", "koordinator@posko.test").strip().splitlines()[-1]
    port = _free_port()
    exe = Path(sys.executable).with_name("resilience")
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("resilience serve did not start")
        yield base, token
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _api(base, token, path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_coordinator_flow_in_chromium(server, tmp_path):
    base, token = server
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    volunteer = _api(base, token, "/api/v1/volunteers", {
        "name": "Budi Santoso", "phone": "+6281345678901", "skills": ["boat"],
        "location": {"lat": -1.64, "lon": 113.69}, "availability": "available", "capacity": 2})
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(base + "/login")
        page.screenshot(path=str(shots / "login.png"))
        page.fill("#email", "koordinator@posko.test")
        page.fill("#password", "a-long-password")
        page.click("button[type=submit]:has-text('Masuk')")
        page.wait_for_url("**/events")

        page.goto(base + "/events/new")
        page.fill("#f-name", "Banjir Rungan Maret")
        page.fill("#f-affected_area", json.dumps(RAKUMPIT_BOX))
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/events/*")
        event_url = page.url

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
        page.wait_for_function("document.getElementById('c-served').textContent !== '…'")
        page.screenshot(path=str(shots / "dashboard.png"))

        page.click("text=Pencocokan")
        page.click("button:has-text('Jalankan pencocokan')")
        page.wait_for_selector("#proposal")
        code = page.inner_text("#proposal tbody tr td:first-child").strip()
        page.screenshot(path=str(shots / "match.png"), full_page=True)
        page.click("button:has-text('Konfirmasi dan kirim SMS')")
        page.wait_for_selector("text=1 tugas ditawarkan lewat SMS")

        page.goto(f"{base}/volunteers")
        page.screenshot(path=str(shots / "volunteers.png"))
        page.goto(f"{base}/volunteers/{volunteer['id']}/sms")
        page.fill("#f-body", f"YA {code}")
        page.click("form.phone button[type=submit]")
        page.wait_for_selector("#tasks .status-accepted")
        page.screenshot(path=str(shots / "sms.png"), full_page=True)
        assert f"{code}: accepted" in page.inner_text("#tasks")
        browser.close()
    for name in ("login", "household_form", "dashboard", "match", "volunteers", "sms"):
        assert (shots / f"{name}.png").stat().st_size > 1000
