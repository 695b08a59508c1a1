"""The SMS loop with the Twilio backend: the real twilio SDK against the fake Twilio server on
127.0.0.1, signed webhooks, faults; tasks run in-process (no REDIS_URL). Both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from resilience.extensions import db
from resilience.sms.models import SmsMessage
from tests.conftest import Seed
from tests.fakes.twilio_server import Fault
from tests.sms.conftest import PUBLIC
from tests.sms.helpers import stored_messages
NEAR = {"lat": -1.6346, "lon": 113.6858}


def _offer(client, volunteers=1):
    seed = Seed(client)
    event = seed.event()
    h = seed.household(nik=None, location=NEAR)
    need = seed.need(event["id"], h["id"], "evacuation")
    vols = [seed.volunteer(name=f"R{i}", skills=["boat"], location={"lat": -1.64 - 0.01 * i, "lon": 113.69})
            for i in range(volunteers)]
    client.post(f"/api/v1/events/{event['id']}/match")
    offered = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    return need, vols, offered




def _inbound(fake, phone, body, **kw):
    return fake.send_inbound(PUBLIC + "/sms/twilio/inbound", from_=phone, to="+15005550006", body=body, **kw)


def test_end_to_end_offer_accept_done(client, fake):
    need, vols, offered = _offer(client)
    [create] = fake.wait_for_creates(1)
    task = offered[0]
    assert create.to == vols[0]["phone"] and task["code"] in create.body
    assert create.status_callback.startswith(PUBLIC + "/sms/twilio/status?m=")
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sent" and offer.provider_sid == create.sid and offer.attempts == 1

    result = _inbound(fake, vols[0]["phone"], f"YA {task['code']}")
    assert result.status_code == 200
    assert client.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "accepted"
    confirmations = fake.wait_for_creates(2)
    assert "SELESAI" in confirmations[1].body
    _inbound(fake, vols[0]["phone"], "selesai")
    assert client.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "done"
    assert client.get(f"/api/v1/needs/{need['id']}").get_json()["status"] == "done"
    assert client.get("/api/v1/audit/verify").get_json()["ok"] is True


def test_status_callbacks_only_move_forward(client, fake):
    _offer(client)
    [create] = fake.wait_for_creates(1)
    assert fake.send_status_callback(create.sid, "delivered").status_code == 204
    assert fake.send_status_callback(create.sid, "sent").status_code == 204  # late, out of order
    [offer] = stored_messages(kind="offer")
    assert offer.status == "delivered" and offer.delivered_at is not None
    results = fake.send_status_callback_concurrently(create.sid, "delivered", copies=3)
    assert all(r.status_code == 204 for r in results), [(r.status_code, r.error, (r.text or "")[:300]) for r in results]
    assert stored_messages(kind="offer")[0].status == "delivered"


def test_callback_before_the_provider_id_is_stored_still_matches(client, fake):
    _offer(client)
    [create] = fake.wait_for_creates(1)
    db.session.rollback()
    db.session.execute(update(SmsMessage).values(provider_sid=None, status="sending"))
    db.session.commit()
    [offer] = stored_messages(kind="offer")
    fake.send_status_callback(create.sid, "delivered", url=create.status_callback)
    [offer] = stored_messages(kind="offer")
    assert offer.provider_sid == create.sid and offer.status == "delivered"


@pytest.mark.parametrize("how", ["forged", "no-signature", "altered"])
def test_bad_signatures_are_403_and_store_nothing(client, fake, how):
    _need, vols, offered = _offer(client)
    before = len(stored_messages())
    kwargs = {"forged": True} if how == "forged" else {"sign": False} if how == "no-signature" \
        else {"tamper": {"Body": f"TIDAK {offered[0]['code']}"}}
    result = _inbound(fake, vols[0]["phone"], f"YA {offered[0]['code']}", **kwargs)
    assert result.status_code == 403
    assert len(stored_messages()) == before
    assert client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "offered"
    [create] = fake.creates
    status = fake.send_status_callback(create.sid, "failed", forged=True)
    assert status.status_code == 403 and stored_messages(kind="offer")[0].status == "sent"


def test_replayed_inbound_is_stored_once(client, fake):
    _need, vols, offered = _offer(client)
    first = _inbound(fake, vols[0]["phone"], f"YA {offered[0]['code']}", message_sid="SM" + "a" * 32)
    again = _inbound(fake, vols[0]["phone"], f"YA {offered[0]['code']}", message_sid="SM" + "a" * 32)
    assert first.status_code == again.status_code == 200
    assert len(stored_messages(direction="inbound")) == 1
    assert len([c for c in fake.creates if "SELESAI" in c.body]) == 1  # one confirmation


def test_cancel_keyword_opts_out(client, fake):
    _need, vols, offered = _offer(client, volunteers=1)
    _inbound(fake, vols[0]["phone"], "CANCEL")
    assert client.get(f"/api/v1/volunteers/{vols[0]['id']}").get_json()["sms_opt_out"] is True
    assert client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "declined"


def test_invalid_number_fails_with_code_and_reoffers(client, fake):
    fake.script(Fault.error(21211))
    need, vols, offered = _offer(client, volunteers=2)
    failed = stored_messages(kind="offer")[0]
    assert failed.status == "failed" and failed.error_code == 21211
    assert client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "failed"
    live = client.get("/api/v1/tasks?status=offered").get_json()["items"]
    assert [t["volunteer_id"] for t in live] == [vols[1]["id"]]
    assert len(fake.creates) == 1  # the refused create is not recorded; the re-offer is


def test_unsubscribed_recipient_is_opted_out(client, fake):
    fake.script(Fault.error(21610))
    _need, vols, _offered = _offer(client)
    assert stored_messages(kind="offer")[0].error_code == 21610
    assert client.get(f"/api/v1/volunteers/{vols[0]['id']}").get_json()["sms_opt_out"] is True


@pytest.mark.parametrize("fault", [Fault.http_500(), Fault.html_502(), Fault.rate_limited(1)])
def test_retryable_failures_are_retried_and_sent_once(client, fake, fault):
    from resilience.sms import sender

    fake.script(fault)
    _offer(client)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "queued" and offer.attempts == 1 and offer.next_attempt_at is not None
    db.session.execute(update(SmsMessage).values(next_attempt_at=None))
    db.session.commit()
    assert sender.send(db.session, offer.id) == "sent"
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sent" and offer.attempts == 2
    assert len(fake.creates) == 1


@pytest.mark.parametrize("fault", [Fault.timeout(3.0), Fault.created_then_reset()])
def test_ambiguous_failure_is_reconciled_not_resent(client, fake, fault):
    from resilience.sms import sender

    fake.script(fault)
    _offer(client)
    fake.wait_for_creates(1, timeout=30)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sending" and offer.provider_sid is None
    # A second delivery of the Celery message finds the row claimed: nothing is sent.
    assert sender.send(db.session, offer.id) == "not-queued"
    db.session.execute(update(SmsMessage).values(sending_since=offer.sending_since - timedelta(minutes=5)))
    db.session.commit()
    assert sender.reconcile(db.session, offer.id) == "adopted"
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sent" and offer.provider_sid == fake.creates[0].sid
    assert len(fake.creates) == 1


def test_reset_before_creation_is_reconciled_then_sent_once(client, fake):
    """A dropped connection is ambiguous; the provider has nothing, so it is sent again."""
    from resilience.sms import sender

    fake.script(Fault.reset())
    _offer(client)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sending" and fake.creates == []
    db.session.execute(update(SmsMessage).values(sending_since=offer.sending_since - timedelta(minutes=5)))
    db.session.commit()
    assert sender.reconcile(db.session, offer.id) == "requeued"  # and sent again at once (embedded)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sent" and offer.attempts == 2
    assert len(fake.creates) == 1 and offer.provider_sid == fake.creates[0].sid


def test_repeated_rate_limits_end_failed_after_the_cap(client, fake):
    from resilience.sms import sender

    fake.set_default(Fault.rate_limited(1))
    _offer(client)
    [offer] = stored_messages(kind="offer")
    for _ in range(sender.MAX_ATTEMPTS - 1):
        db.session.execute(update(SmsMessage).values(next_attempt_at=None))
        db.session.commit()
        sender.send(db.session, offer.id)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "failed" and offer.attempts == sender.MAX_ATTEMPTS and offer.error_code == 20429
    assert fake.creates == []
    _assert_sms_failed_alert(offer)


def _assert_sms_failed_alert(message):
    """The OUTBOUND_FAILED hook ran: the coordinator sees an sms_failed alert for it."""
    from resilience.alerts.models import Alert

    db.session.rollback()
    alert = db.session.scalar(select(Alert).where(Alert.kind == "sms_failed"))
    assert alert is not None and alert.sms_message_id == message.id and alert.is_open
    assert alert.params["sms_kind"] == "offer" and alert.params["error_code"] == message.error_code
    db.session.rollback()


def test_no_answer_from_the_provider_after_the_cap_is_a_final_failure(client, fake):
    """Reconciling a message that used up its attempts ends it failed and fires the hook (the
    offer goes to the next volunteer, the coordinator gets an alert)."""
    from resilience.sms import sender

    fake.script(Fault.reset())
    need, vols, offered = _offer(client, volunteers=2)
    [offer] = stored_messages(kind="offer")
    assert offer.status == "sending"
    db.session.execute(update(SmsMessage).values(sending_since=offer.sending_since - timedelta(minutes=5),
                                                 attempts=sender.MAX_ATTEMPTS))
    db.session.commit()
    assert sender.reconcile(db.session, offer.id) == "failed"
    [offer] = stored_messages(kind="offer")[:1]
    assert offer.status == "failed"
    _assert_sms_failed_alert(offer)
    assert client.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "failed"
