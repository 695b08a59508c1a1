"""PROXY_COUNT (issue 15, point 4): behind a configured number of proxies the client address,
scheme and host come from X-Forwarded-*; with the default 0 a forged header changes nothing."""

from __future__ import annotations

import random

import pytest

from resilience.core.settings import Settings, SettingsError
from tests.conftest import make_settings


def _address() -> str:
    return f"203.0.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture
def behind(app, tmp_path):
    """An app on the test database with PROXY_COUNT=count and an API limit of 2 a minute."""
    from resilience.app import create_app
    from resilience.extensions import db

    built = []

    def _build(count: int):
        settings = make_settings(app.config["SETTINGS"].database_url, tmp_path, PROXY_COUNT=str(count),
                                 API_RATE_LIMIT="2", RESILIENCE_ENV="development")
        built.append(create_app(settings, TESTING=True))
        return built[-1].test_client()

    yield _build
    for other in built:
        with other.app_context():
            db.engine.dispose()


def test_with_one_proxy_the_limit_keys_on_the_forwarded_client(behind):
    client = behind(1)
    alice, bob = _address(), _address()
    # Every request comes from the proxy (127.0.0.1); the client is the last X-Forwarded-For hop.
    first = [client.get("/api/v1/events", headers={"X-Forwarded-For": alice}) for _ in range(3)]
    assert [r.status_code for r in first] == [401, 401, 429]
    assert client.get("/api/v1/events", headers={"X-Forwarded-For": bob}).status_code == 401  # its own allowance
    # A client that prepends a forged address is still the address the proxy saw.
    forged = client.get("/api/v1/events", headers={"X-Forwarded-For": f"{_address()}, {alice}"})
    assert forged.status_code == 429


def test_with_one_proxy_https_and_host_come_from_the_proxy(behind):
    client = behind(1)
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "r.example.org"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")  # the request is secure
    login = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "r.example.org"})
    assert login.status_code == 200
    cookie = login.headers.get("Set-Cookie", "")
    assert "Secure" in cookie  # a development app sets Secure only on HTTPS requests
    plain = behind(1).get("/login")  # a new client: the cookie is set again
    assert "session=" in plain.headers["Set-Cookie"] and "Secure" not in plain.headers["Set-Cookie"]


def test_without_proxies_a_spoofed_forwarded_for_changes_nothing(behind):
    client = behind(0)
    statuses = [client.get("/api/v1/events", headers={"X-Forwarded-For": _address(), "X-Forwarded-Proto": "https"})
                for _ in range(3)]
    assert [r.status_code for r in statuses] == [401, 401, 429]  # one client: the connection's address
    assert "Strict-Transport-Security" not in statuses[0].headers  # not secure on a header's word


def test_proxy_count_defaults_to_zero_and_is_checked(tmp_path):
    env = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 32}
    assert Settings.from_env(env).proxy_count == 0
    assert Settings.from_env({**env, "PROXY_COUNT": "2"}).proxy_count == 2
    for bad in ("-1", "one", "11"):
        with pytest.raises(SettingsError, match="PROXY_COUNT"):
            Settings.from_env({**env, "PROXY_COUNT": bad})


def test_resilience_serve_passes_forwarded_headers_to_the_app(tmp_path):
    """waitress drops X-Forwarded-* unless told otherwise: with PROXY_COUNT=1 ``resilience
    serve`` keeps them for the app, and the limit keys on the forwarded client."""
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request
    from pathlib import Path

    from tests.conftest import pythonpath
    from tests.web.browser_server import free_port

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
           "RESILIENCE_INSTANCE_PATH": str(tmp_path), "PROXY_COUNT": "1", "API_RATE_LIMIT": "1", **pythonpath()}
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("resilience")), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def status(path, **headers):
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=5) as r:
                return r.status, dict(r.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)

    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("resilience serve did not start")
        alice, bob = _address(), _address()
        assert [status("/api/v1/events", **{"X-Forwarded-For": alice})[0] for _ in range(2)] == [401, 429]
        assert status("/api/v1/events", **{"X-Forwarded-For": bob})[0] == 401
        assert "Strict-Transport-Security" in status("/healthz", **{"X-Forwarded-Proto": "https"})[1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
