"""Security headers on pages, API answers and assets; the API's per-address rate limit (429
problem+json with Retry-After, then recovered); the settings behind them."""

from __future__ import annotations

import pytest

from resilience.core.ratelimit import MemoryRateLimit
from resilience.core.security import content_security_policy, secure_cookies_always, tile_origin
from resilience.core.settings import Settings, SettingsError
from tests.web.conftest import limiter, make_user, web, web_coordinator  # noqa: F401  (fixtures)

BASE = {"SECRET_KEY": "x" * 20, "FIELD_ENCRYPTION_KEYS": "A" * 43 + "="}


def _assert_security_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain http here


def test_pages_api_and_assets_carry_the_headers(app, web_coordinator, coordinator, anonymous, seed):
    event = seed.event()
    for response in (web_coordinator.get("/events"), web_coordinator.get(f"/events/{event['id']}"),
                     web_coordinator.get(f"/events/{event['id']}/map.json"), web_coordinator.get("/login"),
                     coordinator.get("/api/v1/events"), anonymous.get("/api/v1/events"),
                     anonymous.get("/healthz"), web_coordinator.get("/assets/app.css"),
                     web_coordinator.get("/no-such-page")):
        _assert_security_headers(response)


def test_personal_pages_and_api_answers_are_not_stored(app, web_coordinator, coordinator, seed):
    household = seed.household()
    assert web_coordinator.get(f"/households/{household['id']}").headers["Cache-Control"] == "no-store"
    assert coordinator.get(f"/api/v1/households/{household['id']}").headers["Cache-Control"] == "no-store"
    asset = web_coordinator.get("/assets/app.css?v=whatever")
    assert "no-store" not in asset.headers.get("Cache-Control", "")


def test_hsts_only_over_https(app, coordinator):
    response = app.test_client().get("/healthz", base_url="https://resilience.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_csp_allows_the_tile_server_for_images_only():
    settings = Settings(tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png", tile_attribution="x")
    csp = content_security_policy(settings)
    assert "img-src 'self' data: https://*.tile.example.org;" in csp
    assert csp.count("tile.example.org") == 1
    assert tile_origin(None) is None
    assert "tile" not in content_security_policy(Settings())


def test_cookies_are_secure_in_production_unless_its_address_is_plain_http():
    assert secure_cookies_always(Settings(env="production", public_base_url="https://r.example.org"))
    assert secure_cookies_always(Settings(env="production"))
    assert not secure_cookies_always(Settings(env="production", public_base_url="http://10.0.0.5:8000"))
    assert not secure_cookies_always(Settings(env="development"))


@pytest.mark.parametrize("name, default", [("SESSION_IDLE_MINUTES", 120), ("SESSION_MAX_HOURS", 12),
                                           ("API_TOKEN_DAYS", 90), ("API_RATE_LIMIT", 600)])
def test_security_settings_have_defaults_and_are_checked(tmp_path, name, default):
    env = {**BASE, "RESILIENCE_INSTANCE_PATH": str(tmp_path)}
    attribute = name.lower()
    assert getattr(Settings.from_env(env), attribute) == default
    assert getattr(Settings.from_env({**env, name: "7"}), attribute) == 7
    for bad in ("-1", "abc", "1.5", "99999999"):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({**env, name: bad})


@pytest.fixture
def api_limit(app):
    now = [1000.0]
    previous = app.extensions.get("api_rate_limit")
    app.extensions["api_rate_limit"] = MemoryRateLimit(3, 60, clock=lambda: now[0])
    yield now
    app.extensions["api_rate_limit"] = previous


def test_the_api_is_rate_limited_per_address_then_recovers(app, coordinator, official, api_limit):
    for _ in range(2):
        assert coordinator.get("/api/v1/events").status_code == 200
    assert official.get("/api/v1/events").status_code == 200  # another account, same address
    response = coordinator.get("/api/v1/events")
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429 and "too many requests" in response.get_json()["detail"]
    assert response.headers["Retry-After"] == "60"
    _assert_security_headers(response)
    # Counted before the token: guessing tokens is limited too.
    assert app.test_client().get("/api/v1/events", headers={"Authorization": "Bearer rsl_guess"}).status_code == 429
    other = app.test_client().get("/api/v1/events", environ_base={"REMOTE_ADDR": "10.1.2.3"},
                                  headers={"Authorization": f"Bearer {coordinator.token}"})
    assert other.status_code == 200  # another address has its own allowance
    assert app.test_client().get("/healthz").status_code == 200  # only the API is limited
    api_limit[0] += 30
    assert coordinator.get("/api/v1/events").headers["Retry-After"] == "30"
    api_limit[0] += 31
    assert coordinator.get("/api/v1/events").status_code == 200


def test_web_login_is_limited_per_address_across_accounts(app, web):
    from resilience.web.ratelimit import IP_LIMIT, LIMIT

    for n in range(IP_LIMIT // LIMIT):
        for _ in range(LIMIT - 1):  # under the per-account limit each time
            assert web.login(f"user{n}@posko.test", "wrong-password!").status_code == 401
    for _ in range(IP_LIMIT - (IP_LIMIT // LIMIT) * (LIMIT - 1)):
        assert web.login("spray@posko.test", "wrong-password!").status_code in (401, 429)
    make_user("siti@posko.test", "coordinator")
    response = web.login("siti@posko.test")  # the right password of an untried account waits too
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    elsewhere = type(web)(app.test_client())
    elsewhere.client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert elsewhere.login("siti@posko.test").status_code == 302


def test_with_redis_the_api_limit_is_shared_by_every_worker(sqlite_app, tmp_path):
    """Two apps on one Redis stand for two gunicorn workers: the count is one."""
    import random

    redis = pytest.importorskip("redis")
    from resilience.app import create_app
    from tests.conftest import make_settings

    url = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    database_url = sqlite_app.config["SETTINGS"].database_url
    workers = [create_app(make_settings(database_url, tmp_path, REDIS_URL=url, API_RATE_LIMIT="2"), TESTING=True)
               for _ in range(2)]
    try:
        statuses = [workers[n % 2].test_client().get("/api/v1/events", environ_base={"REMOTE_ADDR": address})
                    for n in range(3)]
        assert [r.status_code for r in statuses] == [401, 401, 429]
        assert 0 < int(statuses[2].headers["Retry-After"]) <= 60
    finally:
        client.delete(f"resilience:api:{address}")
