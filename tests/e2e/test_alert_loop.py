"""Alerts through real Celery worker processes, Redis and PostGIS, the SMS at the fake Twilio:
a decline with nobody left raises no_candidate at once; the sweep task raises a long wait; the
notify task sends the duty phone one summary; an emergency goes to the duty phone and the group
leader at once, is repeated by the notify task until acknowledged through the API, and then
stops. The periodic tasks are sent by name to the workers, as beat sends them."""

import time

from sqlalchemy import select, text

from resilience.alerts.models import Alert
from resilience.alerts.operations import raise_alert
from resilience.core.db import reset_read_only, set_read_only
from resilience.extensions import db
from tests.conftest import Seed

DUTY = "+6281100000001"
LEADER = "+6281100000002"


def _wait(predicate, timeout=30.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _alerts(kind):
    db.session.rollback()
    rows = list(db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))
    db.session.rollback()
    return rows


def _beat(app, name):
    app.extensions["celery"].tasks[name].apply_async()


def test_alerts_through_workers(e2e):
    app, client, fake, _redis, workers = e2e
    workers.start()
    seed = Seed(client)
    event = client.post("/api/v1/events", json={"name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z",
                                                 "duty_phone": DUTY}).get_json()
    group = client.post("/api/v1/groups", json={"name": "Tim Perahu", "kind": "community",
                                                "leader_phone": LEADER}).get_json()
    boat = seed.volunteer(name="Budi", skills=["boat"], group_id=group["id"], location={"lat": -1.64, "lon": 113.69})
    h = seed.household(nik=None)
    need = seed.need(event["id"], h["id"], "evacuation", priority=5, priority_reason="ibu hamil")
    client.post(f"/api/v1/events/{event['id']}/match")
    [task] = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    fake.wait_for_creates(1, timeout=30)

    # TIDAK with nobody left: the worker that reads the reply raises the alert
    fake.send_inbound("https://posko.example.org/sms/twilio/inbound", from_=boat["phone"], to="+15005550006",
                      body=f"TIDAK {task['code']}")
    _wait(lambda: len(_alerts("no_candidate")) == 1, what="no_candidate raised by the worker")

    # the need has waited long: the sweep raises, the notifier sends one summary
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE needs SET reported_at = now() - interval '2 hours' WHERE id = :id"), {"id": need["id"]})
    _beat(app, "resilience.alerts.sweep")
    _wait(lambda: len(_alerts("long_wait")) == 1, what="long_wait raised by the sweep task")
    _beat(app, "resilience.alerts.notify")
    _wait(lambda: len(fake.creates_to(DUTY)) == 1, what="the summary at the duty phone")
    summary = fake.creates_to(DUTY)[0].body
    assert "2 peringatan baru" in summary and "Prioritas kebutuhan tertinggi: 5" in summary
    _beat(app, "resilience.alerts.notify")  # nothing new: nothing sent
    time.sleep(2)
    assert len(fake.creates_to(DUTY)) == 1

    # an emergency: at once to both phones, repeated until acknowledged
    db.session.rollback()
    token = set_read_only(False)
    try:
        alert, _ = raise_alert(db.session, "safety_escalation", f"task:{task['id']}", severity="emergency",
                               event_id=event["id"], task_id=task["id"], volunteer_id=boat["id"],
                               params={"category": "evacuation"})
        alert_id = alert.id
        db.session.commit()
    finally:
        reset_read_only(token)
    _wait(lambda: len(fake.creates_to(LEADER)) == 1 and len(fake.creates_to(DUTY)) == 2, what="emergency SMS")
    assert fake.creates_to(LEADER)[0].body.startswith("DARURAT") and "Budi" in fake.creates_to(LEADER)[0].body
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET notified_at = now() - interval '20 minutes' WHERE id = :id"),
                     {"id": alert_id})
    _beat(app, "resilience.alerts.notify")
    _wait(lambda: len(fake.creates_to(LEADER)) == 2, what="the repeat to the leader")
    assert "pengingat ke-1" in fake.creates_to(LEADER)[1].body
    assert client.post(f"/api/v1/alerts/{alert_id}/ack").status_code == 200
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET notified_at = now() - interval '20 minutes' WHERE id = :id"),
                     {"id": alert_id})
    _beat(app, "resilience.alerts.notify")
    time.sleep(3)
    assert len(fake.creates_to(LEADER)) == 2  # acknowledged: no more
    assert client.get("/api/v1/audit/verify").get_json()["ok"] is True
