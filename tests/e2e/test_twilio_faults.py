"""Twilio's failures through real Celery worker processes: 500, an HTML 502, a reset connection,
a read timeout, repeated 429s, an invalid number (21211) and an unsubscribed one (21610).

Each test dispatches offers, lets the fake misbehave, and waits until every message has ended:
delivered (the fake sends the status callbacks), failed with the provider's code, or to a
volunteer who opted out. Each asserts that the fake created every message at most once.

One Redis, one fake and one worker process serve the whole module (the worker is reused across
tests; the database, the fake and Redis are emptied between them). The worker's retry backoff
is compressed to 0.3 s by a ``sitecustomize`` on its path — the only thing changed in it — so
a test does not wait minutes for the schedule (5 s, 10 s, …).
"""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from resilience.core.db import set_read_only, utcnow
from resilience.extensions import db
from resilience.sms.models import SmsMessage
from tests.conftest import Seed, _reset
from tests.e2e.conftest import Stack
from tests.fakes.twilio_server import Fault

NEAR = {"lat": -1.6346, "lon": 113.6858}
FAST_BACKOFF = '''
from datetime import timedelta

from resilience.sms import sender

sender.backoff = lambda attempts: timedelta(seconds=0.3)
'''


@pytest.fixture(scope="module")
def stack(postgis_app, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    (tmp / "fast").mkdir()
    (tmp / "fast" / "sitecustomize.py").write_text(FAST_BACKOFF)
    stack = Stack(postgis_app, tmp)
    stack.env["PYTHONPATH"] = f"{tmp / 'fast'}:{stack.env['PYTHONPATH']}"
    try:
        stack.workers.start(concurrency=2)
        yield stack
    finally:
        stack.close()


@pytest.fixture
def faults(stack):
    _reset(stack.app)
    stack.fake.reset_state()
    stack.fake.auto_callbacks(("sent", "delivered"))
    set_read_only(True)
    try:
        with stack.app.app_context():
            yield stack.client(), stack.fake
            db.session.remove()
    finally:
        set_read_only(False)
        stack.fake.reset_state()


def _messages():
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "outbound")
                              .order_by(SmsMessage.id)).all()


def _dispatch(client, households=3, volunteers=1):
    """Offers to the first volunteer (capacity for all), the others nearby as fallbacks."""
    seed = Seed(client)
    event = seed.event()
    vols = [seed.volunteer(name=f"Relawan {i}", skills=["boat"], capacity=households,
                           location={"lat": -1.64 - 0.02 * i, "lon": 113.69}) for i in range(volunteers)]
    for i in range(households):
        h = seed.household(nik=None, location={"lat": NEAR["lat"] - i * 0.001, "lon": NEAR["lon"]},
                           head_name=f"KK {i}")
        seed.need(event["id"], h["id"], "evacuation")
    client.post(f"/api/v1/events/{event['id']}/match")
    offered = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    assert len(offered) == households
    return vols, offered


def _ended(message, opted_out_phones):
    return message.status == "delivered" or (message.status == "failed" and message.error_code) \
        or (message.phone in opted_out_phones and message.status in ("failed", "queued"))


def _settle(client, fake, timeout=30.0, reconcile=False):
    """Wait until every outbound message has ended; with ``reconcile``, age the rows stuck in
    ``sending`` and run the sweep through the workers (as beat would after STUCK_AFTER)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        opted_out = {v["phone"] for v in client.get("/api/v1/volunteers?per_page=100").get_json()["items"]
                     if v["sms_opt_out"]}
        messages = _messages()
        if messages and all(_ended(m, opted_out) for m in messages):
            return messages
        if reconcile and any(m.status == "sending" for m in messages):
            db.session.execute(update(SmsMessage).where(SmsMessage.status == "sending")
                               .values(sending_since=utcnow() - timedelta(minutes=10)))
            db.session.commit()
            client.client.application.extensions["celery"].tasks["resilience.sms.sweep"].apply_async()
        time.sleep(0.3)
    states = [(m.id, m.status, m.error_code, m.error_message) for m in _messages()]
    raise AssertionError(f"messages did not end in {timeout} s: {states}")


def _creates_per_message(fake):
    counts = {}
    for create in fake.creates:
        message_id = int(parse_qs(urlsplit(create.status_callback).query)["m"][0])
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts


def _assert_each_created_at_most_once(fake, messages):
    counts = _creates_per_message(fake)
    assert set(counts) <= {m.id for m in messages}
    assert all(n == 1 for n in counts.values()), counts
    for m in messages:
        if m.status == "delivered":
            assert counts.get(m.id) == 1 and m.provider_sid == [c.sid for c in fake.creates
                                                                   if f"m={m.id}" in c.status_callback][0]


@pytest.mark.parametrize("fault", [Fault.http_500(), Fault.html_502()], ids=["500", "html-502"])
def test_server_errors_are_retried_and_each_message_sent_once(faults, fault):
    client, fake = faults
    fake.script(fault)
    _dispatch(client)
    messages = _settle(client, fake)
    assert [m.status for m in messages] == ["delivered"] * 3
    _assert_each_created_at_most_once(fake, messages)
    assert len(fake.create_attempts) == 4 and sorted(m.attempts for m in messages) == [1, 1, 2]


def test_repeated_429_is_retried_until_accepted(faults):
    client, fake = faults
    fake.script(*[Fault.rate_limited(1)] * 4)
    _dispatch(client)
    messages = _settle(client, fake)
    assert [m.status for m in messages] == ["delivered"] * 3
    _assert_each_created_at_most_once(fake, messages)
    assert [a.fault for a in fake.create_attempts].count("rate_limited") == 4
    assert sum(m.attempts for m in messages) == 3 + 4  # each 429 counted once, then one send each


def test_connection_reset_is_reconciled_then_sent_once(faults):
    """A reset after the request went out is ambiguous: the row stays claimed until the sweep
    asks the provider, finds nothing, and sends it again."""
    client, fake = faults
    fake.script(Fault.reset())
    _dispatch(client)
    messages = _settle(client, fake, reconcile=True)
    assert [m.status for m in messages] == ["delivered"] * 3
    _assert_each_created_at_most_once(fake, messages)
    assert len(fake.create_attempts) == 4 and len(fake.creates) == 3


def test_read_timeout_is_adopted_not_resent(faults):
    """No answer within SMS_HTTP_TIMEOUT (2 s), but the provider created the message: the sweep
    finds it there and adopts it instead of sending a second one."""
    client, fake = faults
    fake.script(Fault.timeout(3.0, record="after"))
    _dispatch(client)
    fake.wait_for_creates(3, timeout=20)  # the stalled one is created after 3 s
    messages = _settle(client, fake, reconcile=True)
    assert [m.status for m in messages] == ["delivered"] * 3
    _assert_each_created_at_most_once(fake, messages)
    assert len(fake.create_attempts) == 3 and len(fake.creates) == 3


def test_invalid_number_fails_with_its_code_and_the_need_is_offered_again(faults):
    client, fake = faults
    fake.script(Fault.error(21211))
    vols, offered = _dispatch(client, households=1, volunteers=2)
    messages = _settle(client, fake)
    failed, reoffer = messages
    assert (failed.status, failed.error_code, failed.phone) == ("failed", 21211, vols[0]["phone"])
    assert (reoffer.status, reoffer.phone) == ("delivered", vols[1]["phone"])
    assert client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "failed"
    _assert_each_created_at_most_once(fake, messages)


def test_unsubscribed_volunteer_is_opted_out_and_replaced(faults):
    client, fake = faults
    seed_phone = "+6281200000001"
    fake.block_recipient(seed_phone, 21610)
    seed = Seed(client)
    event = seed.event()
    blocked = seed.volunteer(name="Berhenti", phone=seed_phone, skills=["boat"], capacity=3,
                             location={"lat": -1.64, "lon": 113.69})
    other = seed.volunteer(name="Siaga", skills=["boat"], capacity=3, location={"lat": -1.70, "lon": 113.69})
    for i in range(2):
        h = seed.household(nik=None, location={"lat": NEAR["lat"] - i * 0.001, "lon": NEAR["lon"]})
        seed.need(event["id"], h["id"], "evacuation")
    client.post(f"/api/v1/events/{event['id']}/match")
    offered = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    assert {t["volunteer_id"] for t in offered} == {blocked["id"]}
    messages = _settle(client, fake)
    assert client.get(f"/api/v1/volunteers/{blocked['id']}").get_json()["sms_opt_out"] is True
    to_blocked = [m for m in messages if m.phone == seed_phone]
    assert to_blocked and all((m.status, m.error_code) == ("failed", 21610) for m in to_blocked)
    assert fake.creates_to(seed_phone) == []
    assert len([a for a in fake.create_attempts if a.to == seed_phone]) == 1  # asked once per batch
    assert [m.status for m in messages if m.phone == other["phone"]] == ["delivered"] * 2
    _assert_each_created_at_most_once(fake, messages)
