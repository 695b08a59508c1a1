"""The autouse network guard (tests/netguard.py) stops a real SMS before anything leaves the
machine — no DNS question, no connection — and leaves loopback (the fake Twilio) alone."""

from __future__ import annotations

import socket

import pytest
from twilio.rest import Client

from tests.fakes.twilio_server import FakeTwilio
from tests.netguard import GUARD, RealNetworkBlocked, is_loopback


@pytest.fixture
def real_calls(monkeypatch):
    """Every call that would have reached the operating system's resolver or a real socket."""
    calls = []

    def spy(name):
        def record(*args, **kwargs):
            calls.append((name, args))
            raise AssertionError(f"{name} reached the operating system: {args}")
        return record

    monkeypatch.setattr(GUARD, "real_getaddrinfo", spy("getaddrinfo"))
    monkeypatch.setattr(GUARD, "real_connect", spy("connect"))
    monkeypatch.setattr(GUARD, "real_connect_ex", spy("connect_ex"))
    return calls


def test_the_twilio_sdk_cannot_reach_api_twilio_com(no_real_network, real_calls):
    client = Client("AC" + "0" * 32, "not-a-real-token")
    with no_real_network.expected() as blocked:
        with pytest.raises(RealNetworkBlocked, match="api.twilio.com"):
            client.messages.create(to="+6281234567890", from_="+15005550006", body="Tes")
    assert blocked and all(how == "getaddrinfo" for how, _host, _port in blocked)
    assert {host for _how, host, _port in blocked} == {"api.twilio.com"}
    assert real_calls == []


def test_the_gateway_without_a_fake_url_is_stopped(no_real_network, real_calls):
    from resilience.sms.gateways import TwilioGateway

    gateway = TwilioGateway("AC" + "1" * 32, "not-a-real-token", "+15005550006", api_url=None, timeout=1)
    with no_real_network.expected() as blocked:
        with pytest.raises(RealNetworkBlocked):
            gateway.send(1, "+6281234567890", "Tes", None)
    assert [host for _how, host, _port in blocked] == ["api.twilio.com"]
    assert real_calls == []


def test_a_raw_socket_to_a_public_address_is_stopped(no_real_network, real_calls):
    with no_real_network.expected() as blocked:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            with pytest.raises(RealNetworkBlocked):
                sock.connect(("192.0.2.1", 443))  # TEST-NET-1
            with pytest.raises(RealNetworkBlocked):
                sock.connect_ex(("192.0.2.1", 443))
        with pytest.raises(RealNetworkBlocked):
            socket.create_connection(("sms.example.org", 80), timeout=1)
    assert blocked == [("connect", "192.0.2.1", 443), ("connect_ex", "192.0.2.1", 443),
                       ("getaddrinfo", "sms.example.org", 80)]
    assert real_calls == []


def test_a_swallowed_attempt_still_fails_the_test(no_real_network):
    """What the autouse fixture checks at teardown: attempts are recorded even when the code
    under test catches the exception."""
    try:
        socket.getaddrinfo("api.twilio.com", 443)
    except Exception:
        pass
    assert no_real_network.take() == [("getaddrinfo", "api.twilio.com", 443)]


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.3.4.5", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST.", True), ("0.0.0.0", True), (None, True), (b"127.0.0.1", True),
    ("api.twilio.com", False), ("10.0.0.1", False), ("192.0.2.1", False), ("2001:db8::1", False),
    ("localhost.example.org", False), ("", False),
])
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_the_fake_twilio_on_loopback_still_works(no_real_network):
    with FakeTwilio() as fake:
        client = Client(fake.account_sid, fake.auth_token)
        client.api.base_url = fake.base_url.rstrip("/")
        message = client.messages.create(to="+6281234567890", from_="+15005550006", body="Tes")
    assert message.sid.startswith("SM")
    assert no_real_network.take() == []
