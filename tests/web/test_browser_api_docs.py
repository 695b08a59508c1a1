"""Chromium on the API documentation page (/api/docs, vendored Swagger UI): it lists every
operation of the OpenAPI document, "Try it out" with a bearer token gets an answer, the page's
Content-Security-Policy refuses nothing, and no request leaves 127.0.0.1 (it works offline).
Screenshots at laptop and phone width go to $SCREENSHOT_DIR, else the test's tmp directory."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.web.browser_server import ARGS, CHROMIUM, serve, wait_until, watch_errors

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

# Installed before any of the page's scripts: every CSP refusal, including one a script catches.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample)));
"""
LOCAL_HOSTS = ("127.0.0.1",)


def _operation_count(base: str) -> int:
    with urllib.request.urlopen(base + "/api/openapi.json", timeout=30) as response:
        paths = json.load(response)["paths"]
    return sum(1 for item in paths.values() for method in item if method in ("get", "post", "put", "patch", "delete"))


def test_swagger_ui_renders_the_operations_offline_under_its_policy(tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with serve(tmp_path) as (base, token):
        operations = _operation_count(base)
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(RECORD_VIOLATIONS)
            elsewhere: list[str] = []

            def local_only(route):
                if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            context.route("**/*", local_only)
            page = context.new_page()
            errors = watch_errors(page)
            answer = page.goto(base + "/api/docs")
            assert "script-src 'self';" in answer.headers["content-security-policy"]
            assert "unsafe" not in answer.headers["content-security-policy"]
            wait_until(page, f"document.querySelectorAll('.opblock').length >= {operations}")
            assert page.locator(".opblock").count() == operations
            assert page.locator("#operations-events-list_events").count() == 1  # the operationId as anchor

            # Authorize with the token, then try GET /api/v1/events: Swagger UI shows the 200.
            page.click("button.authorize")
            page.fill(".auth-container input", token)
            page.click(".auth-btn-wrapper button.authorize")
            page.click("button.btn-done")
            block = page.locator("#operations-events-list_events")
            block.locator(".opblock-summary").click()
            block.locator("button.try-out__btn").click()
            block.locator("button.execute").click()
            wait_until(page, "document.querySelector('#operations-events-list_events .live-responses-table tr.response .response-col_status')")
            assert block.locator(".live-responses-table tr.response .response-col_status").first.inner_text().strip() == "200"
            page.screenshot(path=str(shots / "api_docs_1280.png"), full_page=False)

            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(shots / "api_docs_390.png"), full_page=False)
            violations = page.evaluate("window.__violations")
            browser.close()
    assert violations == [] and errors == []
    assert elsewhere == [], "requests beyond 127.0.0.1"
