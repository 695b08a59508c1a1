"""Each alert kind is raised where it happens and resolved when its condition goes away, on
both databases; the parameters carry no personal data."""

from __future__ import annotations

import json

from resilience.alerts.models import Alert
from resilience.dispatch.alerting import sweep
from resilience.dispatch.offers import expire_offers
from tests.alerts.helpers import alerts, dispatched, reply, run, set_time

PERSONAL = ("Siti", "Aminah", "6271054507800001", "6271050101090003", "masjid", "+62", "0812", "Relawan")


def _no_personal_data(alert: Alert) -> None:
    text = json.dumps(alert.params)
    assert not any(word in text for word in PERSONAL), text


def test_a_decline_with_nobody_left_raises_no_candidate_and_a_new_offer_resolves_it(coordinator, seed):
    event, need, vols, offered = dispatched(coordinator, seed)
    assert alerts("no_candidate") == []
    reply(coordinator, vols[0]["phone"], f"TIDAK {offered[0]['code']}")
    [alert] = alerts("no_candidate")
    assert alert.is_open and alert.subject == f"need:{need['id']}" and alert.need_id == need["id"]
    assert alert.event_id == event["id"] and alert.severity == "warning"
    assert alert.params == {"category": "evacuation", "priority": need["priority"]}
    _no_personal_data(alert)

    seed.volunteer(name="Relawan Baru", skills=["boat"], location={"lat": -1.64, "lon": 113.69})
    coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 20000})
    assert alerts("no_candidate")[0].is_open  # a proposal is not a task yet
    assert coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    [alert] = alerts("no_candidate")
    assert alert.resolved_at is not None and alert.acknowledged_at is None


def test_closing_the_need_resolves_no_candidate(coordinator, seed):
    _event, need, vols, offered = dispatched(coordinator, seed)
    reply(coordinator, vols[0]["phone"], f"TIDAK {offered[0]['code']}")
    assert alerts("no_candidate")[0].is_open
    response = coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "cancelled"})
    assert response.status_code == 200, response.get_json()
    assert alerts("no_candidate")[0].resolved_at is not None


def test_two_expiries_raise_repeated_expiry_and_acceptance_resolves_it(app, coordinator, seed):
    _event, need, vols, offered = dispatched(coordinator, seed, volunteers=3)
    set_time(app, "tasks", "offered_at", offered[0]["id"])
    assert run(expire_offers) == 1
    assert alerts("repeated_expiry") == []  # once is not yet a pattern
    second = coordinator.get("/api/v1/tasks?status=offered").get_json()["items"]
    set_time(app, "tasks", "offered_at", second[0]["id"])
    assert run(expire_offers) == 1
    [alert] = alerts("repeated_expiry")
    assert alert.is_open and alert.params["expiries"] == 2 and alert.need_id == need["id"]
    _no_personal_data(alert)
    third = coordinator.get("/api/v1/tasks?status=offered").get_json()["items"][0]
    phone = next(v["phone"] for v in vols if v["id"] == third["volunteer_id"])
    reply(coordinator, phone, f"YA {third['code']}")
    assert alerts("repeated_expiry")[0].resolved_at is not None


def test_long_wait_is_raised_once_quiet_after_ack_and_resolved_when_accepted(app, coordinator, admin, seed):
    event, need, vols, offered = dispatched(coordinator, seed, priority=5, priority_reason="ibu hamil")
    assert run(sweep) == {"raised": 0, "resolved": 0}  # not waiting long yet
    set_time(app, "needs", "reported_at", need["id"])
    assert run(sweep)["raised"] == 1
    assert run(sweep)["raised"] == 0  # one alert per need, not one a minute
    [alert] = alerts("long_wait")
    assert alert.params["priority"] == 5 and alert.params["threshold"] == 30 and alert.params["minutes"] > 30
    _no_personal_data(alert)
    assert coordinator.post(f"/api/v1/alerts/{alert.id}/ack").status_code == 200
    assert run(sweep)["raised"] == 0  # acknowledged: the coordinator knows, still waiting
    reply(coordinator, vols[0]["phone"], f"YA {offered[0]['code']}")
    [alert] = alerts("long_wait")
    assert alert.resolved_at is not None


def test_long_wait_ignores_low_priorities_and_closed_events(app, coordinator, seed):
    _event, need, _vols, _offered = dispatched(coordinator, seed, category="food", priority=3,
                                               priority_reason="cukup")
    set_time(app, "needs", "reported_at", need["id"])
    assert run(sweep)["raised"] == 0
    coordinator.patch(f"/api/v1/needs/{need['id']}", json={"priority": 4, "priority_reason": "memburuk"})
    assert run(sweep)["raised"] == 1
    coordinator.patch(f"/api/v1/needs/{need['id']}", json={"priority": 2, "priority_reason": "membaik"})
    assert run(sweep)["resolved"] == 1  # the sweep resolves what nobody called in about
    assert alerts("long_wait")[0].resolved_at is not None


def test_stop_with_an_accepted_task_raises_opted_out_and_mulai_resolves_it(coordinator, seed):
    _event, _need, vols, offered = dispatched(coordinator, seed)
    reply(coordinator, vols[0]["phone"], f"YA {offered[0]['code']}")
    reply(coordinator, vols[0]["phone"], "STOP")
    [alert] = alerts("opted_out_with_tasks")
    assert alert.subject == f"volunteer:{vols[0]['id']}" and alert.task_id == offered[0]["id"]
    assert alert.params == {"tasks": [offered[0]["code"]], "count": 1}
    _no_personal_data(alert)
    reply(coordinator, vols[0]["phone"], "MULAI")
    assert alerts("opted_out_with_tasks")[0].resolved_at is not None


def test_stop_without_accepted_tasks_raises_nothing_and_a_cancelled_task_resolves_it(coordinator, seed):
    _event, _need, vols, offered = dispatched(coordinator, seed, volunteers=2)
    reply(coordinator, vols[0]["phone"], "STOP")  # the offer is declined and goes on
    assert alerts("opted_out_with_tasks") == []
    live = coordinator.get("/api/v1/tasks?status=offered").get_json()["items"][0]
    phone = next(v["phone"] for v in vols if v["id"] == live["volunteer_id"])
    reply(coordinator, phone, f"YA {live['code']}")
    reply(coordinator, phone, "BERHENTI")
    assert alerts("opted_out_with_tasks")[0].is_open
    coordinator.patch(f"/api/v1/tasks/{live['id']}", json={"status": "cancelled"})
    assert run(sweep)["resolved"] >= 1
    assert alerts("opted_out_with_tasks")[0].resolved_at is not None


def test_an_sms_that_failed_for_good_raises_sms_failed(app, coordinator, seed):
    from resilience.sms import hooks
    from resilience.sms.hooks import OUTBOUND_FAILED
    from resilience.sms.models import SmsMessage

    _event, _need, vols, offered = dispatched(coordinator, seed, volunteers=2)

    def fail(session):
        message = session.query(SmsMessage).filter_by(kind="offer").order_by(SmsMessage.id).first()
        message.status, message.error_code = "failed", 21610
        hooks.fire(OUTBOUND_FAILED, session, message)
        return message.id

    message_id = run(fail)
    [alert] = alerts("sms_failed")
    assert alert.subject == f"sms:{message_id}" and alert.sms_message_id == message_id
    assert alert.params == {"sms_kind": "offer", "error_code": 21610, "task_code": offered[0]["code"]}
    assert alert.task_id == offered[0]["id"] and alert.volunteer_id == vols[0]["id"]
    _no_personal_data(alert)
    # dispatch's hook ran first: the offer failed and went to the other volunteer
    assert coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "failed"
    run(lambda session: hooks.fire(OUTBOUND_FAILED, session, session.get(SmsMessage, message_id)))
    assert len(alerts("sms_failed")) == 1  # fired twice, one alert


def test_closing_the_event_resolves_its_need_alerts(coordinator, seed):
    event, _need, vols, offered = dispatched(coordinator, seed)
    reply(coordinator, vols[0]["phone"], f"TIDAK {offered[0]['code']}")
    assert alerts("no_candidate")[0].is_open
    assert coordinator.patch(f"/api/v1/events/{event['id']}", json={"status": "closed"}).status_code == 200
    assert run(sweep)["resolved"] == 1
    assert alerts("no_candidate")[0].resolved_at is not None
