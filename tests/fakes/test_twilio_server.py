"""The fake Twilio server, driven by the real twilio SDK. These tests also pin down exactly
which exception the SDK raises for each failure, which the SMS gateway's retry logic relies on."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
import twilio.rest.api.v2010.account.message as message_module
from flask import Flask, request
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from urllib3.exceptions import ProtocolError

from tests.fakes.twilio_server import (
    DEFAULT_SERVICE_SENDER,
    Fault,
    FakeTwilio,
    fake_twilio,  # noqa: F401 - the fixture
    flask_test_client_transport,
    make_twilio_client,
    sms_segments,
    spawn_fake_twilio_process,
)

TO = "+6281345678901"
FROM = "+15005550006"
SID_RE = re.compile(r"^SM[0-9a-f]{32}$")


# ------------------------------------------------------------------------------ helpers

class Receiver:
    """A tiny webhook receiver on 127.0.0.1 that records every POST."""

    def __init__(self, status: int = 200):
        self.posts: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.posts.append({"path": self.path, "headers": dict(self.headers),
                                           "params": dict(parse_qsl(raw.decode("utf-8"),
                                                                    keep_blank_values=True))})
                body = b"<Response/>"
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def create(client: Client, **kw):
    kw.setdefault("to", TO)
    kw.setdefault("from_", FROM)
    kw.setdefault("body", "Tugas T101: evakuasi, 5 orang")
    return client.messages.create(**kw)


def validates(fake: FakeTwilio, url: str, post: dict) -> bool:
    sig = post["headers"].get("X-Twilio-Signature")
    return sig is not None and RequestValidator(fake.auth_token).validate(url, post["params"], sig)


# ------------------------------------------------------------------------------ the recipe

def test_recipe_points_the_sdk_at_the_fake(fake_twilio):
    client = Client(fake_twilio.account_sid, fake_twilio.auth_token,
                    http_client=TwilioHttpClient(timeout=2.0))
    client.api.base_url = fake_twilio.base_url
    client.edge = client.region = None
    msg = create(client)
    assert SID_RE.match(msg.sid)
    assert fake_twilio.requests[0]["path"] == \
        f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"


def test_recipe_survives_twilio_edge_and_region_in_environment(fake_twilio, monkeypatch):
    monkeypatch.setenv("TWILIO_EDGE", "singapore")
    monkeypatch.setenv("TWILIO_REGION", "sg1")
    client = make_twilio_client(fake_twilio.account_sid, fake_twilio.auth_token,
                                api_url=fake_twilio.base_url + "/", timeout=2.0)
    assert create(client).status == "queued"


# ------------------------------------------------------------------------------ create / fetch

def test_create_is_recorded_and_answers_a_message_resource(fake_twilio):
    client = fake_twilio.client()
    msg = create(client, status_callback="https://resilience.example/sms/twilio/status")

    assert SID_RE.match(msg.sid)
    assert msg.account_sid == fake_twilio.account_sid
    assert (msg.to, msg.from_, msg.body) == (TO, FROM, "Tugas T101: evakuasi, 5 orang")
    assert msg.status == "queued"
    assert msg.num_segments == "1"
    assert msg.direction == "outbound-api"
    assert msg.api_version == "2010-04-01"
    assert msg.date_created is not None and msg.date_created.tzinfo is not None
    assert msg.date_sent is None
    assert msg.error_code is None and msg.error_message is None
    assert msg.price is None and msg.messaging_service_sid is None
    assert msg.uri == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages/{msg.sid}.json"

    [rec] = fake_twilio.creates
    assert rec.sid == msg.sid and rec.response_status == 201 and rec.fault == "ok"
    assert rec.form == {"To": TO, "From": FROM, "Body": "Tugas T101: evakuasi, 5 orang",
                        "StatusCallback": "https://resilience.example/sms/twilio/status"}
    assert rec.status_callback == "https://resilience.example/sms/twilio/status"
    assert fake_twilio.creates_to(TO) == [rec] and fake_twilio.creates_to("+620000000") == []
    assert rec.time <= time.time()


def test_json_has_every_field_the_sdk_reads(fake_twilio):
    sdk_fields = set(re.findall(r'payload\.get\("(\w+)"\)', Path(message_module.__file__).read_text()))
    assert {"sid", "status", "num_segments", "error_code", "from", "messaging_service_sid"} <= sdk_fields
    resp = requests.post(fake_twilio.messages_url(), data={"To": TO, "From": FROM, "Body": "x"},
                         auth=(fake_twilio.account_sid, fake_twilio.auth_token), timeout=5)
    assert resp.status_code == 201
    assert resp.headers["Content-Type"].startswith("application/json")
    payload = resp.json()
    assert sdk_fields <= set(payload)
    assert payload["num_segments"] == "1" and payload["num_media"] == "0"
    assert re.match(r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$", payload["date_created"])


def test_messaging_service_create_is_accepted_without_a_sender(fake_twilio):
    client = fake_twilio.client()
    msg = create(client, from_=None, messaging_service_sid="MG" + "a" * 32)
    assert (msg.status, msg.from_, msg.num_segments) == ("accepted", None, "0")
    assert msg.messaging_service_sid == "MG" + "a" * 32
    assert fake_twilio.creates[0].form["MessagingServiceSid"] == "MG" + "a" * 32
    fake_twilio.set_message_status(msg.sid, "sent")
    fetched = client.messages(msg.sid).fetch()
    assert (fetched.status, fetched.from_, fetched.num_segments) == ("sent", DEFAULT_SERVICE_SENDER, "1")
    assert fetched.date_sent is not None and fetched.price is not None


@pytest.mark.parametrize("body,encoding,segments", [
    ("a" * 160, "GSM-7", 1), ("a" * 161, "GSM-7", 2), ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3), ("€" * 80, "GSM-7", 1), ("€" * 81, "GSM-7", 2),
    ("✓" * 70, "UCS-2", 1), ("✓" * 71, "UCS-2", 2), ("ya 🙏", "UCS-2", 1),
])
def test_segments(fake_twilio, body, encoding, segments):
    assert sms_segments(body) == (encoding, segments)
    assert create(fake_twilio.client(), body=body).num_segments == str(segments)


def test_fetch_returns_the_current_state_and_404_when_unknown(fake_twilio):
    client = fake_twilio.client()
    msg = create(client)
    fake_twilio.set_message_status(msg.sid, "undelivered", error_code=30005)
    fetched = client.messages(msg.sid).fetch()
    assert (fetched.sid, fetched.status, fetched.error_code) == (msg.sid, "undelivered", 30005)
    assert fetched.error_message == "Unknown destination handset"
    with pytest.raises(TwilioRestException) as info:
        client.messages("SM" + "0" * 32).fetch()
    assert (info.value.status, info.value.code, info.value.method) == (404, 20404, "GET")


def test_list_filters_by_to_and_date_sent(fake_twilio):
    client = fake_twilio.client()
    a = create(client, to="+6281111111111")
    create(client, to="+6282222222222")
    found = client.messages.list(to="+6281111111111", date_sent_after=a.date_created, limit=20)
    assert [m.sid for m in found] == [a.sid]
    import datetime as dt
    assert client.messages.list(to="+6281111111111",
                                date_sent_after=a.date_created + dt.timedelta(days=1)) == []


def test_wrong_credentials_give_401_and_record_nothing(fake_twilio):
    client = fake_twilio.client(auth_token="wrong-token")
    with pytest.raises(TwilioRestException) as info:
        create(client)
    exc = info.value
    assert (exc.status, exc.code, exc.method) == (401, 20003, "POST")
    assert exc.msg == "Unable to create record: Authenticate"
    assert fake_twilio.creates == [] and fake_twilio.create_attempts == []
    assert fake_twilio.requests[0]["auth_ok"] is False and fake_twilio.requests[0]["status"] == 401
    raw = requests.post(fake_twilio.messages_url(), data={"To": TO}, timeout=5)
    assert raw.status_code == 401 and raw.json()["code"] == 20003
    assert raw.headers["WWW-Authenticate"] == 'Basic realm="Twilio API"'


def test_other_account_in_the_path_is_404(fake_twilio):
    client = fake_twilio.client()
    with pytest.raises(TwilioRestException) as info:
        client.api.v2010.accounts("AC" + "9" * 32).messages.create(to=TO, from_=FROM, body="x")
    assert (info.value.status, info.value.code) == (404, 20404)
    assert fake_twilio.creates == []


def test_built_in_validation(fake_twilio):
    client = fake_twilio.client()
    cases = [({"to": "0812-3456-7890"}, 21211), ({"from_": None}, 21603), ({"body": None}, 21602),
             ({"body": "a" * 1601}, 21617)]
    for kw, code in cases:
        with pytest.raises(TwilioRestException) as info:
            create(client, **kw)
        assert (info.value.status, info.value.code) == (400, code), kw
    assert fake_twilio.creates == []
    fake_twilio.validate_numbers = False
    assert create(client, to="0812-3456-7890").to == "0812-3456-7890"


def test_blocked_recipient_gets_21610_like_after_stop(fake_twilio):
    client = fake_twilio.client()
    fake_twilio.block_recipient(TO)
    with pytest.raises(TwilioRestException) as info:
        create(client)
    assert (info.value.status, info.value.code) == (400, 21610)
    assert info.value.msg == "Unable to create record: Attempt to send to unsubscribed recipient"
    fake_twilio.unblock_recipient(TO)
    assert create(client).status == "queued"


# ------------------------------------------------------------------------------ faults

@pytest.mark.parametrize("code", [21211, 21610, 21408, 21612, 21614,
                                  30003, 30004, 30005, 30006, 30007, 30008])
def test_error_fault_raises_twilio_rest_exception_with_the_code(fake_twilio, code):
    client = fake_twilio.client()
    fake_twilio.script(Fault.error(code))
    with pytest.raises(TwilioRestException) as info:
        create(client)
    exc = info.value
    assert type(exc) is TwilioRestException
    assert (exc.status, exc.code, exc.method) == (400, code, "POST")
    assert exc.uri == f"/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert exc.msg.startswith("Unable to create record: ")
    assert fake_twilio.creates == []
    [attempt] = fake_twilio.create_attempts
    assert (attempt.fault, attempt.sid, attempt.response_status) == ("error", None, 400)


def test_error_fault_with_custom_status_and_message(fake_twilio):
    fake_twilio.script(Fault.error(21211, status=422, message="nope"))
    with pytest.raises(TwilioRestException) as info:
        create(fake_twilio.client())
    assert (info.value.status, info.value.code, info.value.msg) == \
        (422, 21211, "Unable to create record: nope")


def test_http_500(fake_twilio):
    fake_twilio.script(Fault.http_500())
    with pytest.raises(TwilioRestException) as info:
        create(fake_twilio.client())
    exc = info.value
    assert (exc.status, exc.code) == (500, 20500)
    assert exc.msg == "Unable to create record: An internal server error has occurred"
    assert fake_twilio.creates == []


def test_html_502_has_the_http_status_as_code(fake_twilio):
    fake_twilio.script(Fault.html_502())
    client = fake_twilio.client()
    with pytest.raises(TwilioRestException) as info:
        create(client)
    exc = info.value
    assert (exc.status, exc.code, exc.msg) == (502, 502, "Unable to create record")
    assert client.http_client._test_only_last_response.headers["Content-Type"] == "text/html"
    assert fake_twilio.creates == []


def test_rate_limited_429_and_where_to_read_retry_after(fake_twilio):
    seen = []
    http_client = TwilioHttpClient(timeout=5, request_hooks={
        "response": lambda r, *a, **kw: seen.append(r.headers.get("Retry-After"))})
    client = Client(fake_twilio.account_sid, fake_twilio.auth_token, http_client=http_client)
    client.api.base_url = fake_twilio.base_url
    fake_twilio.script(Fault.rate_limited(retry_after=7))
    with pytest.raises(TwilioRestException) as info:
        create(client)
    exc = info.value
    assert (exc.status, exc.code, exc.msg) == (429, 20429, "Unable to create record: Too Many Requests")
    assert not hasattr(exc, "headers")
    assert seen == ["7"]
    assert client.http_client._test_only_last_response.headers["Retry-After"] == "7"
    assert fake_twilio.creates == []


def test_reset_raises_requests_connection_error_and_creates_nothing(fake_twilio):
    fake_twilio.script(Fault.reset())
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        create(fake_twilio.client())
    exc = info.value
    assert not isinstance(exc, requests.exceptions.Timeout)
    assert isinstance(exc.args[0], ProtocolError)
    assert isinstance(exc.args[0].args[1], ConnectionResetError)
    assert fake_twilio.creates == []
    [attempt] = fake_twilio.create_attempts
    assert (attempt.fault, attempt.sid, attempt.response_status) == ("reset", None, None)


def test_drop_raises_connection_error_remote_disconnected(fake_twilio):
    import http.client
    fake_twilio.script(Fault.drop())
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        create(fake_twilio.client())
    assert isinstance(info.value.args[0].args[1], http.client.RemoteDisconnected)
    assert fake_twilio.creates == []


def test_created_then_reset_records_the_message_and_reconciliation_finds_it(fake_twilio):
    client = fake_twilio.client()
    fake_twilio.script(Fault.created_then_reset())
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        create(client)
    assert isinstance(info.value.args[0].args[1], ConnectionResetError)
    [rec] = fake_twilio.creates
    assert SID_RE.match(rec.sid) and rec.response_status is None
    [found] = client.messages.list(to=TO, limit=20)
    assert found.sid == rec.sid and found.status == "queued"


def test_timeout_raises_read_timeout_then_the_message_exists(fake_twilio):
    client = fake_twilio.client(timeout=0.3)
    fake_twilio.script(Fault.timeout(1.2))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout) as info:
        create(client)
    assert time.monotonic() - started < 1.0   # the client gave up before the fake answered
    assert isinstance(info.value, requests.exceptions.Timeout)
    assert not isinstance(info.value, requests.exceptions.ConnectionError)
    assert fake_twilio.creates == []          # still stalling: created at the end of the stall
    [rec] = fake_twilio.wait_for_creates(1, timeout=3)
    assert rec.fault == "timeout" and rec.response_status == 201
    assert client.messages(rec.sid).fetch().status == "queued"


def test_timeout_recorded_before_the_stall(fake_twilio):
    client = fake_twilio.client(timeout=0.2)
    fake_twilio.script(Fault.timeout(1.0, record="before"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        create(client)
    [rec] = fake_twilio.creates
    assert [m.sid for m in client.messages.list(to=TO)] == [rec.sid]


def test_script_is_consumed_in_order_then_the_default_applies(fake_twilio):
    client = fake_twilio.client(timeout=0.3)
    fake_twilio.script(Fault.http_500(), "rate_limited:2", "error:21614", Fault.ok())
    outcomes = []
    for _ in range(5):
        try:
            create(client)
            outcomes.append("ok")
        except TwilioRestException as exc:
            outcomes.append(exc.status)
    assert outcomes == [500, 429, 400, "ok", "ok"]
    assert [a.fault for a in fake_twilio.create_attempts] == \
        ["http_500", "rate_limited", "error", "ok", "ok"]
    fake_twilio.set_default(Fault.http_500())
    with pytest.raises(TwilioRestException):
        create(client)
    assert len(fake_twilio.creates) == 2


def test_fetch_faults(fake_twilio):
    client = fake_twilio.client(timeout=0.3)
    msg = create(client)
    fake_twilio.script(Fault.http_500(), Fault.reset(), Fault.timeout(0.6), target="fetch")
    with pytest.raises(TwilioRestException) as info:
        client.messages(msg.sid).fetch()
    assert (info.value.status, info.value.code) == (500, 20500)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.messages(msg.sid).fetch()
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.messages(msg.sid).fetch()
    assert client.messages(msg.sid).fetch().sid == msg.sid


def test_stop_does_not_wait_for_a_stalled_request():
    fake = FakeTwilio().start()
    fake.script(Fault.timeout(30))
    t = threading.Thread(target=lambda: pytest.raises(Exception, create, fake.client(timeout=0.2)))
    t.start()
    t.join(5)
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 3
    assert fake.creates == []


# ------------------------------------------------------------------------------ concurrency

def test_20_concurrent_creates_from_20_clients_are_all_recorded_once(fake_twilio):
    barrier = threading.Barrier(20)
    sids, errors = [], []

    def send(i):
        client = fake_twilio.client()
        barrier.wait()
        try:
            sids.append(create(client, body=f"pesan {i}").sid)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    creates = fake_twilio.creates
    assert len(creates) == 20 and len(set(sids)) == 20
    assert sorted(c.sid for c in creates) == sorted(sids)
    assert sorted(c.body for c in creates) == sorted(f"pesan {i}" for i in range(20))
    assert len(fake_twilio.messages) == 20


def test_concurrent_creates_through_one_shared_client_with_a_fault_script(fake_twilio):
    client = fake_twilio.client()
    fake_twilio.script(*[Fault.http_500()] * 5)
    results = []
    lock = threading.Lock()

    def send(i):
        try:
            sid = create(client, body=f"b{i}").sid
        except TwilioRestException as exc:
            sid = exc.status
        with lock:
            results.append(sid)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r for r in results if r == 500) == [500] * 5
    assert len(fake_twilio.creates) == 15 and len(fake_twilio.create_attempts) == 20


# ------------------------------------------------------------------------------ status callbacks

def test_status_callback_is_signed_like_twilio(fake_twilio, receiver):
    url = receiver.url + "/sms/twilio/status?tenant=1"
    msg = create(fake_twilio.client(), status_callback=url)
    result = fake_twilio.send_status_callback(msg.sid, "sent")
    assert result.status_code == 200 and result.error is None
    [post] = receiver.posts
    assert post["path"] == "/sms/twilio/status?tenant=1"
    p = post["params"]
    assert p["MessageSid"] == p["SmsSid"] == msg.sid
    assert p["MessageStatus"] == p["SmsStatus"] == "sent"
    assert (p["AccountSid"], p["From"], p["To"], p["ApiVersion"]) == \
        (fake_twilio.account_sid, FROM, TO, "2010-04-01")
    assert "ErrorCode" not in p
    assert post["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert post["headers"]["I-Twilio-Idempotency-Token"]
    assert validates(fake_twilio, url, post)
    assert not RequestValidator("another-token").validate(url, p, post["headers"]["X-Twilio-Signature"])
    assert fake_twilio.message(msg.sid)["status"] == "sent"


def test_failed_callback_carries_error_code(fake_twilio, receiver):
    msg = create(fake_twilio.client(), status_callback=receiver.url + "/s")
    fake_twilio.send_status_callback(msg.sid, "undelivered", error_code=30003)
    fake_twilio.send_status_callback(msg.sid, "failed")
    assert receiver.posts[0]["params"]["ErrorCode"] == "30003"
    assert receiver.posts[1]["params"]["ErrorCode"] == "30003"   # the stored code
    assert all(validates(fake_twilio, receiver.url + "/s", p) for p in receiver.posts)


def test_bad_signatures(fake_twilio, receiver):
    url = receiver.url + "/s"
    msg = create(fake_twilio.client(), status_callback=url)
    fake_twilio.send_status_callback(msg.sid, "delivered", forged=True)
    fake_twilio.send_status_callback(msg.sid, "delivered", signed_with_token="not-the-token")
    fake_twilio.send_status_callback(msg.sid, "sent", tamper={"MessageStatus": "delivered"})
    fake_twilio.send_status_callback(msg.sid, "delivered", sign=False)
    fake_twilio.send_status_callback(msg.sid, "delivered", signature="AAAA")
    forged, other_token, tampered, unsigned, explicit = receiver.posts
    assert not validates(fake_twilio, url, forged)
    assert not validates(fake_twilio, url, other_token)
    assert tampered["params"]["MessageStatus"] == "delivered" and not validates(fake_twilio, url, tampered)
    assert "X-Twilio-Signature" not in unsigned["headers"]
    assert explicit["headers"]["X-Twilio-Signature"] == "AAAA"


def test_callback_to_explicit_url_signed_over_public_url(fake_twilio, receiver):
    msg = create(fake_twilio.client())          # no StatusCallback recorded
    with pytest.raises(ValueError):
        fake_twilio.send_status_callback(msg.sid, "sent")
    public = "https://resilience.example.org/sms/twilio/status"
    fake_twilio.send_status_callback(msg.sid, "sent", url=receiver.url + "/sms/twilio/status",
                                     signed_url=public)
    [post] = receiver.posts
    assert validates(fake_twilio, public, post)
    assert not validates(fake_twilio, receiver.url + "/sms/twilio/status", post)


def test_late_sent_does_not_undo_delivered(fake_twilio, receiver):
    msg = create(fake_twilio.client(), status_callback=receiver.url + "/s")
    fake_twilio.send_status_callback(msg.sid, "delivered")
    fake_twilio.send_status_callback(msg.sid, "sent")
    assert fake_twilio.message(msg.sid)["status"] == "delivered"
    assert [p["params"]["MessageStatus"] for p in receiver.posts] == ["delivered", "sent"]


def test_auto_callbacks_in_order(fake_twilio, receiver):
    fake_twilio.auto_callbacks(("sent", "delivered"), delay=0.01)
    url = receiver.url + "/s"
    msg = create(fake_twilio.client(), status_callback=url)
    fake_twilio.wait_for_webhooks(2)
    assert [p["params"]["MessageStatus"] for p in receiver.posts] == ["sent", "delivered"]
    assert all(validates(fake_twilio, url, p) for p in receiver.posts)
    assert fake_twilio.message(msg.sid)["status"] == "delivered"
    create(fake_twilio.client())                # no StatusCallback: nothing is sent
    time.sleep(0.1)
    assert len(receiver.posts) == 2


def test_auto_callbacks_out_of_order_and_duplicated(fake_twilio, receiver):
    fake_twilio.auto_callbacks(("delivered", "sent"), delay=0.01, copies=3)
    msg = create(fake_twilio.client(), status_callback=receiver.url + "/s")
    fake_twilio.wait_for_webhooks(6)
    statuses = [p["params"]["MessageStatus"] for p in receiver.posts]
    assert statuses == ["delivered"] * 3 + ["sent"] * 3
    assert len({p["headers"]["I-Twilio-Idempotency-Token"] for p in receiver.posts}) == 6
    assert fake_twilio.message(msg.sid)["status"] == "delivered"


def test_per_message_callbacks_via_the_script(fake_twilio, receiver):
    fake_twilio.script(Fault.ok(callbacks=("sent", "undelivered"), error_code=30005))
    msg = create(fake_twilio.client(), status_callback=receiver.url + "/s")
    fake_twilio.wait_for_webhooks(2)
    assert [p["params"].get("ErrorCode") for p in receiver.posts] == [None, "30005"]
    assert fake_twilio.message(msg.sid)["error_code"] == 30005


def test_concurrent_identical_callbacks(fake_twilio, receiver):
    msg = create(fake_twilio.client(), status_callback=receiver.url + "/s")
    results = fake_twilio.send_status_callback_concurrently(msg.sid, "delivered", copies=3)
    assert [r.status_code for r in results] == [200, 200, 200]
    assert len(receiver.posts) == 3


def test_unreachable_callback_url_is_recorded_not_raised(fake_twilio):
    msg = create(fake_twilio.client(), status_callback="http://127.0.0.1:9/nowhere")
    result = fake_twilio.send_status_callback(msg.sid, "sent")
    assert result.status_code is None and "URLError" in result.error
    assert fake_twilio.webhooks == [result]


# ------------------------------------------------------------------------------ inbound

def test_inbound_sms_is_signed_like_twilio(fake_twilio, receiver):
    url = receiver.url + "/sms/twilio/inbound"
    result = fake_twilio.send_inbound(url, from_=TO, to=FROM, body="YA T101")
    assert result.status_code == 200
    [post] = receiver.posts
    p = post["params"]
    assert p["Body"] == "YA T101" and p["From"] == TO and p["To"] == FROM
    assert SID_RE.match(p["MessageSid"]) and p["MessageSid"] == p["SmsSid"] == p["SmsMessageSid"]
    assert (p["NumMedia"], p["NumSegments"], p["ApiVersion"], p["SmsStatus"]) == \
        ("0", "1", "2010-04-01", "received")
    assert p["AccountSid"] == fake_twilio.account_sid and p["FromCountry"] == "ID"
    assert validates(fake_twilio, url, post)
    assert fake_twilio.message(p["MessageSid"])["direction"] == "inbound"


def test_inbound_forged_tampered_and_unsigned(fake_twilio, receiver):
    url = receiver.url + "/in"
    fake_twilio.send_inbound(url, TO, FROM, "STOP", forged=True)
    fake_twilio.send_inbound(url, TO, FROM, "YA T101", tamper={"Body": "SELESAI T101"})
    fake_twilio.send_inbound(url, TO, FROM, "STATUS", sign=False)
    fake_twilio.send_inbound(url, TO, FROM, "MULAI", message_sid="SM" + "1" * 32)
    forged, tampered, unsigned, fine = receiver.posts
    assert not validates(fake_twilio, url, forged)
    assert tampered["params"]["Body"] == "SELESAI T101" and not validates(fake_twilio, url, tampered)
    assert "X-Twilio-Signature" not in unsigned["headers"]
    assert fine["params"]["MessageSid"] == "SM" + "1" * 32 and validates(fake_twilio, url, fine)


def test_webhooks_into_a_flask_test_client(fake_twilio):
    app = Flask(__name__)
    got = []

    @app.post("/sms/twilio/inbound")
    def inbound():
        ok = RequestValidator(fake_twilio.auth_token).validate(
            request.url, request.form, request.headers.get("X-Twilio-Signature", ""))
        got.append((request.url, dict(request.form)))
        return ("", 204) if ok else ("", 403)

    fake_twilio.webhook_transport = flask_test_client_transport(app.test_client())
    url = "https://resilience.example.org/sms/twilio/inbound"
    assert fake_twilio.send_inbound(url, TO, FROM, "ya  t101!").status_code == 204
    assert fake_twilio.send_inbound(url, TO, FROM, "YA", forged=True).status_code == 403
    assert got[0][0] == url and got[0][1]["Body"] == "ya  t101!"


# ------------------------------------------------------------------------------ state

def test_reset_state(fake_twilio):
    client = fake_twilio.client()
    create(client)
    fake_twilio.script(Fault.http_500())
    fake_twilio.block_recipient("+6281111111111")
    fake_twilio.reset_state()
    assert fake_twilio.creates == [] and fake_twilio.messages == {} and fake_twilio.requests == []
    assert fake_twilio.pending_script == []
    assert create(client, to="+6281111111111").status == "queued"


def test_context_manager_and_state_file(tmp_path):
    state = tmp_path / "twilio.json"
    with FakeTwilio(state_file=str(state)) as fake:
        msg = create(fake.client())
        data = json.loads(state.read_text())
        assert [c["sid"] for c in data["creates"]] == [msg.sid]
        assert data["messages"][msg.sid]["status"] == "queued"
    with pytest.raises(requests.exceptions.ConnectionError):
        create(make_twilio_client(fake.account_sid, fake.auth_token, fake.base_url, timeout=1))


def test_separate_process(tmp_path, receiver):
    state = tmp_path / "state.json"
    proc, remote = spawn_fake_twilio_process(state_file=str(state))
    try:
        client = make_twilio_client(remote.account_sid, remote.auth_token, remote.base_url, 2)
        remote.script(Fault.error(21610), "ok")
        with pytest.raises(TwilioRestException) as info:
            create(client)
        assert info.value.code == 21610
        msg = create(client, status_callback=receiver.url + "/s")
        assert [c["sid"] for c in remote.creates_to(TO)] == [msg.sid]
        assert [c["sid"] for c in json.loads(state.read_text())["creates"]] == [msg.sid]
        result = remote.send_status_callback(msg.sid, "delivered")
        assert result["status_code"] == 200
        assert validates(FakeTwilio(), receiver.url + "/s", receiver.posts[0])
        assert remote.set_message_status(msg.sid, "failed", 30007)["error_code"] == 30007
        assert client.messages(msg.sid).fetch().status == "failed"
        remote.reset_state()
        assert remote.creates == []
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
        proc.stdout.close()


# ------------------------------------------------------------------------------ WhatsApp

WA_TO, WA_FROM = "whatsapp:" + TO, "whatsapp:+14155238886"
TEMPLATE = "HX" + "12" * 16


def test_whatsapp_free_text_needs_the_window_and_templates_do_not(fake_twilio, receiver):
    client = fake_twilio.client()
    fake_twilio.add_whatsapp_template(TEMPLATE, "Posko banjir: {{1}}")
    with pytest.raises(TwilioRestException) as refused:  # nobody wrote to us: the window is shut
        create(client, to=WA_TO, from_=WA_FROM)
    assert refused.value.code == 63016 and refused.value.status == 400
    with pytest.raises(TwilioRestException) as wrong_sender:
        create(client, to=WA_TO, from_=FROM)
    assert wrong_sender.value.code == 63007
    templated = create(client, to=WA_TO, from_=WA_FROM, body=None, content_sid=TEMPLATE,
                       content_variables=json.dumps({"1": "Tugas T7"}))
    assert templated.body == "Posko banjir: Tugas T7" and templated.to == WA_TO
    with pytest.raises(TwilioRestException) as unknown:
        create(client, to=WA_TO, from_=WA_FROM, body=None, content_sid="HX" + "0" * 32)
    assert unknown.value.code == 21655

    fake_twilio.send_inbound(receiver.url + "/in", from_=WA_TO, to=WA_FROM, body="halo")
    assert receiver.posts[-1]["params"]["WaId"] == TO[1:]
    assert create(client, to=WA_TO, from_=WA_FROM, body="Terima kasih").body == "Terima kasih"
    fake_twilio.clock = lambda: time.time() + 24 * 3600 + 1  # a day later the window has shut
    with pytest.raises(TwilioRestException):
        create(client, to=WA_TO, from_=WA_FROM)


def test_whatsapp_window_by_status_and_a_cut_path(fake_twilio, receiver):
    client = fake_twilio.client()
    fake_twilio.whatsapp_window_error = "status"  # what WhatsApp does: accept, then fail
    url = receiver.url + "/s"
    outside = create(client, to=WA_TO, from_=WA_FROM, status_callback=url)
    fake_twilio.wait_for_webhooks(1)
    assert receiver.posts[-1]["params"]["MessageStatus"] == "failed"
    assert receiver.posts[-1]["params"]["ErrorCode"] == "63016" and fake_twilio.message(outside.sid)["status"] == "failed"
    fake_twilio.open_whatsapp_window(TO)
    fake_twilio.cut_whatsapp(TO, mode="undelivered")
    cut = create(client, to=WA_TO, from_=WA_FROM, status_callback=url)
    fake_twilio.wait_for_webhooks(3)
    assert [p["params"]["MessageStatus"] for p in receiver.posts[1:]] == ["sent", "undelivered"]
    assert receiver.posts[-1]["params"]["ErrorCode"] == "63024" and fake_twilio.message(cut.sid)["status"] == "undelivered"
    fake_twilio.cut_whatsapp(None)
    fake_twilio.auto_callbacks(("sent", "delivered", "read"), delay=0.01)
    read = create(client, to=WA_TO, from_=WA_FROM, status_callback=url)
    fake_twilio.wait_for_webhooks(6)
    assert [p["params"]["MessageStatus"] for p in receiver.posts[3:]] == ["sent", "delivered", "read"]
    assert fake_twilio.message(read.sid)["status"] == "read"
