"""The whole SMS loop through real Celery worker processes and a real Redis, on PostGIS:
match → confirm → SMS at the fake Twilio → signed inbound YA → accepted → SELESAI → done;
and the faults where a message could be lost or sent twice."""

import time
from datetime import timedelta

from sqlalchemy import update

from resilience.core.db import utcnow
from resilience.extensions import db
from resilience.sms import sender
from resilience.sms.models import SmsMessage
from tests.conftest import Seed
from tests.fakes.twilio_server import Fault
from tests.sms.helpers import stored_messages

NEAR = {"lat": -1.6346, "lon": 113.6858}




def _wait(predicate, timeout=30.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _dispatch(client, households=1):
    seed = Seed(client)
    event = seed.event()
    volunteer = seed.volunteer(name="Budi", skills=["boat"], location={"lat": -1.64, "lon": 113.69},
                               capacity=households)
    for i in range(households):
        h = seed.household(nik=None, location={"lat": NEAR["lat"] - i * 0.001, "lon": NEAR["lon"]},
                           head_name=f"KK {i}")
        seed.need(event["id"], h["id"], "evacuation")
    client.post(f"/api/v1/events/{event['id']}/match")
    offered = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    return volunteer, offered


def test_whole_loop_through_workers(e2e):
    app, client, fake, _redis, workers = e2e
    workers.start()
    volunteer, offered = _dispatch(client)
    [create] = fake.wait_for_creates(1, timeout=30)
    code = offered[0]["code"]
    assert create.to == volunteer["phone"] and code in create.body
    _wait(lambda: stored_messages(kind="offer")[0].status == "sent", what="offer stored as sent")

    assert fake.send_inbound("https://posko.example.org/sms/twilio/inbound", from_=volunteer["phone"],
                             to="+15005550006", body=f"Ya {code}").status_code == 200
    _wait(lambda: client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "accepted",
          what="task accepted by the worker")
    fake.wait_for_creates(2, timeout=30)  # the confirmation
    fake.send_inbound("https://posko.example.org/sms/twilio/inbound", from_=volunteer["phone"],
                      to="+15005550006", body=f"SELESAI {code}")
    _wait(lambda: client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "done",
          what="task done")
    fake.wait_for_creates(3, timeout=30)
    assert [len(fake.creates_to(volunteer["phone"]))] == [3]
    assert client.get("/api/v1/audit/verify").get_json()["ok"] is True


def test_worker_killed_mid_send_sends_once(e2e):
    """The worker dies while Twilio is processing the request; the message reaches Twilio
    anyway. Nothing is sent twice: the row stays claimed and is reconciled."""
    app, client, fake, _redis, workers = e2e
    fake.script(Fault.timeout(4.0, record="after"))
    worker = workers.start(concurrency=1)
    _dispatch(client)
    _wait(lambda: len(fake.create_attempts) == 1, what="the create request")
    workers.kill(worker)
    fake.wait_for_creates(1, timeout=15)  # Twilio accepted it after all
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sending"
    workers.start(concurrency=1)  # Redis redelivers later; the claimed row makes it a no-op
    db.session.execute(update(SmsMessage).values(sending_since=offer.sending_since - timedelta(minutes=5)))
    db.session.commit()
    assert sender.reconcile(db.session, offer.id) == "adopted"
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sent" and offer.provider_sid == fake.creates[0].sid
    time.sleep(1)
    assert len(fake.creates) == 1


def test_redis_down_while_confirming_then_the_sweep_sends(e2e):
    app, client, fake, server, workers = e2e
    server.stop()
    volunteer, offered = _dispatch(client)  # the confirming request still succeeds
    assert offered and offered[0]["status"] == "offered"
    [offer] = stored_messages(kind="offer")
    assert offer.status == "queued"
    server.start()
    workers.start()
    db.session.execute(update(SmsMessage).values(updated_at=offer.updated_at - timedelta(minutes=5)))
    db.session.commit()
    with app.app_context():
        assert app.extensions["celery"].tasks["resilience.sms.sweep"].apply().get() == {"queued": 1, "stuck": 0}
    [create] = fake.wait_for_creates(1, timeout=30)
    assert create.to == volunteer["phone"]
    _wait(lambda: stored_messages(kind="offer")[0].status == "sent", what="sent after the sweep")
    assert len(fake.creates) == 1


def test_redis_restarted_with_queuedstored_messages(e2e):
    """Redis loses its queue (it keeps nothing on disk); the database still has every message
    queued, and the sweep sends each exactly once."""
    app, client, fake, server, workers = e2e
    _volunteer, offered = _dispatch(client, households=3)  # no worker yet: the ids wait in Redis
    assert len(offered) == 3
    server.stop()
    server.start()
    workers.start()
    time.sleep(1)
    assert fake.creates == []  # the queue was lost with Redis
    db.session.execute(update(SmsMessage).values(updated_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    with app.app_context():
        assert app.extensions["celery"].tasks["resilience.sms.sweep"].apply().get() == {"queued": 3, "stuck": 0}
    fake.wait_for_creates(3, timeout=30)
    _wait(lambda: all(m.status == "sent" for m in stored_messages(kind="offer")), what="all sent")
    time.sleep(1)
    assert len(fake.creates) == 3


CRASH_AFTER_SEND = '''
import os
from resilience.sms import gateways

_send = gateways.TwilioGateway.send


def send_then_crash(self, *args, **kwargs):
    sid = _send(self, *args, **kwargs)
    os._exit(137)  # the worker dies after Twilio answered, before the id is stored


gateways.TwilioGateway.send = send_then_crash
'''


def test_worker_killed_after_twilio_answered(e2e, tmp_path):
    """The answer (with the provider id) is lost with the worker; the status callback, which
    carries our own message id, still finds the message; nothing is sent twice."""
    app, client, fake, _redis, workers = e2e
    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    (crash_dir / "sitecustomize.py").write_text(CRASH_AFTER_SEND)
    workers.env = dict(workers.env, PYTHONPATH=f"{crash_dir}:{workers.env['PYTHONPATH']}")
    worker = workers.start(concurrency=1)
    _dispatch(client)
    [create] = fake.wait_for_creates(1, timeout=30)
    _wait(lambda: worker.poll() is not None or stored_messages(kind="offer")[0].status != "queued", timeout=10)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sending" and offer.provider_sid is None
    workers.kill(worker)
    workers.env = dict(workers.env, PYTHONPATH=workers.env["PYTHONPATH"].split(":", 1)[1])
    workers.start(concurrency=1)  # a healthy worker; a redelivered task finds the row claimed
    assert fake.send_status_callback(create.sid, "delivered").status_code == 204
    [offer] = stored_messages(kind="offer")
    assert offer.status == "delivered" and offer.provider_sid == create.sid
    time.sleep(1)
    assert len(fake.creates) == 1
