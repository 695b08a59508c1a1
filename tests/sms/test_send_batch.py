"""Sending in batches: one claim (compare-and-set ``queued → sending``) and one record per
batch, an audit entry for each step, a batch that stops when the provider is in trouble and
hands its unsent rows back without counting an attempt. The real twilio SDK against the fake
Twilio, tasks in-process, both databases."""

from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from resilience.audit.models import AuditEntry
from resilience.core.db import utcnow
from resilience.extensions import db
from resilience.sms import outbox, sender
from resilience.sms.models import SmsMessage
from resilience.sms.ratelimit import RateLimiter
from tests.conftest import Seed
from tests.fakes.twilio_server import Fault

BODY = "Tugas T{n}: evakuasi untuk 3 orang. Balas YA T{n} atau TIDAK T{n}."


@pytest.fixture
def volunteers(client):
    seed = Seed(client)
    return [seed.volunteer(name=f"Relawan {i}", skills=["boat"], location={"lat": -1.64, "lon": 113.69})
            for i in range(2)]


def _queued(volunteers, n, phones=None, **values):
    """Write n queued outbound rows directly (not through ``queue``: nothing is enqueued)."""
    rows = []
    for i in range(n):
        volunteer = volunteers[phones[i] if phones else 0]
        rows.append(SmsMessage(direction="outbound", phone=volunteer["phone"], body=BODY.format(n=i + 1),
                               kind="offer", encoding="GSM-7", segments=1, status="queued", attempts=0,
                               volunteer_id=volunteer["id"], **values))
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _rows(ids):
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(select(SmsMessage).where(SmsMessage.id.in_(ids)).order_by(SmsMessage.id)).all()


def _creates_per_message(fake):
    counts = {}
    for create in fake.creates:
        message_id = int(parse_qs(urlsplit(create.status_callback).query)["m"][0])
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts


def test_a_batch_is_claimed_sent_and_recorded_once(twilio_app, fake, volunteers):
    ids = _queued(volunteers, 5)
    send = twilio_app.extensions["celery"].tasks["resilience.sms.send"]
    assert send.apply(args=(ids,)).get() == {"sent": 5, "not-claimed": 0}
    rows = _rows(ids)
    assert [r.status for r in rows] == ["sent"] * 5 and all(r.attempts == 1 for r in rows)
    assert _creates_per_message(fake) == {i: 1 for i in ids}
    assert {r.provider_sid for r in rows} == {c.sid for c in fake.creates}
    # A redelivered task message finds every row claimed already: nothing is sent again.
    assert send.apply(args=(ids,)).get() == {"not-claimed": 5}
    assert sender.send(db.session, ids[0]) == "not-queued"
    assert len(fake.create_attempts) == 5
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "sms_message")).all()
    assert actions.count("sms_message.sending") == 5 and actions.count("sms_message.sent") == 5
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sms_message.sending")).first()
    assert entry.payload["status"] == ["queued", "sending"] and entry.payload["attempt_token"] == "<redacted>"
    assert twilio_app.test_client().get("/api/v1/audit/verify").get_json()["ok"] is True


def test_only_due_queued_rows_are_claimed(twilio_app, fake, volunteers):
    [later] = _queued(volunteers, 1, next_attempt_at=utcnow() + timedelta(minutes=5))
    [failed] = _queued(volunteers, 1)
    db.session.execute(update(SmsMessage).where(SmsMessage.id == failed).values(status="failed"))
    db.session.commit()
    [due] = _queued(volunteers, 1, next_attempt_at=utcnow() - timedelta(seconds=1))
    assert sender.send_batch(db.session, [later, failed, due]) == {due: "sent"}
    assert sender.send(db.session, later) == "not-due"
    assert [r.status for r in _rows([later, failed, due])] == ["queued", "failed", "sent"]
    assert list(_creates_per_message(fake)) == [due]


@pytest.mark.parametrize("fault", [Fault.http_500(), Fault.rate_limited(1)])
def test_a_retryable_failure_stops_the_batch_and_hands_the_rest_back(twilio_app, fake, volunteers, fault):
    fake.script(fault)
    ids = _queued(volunteers, 4)
    outcome = sender.send_batch(db.session, ids)
    assert outcome == {i: "requeued" for i in ids}
    assert len(fake.create_attempts) == 1  # the provider was not asked again in this batch
    rows = _rows(ids)
    assert all(r.status == "queued" and r.next_attempt_at is not None for r in rows)
    assert [r.attempts for r in rows] == [1, 0, 0, 0]  # only the real attempt counts
    db.session.execute(update(SmsMessage).values(next_attempt_at=None))
    db.session.commit()
    assert sender.send_batch(db.session, ids) == {i: "sent" for i in ids}
    assert _creates_per_message(fake) == {i: 1 for i in ids}
    assert [r.attempts for r in _rows(ids)] == [2, 1, 1, 1]


def test_an_ambiguous_failure_stays_claimed_and_stops_the_batch(twilio_app, fake, volunteers):
    fake.script(Fault.reset())
    ids = _queued(volunteers, 3)
    assert sender.send_batch(db.session, ids) == {ids[0]: "ambiguous", ids[1]: "requeued", ids[2]: "requeued"}
    rows = _rows(ids)
    assert [r.status for r in rows] == ["sending", "queued", "queued"]  # the first waits for reconciliation
    assert "reconciling" in rows[0].error_message


def test_an_opted_out_recipient_is_not_asked_again_in_the_batch(twilio_app, fake, volunteers):
    fake.block_recipient(volunteers[0]["phone"], 21610)
    ids = _queued(volunteers, 3, phones=[0, 1, 0])
    assert sender.send_batch(db.session, ids) == {ids[0]: "failed", ids[1]: "sent", ids[2]: "failed"}
    rows = _rows(ids)
    assert [(r.status, r.error_code) for r in rows] == [("failed", 21610), ("sent", None), ("failed", 21610)]
    assert len([a for a in fake.create_attempts if a.to == volunteers[0]["phone"]]) == 1
    assert twilio_app.test_client().get("/api/v1/audit/verify").get_json()["ok"] is True


def test_a_batch_out_of_time_hands_back_what_it_has_not_sent(twilio_app, fake, volunteers, monkeypatch):
    ids = _queued(volunteers, 3)
    budget = iter([5.0])  # the first claim is in time; the budget is gone after one send
    monkeypatch.setattr(sender, "time_budget", lambda: next(budget))
    monkeypatch.setattr(sender, "claim_size", lambda limiter, batch: 2)
    real_send = twilio_app.extensions["sms"].gateway.send

    def slow_send(*args):
        sid = real_send(*args)
        monkeypatch.setattr(sender, "time", SimpleNamespace(monotonic=lambda: float("inf")))  # out of time
        return sid

    monkeypatch.setattr(twilio_app.extensions["sms"].gateway, "send", slow_send)
    outcome = sender.send_batch(db.session, ids)
    monkeypatch.undo()
    # the first was sent; the second was claimed with it and goes back; the third never claimed
    assert outcome == {ids[0]: "sent", ids[1]: "requeued"}
    rows = _rows(ids)
    assert [(r.status, r.attempts, r.attempt_token) for r in rows[1:]] == [("queued", 0, None)] * 2
    assert list(_creates_per_message(fake)) == [ids[0]]


def test_under_a_rate_limit_rows_are_claimed_a_few_at_a_time():
    limiter = RateLimiter(10)  # the default SMS_MAX_PER_SECOND (the test apps send at 1000)
    assert sender.claim_size(limiter, 50) == sender.CLAIM_AT_LEAST
    limiter.interval = 1e-5  # "off": 100,000 segments/s
    assert sender.claim_size(limiter, 50) == 50


def test_a_rate_limit_wait_too_long_hands_the_rest_back(twilio_app, fake, volunteers, monkeypatch):
    limiter = twilio_app.extensions["sms"].limiter
    calls = []
    monkeypatch.setattr(limiter, "acquire", lambda segments, timeout, on_wait=None: calls.append(1) or len(calls) == 1)
    ids = _queued(volunteers, 3)
    assert sender.send_batch(db.session, ids) == {ids[0]: "sent", ids[1]: "requeued", ids[2]: "requeued"}
    rows = _rows(ids)
    assert rows[1].status == "queued" and rows[1].next_attempt_at > utcnow()
    assert list(_creates_per_message(fake)) == [ids[0]]


def test_messages_queued_together_are_enqueued_in_chunks_after_commit(twilio_app, volunteers, monkeypatch):
    calls = []
    monkeypatch.setattr(outbox, "run_task", lambda name, ids, countdown=None: calls.append((name, ids)))
    for i in range(outbox.SEND_BATCH * 2 + 3):
        outbox.queue(db.session, volunteers[0]["phone"], f"Pesan {i}", "confirmation")
    assert calls == []  # nothing leaves before the commit
    db.session.commit()
    assert [len(ids) for _name, ids in calls] == [outbox.SEND_BATCH, outbox.SEND_BATCH, 3]
    assert {name for name, _ids in calls} == {"resilience.sms.send"}
    calls.clear()
    outbox.queue(db.session, volunteers[0]["phone"], "Dibatalkan", "confirmation")
    db.session.rollback()
    outbox.queue(db.session, volunteers[0]["phone"], "Berikutnya", "confirmation")
    db.session.commit()
    assert [len(ids) for _name, ids in calls] == [1]  # the rolled-back id was dropped


def test_objects_the_session_holds_see_the_outcome(twilio_app, fake, volunteers, monkeypatch):
    monkeypatch.setattr(outbox, "run_task", lambda *a, **kw: None)
    message = outbox.queue(db.session, volunteers[0]["phone"], "Halo", "confirmation")
    db.session.commit()
    assert sender.send_batch(db.session, [message.id]) == {message.id: "sent"}
    assert message.status == "sent" and message.provider_sid == fake.creates[0].sid
