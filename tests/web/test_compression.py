"""What a posko's weak link carries is gzipped: the map library, scripts, styles and JSON. HTML
pages are not (they hold the CSRF token beside what the user typed: BREACH) (issue 15)."""

from __future__ import annotations

import gzip
from pathlib import Path

import resilience

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
LEAFLET = Path(resilience.__file__).parent / "web" / "static" / "vendor" / "leaflet" / "leaflet.js"


def test_the_map_library_goes_out_gzipped_at_a_third_of_its_size(app):
    response = app.test_client().get("/assets/vendor/leaflet/leaflet.js", headers=GZIP)
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    assert gzip.decompress(body) == LEAFLET.read_bytes()
    assert len(body) < LEAFLET.stat().st_size / 3


def test_without_accept_encoding_nothing_is_compressed(app):
    response = app.test_client().get("/assets/vendor/leaflet/leaflet.js")
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == LEAFLET.read_bytes()


def test_api_json_is_gzipped_and_pages_are_not(app, coordinator, seed, web_coordinator):
    for _ in range(8):
        seed.household(nik=None, kk_number=None)
    response = coordinator.get("/api/v1/households", headers=GZIP)
    assert response.headers.get("Content-Encoding") == "gzip"
    assert b'"items"' in gzip.decompress(response.get_data())
    page = web_coordinator.get("/households", headers=GZIP)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
