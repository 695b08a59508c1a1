"""The coordinator-on-duty SMS: warnings grouped into one summary per event, emergencies at
once to the duty phone and the group leader and repeated until acknowledged, never twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text as sql

from resilience.alerts import notify, operations
from resilience.alerts.models import Alert
from resilience.core import crypto
from resilience.core.db import utcnow
from resilience.extensions import db
from resilience.sms.gsm7 import fits
from resilience.sms.models import SmsMessage
from tests.alerts.helpers import run

DUTY = "+6281100000001"
LEADER = "+6281100000002"


def _set(table, row_id, **values):
    """Set columns of one row behind the app's back; phones are stored encrypted, as the app does."""
    db.session.rollback()
    values = {name: crypto.encrypt(value) if name.endswith("_phone") else value for name, value in values.items()}
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    with db.engine.begin() as conn:
        conn.execute(sql(f"UPDATE {table} SET {assignments} WHERE id = :id"), {"id": row_id, **values})


def _sent(phone=None) -> list[SmsMessage]:
    db.session.rollback()
    rows = list(db.session.scalars(select(SmsMessage).where(SmsMessage.kind == notify.SMS_KIND)
                                   .order_by(SmsMessage.id)))
    db.session.rollback()
    return [m for m in rows if phone is None or m.phone == phone]


@pytest.fixture
def event(seed):
    event = seed.event(name="Banjir Rungan Maret")
    _set("flood_events", event["id"], duty_phone=DUTY)
    return event


def _raise_many(event_id, count, kind="no_candidate", start=1, **fields):
    def raise_them(session):
        for i in range(count):
            operations.raise_alert(session, kind, f"need:{start + i}", event_id=event_id,
                                   params={"category": "food", "priority": 5 if i == 0 else 3}, **fields)
    run(raise_them)


def test_fifty_alerts_in_a_minute_are_one_sms(event, seed):
    _raise_many(event["id"], 30)
    _raise_many(event["id"], 20, kind="long_wait")
    assert _sent() == []  # warnings wait for the summary
    assert run(notify.send_summaries) == 1
    [summary] = _sent(DUTY)
    assert fits(summary.body) and summary.segments <= 2
    assert "50" in summary.body and "30" in summary.body and "20" in summary.body
    assert "Banjir Rungan Maret" in summary.body and "Peringatan" in summary.body  # Indonesian
    assert "prioritas" in summary.body.lower() and "5" in summary.body
    db.session.rollback()
    assert all(a.notified_at is not None and a.notify_count == 1 for a in db.session.scalars(select(Alert)))
    assert run(notify.send_summaries) == 0  # nothing new: no second SMS
    _raise_many(event["id"], 1, kind="repeated_expiry")  # need:1 of another kind
    assert run(notify.send_summaries) == 1
    assert "1" in _sent(DUTY)[-1].body and len(_sent(DUTY)) == 2


def test_no_duty_phone_no_sms_and_acknowledged_alerts_are_not_summarised(seed, event):
    quiet = seed.event(name="Tanpa piket")
    _raise_many(quiet["id"], 3)
    assert run(notify.send_summaries) == 0
    _raise_many(event["id"], 2, start=10)
    first = db.session.scalar(select(Alert.id).where(Alert.event_id == event["id"]).order_by(Alert.id))
    db.session.rollback()
    run(lambda session: operations.acknowledge(session, first, "coordinator:x"))
    assert run(notify.send_summaries) == 1
    assert "1 peringatan baru" in _sent(DUTY)[0].body
    db.session.rollback()
    told = {a.id: a.notified_at is not None for a in db.session.scalars(select(Alert))}
    db.session.rollback()
    assert [alert_id for alert_id, yes in told.items() if yes] == [first + 1]


def test_an_emergency_goes_at_once_to_duty_and_leader_and_repeats_until_acknowledged(event, seed):
    group = seed.group(name="Tim Perahu")
    _set("volunteer_groups", group["id"], leader_phone=LEADER)
    volunteer = seed.volunteer(name="Budi Perahu", group_id=group["id"])
    alert_id = run(lambda session: operations.raise_alert(
        session, "safety_escalation", "task:12", severity="emergency", event_id=event["id"],
        volunteer_id=volunteer["id"], params={"category": "evacuation", "task_code": "T12"})[0].id)
    duty, leader = _sent(DUTY), _sent(LEADER)
    assert len(duty) == 1 and len(leader) == 1 and duty[0].body == leader[0].body
    body = duty[0].body
    assert body.startswith("DARURAT") and "T12" in body and "Budi Perahu" in body and fits(body)
    assert "+62" not in body
    assert run(notify.send_summaries) == 0  # not in the summary as well

    now = utcnow()
    assert run(notify.repeat_emergencies, now + timedelta(minutes=5)) == 0  # every 15 minutes (default)
    assert run(notify.repeat_emergencies, now + timedelta(minutes=16)) == 1
    assert len(_sent(DUTY)) == 2 and len(_sent(LEADER)) == 2 and "1" in _sent(DUTY)[-1].body
    assert run(notify.repeat_emergencies, now + timedelta(minutes=20)) == 0
    assert run(notify.repeat_emergencies, now + timedelta(minutes=32)) == 1
    db.session.rollback()
    assert db.session.get(Alert, alert_id).notify_count == 3
    db.session.rollback()
    run(lambda session: operations.acknowledge(session, alert_id, "coordinator:x"))
    assert run(notify.repeat_emergencies, now + timedelta(minutes=60)) == 0
    assert len(_sent(DUTY)) == 3


def test_escalate_minutes_of_the_event_set_the_repeat(event, seed):
    _set("flood_events", event["id"], checkin_escalate_minutes=5)
    run(lambda session: operations.raise_alert(session, "safety_escalation", "task:3", severity="emergency",
                                               event_id=event["id"]))
    assert len(_sent(DUTY)) == 1
    assert run(notify.repeat_emergencies, utcnow() + timedelta(minutes=6)) == 1


def test_a_failed_alert_sms_is_an_alert_on_the_page_but_no_sms(event):
    from resilience.sms import hooks
    from resilience.sms.hooks import OUTBOUND_FAILED

    _raise_many(event["id"], 1)
    run(notify.send_summaries)
    [summary] = _sent(DUTY)

    def fail(session):
        message = session.get(SmsMessage, summary.id)
        message.status = "failed"
        hooks.fire(OUTBOUND_FAILED, session, message)

    run(fail)
    db.session.rollback()
    failed = db.session.scalar(select(Alert).where(Alert.kind == "sms_failed"))
    assert failed.is_open and failed.notified_at is not None
    db.session.rollback()
    assert run(notify.send_summaries) == 0


def test_two_senders_at_once_send_one_summary_and_one_repeat(app, event, seed):
    if app.config["SETTINGS"].is_sqlite:
        pytest.skip("SQLite serialises writers; the race needs two concurrent transactions")
    from sqlalchemy.orm import Session

    _raise_many(event["id"], 10)
    run(lambda session: operations.raise_alert(session, "safety_escalation", "task:5", severity="emergency",
                                               event_id=event["id"]))
    later = utcnow() + timedelta(minutes=16)
    barrier = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def sender():
        with app.app_context():
            session = Session(db.engine)
            try:
                barrier.wait()
                results.append((notify.repeat_emergencies(session, later), notify.send_summaries(session, later)))
                session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                session.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r[0] for r in results) == 1 and sum(r[1] for r in results) == 1
    db.session.rollback()
    kinds = [m.body.startswith("DARURAT") for m in _sent(DUTY)]
    assert kinds.count(True) == 2 and kinds.count(False) == 1  # the first emergency SMS, one repeat, one summary


def test_duty_phone_long_wait_and_leader_phone_are_set_through_the_api(coordinator, official, seed):
    event = coordinator.post("/api/v1/events", json={
        "name": "Banjir", "started_at": "2026-03-10T06:00:00Z", "duty_phone": "0811-0000-0001",
        "long_wait_minutes": 45}).get_json()
    assert event["duty_phone"] == DUTY and event["long_wait_minutes"] == 45
    changed = coordinator.patch(f"/api/v1/events/{event['id']}", json={"duty_phone": None, "long_wait_minutes": 10})
    assert changed.get_json()["duty_phone"] is None and changed.get_json()["long_wait_minutes"] == 10
    bad = coordinator.patch(f"/api/v1/events/{event['id']}", json={"duty_phone": "021 555 1234", "long_wait_minutes": 0})
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"duty_phone", "long_wait_minutes"}
    coordinator.patch(f"/api/v1/events/{event['id']}", json={"duty_phone": DUTY})
    assert official.get(f"/api/v1/events/{event['id']}").get_json()["duty_phone"] != DUTY  # masked
    group = coordinator.post("/api/v1/groups", json={"name": "Tim", "kind": "youth", "leader_phone": "081100000002"})
    assert group.status_code == 201 and group.get_json()["leader_phone"] == LEADER


def test_the_embedded_scheduler_raises_a_long_wait_and_tells_the_duty_phone(app, coordinator, seed):
    """Without Redis the periodic tasks run in ``resilience serve``'s scheduler thread, on the
    schedule beat gets: the sweep raises, the notifier sends the summary."""
    from resilience.core.embedded import EmbeddedScheduler
    from tests.alerts.helpers import set_time

    assert {"alerts-sweep", "alerts-notify"} <= set(app.extensions["celery"].conf.beat_schedule)
    event = coordinator.post("/api/v1/events", json={
        "name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z", "duty_phone": DUTY}).get_json()
    h = seed.household()
    need = seed.need(event["id"], h["id"], "evacuation", priority=5, priority_reason="ibu hamil")
    set_time(app, "needs", "reported_at", need["id"])
    scheduler = EmbeddedScheduler(app)
    scheduler.next_run = {name: 0 for name in scheduler.next_run}
    ran = scheduler.run_due()
    assert ran.index("resilience.alerts.sweep") < ran.index("resilience.alerts.notify")
    [summary] = _sent(DUTY)
    assert "1 peringatan baru" in summary.body and "menunggu lama" in summary.body
    assert summary.status == "sent"  # the outbox backend "sends" at once
