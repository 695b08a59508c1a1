"""The SMS hooks: a small per-app registry that dispatch fills from the app factory, and one
inbound path (``inbox.receive`` → process task → ``INBOUND_RECEIVED``) whichever door an SMS
came in by."""

from __future__ import annotations

import pytest
from flask import Flask

from resilience.dispatch.inbound import on_inbound
from resilience.dispatch.offers import on_send_failed
from resilience.extensions import db
from resilience.sms import hooks
from resilience.sms.hooks import INBOUND_RECEIVED, OUTBOUND_FAILED, Hooks
from resilience.sms.models import SmsMessage


def test_handlers_run_in_registration_order_once_each():
    registry, calls = Hooks(), []
    first = lambda session, message: calls.append(("first", message))  # noqa: E731
    second = lambda session, message: calls.append(("second", message))  # noqa: E731
    registry.register(INBOUND_RECEIVED, first)
    registry.register(INBOUND_RECEIVED, second)
    registry.register(INBOUND_RECEIVED, first)  # registering twice does not run it twice
    registry.fire(INBOUND_RECEIVED, None, "m")
    registry.fire(OUTBOUND_FAILED, None, "n")  # nobody listens: nothing happens
    assert calls == [("first", "m"), ("second", "m")]


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="unknown SMS event"):
        Hooks().register("inbound_recieved", lambda session, message: None)


def test_the_app_factory_registers_dispatch_then_alerts(app: Flask):
    from resilience.alerts.hooks import on_send_failed as raise_sms_failed

    registry = app.extensions["sms"].hooks
    assert registry.handlers(INBOUND_RECEIVED) == [on_inbound]
    # dispatch first: a failed offer is re-offered before the alert says the SMS failed
    assert registry.handlers(OUTBOUND_FAILED) == [on_send_failed, raise_sms_failed]


def _spy(app, monkeypatch) -> list[tuple[int, str, str]]:
    seen = []
    registry = Hooks()
    registry.register(INBOUND_RECEIVED, lambda session, message: seen.append((message.id, message.direction,
                                                                               message.body)))
    monkeypatch.setattr(app.extensions["sms"], "hooks", registry)
    return seen


def test_the_simulator_goes_through_receive_and_the_hook(app, coordinator, seed, monkeypatch):
    volunteer = seed.volunteer()
    seen = _spy(app, monkeypatch)
    response = coordinator.post("/api/v1/sms/simulate", json={"from": volunteer["phone"], "body": "STATUS"})
    assert response.status_code == 200, response.get_json()
    inbound = response.get_json()["inbound"]
    assert seen == [(inbound["id"], "inbound", "STATUS")]
    assert response.get_json()["replies"] == []  # the spy answers nothing: dispatch was not called


def test_receive_processes_only_after_the_commit(app, seed, monkeypatch):
    from resilience.sms.inbox import receive

    volunteer = seed.volunteer()
    seen = _spy(app, monkeypatch)
    db.session.rollback()
    message = receive(db.session, volunteer["phone"], "YA", "SM" + "1" * 32)
    assert message.volunteer.id == volunteer["id"] and seen == []
    db.session.rollback()  # rolled back: never processed, never stored
    assert seen == [] and db.session.query(SmsMessage).count() == 0
    message = receive(db.session, volunteer["phone"], "YA", "SM" + "1" * 32)
    message_id = message.id
    db.session.commit()
    assert seen == [(message_id, "inbound", "YA")]
    assert receive(db.session, volunteer["phone"], "YA", "SM" + "1" * 32) is None  # the same MessageSid
    db.session.rollback()


def test_fire_uses_the_current_apps_registry(app, monkeypatch):
    seen = []
    registry = Hooks()
    registry.register(OUTBOUND_FAILED, lambda session, message: seen.append(message))
    monkeypatch.setattr(app.extensions["sms"], "hooks", registry)
    hooks.fire(OUTBOUND_FAILED, db.session, "failed-message")
    assert seen == ["failed-message"]
