"""Issue 13's whole loop, end to end through real Celery worker processes, Redis and PostGIS,
the SMS at the fake Twilio, the periodic tasks sent by name as beat sends them:

offer → TIDAK with no candidate left (the volunteer is not told someone else will take it) →
no_candidate alert → the coordinator reassigns → YA → the safety check-in is asked and not
answered → escalation: an emergency SMS to the group leader and the coordinator on duty →
acknowledged → SELESAI.

Times are moved by writing the check-in columns back (no sleeping for an hour)."""

from __future__ import annotations

import time

from sqlalchemy import select, text

from resilience.alerts.models import Alert
from resilience.dispatch.models import Task
from resilience.extensions import db
from tests.conftest import Seed

INBOUND = "https://posko.example.org/sms/twilio/inbound"
TWILIO_NUMBER = "+15005550006"
DUTY = "+6281100000011"
LEADER = "+6281100000012"


def _wait(predicate, timeout=40.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _task(task_id: int) -> Task:
    db.session.rollback()
    task = db.session.get(Task, task_id)
    db.session.refresh(task)
    return task


def _alerts(kind: str) -> list[Alert]:
    db.session.rollback()
    rows = list(db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))
    db.session.rollback()
    return rows


def _beat(app, name: str) -> None:
    app.extensions["celery"].tasks[name].apply_async()


def _texts(fake, phone: str) -> list[str]:
    return [create.body for create in fake.creates_to(phone)]


def test_a_flood_morning_through_workers(e2e):
    app, client, fake, _redis, workers = e2e
    workers.start()
    seed = Seed(client)
    event = client.post("/api/v1/events", json={
        "name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z", "duty_phone": DUTY,
        "checkin_after_minutes": 30, "checkin_escalate_minutes": 10}).get_json()
    group = client.post("/api/v1/groups", json={"name": "Tim Perahu Mungku Baru", "kind": "community",
                                                "leader_phone": LEADER}).get_json()
    budi = seed.volunteer(name="Budi", skills=["boat"], group_id=group["id"], location={"lat": -1.64, "lon": 113.69})
    household = seed.household(nik=None, members=4, pregnant_or_lactating=1)
    seed.need(event["id"], household["id"], "evacuation", priority=5, priority_reason="ibu hamil, air 1,5 m")

    # the offer
    assert client.post(f"/api/v1/events/{event['id']}/match").status_code == 200
    [offer] = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    _wait(lambda: any(offer["code"] in body for body in _texts(fake, budi["phone"])), what="the offer SMS")

    # TIDAK with nobody else who has a boat: the need waits, an alert says so, and Budi is
    # told the truth (the coordinator looks for someone, not "it goes to someone else")
    fake.send_inbound(INBOUND, from_=budi["phone"], to=TWILIO_NUMBER, body=f"TIDAK {offer['code']} perahu bocor")
    _wait(lambda: len(_alerts("no_candidate")) == 1, what="the no_candidate alert")
    assert _task(offer["id"]).status == "declined" and _task(offer["id"]).decline_reason == "perahu bocor"
    _wait(lambda: len(_texts(fake, budi["phone"])) == 2, what="the answer to TIDAK")
    answer = _texts(fake, budi["phone"])[-1]
    assert "Koordinator akan mencarikan relawan lain" in answer
    listed = client.get(f"/api/v1/alerts?event={event['id']}").get_json()["items"]
    assert [a["kind"] for a in listed] == ["no_candidate"]

    # the coordinator finds Sari (a boat, just registered) and gives her the need
    sari = seed.volunteer(name="Sari", skills=["boat"], group_id=group["id"], location={"lat": -1.641, "lon": 113.691})
    # (a declined task is over: the need is matched again, Budi excluded since he declined it)
    assert client.patch(f"/api/v1/tasks/{offer['id']}", json={"volunteer_id": sari["id"]}).status_code == 409
    assert client.post(f"/api/v1/events/{event['id']}/match").status_code == 200
    [second] = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    assert second["volunteer_id"] == sari["id"]
    _wait(lambda: any(second["code"] in body for body in _texts(fake, sari["phone"])), what="Sari's offer")
    _wait(lambda: not [a for a in _alerts("no_candidate") if a.is_open], what="the alert resolved by the new task")

    # YA: accepted, and the safety check-in is due after the event's 30 minutes
    fake.send_inbound(INBOUND, from_=sari["phone"], to=TWILIO_NUMBER, body=f"ya {second['code']} pak")
    _wait(lambda: _task(second["id"]).status == "accepted", what="the accept")
    assert _task(second["id"]).checkin_due_at is not None

    # the check-in is due: the sweep (as beat sends it) asks once
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET checkin_due_at = now() - interval '1 minute' WHERE id = :id"),
                     {"id": second["id"]})
    _beat(app, "resilience.dispatch.safety_checkin")
    question = f"AMAN {second['code']}"
    _wait(lambda: any(question in body for body in _texts(fake, sari["phone"])), what="the check-in question")

    # no answer within 10 minutes: an emergency to the leader and the coordinator on duty
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET checkin_asked_at = now() - interval '11 minutes' WHERE id = :id"),
                     {"id": second["id"]})
    _beat(app, "resilience.dispatch.safety_checkin")
    _wait(lambda: len(_alerts("safety_escalation")) == 1, what="the escalation")
    [emergency] = _alerts("safety_escalation")
    assert emergency.severity == "emergency" and emergency.task_id == second["id"]
    _wait(lambda: _texts(fake, LEADER) and any("DARURAT" in body for body in _texts(fake, DUTY)),
          what="the emergency SMS to the leader and the duty phone")
    assert "DARURAT" in _texts(fake, LEADER)[0] and "Sari" in _texts(fake, LEADER)[0]

    # acknowledged on the alerts list: no more repeats
    assert client.post(f"/api/v1/alerts/{emergency.id}/ack").status_code == 200
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET notified_at = now() - interval '30 minutes' WHERE id = :id"),
                     {"id": emergency.id})
    sent_to_leader = len(_texts(fake, LEADER))
    _beat(app, "resilience.alerts.notify")
    time.sleep(3)
    assert len(_texts(fake, LEADER)) == sent_to_leader

    # SELESAI: the household is served, and the log verifies
    fake.send_inbound(INBOUND, from_=sari["phone"], to=TWILIO_NUMBER, body=f"SELESAI {second['code']}")
    _wait(lambda: _task(second["id"]).status == "done", what="done")
    assert _task(second["id"]).need.status == "done"
    assert client.get("/api/v1/audit/verify").get_json()["ok"] is True
