"""Issue 13's whole loop on the embedded default (no Redis, no worker process: the SMS go to the
outbox, the periodic tasks run as ``resilience serve``'s scheduler thread runs them), on both
databases — the same story as tests/e2e/test_flood_morning.py:

offer → TIDAK with nobody left → no_candidate alert → matched again to another volunteer → YA →
safety check-in asked, not answered → emergency SMS to the group leader and the duty phone →
acknowledged (no more repeats) → SELESAI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from resilience.alerts.models import Alert
from resilience.core.db import utcnow
from resilience.core.embedded import EmbeddedScheduler
from resilience.core.transaction import unit_of_work
from resilience.dispatch.models import Task
from resilience.extensions import db
from resilience.sms.models import SmsMessage

DUTY = "+6281100000021"
LEADER = "+6281100000022"


def _sms_to(phone: str) -> list[str]:
    db.session.rollback()
    bodies = list(db.session.scalars(select(SmsMessage.body).where(
        SmsMessage.direction == "outbound", SmsMessage.phone_is(phone)).order_by(SmsMessage.id)))
    db.session.rollback()
    return bodies


def _task(task_id: int) -> Task:
    db.session.rollback()
    return db.session.get(Task, task_id)


def _open_alerts(kind: str) -> list[Alert]:
    db.session.rollback()
    rows = [a for a in db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)) if a.is_open]
    db.session.rollback()
    return rows


def _scheduler_runs(app, *names: str) -> None:
    """What the embedded scheduler thread does when these entries are due."""
    scheduler = EmbeddedScheduler(app)
    for name in scheduler.next_run:
        scheduler.next_run[name] = float("inf") if name not in names else 0.0
    assert sorted(scheduler.run_due()) == sorted(names)


def _move(task_id: int, **columns) -> None:
    with unit_of_work(db.session):
        task = db.session.get(Task, task_id)
        for column, value in columns.items():
            setattr(task, column, value)


def test_a_flood_morning_on_the_embedded_default(app, coordinator, seed):
    reply = lambda phone, body: coordinator.post("/api/v1/sms/simulate", json={"from": phone, "body": body})  # noqa: E731
    event = coordinator.post("/api/v1/events", json={
        "name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z", "duty_phone": DUTY,
        "checkin_after_minutes": 30, "checkin_escalate_minutes": 10}).get_json()
    group = coordinator.post("/api/v1/groups", json={"name": "Tim Perahu", "kind": "community",
                                                     "leader_phone": LEADER}).get_json()
    budi = seed.volunteer(name="Budi", skills=["boat"], group_id=group["id"], location={"lat": -1.64, "lon": 113.69})
    household = seed.household(nik=None, members=4, pregnant_or_lactating=1)
    seed.need(event["id"], household["id"], "evacuation", priority=5, priority_reason="ibu hamil")

    assert coordinator.post(f"/api/v1/events/{event['id']}/match").status_code == 200
    [offer] = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    assert any(offer["code"] in body for body in _sms_to(budi["phone"]))

    # TIDAK, nobody else has a boat: an alert, and Budi is not told someone else takes it
    answer = reply(budi["phone"], f"TIDAK {offer['code']} perahu bocor").get_json()["replies"][0]["body"]
    assert "Koordinator akan mencarikan relawan lain" in answer
    assert _task(offer["id"]).decline_reason == "perahu bocor"
    assert len(_open_alerts("no_candidate")) == 1

    # another boat volunteer; the need is matched again (Budi, who declined it, is left out)
    sari = seed.volunteer(name="Sari", skills=["boat"], group_id=group["id"], location={"lat": -1.641, "lon": 113.691})
    assert coordinator.post(f"/api/v1/events/{event['id']}/match").status_code == 200
    [second] = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    assert second["volunteer_id"] == sari["id"]
    assert _open_alerts("no_candidate") == []  # resolved: the need has a task again

    reply(sari["phone"], f"ya {second['code']} pak")
    assert _task(second["id"]).status == "accepted" and _task(second["id"]).checkin_due_at is not None

    # the check-in is due: asked once
    _move(second["id"], checkin_due_at=utcnow() - timedelta(minutes=1))
    _scheduler_runs(app, "resilience.dispatch.safety_checkin")
    _scheduler_runs(app, "resilience.dispatch.safety_checkin")
    assert [b for b in _sms_to(sari["phone"]) if f"AMAN {second['code']}" in b] and \
        len([b for b in _sms_to(sari["phone"]) if f"AMAN {second['code']}" in b]) == 1

    # unanswered for the event's 10 minutes: an emergency, at once to the leader and the duty phone
    _move(second["id"], checkin_asked_at=utcnow() - timedelta(minutes=11))
    _scheduler_runs(app, "resilience.dispatch.safety_checkin")
    [emergency] = _open_alerts("safety_escalation")
    assert emergency.severity == "emergency"
    assert any("DARURAT" in body for body in _sms_to(LEADER)) and any("DARURAT" in body for body in _sms_to(DUTY))
    alerts = coordinator.get(f"/api/v1/alerts?event={event['id']}").get_json()["items"]
    assert alerts[0]["kind"] == "safety_escalation"  # emergencies first

    # acknowledged: the notifier repeats it no more
    assert coordinator.post(f"/api/v1/alerts/{emergency.id}/ack").status_code == 200
    with unit_of_work(db.session):
        db.session.get(Alert, emergency.id).notified_at = utcnow() - timedelta(minutes=30)
    before = len(_sms_to(LEADER))
    _scheduler_runs(app, "resilience.alerts.notify")
    assert len(_sms_to(LEADER)) == before

    # SELESAI
    reply(sari["phone"], f"SELESAI {second['code']}")
    assert _task(second["id"]).status == "done" and _task(second["id"]).need.status == "done"
    assert coordinator.get("/api/v1/audit/verify").get_json()["ok"] is True
