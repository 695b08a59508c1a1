"""The GSM modem backend against a real Gammu: the ``dummy`` driver, whose phone keeps its SMS as
files (see tests/sms/gammu_dummy.py). Tasks run in-process (no REDIS_URL), on both databases.

Gammu's dummy driver hands a sent message to the network by encoding its PDU and answering with
message reference 255; it writes no file for it (libgammu/phone/dummy/dummy.c, DUMMY_SendSMS).
So a send is checked by what Gammu answered (one reference per part) and what we recorded;
inbound messages and status reports are files in the dummy's inbox, read by the real driver."""

import shutil
import threading
import time

import gammu
import pytest
from sqlalchemy import text, update

from resilience.app import create_app
from resilience.core.db import set_read_only
from resilience.extensions import db
from resilience.sms import sender
from resilience.sms.models import SmsMessage
from resilience.sms.modem import encode
from resilience.sms.outbox import queue
from resilience.sms.tasks import poll_modem
from tests.conftest import ApiClient, Seed, _reset, _token, make_settings
from tests.sms.gammu_dummy import Phone, write_config
from tests.sms.helpers import stored_messages

NEAR = {"lat": -1.6346, "lon": 113.6858}


@pytest.fixture(params=["sqlite", "postgis"])
def modem_app(request, tmp_path):
    base = request.getfixturevalue(f"{request.param}_app")
    config = write_config(tmp_path)
    settings = make_settings(base.config["SETTINGS"].database_url, tmp_path, SMS_BACKEND="gammu",
                             GAMMU_CONFIG=str(config), GAMMU_MAX_PER_SECOND="100")
    app = create_app(settings, TESTING=True)
    _reset(app)
    app.phone = Phone(config)
    set_read_only(True)
    with app.app_context():
        yield app
        db.session.remove()
    set_read_only(False)


@pytest.fixture
def client(modem_app):
    return ApiClient(modem_app.test_client(), _token(modem_app, "koordinator@posko.test", "coordinator"))


def _offer(client):
    seed = Seed(client)
    event = seed.event()
    h = seed.household(nik=None, location=NEAR)
    seed.need(event["id"], h["id"], "evacuation")
    volunteer = seed.volunteer(name="Rahmat", skills=["boat"], location={"lat": -1.64, "lon": 113.69})
    client.post(f"/api/v1/events/{event['id']}/match")
    [task] = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    return volunteer, task




def _queue(modem_app, bodies, phone="+6281300000001"):
    """Queue messages in one transaction (sent eagerly after its commit, as a request would)."""
    set_read_only(False)
    try:
        ids = [queue(db.session, phone, body, "test").id for body in bodies]
        db.session.commit()
    finally:
        set_read_only(True)
    return ids


def _poll(modem_app):
    set_read_only(False)
    try:
        return poll_modem.apply().get()
    finally:
        set_read_only(True)


def test_an_offer_goes_out_through_the_modem(client):
    volunteer, task = _offer(client)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sent" and offer.attempts == 1
    # Gammu's dummy answers reference 255 for each part it is handed.
    assert offer.provider_sid == f"gammu:{offer.id}:" + ".".join(["255"] * offer.segments)
    assert offer.phone == volunteer["phone"] and task["code"] in offer.body


def test_a_two_segment_message_goes_as_two_concatenated_parts(modem_app):
    body = "Tugas evakuasi: perahu ke RT 02 dekat masjid, bawa pelampung, senter dan tali. " * 2 + "Terima kasih."
    assert len(body) > 160
    [message_id] = _queue(modem_app, [body])
    [message] = stored_messages(id=message_id)
    assert message.status == "sent" and message.segments == 2
    assert message.provider_sid == f"gammu:{message_id}:255.255"  # one reference per part
    parts = encode(body)
    assert [part["UDH"]["Type"] for part in parts] == ["ConcatenatedMessages"] * 2
    assert gammu.DecodeSMS(parts)["Entries"][0]["Buffer"] == body  # Gammu joins them back exactly


def test_a_reply_in_the_modem_inbox_accepts_the_task(client, modem_app):
    volunteer, task = _offer(client)
    local = "0" + volunteer["phone"][3:]  # a modem reports Indonesian senders as 08…
    modem_app.phone.deliver(local, f"ya {task['code']}")
    counts = _poll(modem_app)
    assert counts == {"received": 1, "duplicates": 0, "reports": 0}
    assert client.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "accepted"
    [inbound] = stored_messages(direction="inbound")
    assert inbound.phone == volunteer["phone"] and inbound.provider_sid.startswith("gammu-in:")
    assert modem_app.phone.inbox_files() == []  # deleted from the modem once stored
    confirmation = stored_messages(kind="confirmation") or stored_messages(direction="outbound")[1:]
    assert confirmation and confirmation[-1].status == "sent"  # the answer went out by the modem too


def test_a_message_read_twice_is_processed_once(client, modem_app):
    """A crash between the commit and the delete leaves the message in the modem: the next poll
    finds it again and drops it on its stable id."""
    volunteer, task = _offer(client)
    modem_app.phone.deliver(volunteer["phone"], f"YA {task['code']}")
    saved = {path: path.read_bytes() for path in modem_app.phone.inbox_files()}
    assert _poll(modem_app)["received"] == 1
    for path, content in saved.items():  # as if the delete never happened
        path.write_bytes(content)
    assert _poll(modem_app) == {"received": 0, "duplicates": 1, "reports": 0}
    assert len(stored_messages(direction="inbound")) == 1
    assert modem_app.phone.inbox_files() == []


def test_a_long_reply_arrives_joined(client, modem_app):
    volunteer, _ = _offer(client)
    text = "Maaf saya tidak bisa, perahu saya rusak dan jalan ke posko masih tergenang air setinggi dada. " * 2
    assert len(modem_app.phone.deliver(volunteer["phone"], text)) == 2
    assert _poll(modem_app)["received"] == 1
    [inbound] = stored_messages(direction="inbound")
    assert inbound.body == text and inbound.segments == 2


def test_a_long_reply_waits_in_the_modem_for_its_last_part(client, modem_app):
    volunteer, _ = _offer(client)
    text = "Saya sudah sampai di posko tetapi perahunya belum datang, mohon dicek lagi ke koordinator lapangan. " * 2
    first, second = modem_app.phone.encode(text)
    modem_app.phone.deliver(volunteer["phone"], [first])
    assert _poll(modem_app)["received"] == 0  # half a message is not a reply yet
    assert len(modem_app.phone.inbox_files()) == 1 and stored_messages(direction="inbound") == []
    modem_app.phone.deliver(volunteer["phone"], [second])
    assert _poll(modem_app)["received"] == 1
    [inbound] = stored_messages(direction="inbound")
    assert inbound.body == text and modem_app.phone.inbox_files() == []


def test_status_reports_settle_the_message(modem_app):
    [first, second] = _queue(modem_app, ["Tes laporan 1", "Tes laporan 2"], phone="+6281300000009")
    modem_app.phone.report("+6281300000009", 255, status=0)
    assert _poll(modem_app)["reports"] == 1
    # The dummy gives every message reference 255: the report settles the latest one.
    assert [m.status for m in stored_messages(id=first) + stored_messages(id=second)] == ["sent", "delivered"]
    assert stored_messages(id=second)[0].delivered_at is not None
    [third] = _queue(modem_app, ["Tes laporan 3"], phone="+6281300000010")
    modem_app.phone.report("081300000010", 255, status=0x41)  # permanent error at the network
    _poll(modem_app)
    [message] = stored_messages(id=third)
    assert message.status == "undelivered" and message.error_code == 0x41


def _watch_sent(engine, count: int, then) -> threading.Thread:
    """In the background: once ``count`` messages are recorded sent, run ``then``. (The app's
    own engine: a second SQLite library in the process would drop its file locks.)"""

    def watch() -> None:
        deadline = time.monotonic() + 20
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                sent = conn.execute(text("SELECT count(*) FROM sms_messages WHERE status = 'sent'")).scalar()
                conn.rollback()
                if sent >= count:
                    then()
                    break
                time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_modem_that_disappears_mid_batch(modem_app, tmp_path):
    """The device goes away after the first send: the rest of the batch stays queued, nothing
    is sent twice, and it all goes out once the modem is back."""
    device = modem_app.phone.device
    saved = tmp_path / "unplugged"
    from resilience.sms.service import service

    service().limiter.__init__(2.0)  # a slow modem: 1.1 s between messages, recorded while waiting
    watcher = _watch_sent(db.engine, 1,
                          lambda: shutil.move(str(device), str(saved)))
    ids = _queue(modem_app, [f"Pesan {i}" for i in range(4)])
    watcher.join(5)
    messages = stored_messages()
    assert [m.status for m in messages] == ["sent", "queued", "queued", "queued"]
    assert messages[0].attempts == 1 and messages[0].provider_sid == f"gammu:{ids[0]}:255"
    assert messages[1].attempts == 1 and "modem" in messages[1].error_message  # the one that met the gap
    assert all(m.attempts == 0 for m in messages[2:])  # handed back, the attempt not counted
    assert all(m.provider_sid is None for m in messages[1:])

    # Still unplugged: the batch sends nothing and hands everything back.
    set_read_only(False)
    db.session.execute(update(SmsMessage).values(next_attempt_at=None))
    db.session.commit()
    assert sender.send_batch(db.session, ids) == {ids[1]: "requeued", ids[2]: "requeued", ids[3]: "requeued"}
    db.session.execute(update(SmsMessage).values(next_attempt_at=None))
    db.session.commit()
    shutil.move(str(saved), str(device))  # plugged back in
    service().limiter.__init__(100.0)
    outcome = sender.send_batch(db.session, ids)
    set_read_only(True)
    assert outcome == {ids[1]: "sent", ids[2]: "sent", ids[3]: "sent"}  # not the first again
    messages = stored_messages()
    assert all(m.status == "sent" and m.channel == "gammu" for m in messages)
    assert [m.attempts for m in messages] == [1, 3, 1, 1]
    assert messages[0].provider_sid == f"gammu:{ids[0]}:255"


def test_a_stuck_modem_send_is_failed_not_resent(modem_app):
    """A modem cannot be asked what it sent: a message stuck in ``sending`` is never resent."""
    [message_id] = _queue(modem_app, ["Pesan macet"])
    set_read_only(False)
    db.session.execute(update(SmsMessage).where(SmsMessage.id == message_id)
                       .values(status="sending", provider_sid=None, attempt_token="x" * 32))
    db.session.commit()
    assert sender.reconcile(db.session, message_id) == "failed"
    set_read_only(True)
    [message] = stored_messages(id=message_id)
    assert message.status == "failed" and "not resent" in message.error_message
