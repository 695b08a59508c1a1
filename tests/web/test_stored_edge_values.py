"""Pages render whatever the database holds: an event whose time was stored before times were
range-checked (9999-12-31, which overflows any conversion to WIB) must not take the web app
down for everyone (issue 15)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa


def test_pages_show_an_event_stored_at_the_end_of_the_calendar(app, web_coordinator, seed):
    from resilience.extensions import db

    event = seed.event()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE flood_events SET started_at = :at, ended_at = :at WHERE id = :id").bindparams(
                sa.bindparam("at", type_=sa.DateTime(timezone=True))),
                {"at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc), "id": event["id"]})
    for path in ("/", "/events", f"/events/{event['id']}", "/reports", f"/events/{event['id']}/report",
                 f"/events/{event['id']}/match", f"/events/{event['id']}/stock"):
        response = web_coordinator.get(path, follow_redirects=True)
        assert response.status_code == 200, (path, response.status_code)
    assert "9999-12-31" in web_coordinator.get("/events").get_data(as_text=True)
