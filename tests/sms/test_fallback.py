"""A fallback chain, SMS_BACKEND=twilio,gammu: the fake Twilio first, Gammu's dummy modem next.
A message that Twilio is known not to have taken (connection refused, 5xx, 429) and whose first
attempt is SMS_FALLBACK_AFTER old goes out by the modem, once, recording the channel and why;
an ambiguous or terminal Twilio failure never switches. Tasks in-process, both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from resilience.app import create_app
from resilience.core.db import set_read_only, utcnow
from resilience.extensions import db
from resilience.sms import sender
from resilience.sms.models import SmsMessage
from resilience.sms.outbox import queue
from tests.conftest import _reset, make_settings
from tests.fakes.twilio_server import Fault, flask_test_client_transport
from tests.sms.conftest import PUBLIC
from tests.sms.gammu_dummy import write_config



@pytest.fixture(params=["sqlite", "postgis"])
def chain_app(request, fake, tmp_path):
    base = request.getfixturevalue(f"{request.param}_app")
    settings = make_settings(
        base.config["SETTINGS"].database_url, tmp_path,
        SMS_BACKEND="twilio,gammu", TWILIO_ACCOUNT_SID=fake.account_sid, TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_FROM="+15005550006", TWILIO_API_URL=fake.base_url, PUBLIC_BASE_URL=PUBLIC,
        SMS_HTTP_TIMEOUT="2", GAMMU_CONFIG=str(write_config(tmp_path)), GAMMU_MAX_PER_SECOND="100",
        SMS_FALLBACK_AFTER="60")
    app = create_app(settings, TESTING=True)
    _reset(app)
    fake.webhook_transport = flask_test_client_transport(app.test_client())
    with app.app_context():
        yield app
        db.session.remove()


def _queue(bodies):
    ids = [queue(db.session, f"+6281300000{n:03d}", body, "test").id for n, body in enumerate(bodies)]
    db.session.commit()
    return ids


def _age(ids, seconds=120):
    """As if queued ``seconds`` ago and due now."""
    db.session.execute(update(SmsMessage).where(SmsMessage.id.in_(ids))
                       .values(created_at=utcnow() - timedelta(seconds=seconds), next_attempt_at=None))
    db.session.commit()


def _rows(ids):
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(select(SmsMessage).where(SmsMessage.id.in_(ids)).order_by(SmsMessage.id)).all()


def test_the_first_channel_carries_what_it_can(chain_app, fake):
    [message_id] = _queue(["Tes kanal pertama"])
    [message] = _rows([message_id])
    assert message.status == "sent" and message.channel == "twilio" and message.channel_reason == ""
    assert len(fake.creates) == 1


def test_twilio_down_for_a_while_sends_by_the_modem_once(chain_app, fake):
    fake.set_default(Fault.http_500())
    [message_id] = _queue(["Tes kanal cadangan"])
    [message] = _rows([message_id])
    assert message.status == "queued" and message.channel is None  # fresh: Twilio gets its retries
    _age([message_id])
    assert sender.send(db.session, message_id) == "switched"
    [message] = _rows([message_id])
    assert message.status == "sent" and message.channel == "gammu"
    assert message.channel_reason.startswith("twilio failed: Twilio answered 500")
    assert message.provider_sid == f"gammu:{message_id}:255"
    assert len(fake.creates) == 0  # Twilio never took it
    assert sender.send(db.session, message_id) == "not-queued"  # and it is not sent again
    from resilience.sms.schemas import SmsMessageSchema

    shown = SmsMessageSchema().dump(message)  # what the coordinator's API shows
    assert shown["channel"] == "gammu" and shown["channel_reason"].startswith("twilio failed")


def test_a_whole_batch_falls_back_together(chain_app, fake):
    fake.set_default(Fault.http_500())  # Twilio in trouble: known not taken
    ids = _queue([f"Pesan {i}" for i in range(4)])
    _age(ids)
    outcome = sender.send_batch(db.session, ids)
    assert set(outcome.values()) == {"switched"}
    rows = _rows(ids)
    assert [(m.status, m.channel) for m in rows] == [("sent", "gammu")] * 4
    # Each failed Twilio attempt counts (the first met Twilio twice), then one by the modem each.
    assert [m.attempts for m in rows] == [3, 1, 1, 1]


@pytest.mark.parametrize("fault", [Fault.timeout(3.0), Fault.error(21211)])
def test_ambiguous_or_terminal_failures_never_switch(chain_app, fake, fault):
    fake.set_default(Fault.http_500())
    [message_id] = _queue(["Tes tidak pindah"])
    _age([message_id])
    fake.set_default(fault)
    outcome = sender.send(db.session, message_id)
    [message] = _rows([message_id])
    assert outcome in ("ambiguous", "failed") and message.channel is None
    assert not (message.provider_sid or "").startswith("gammu:")


def test_twilio_unreachable_falls_back_to_the_modem(chain_app, fake):
    from resilience.sms.service import service

    service().gateway.client.api.base_url = "http://127.0.0.1:9"  # nothing listens: refused
    [message_id] = _queue(["Tes internet putus"])
    _age([message_id])
    assert sender.send(db.session, message_id) == "switched"
    [message] = _rows([message_id])
    assert message.status == "sent" and message.channel == "gammu"
    assert message.channel_reason == "twilio failed: could not connect to Twilio"
    assert len(fake.create_attempts) == 0
