"""WhatsApp through Twilio (TWILIO_WHATSAPP_FROM) against the fake Twilio's WhatsApp rules: the
24-hour window, templates, 63016, statuses sent → delivered → read, undelivered; the fallback to
SMS, once, whatever races. The real twilio SDK, signed webhooks, tasks in-process, both databases;
time moves by passing ``now`` (no sleeps)."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from resilience.app import create_app
from resilience.core.db import reset_read_only, set_read_only, utcnow
from resilience.extensions import db
from resilience.sms import whatsapp
from resilience.sms.models import SmsMessage
from tests import factories
from tests.conftest import ApiClient, Seed, _reset, _token, make_settings
from tests.fakes.twilio_server import flask_test_client_transport
from tests.sms.conftest import PUBLIC
from tests.sms.helpers import stored_messages

WA_FROM = "whatsapp:+14155238886"
OFFER_TEMPLATE = "HX" + "0f" * 16
NEAR = {"lat": -1.6346, "lon": 113.6858}


@pytest.fixture(params=["sqlite", "postgis"])
def wa_app(request, fake, tmp_path):
    base = request.getfixturevalue(f"{request.param}_app")
    settings = make_settings(
        base.config["SETTINGS"].database_url, tmp_path,
        SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=fake.account_sid, TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_FROM="+15005550006", TWILIO_API_URL=fake.base_url, PUBLIC_BASE_URL=PUBLIC,
        SMS_HTTP_TIMEOUT="2", TWILIO_WHATSAPP_FROM=WA_FROM, WHATSAPP_TEMPLATES=f"offer={OFFER_TEMPLATE}",
        WHATSAPP_FALLBACK_SECONDS="600")
    fake.add_whatsapp_template(OFFER_TEMPLATE, "Posko banjir: {{1}}")
    app = create_app(settings, TESTING=True)
    _reset(app)
    fake.webhook_transport = flask_test_client_transport(app.test_client())
    token = set_read_only(True)  # the test thread only reads: it must not hold SQLite's write lock
    with app.app_context():
        yield app
        db.session.remove()
    reset_read_only(token)


@pytest.fixture
def client(wa_app):
    return ApiClient(wa_app.test_client(), _token(wa_app, "koordinator@posko.test", "coordinator"))


def _offer(client, channel="whatsapp"):
    """A task offered to a volunteer who prefers ``channel``; returns (volunteer, task)."""
    seed = Seed(client)
    event = seed.event()
    need = seed.need(event["id"], seed.household(nik=None, location=NEAR)["id"], "evacuation")
    volunteer = seed.volunteer(name="Rina", skills=["boat"], location={"lat": -1.64, "lon": 113.69},
                               preferred_channel=channel)
    task = factories.task(event["id"], need["id"], volunteer["id"], offer=True)
    return volunteer, task




def _inbound(fake, phone, body, **kw):
    return fake.send_inbound(PUBLIC + "/sms/twilio/inbound", from_=f"whatsapp:{phone}", to=WA_FROM, body=body, **kw)


def _sweep(seconds_later: float) -> int:
    """The sweep's WhatsApp fallback as if run ``seconds_later`` from now."""
    may_write = set_read_only(False)
    try:
        db.session.rollback()
        return whatsapp.sweep(db.session, utcnow() + timedelta(seconds=seconds_later))
    finally:
        reset_read_only(may_write)


def _by_sms(fake):
    return [c for c in fake.creates if not (c.to or "").startswith("whatsapp:")]


def _by_whatsapp(fake):
    return [c for c in fake.creates if (c.to or "").startswith("whatsapp:")]


def test_an_offer_outside_the_window_goes_by_the_offer_template(client, fake):
    volunteer, task = _offer(client)
    [create] = fake.wait_for_creates(1)
    assert create.to == f"whatsapp:{volunteer['phone']}" and create.from_ == WA_FROM
    assert create.form["ContentSid"] == OFFER_TEMPLATE and "Body" not in create.form
    assert create.body is None and task.code in fake.message(create.sid)["body"]  # {{1}} is the offer
    [offer] = stored_messages(kind="offer")
    assert (offer.channel, offer.status, offer.provider_sid) == ("whatsapp", "sent", create.sid)
    assert offer.phone == volunteer["phone"]  # stored as E.164, the prefix is the gateway's


def test_inside_the_window_free_text_and_a_whatsapp_reply_accepts_the_task(client, fake):
    volunteer, task = _offer(client)
    result = _inbound(fake, volunteer["phone"], f"YA {task.code}")
    assert result.status_code == 200
    assert client.get(f"/api/v1/tasks/{task.id}").get_json()["status"] == "accepted"
    [reply] = stored_messages(direction="inbound")
    assert reply.channel == "whatsapp" and reply.phone == volunteer["phone"] and reply.volunteer_id == volunteer["id"]
    # The confirmation goes back by WhatsApp, free text: the reply opened the 24-hour window.
    creates = fake.wait_for_creates(2)
    assert creates[1].to == f"whatsapp:{volunteer['phone']}" and "ContentSid" not in creates[1].form
    assert "SELESAI" in creates[1].body
    [confirmation] = stored_messages(kind="confirmation")
    assert confirmation.channel == "whatsapp" and confirmation.status == "sent"


def test_a_kind_without_a_template_outside_the_window_goes_by_sms_and_says_why(client, fake):
    volunteer, _task = _offer(client)
    fake.wait_for_creates(1)
    sent = client.post("/api/v1/sms", json={"to": volunteer["id"], "body": "Tolong cek perahu"})
    assert sent.status_code == 201
    [note] = stored_messages(kind="coordinator")
    assert note.status == "sent" and note.channel == "twilio"
    assert note.channel_reason == "whatsapp failed: no WhatsApp template for coordinator outside the 24-hour window"
    assert [c.to for c in _by_sms(fake)] == [volunteer["phone"]]
    assert len(fake.create_attempts) == 2  # WhatsApp was never asked: no template to ask with


@pytest.mark.parametrize("mode", ["create", "status"])
def test_63016_outside_the_window_falls_back_to_sms_once(client, fake, mode):
    """Our window says open (a WhatsApp message came 23 h ago by our clock), WhatsApp's does
    not: Twilio refuses the free text with 63016, at once or by a failed status."""
    fake.whatsapp_window_error = mode
    volunteer, task = _offer(client, channel="sms")
    [_sms_offer] = fake.wait_for_creates(1)
    _inbound(fake, volunteer["phone"], "halo")  # stored as WhatsApp, opens both windows …
    db.session.execute(update(SmsMessage).where(SmsMessage.direction == "inbound")
                       .values(created_at=utcnow() - timedelta(hours=23)))
    db.session.commit()
    fake.clock = lambda: time.time() + 25 * 3600  # … but WhatsApp's has closed meanwhile
    before = len(_by_sms(fake))  # the offer, and the answer to "halo"
    client.patch(f"/api/v1/volunteers/{volunteer['id']}", json={"preferred_channel": "whatsapp"})
    client.post("/api/v1/sms", json={"to": volunteer["id"], "body": "Perahu siap?"})
    if mode == "status":
        # the failed status's request has answered: the SMS it caused went out in it (eagerly)
        assert fake.wait_for(lambda f: any(w.kind == "status" for w in f.webhooks))
    notes = stored_messages(kind="coordinator")
    sms = [m for m in notes if m.channel == "twilio"]
    assert len(sms) == 1 and "63016" in sms[0].channel_reason
    if mode == "create":  # refused: the same row went by SMS
        assert len(notes) == 1 and not _by_whatsapp(fake)
    else:  # accepted, then failed: the WhatsApp message stays, an SMS replaces it
        assert [m.channel for m in notes] == ["whatsapp", "twilio"] and notes[0].status == "failed"
        assert sms[0].fallback_of_id == notes[0].id and notes[0].error_code == 63016
    assert [c.to for c in _by_sms(fake)][before:] == [volunteer["phone"]]
    assert "Perahu siap?" in _by_sms(fake)[-1].body


def test_statuses_sent_delivered_read_are_recorded_and_stop_the_fallback(client, fake):
    _offer(client)
    [create] = fake.wait_for_creates(1)
    for status in ("sent", "delivered", "read"):
        assert fake.send_status_callback(create.sid, status).status_code == 204
    [offer] = stored_messages(kind="offer")
    assert offer.status == "delivered" and offer.delivered_at is not None and offer.read_at is not None
    assert client.get(f"/api/v1/sms?task={offer.task_id}").get_json()["items"][0]["read_at"] is not None
    assert _sweep(3600) == 0 and not _by_sms(fake)


def test_undelivered_whatsapp_goes_by_sms_once(client, fake):
    fake.cut_whatsapp(mode="undelivered")
    volunteer, task = _offer(client)
    assert fake.wait_for(lambda f: len([w for w in f.webhooks if w.kind == "status"]) == 2)  # sent, undelivered
    [create] = _by_whatsapp(fake)
    again = fake.send_status_callback(create.sid, "undelivered", error_code=63024)  # Twilio repeats itself
    assert again.status_code == 204
    assert _sweep(3600) == 0
    whatsapp_offer, sms_offer = stored_messages(kind="offer")
    assert (whatsapp_offer.channel, whatsapp_offer.status) == ("whatsapp", "undelivered")
    assert whatsapp_offer.handled_at is not None  # not waiting in the inbox: the SMS took over
    assert sms_offer.fallback_of_id == whatsapp_offer.id and sms_offer.channel == "twilio"
    assert sms_offer.channel_reason == "whatsapp undelivered (63024)" and sms_offer.task_id == task.id
    assert [c.to for c in _by_sms(fake)] == [volunteer["phone"]]


def test_a_whatsapp_message_not_delivered_in_time_goes_by_sms_once(client, fake):
    fake.cut_whatsapp(mode="silent")  # Twilio takes it; the phone never reports it delivered
    volunteer, _task = _offer(client)
    fake.wait_for_creates(1)
    assert _sweep(300) == 0  # not yet: WHATSAPP_FALLBACK_SECONDS is 600
    assert _sweep(601) == 1
    assert _sweep(1200) == 0  # once
    whatsapp_offer, sms_offer = stored_messages(kind="offer")
    assert sms_offer.fallback_of_id == whatsapp_offer.id and sms_offer.status == "sent"
    assert sms_offer.channel_reason == "whatsapp not delivered after 600 s"
    assert [c.to for c in _by_sms(fake)] == [volunteer["phone"]]


def _late_delivered_and_fallback(fake, sid, first):
    if first == "delivered":
        fake.send_status_callback(sid, "delivered")
        return _sweep(601)
    fallen = _sweep(601)
    fake.send_status_callback(sid, "delivered")
    return fallen


@pytest.mark.parametrize("first", ["delivered", "fallback"])
def test_a_late_delivered_and_the_fallback_never_send_twice(client, fake, first):
    fake.cut_whatsapp(mode="silent")
    _offer(client)
    [create] = fake.wait_for_creates(1)
    fallen = _late_delivered_and_fallback(fake, create.sid, first)
    assert _sweep(1200) == 0
    offers = stored_messages(kind="offer")
    assert offers[0].status == "delivered"  # the truth is kept, whichever came first
    assert fallen == (0 if first == "delivered" else 1) == len(offers) - 1 == len(_by_sms(fake))


def test_a_late_delivered_racing_the_fallback_sends_at_most_one_sms(client, fake, wa_app):
    fake.cut_whatsapp(mode="silent")
    _offer(client)
    [create] = fake.wait_for_creates(1)
    barrier = threading.Barrier(2)
    results = {}

    def fallback():
        with wa_app.app_context():
            barrier.wait()
            results["fallen"] = whatsapp.sweep(db.session, utcnow() + timedelta(seconds=601))
            db.session.remove()

    thread = threading.Thread(target=fallback)
    thread.start()
    barrier.wait()
    results["callback"] = fake.send_status_callback(create.sid, "delivered").status_code
    thread.join(30)
    offers = stored_messages(kind="offer")
    assert results["callback"] == 204 and offers[0].status == "delivered"
    assert results["fallen"] == len(offers) - 1 == len(_by_sms(fake)) <= 1
    if results["fallen"] == 0:
        assert _sweep(1200) == 0 and len(stored_messages(kind="offer")) == 1


def test_the_database_refuses_a_second_sms_for_one_whatsapp_message(client, fake):
    fake.cut_whatsapp(mode="silent")
    _offer(client)
    fake.wait_for_creates(1)
    assert _sweep(601) == 1
    whatsapp_offer, sms_offer = stored_messages(kind="offer")
    may_write = set_read_only(False)
    try:
        db.session.add(SmsMessage(direction="outbound", phone=sms_offer.phone, body="dua kali", kind="offer",
                                  status="queued", fallback_of_id=whatsapp_offer.id))
        with pytest.raises(IntegrityError):
            db.session.flush()
    finally:
        db.session.rollback()
        reset_read_only(may_write)


def test_without_whatsapp_configured_the_preference_goes_by_sms(fake, twilio_app):
    """The same volunteer on a server with no TWILIO_WHATSAPP_FROM: SMS, no reason needed."""
    client = ApiClient(twilio_app.test_client(), _token(twilio_app, "k@posko.test", "coordinator"))
    volunteer, _task = _offer(client)
    [create] = fake.wait_for_creates(1)
    assert create.to == volunteer["phone"]
    [offer] = stored_messages(kind="offer")
    assert offer.channel == "twilio" and offer.channel_reason == ""


def test_an_offer_withdrawn_meanwhile_is_not_sent_again_by_sms(client, fake):
    """The coordinator cancelled the task before the WhatsApp offer's time ran out: the stale
    offer is not sent by SMS (dispatch's STILL_WANTED hook); the cancellation notice was."""
    fake.cut_whatsapp(mode="silent")
    volunteer, task = _offer(client)
    cancelled = client.patch(f"/api/v1/tasks/{task.id}", json={"status": "cancelled", "note": "air surut"})
    assert cancelled.status_code == 200, cancelled.get_json()
    [notice] = _by_sms(fake)  # the notice has no template: outside the window it went by SMS
    assert task.code in notice.body and len(_by_whatsapp(fake)) == 1
    assert _sweep(601) == 0 and _sweep(1200) == 0 and len(_by_sms(fake)) == 1
    offer = stored_messages(kind="offer")[0]
    assert offer.error_message.startswith("not sent by SMS: no longer needed") and offer.handled_at is not None
    assert [m.kind for m in stored_messages(channel="twilio")] == ["cancellation"]
