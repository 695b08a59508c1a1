"""The embedded default sends SMS in a worker thread, as production does with a Celery worker:
confirming offers answers before the SMS go out, and they all go out afterwards, each once.
A process that stops with sends still waiting leaves them queued for the outbox sweep."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from resilience.app import create_app
from resilience.core.db import set_read_only, utcnow
from resilience.core.embedded import WORKER, EmbeddedWorker
from resilience.extensions import db
from resilience.sms.models import SmsMessage
from resilience.sms.outbox import SEND_TASK
from tests import factories
from tests.conftest import ApiClient, _reset, _token, make_settings


class HeldGateway:
    """The outbox gateway, except that every send waits until the test lets it through."""

    name = "outbox"

    def __init__(self):
        self.open = threading.Event()
        self.calls: Counter[int] = Counter()

    def send(self, message_id, to, body, status_callback):
        assert self.open.wait(20), "the test never let the gateway send"
        self.calls[message_id] += 1
        return f"HELD{message_id:08d}"

    def lookup(self, to, body, since):
        return None


@pytest.fixture(params=["sqlite", "postgis"])
def served(request, tmp_path):
    """An embedded app (no REDIS_URL) as ``resilience serve`` runs it: a worker thread sends."""
    base = request.getfixturevalue(f"{request.param}_app")
    settings = make_settings(base.config["SETTINGS"].database_url, tmp_path, SMS_MAX_PER_SECOND="50")
    assert settings.embedded
    app = create_app(settings, TESTING=True)
    _reset(app)
    gateway = HeldGateway()
    service = app.extensions["sms"]
    limiter = service.limiter
    service.gateway, service.channels = gateway, {"outbox": (gateway, limiter)}
    worker = EmbeddedWorker(app, [SEND_TASK])
    set_read_only(True)
    with app.app_context():
        worker.start()
        yield app, gateway, worker
        gateway.open.set()
        worker.stop()
        db.session.remove()
    set_read_only(False)


def _proposal(app, count: int) -> int:
    event = factories.event()
    for i in range(count):
        household = factories.household(nik=None, location={"lat": -1.6346 + 0.001 * i, "lon": 113.6858})
        factories.need(event, household, "food")
        factories.volunteer(skills=["cooking"], location={"lat": -1.635 + 0.001 * i, "lon": 113.686}, capacity=1)
    return event.id


def _statuses() -> Counter:
    db.session.rollback()
    rows = db.session.execute(select(SmsMessage.status, func.count()).group_by(SmsMessage.status)).all()
    db.session.rollback()
    return Counter(dict(rows))


def test_confirm_answers_before_the_sms_are_sent_and_the_worker_sends_each_once(served):
    app, gateway, worker = served
    coordinator = ApiClient(app.test_client(), _token(app, "koordinator@posko.test", "coordinator"))
    event_id = _proposal(app, 12)
    assert coordinator.post(f"/api/v1/events/{event_id}/match").status_code == 200

    # The gateway sends nothing until the test says so: an answer now proves the request did
    # not wait for a single SMS.
    response = coordinator.post(f"/api/v1/events/{event_id}/dispatch")
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["offered"]) == 12
    assert sum(gateway.calls.values()) == 0
    assert _statuses()["sent"] == 0 and _statuses()["queued"] + _statuses()["sending"] == 12

    gateway.open.set()
    assert worker.wait_idle(20)
    assert _statuses() == Counter({"sent": 12})
    assert sorted(gateway.calls.values()) == [1] * 12  # every offer sent exactly once


def test_sends_left_waiting_by_a_stopped_worker_are_recovered_by_the_sweep(served):
    app, gateway, worker = served
    coordinator = ApiClient(app.test_client(), _token(app, "koordinator@posko.test", "coordinator"))
    first, second = _proposal(app, 3), _proposal(app, 4)
    for event_id in (first, second):
        coordinator.post(f"/api/v1/events/{event_id}/match")
        assert coordinator.post(f"/api/v1/events/{event_id}/dispatch").status_code == 200
    # The worker is busy with the first batch (the gateway holds it); the second one waits in
    # memory. The process stops: what waited in memory is lost, its rows are still queued.
    worker.stop(timeout=0)
    gateway.open.set()
    worker.join(20)
    assert not worker.is_alive() and WORKER not in app.extensions
    statuses = _statuses()
    assert statuses["sent"] == 3 and statuses["queued"] == 4

    # After the sweep's grace period, the sweep (run as the scheduler runs it) sends them, eagerly
    # now that no worker thread takes the task.
    set_read_only(False)
    db.session.execute(update(SmsMessage).where(SmsMessage.status == "queued")
                       .values(updated_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    set_read_only(True)
    app.extensions["celery"].tasks["resilience.sms.sweep"].apply()
    assert _statuses() == Counter({"sent": 7})
    assert sorted(gateway.calls.values()) == [1] * 7
