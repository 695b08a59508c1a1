"""The volunteer safety check-in, on both databases: the due time set on accept for at-risk
categories only, the sweep asking once and escalating after the interval (explicit ``now``, no
sleeping), AMAN and BANTU by SMS through the real inbound path (the simulator), the audit
entries and the emergency alert; the event settings in the API and the counts in the report;
two sweeps at once (and a sweep beside a reply holding a task's lock) on the real databases."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from resilience.alerts.models import Alert
from resilience.alerts.operations import acknowledge
from resilience.audit.models import AuditEntry
from resilience.core.db import utcnow
from resilience.dispatch.checkin import sweep
from resilience.dispatch.models import Task
from resilience.extensions import db
from resilience.sms.models import SmsMessage
from tests.factories import writing

NEAR = {"lat": -1.6346, "lon": 113.6858}


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _reply(client, phone, body) -> str:
    response = client.post("/api/v1/sms/simulate", json={"from": phone, "body": body})
    assert response.status_code == 200, response.get_json()
    replies = response.get_json()["replies"]
    return replies[0]["body"] if replies else ""


def _accepted(coordinator, seed, categories=("evacuation",), event=None, **event_settings):
    """One accepted task per category (each need its own volunteer), accepted by SMS."""
    event = event or seed.event(**event_settings)
    volunteers = []
    for i, category in enumerate(categories):
        h = seed.household(nik=None, location={"lat": NEAR["lat"] - 0.001 * i, "lon": NEAR["lon"]},
                           head_name=f"Keluarga {i}")
        seed.need(event["id"], h["id"], category)
        volunteers.append(seed.volunteer(name=f"Relawan {len(volunteers)}", location=NEAR, capacity=1,
                                         skills=["boat", "first_aid", "cooking", "counseling", "logistics"]))
    coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 20000})
    offered = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    assert len(offered) == len(categories)
    phones = {v["id"]: v["phone"] for v in volunteers}
    tasks = []
    for task in offered:
        assert "SELESAI" in _reply(coordinator, phones[task["volunteer_id"]], f"YA {task['code']}")
        tasks.append(coordinator.get(f"/api/v1/tasks/{task['id']}").get_json())
    by_category = {}
    for task in tasks:
        category = coordinator.get(f"/api/v1/needs/{task['need_id']}").get_json()["category"]
        by_category[category] = {**task, "phone": phones[task["volunteer_id"]]}
    return event, by_category


def _due(task) -> datetime:
    """The task's check-in due time as stored (the API shows whole seconds)."""
    db.session.rollback()
    return db.session.get(Task, task["id"]).checkin_due_at


def _accepted_at(task) -> datetime:
    db.session.rollback()
    return db.session.get(Task, task["id"]).accepted_at


def _due_now(app, task, ago: timedelta = timedelta(seconds=1)) -> datetime:
    """Make the task's check-in due ``ago`` before now, for tests where a volunteer's reply
    (stamped with the real time) follows the question."""
    db.session.rollback()
    with writing("system") as session:
        session.get(Task, task["id"]).checkin_due_at = utcnow() - ago
    return _due(task)


def _sweep(now: datetime) -> dict[str, int]:
    with writing("system") as session:
        return sweep(session, now)


def _checkin_sms(task_id: int) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(SmsMessage.body).where(SmsMessage.task_id == task_id,
                                                                 SmsMessage.kind == "checkin")))


def _actions(task_id: int) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "task", AuditEntry.entity_id == task_id).order_by(AuditEntry.seq)))


def _alerts(task_id: int) -> list[Alert]:
    db.session.rollback()
    return list(db.session.scalars(select(Alert).where(Alert.kind == "safety_escalation",
                                                       Alert.subject == f"task:{task_id}").order_by(Alert.id)))


# --- the due time ---------------------------------------------------------------------------------
def test_due_time_is_set_on_accept_for_at_risk_categories_only(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation", "medical", "food"))
    for category in ("evacuation", "medical"):
        task = tasks[category]
        assert _due(task) == _accepted_at(task) + timedelta(minutes=60)
        assert _t(task["checkin_due_at"]) == _due(task).replace(microsecond=0)  # shown in the API
        assert task["checkin_asked_at"] is None and task["checkin_escalated_at"] is None
    assert tasks["food"]["checkin_due_at"] is None


def test_the_event_chooses_categories_and_interval(coordinator, seed):
    event = seed.event(checkin_categories=["food"], checkin_after_minutes=5)
    _event, tasks = _accepted(coordinator, seed, ("evacuation", "food"), event=event)
    assert tasks["evacuation"]["checkin_due_at"] is None
    food = tasks["food"]
    assert _due(food) == _accepted_at(food) + timedelta(minutes=5)


def test_no_check_in_when_the_event_has_no_categories(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation",), checkin_categories=[])
    assert tasks["evacuation"]["checkin_due_at"] is None
    assert _sweep(_accepted_at(tasks["evacuation"]) + timedelta(days=1)) == {"asked": 0, "escalated": 0}


# --- the sweep ------------------------------------------------------------------------------------
def test_sweep_asks_once_when_due(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation", "food"))
    task = tasks["evacuation"]
    due = _due(task)
    assert _sweep(due - timedelta(seconds=1)) == {"asked": 0, "escalated": 0}
    assert _checkin_sms(task["id"]) == []
    assert _sweep(due) == {"asked": 1, "escalated": 0}
    assert _sweep(due + timedelta(minutes=1)) == {"asked": 0, "escalated": 0}  # run twice: one SMS
    code = task["code"]
    assert _checkin_sms(task["id"]) == [f"Balas AMAN {code} jika Anda aman, BANTU {code} jika butuh bantuan."]
    assert _checkin_sms(tasks["food"]["id"]) == []
    shown = coordinator.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert _t(shown["checkin_asked_at"]) == due.replace(microsecond=0)
    actions = _actions(task["id"])
    assert actions.count("task.checkin_asked") == 1
    assert actions[-1] == "task.checkin_asked"  # one explicit entry, no generic task.updated beside it
    assert "task.updated" not in actions


def test_sweep_escalates_an_unanswered_check_in_after_the_interval(coordinator, seed):
    event, tasks = _accepted(coordinator, seed, ("evacuation",))
    task = tasks["evacuation"]
    asked = _due(task)
    _sweep(asked)
    assert _sweep(asked + timedelta(minutes=14, seconds=59)) == {"asked": 0, "escalated": 0}
    assert _alerts(task["id"]) == []
    assert _sweep(asked + timedelta(minutes=15)) == {"asked": 0, "escalated": 1}
    assert _sweep(asked + timedelta(minutes=30)) == {"asked": 0, "escalated": 0}
    [alert] = _alerts(task["id"])
    assert alert.severity == "emergency" and alert.is_open
    assert (alert.event_id, alert.task_id, alert.volunteer_id, alert.need_id) == \
        (event["id"], task["id"], task["volunteer_id"], task["need_id"])
    assert alert.params["code"] == task["code"] and alert.params["reason"] == "no_answer"
    assert alert.params["escalate_minutes"] == 15
    flat = repr(alert.params)
    assert task["phone"] not in flat and "Relawan" not in flat and "Keluarga" not in flat
    shown = coordinator.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert _t(shown["checkin_escalated_at"]) == (asked + timedelta(minutes=15)).replace(microsecond=0)
    assert _actions(task["id"]).count("task.checkin_escalated") == 1
    db.session.rollback()
    created = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == "alert", AuditEntry.entity_id == alert.id, AuditEntry.action == "alert.created"))
    assert created == 1


def test_the_escalation_interval_is_the_events(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("medical",), checkin_escalate_minutes=3)
    asked = _due(tasks["medical"])
    _sweep(asked)
    assert _sweep(asked + timedelta(minutes=2))["escalated"] == 0
    assert _sweep(asked + timedelta(minutes=3))["escalated"] == 1


def test_a_task_that_ended_is_neither_asked_nor_escalated(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation", "medical"))
    done, asked = tasks["evacuation"], tasks["medical"]
    _reply(coordinator, done["phone"], f"SELESAI {done['code']}")
    due = max(_due(done), _due(asked))
    assert _sweep(due) == {"asked": 1, "escalated": 0}
    assert _checkin_sms(done["id"]) == []
    # asked, then the task ends before the interval: no escalation
    _reply(coordinator, asked["phone"], f"SELESAI {asked['code']}")
    assert _sweep(due + timedelta(hours=1)) == {"asked": 0, "escalated": 0}
    assert _alerts(asked["id"]) == []


def test_a_closed_event_is_not_swept(coordinator, seed):
    event, tasks = _accepted(coordinator, seed, ("evacuation",))
    assert coordinator.patch(f"/api/v1/events/{event['id']}", json={"status": "closed"}).status_code == 200
    assert _sweep(_due(tasks["evacuation"])) == {"asked": 0, "escalated": 0}


def test_the_beat_schedule_and_the_celery_task_run_the_sweep(app, coordinator, seed):
    from resilience.dispatch.tasks import SAFETY_CHECKIN_TASK

    celery = app.extensions["celery"]
    assert any(entry["task"] == SAFETY_CHECKIN_TASK and float(entry["schedule"]) <= 60
               for entry in celery.conf.beat_schedule.values())
    _event, tasks = _accepted(coordinator, seed, ("evacuation",), checkin_after_minutes=1)
    task = tasks["evacuation"]
    db.session.rollback()
    with db.engine.begin() as conn:  # due a minute ago, as if the hour had passed
        conn.execute(text("UPDATE tasks SET checkin_due_at = :t WHERE id = :id"),
                     {"t": "2026-01-01 00:00:00" if app.config["SETTINGS"].is_sqlite else "2026-01-01T00:00:00Z",
                      "id": task["id"]})
    db.session.remove()
    assert celery.tasks[SAFETY_CHECKIN_TASK].apply().get() == {"asked": 1, "escalated": 0}
    assert len(_checkin_sms(task["id"])) == 1


# --- AMAN and BANTU by SMS --------------------------------------------------------------------------
def test_aman_answers_the_check_in(app, coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation",))
    task = tasks["evacuation"]
    asked = _due_now(app, task)
    _sweep(asked)
    answer = _reply(coordinator, task["phone"], "aman pak")  # the code may be left out
    assert answer.startswith("Terima kasih, Anda tercatat aman") and task["code"] in answer
    shown = coordinator.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert shown["checkin_safe_at"] and shown["status"] == "accepted"
    assert _sweep(asked + timedelta(hours=2)) == {"asked": 0, "escalated": 0}
    assert _alerts(task["id"]) == []
    assert _actions(task["id"])[-1] == "task.checkin_safe"


def test_aman_after_the_escalation_is_shown_on_the_alert_which_stays_open(app, coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation",))
    task = tasks["evacuation"]
    asked = _due_now(app, task, ago=timedelta(minutes=20))
    _sweep(asked)
    assert _sweep(asked + timedelta(minutes=20))["escalated"] == 1
    answer = _reply(coordinator, task["phone"], f"AMAN {task['code']}")
    assert "tercatat aman" in answer
    [alert] = _alerts(task["id"])
    assert alert.is_open and alert.severity == "emergency"  # a person closes an emergency
    assert alert.params["safe_at"] and alert.params["reason"] == "no_answer"
    assert "task.checkin_safe" in _actions(task["id"])


def test_bantu_escalates_at_once_and_again_after_an_acknowledgement(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation",))
    task = tasks["evacuation"]  # not yet asked: BANTU counts whenever it comes
    answer = _reply(coordinator, task["phone"], f"BANTU {task['code']} perahu terbalik")
    assert "koordinator" in answer and task["code"] in answer
    [alert] = _alerts(task["id"])
    assert alert.severity == "emergency" and alert.is_open and alert.params["reason"] == "help"
    assert alert.volunteer_id == task["volunteer_id"] and alert.task_id == task["id"]
    shown = coordinator.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert shown["checkin_help_at"] and shown["checkin_escalated_at"]
    actions = _actions(task["id"])
    assert actions[-2:] == ["task.checkin_help", "task.checkin_escalated"]
    _reply(coordinator, task["phone"], "BANTU")  # again while open: the same alert
    assert len(_alerts(task["id"])) == 1
    with writing() as session:
        acknowledge(session, alert.id, "coordinator:koordinator@posko.test")
    _reply(coordinator, task["phone"], "bantu")  # after the acknowledgement: a new emergency
    alerts = _alerts(task["id"])
    assert len(alerts) == 2 and alerts[1].is_open and alerts[1].severity == "emergency"
    assert _actions(task["id"]).count("task.checkin_escalated") == 2
    # answered by BANTU: the sweep does not ask or escalate it again
    assert _sweep(_due(task) + timedelta(hours=1))["escalated"] == 0


def test_aman_before_the_question_does_not_answer_it(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation",))
    task = tasks["evacuation"]
    assert "tercatat aman" in _reply(coordinator, task["phone"], "AMAN")  # recorded, an hour early
    assert _actions(task["id"])[-1] == "task.checkin_safe"
    due = _due(task)
    assert _sweep(due) == {"asked": 1, "escalated": 0}  # still asked when due
    assert _sweep(due + timedelta(minutes=15)) == {"asked": 0, "escalated": 1}  # and not answered


def test_bantu_without_a_task_still_raises_an_alert(coordinator, seed):
    volunteer = seed.volunteer(name="Tanpa Tugas", skills=["boat"], location=NEAR)
    answer = _reply(coordinator, volunteer["phone"], "BANTU")
    assert "koordinator" in answer
    db.session.rollback()
    alert = db.session.scalar(select(Alert).where(Alert.subject == f"volunteer:{volunteer['id']}"))
    assert alert is not None and alert.severity == "emergency" and alert.kind == "safety_escalation"


def test_aman_for_a_task_without_check_in_and_for_someone_elses_code(coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("food", "evacuation"))
    food, evac = tasks["food"], tasks["evacuation"]
    assert "Tidak ada cek keselamatan" in _reply(coordinator, food["phone"], f"AMAN {food['code']}")
    assert coordinator.get(f"/api/v1/tasks/{food['id']}").get_json()["checkin_safe_at"] is None
    assert "tidak ditemukan" in _reply(coordinator, food["phone"], f"AMAN {evac['code']}")
    assert coordinator.get(f"/api/v1/tasks/{evac['id']}").get_json()["checkin_safe_at"] is None


# --- the event settings in the API ------------------------------------------------------------------
def test_event_check_in_settings_are_validated(coordinator):
    body = {"name": "Banjir Uji", "started_at": "2026-03-10T06:00:00Z"}
    created = coordinator.post("/api/v1/events", json=body).get_json()
    assert (created["checkin_after_minutes"], created["checkin_escalate_minutes"]) == (60, 15)
    assert created["checkin_categories"] == ["evacuation", "medical"]
    custom = coordinator.post("/api/v1/events", json={**body, "checkin_after_minutes": 90,
                                                       "checkin_categories": ["medical"]}).get_json()
    assert custom["checkin_after_minutes"] == 90 and custom["checkin_categories"] == ["medical"]
    path = f"/api/v1/events/{created['id']}"
    for bad in ({"checkin_after_minutes": 0}, {"checkin_escalate_minutes": 1441},
                {"checkin_categories": ["boats"]}, {"checkin_categories": ["food", "food"]},
                {"checkin_categories": "food"}, {"checkin_after_minutes": "soon"}):
        response = coordinator.patch(path, json=bad)
        assert response.status_code == 422, bad
        assert {e["field"].split(".")[0] for e in response.get_json()["errors"]} == set(bad), response.get_json()
    assert coordinator.get(path).get_json()["checkin_after_minutes"] == 60  # nothing stored
    changed = coordinator.patch(path, json={"checkin_after_minutes": 1440, "checkin_escalate_minutes": 1,
                                            "checkin_categories": []}).get_json()
    assert (changed["checkin_after_minutes"], changed["checkin_escalate_minutes"], changed["checkin_categories"]) \
        == (1440, 1, [])


# --- the report -------------------------------------------------------------------------------------
def test_report_counts_check_ins_without_names(app, coordinator, official, seed):
    event, tasks = _accepted(coordinator, seed, ("evacuation", "medical", "food"))
    evac, medical = tasks["evacuation"], tasks["medical"]
    due = max(_due_now(app, evac), _due_now(app, medical))
    _sweep(due)
    _reply(coordinator, evac["phone"], f"AMAN {evac['code']}")
    _sweep(due + timedelta(minutes=15))
    report = official.get(f"/api/v1/events/{event['id']}/report").get_json()
    assert report["safety_checkin"] == {"with_checkin": 2, "asked": 2, "safe": 1, "help": 0, "escalated": 1}
    assert "safety_checkin" in report["definitions"]


# --- concurrency --------------------------------------------------------------------------------------
def test_two_sweeps_at_once_ask_each_task_once(app, coordinator, seed):
    _event, tasks = _accepted(coordinator, seed, ("evacuation", "medical") * 3)
    # all six tasks: tasks holds one per category, so read them all back
    db.session.rollback()
    ids = list(db.session.scalars(select(Task.id).where(Task.checkin_due_at.is_not(None))))
    assert len(ids) == 6
    now = max(db.session.scalars(select(Task.checkin_due_at).where(Task.id.in_(ids))))
    db.session.rollback()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(_sweep(now))
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r["asked"] for r in results) == 6
    db.session.rollback()
    per_task = dict(db.session.execute(select(SmsMessage.task_id, func.count()).where(SmsMessage.kind == "checkin")
                                       .group_by(SmsMessage.task_id)).all())
    assert per_task == {task_id: 1 for task_id in ids}
    asked_entries = db.session.scalar(select(func.count()).select_from(AuditEntry)
                                      .where(AuditEntry.action == "task.checkin_asked"))
    assert asked_entries == 6


def test_the_sweep_skips_a_task_a_reply_holds_instead_of_waiting(app, coordinator, seed):
    if app.config["SETTINGS"].is_sqlite:
        pytest.skip("row locks are PostgreSQL's; SQLite serialises whole write transactions")
    _event, tasks = _accepted(coordinator, seed, ("evacuation", "medical"))
    held, free = tasks["evacuation"], tasks["medical"]
    now = max(_due(held), _due(free))
    db.session.rollback()
    with db.engine.connect() as other:
        other.execute(text("SELECT id FROM tasks WHERE id = :id FOR UPDATE"), {"id": held["id"]})
        assert _sweep(now) == {"asked": 1, "escalated": 0}  # returned without waiting for the lock
        other.rollback()
    assert _checkin_sms(held["id"]) == [] and len(_checkin_sms(free["id"])) == 1
    assert _sweep(now) == {"asked": 1, "escalated": 0}  # the next run asks the released one
    assert len(_checkin_sms(held["id"])) == 1


# --- the lifecycle's check-in moves, directly (nothing committed) -------------------------------------
def test_the_lifecycle_moves_check_each_precondition(app):
    from resilience.dispatch import lifecycle
    from tests.dispatch.test_lifecycle import World

    world = World(db.session)
    try:
        task = world.task("accepted", need=world.need("evacuation"))
        due = task.checkin_due_at
        assert due == task.accepted_at + timedelta(minutes=60)
        assert not lifecycle.ask_checkin(world.session, task, due - timedelta(seconds=1))  # not yet due
        assert lifecycle.escalate_unanswered(world.session, task, due + timedelta(hours=1)) is None  # not asked
        assert lifecycle.ask_checkin(world.session, task, due)
        assert not lifecycle.ask_checkin(world.session, task, due)  # once
        assert world.sms(task) == ["offer", "checkin"]
        assert lifecycle.escalate_unanswered(world.session, task, due + timedelta(minutes=14)) is None
        alert = lifecycle.escalate_unanswered(world.session, task, due + timedelta(minutes=15))
        assert alert is not None and alert.severity == "emergency" and task.checkin_escalated_at is not None
        assert lifecycle.escalate_unanswered(world.session, task, due + timedelta(minutes=30)) is None  # once
        assert world.actions("task", task.id)[-2:] == ["task.checkin_asked", "task.checkin_escalated"]
        food = world.task("accepted")  # food: no check-in
        assert food.checkin_due_at is None and not lifecycle.ask_checkin(world.session, food, due)
        assert not lifecycle.checkin_safe(world.session, food)
        ended = world.task("done", need=world.need("medical"))
        assert ended.checkin_due_at is not None
        assert not lifecycle.ask_checkin(world.session, ended, ended.checkin_due_at)  # ended: not asked
        with pytest.raises(ValueError):
            lifecycle._escalate(world.session, task, "bored", due)  # a programming error, not a reason
    finally:
        db.session.rollback()
