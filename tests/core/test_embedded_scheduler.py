"""The embedded scheduler runs the periodic tasks that beat runs in production."""

from sqlalchemy import text

from resilience.core.embedded import EmbeddedScheduler
from resilience.extensions import db
from tests.conftest import Seed


def test_due_tasks_run_and_expire_offers(app, coordinator):
    seed = Seed(coordinator)
    event = seed.event()
    h = seed.household(nik=None)
    seed.need(event["id"], h["id"], "food")
    seed.volunteer(skills=["cooking"])
    coordinator.post(f"/api/v1/events/{event['id']}/match")
    [task] = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET offered_at = :t WHERE id = :id"),
                     {"t": "2026-01-01 00:00:00" if app.config["SETTINGS"].is_sqlite else "2026-01-01T00:00:00Z",
                      "id": task["id"]})
    scheduler = EmbeddedScheduler(app)
    assert scheduler.run_due() == []  # nothing is due in the first seconds
    scheduler.next_run = {name: 0 for name in scheduler.next_run}
    assert sorted(scheduler.run_due()) == ["resilience.alerts.notify", "resilience.alerts.sweep",
                                           "resilience.audit.anchor_sms", "resilience.dispatch.expire_offers", "resilience.dispatch.safety_checkin",
                                           "resilience.sms.poll_modem", "resilience.sms.sweep"]  # the poll is a no-op without a modem
    assert coordinator.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "expired"
