"""Numbers, distances and times as the page's locale and the TIMEZONE setting write them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import Flask, session
from flask_babel import refresh

from resilience.web.i18n import distance, init_babel, local_time, number, with_zone, zone_label


def _app(zone: str = "Asia/Jakarta") -> Flask:
    app = Flask(__name__)
    app.secret_key = "test-secret-key-for-sessions"
    init_babel(app, zone)
    return app


@pytest.mark.parametrize("zone, label, clock, offset", [
    ("Asia/Jakarta", "WIB", "14:30", "+07:00"),
    ("Asia/Makassar", "WITA", "15:30", "+08:00"),
    ("Asia/Jayapura", "WIT", "16:30", "+09:00"),
])
def test_times_follow_the_timezone_setting(zone, label, clock, offset):
    with _app(zone).test_request_context():
        assert zone_label() == label
        assert local_time(datetime(2026, 1, 5, 7, 30, tzinfo=timezone.utc)) == f"2026-01-05 {clock} {label}"
        # the event form's datetime-local input has no offset: it is read in the configured zone
        assert with_zone("2026-01-05T14:30") == f"2026-01-05T14:30:00{offset}"
        assert with_zone("kemarin") == "kemarin"  # left for the schema to refuse


@pytest.mark.parametrize("lang, expected", [
    ("id", ("1.234,5", "0,6 km", "1,6 km", "600 m", "12.345 m")),
    ("en", ("1,234.5", "0.6 km", "1.6 km", "600 m", "12,345 m")),
])
def test_numbers_and_distances_follow_the_page_language(lang, expected):
    with _app().test_request_context():
        session["lang"] = lang
        refresh()
        got = (number(1234.5), f"{number(0.6)} km", distance(1600), distance(600), number(12345, 0) + " m")
        assert got == expected
        assert distance(None) == "—"
