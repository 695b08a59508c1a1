"""Login, logout, CSRF, rate limiting, language, and the API guard staying bearer-only."""

from __future__ import annotations

import uuid

import pytest

from resilience.web.ratelimit import LIMIT, MemoryLimiter, RedisLimiter, limiter_key
from tests.web.conftest import PASSWORD, make_user


def test_login_ok_redirects_to_events_and_shows_role_menu(web):
    make_user("budi@posko.test", "coordinator")
    response = web.login("budi@posko.test")
    assert response.status_code == 302 and response.headers["Location"].endswith("/events")
    page = web.get("/events").get_data(as_text=True)
    assert "budi@posko.test" in page and "Relawan" in page and "Kejadian baru" in page


def test_login_is_case_insensitive_on_email_and_honours_a_local_next(web):
    make_user("budi@posko.test", "coordinator")
    web.get("/login")
    response = web.post("/login", {"email": "Budi@Posko.test", "password": PASSWORD, "next": "/volunteers"})
    assert response.headers["Location"].endswith("/volunteers")
    web.get("/events")  # a new session on login: the page carries its new CSRF token
    web.post("/logout")
    web.get("/login")
    response = web.post("/login", {"email": "budi@posko.test", "password": PASSWORD, "next": "https://evil.test/"})
    assert response.headers["Location"].endswith("/events")


def test_bad_password_is_refused_with_a_message(web):
    make_user("budi@posko.test", "coordinator")
    response = web.login("budi@posko.test", "wrong-password!")
    assert response.status_code == 401
    assert "Email atau kata sandi salah." in response.get_data(as_text=True)
    assert web.get("/events").status_code == 302  # still anonymous: back to the login page


def test_pages_need_a_login(web):
    for path in ("/events", "/volunteers", "/events/1", "/events/1/map.json"):
        response = web.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_is_rate_limited_per_email_and_ip(web):
    make_user("budi@posko.test", "coordinator")
    for _ in range(LIMIT):
        assert web.login("budi@posko.test", "wrong-password!").status_code == 401
    response = web.login("budi@posko.test")  # even the right password waits now
    assert response.status_code == 429
    assert "Terlalu banyak percobaan gagal" in response.get_data(as_text=True)
    make_user("siti@posko.test", "coordinator")
    assert web.login("siti@posko.test").status_code == 302  # another email is not blocked


def test_memory_limiter_window_slides():
    now = [1000.0]
    limiter = MemoryLimiter(limit=2, window=60, clock=lambda: now[0])
    key = limiter_key("a@b.c", "127.0.0.1")
    limiter.fail(key)
    limiter.fail(key)
    assert limiter.blocked(key)
    now[0] += 61
    assert not limiter.blocked(key)


def test_redis_limiter_counts_across_clients():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    key = f"resilience:test:login-fail:{uuid.uuid4().hex}"
    first, second = RedisLimiter(client, limit=3), RedisLimiter(client, limit=3)
    try:
        first.fail(key)
        second.fail(key)
        assert not first.blocked(key)
        second.fail(key)
        assert first.blocked(key) and second.blocked(key)
        assert 0 < client.ttl(key) <= 15 * 60 + 1
        first.reset(key)
        assert not second.blocked(key)
    finally:
        client.delete(key)


def test_posts_without_the_csrf_token_are_rejected(web_coordinator):
    for path, data in (("/logout", {}), ("/events/new", {"name": "x", "started_at": "2026-03-10T06:00"})):
        response = web_coordinator.post(path, data, csrf=False)
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
        response = web_coordinator.post(path, {**data, "csrf_token": "forged"}, csrf=False)
        assert response.status_code == 400
    assert web_coordinator.get("/events").status_code == 200  # still logged in


def test_login_form_needs_the_csrf_token_too(web):
    make_user("budi@posko.test", "coordinator")
    assert web.post("/login", {"email": "budi@posko.test", "password": PASSWORD}, csrf=False).status_code == 400


def test_logout_ends_the_session(web_coordinator):
    assert web_coordinator.post("/logout").status_code == 302
    assert web_coordinator.get("/events").status_code == 302


def test_indonesian_by_default_and_english_on_request(web):
    page = web.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page and "Masuk ke Resilience" in page
    page = web.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in to Resilience" in page
    assert "Log in to Resilience" in web.get("/login").get_data(as_text=True)  # kept in the session
    response = web.get("/lang/id?next=/login")
    assert response.headers["Location"].endswith("/login")
    assert "Masuk ke Resilience" in web.get("/login").get_data(as_text=True)


def test_english_flash_messages(web):
    make_user("budi@posko.test", "coordinator")
    web.get("/login?lang=en")
    response = web.post("/login", {"email": "budi@posko.test", "password": "wrong-password!"})
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_the_api_stays_bearer_only_for_a_logged_in_browser(web_coordinator):
    response = web_coordinator.client.get("/api/v1/events")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    response = web_coordinator.client.post("/api/v1/events", json={"name": "x"})
    assert response.status_code == 401


def test_official_gets_no_write_pages(web_official):
    assert web_official.get("/volunteers").status_code == 403
    assert web_official.get("/events/new").status_code == 403
    page = web_official.get("/events").get_data(as_text=True)
    assert "Kejadian baru" not in page and 'href="/volunteers"' not in page


def test_vendored_leaflet_is_served_and_no_cdn_is_used(web_coordinator, seed):
    event = seed.event()
    page = web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True)
    assert "/assets/vendor/leaflet/leaflet.js" in page and "unpkg" not in page and "cdn" not in page.lower()
    assert web_coordinator.get("/assets/vendor/leaflet/leaflet.js").status_code == 200
    assert web_coordinator.get("/assets/vendor/leaflet/images/marker-icon.png").status_code == 200
