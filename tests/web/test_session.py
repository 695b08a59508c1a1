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


# --- server-side sessions: logout, idle time, lifetime, deactivation ---------------------------
def _thief_with_cookie_of(app, web_client):
    """Another browser holding a copy of ``web_client``'s session cookie."""
    cookie = web_client.client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_cookie_copied_before_logout_stops_working_after_it(app, web_coordinator):
    thief = _thief_with_cookie_of(app, web_coordinator)
    assert thief.get("/events").status_code == 200  # the copy works while the session lives
    assert web_coordinator.post("/logout").status_code == 302
    response = thief.get("/events")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert web_coordinator.get("/events").status_code == 302


def test_a_session_ends_after_the_idle_time_but_activity_keeps_it(app, web_coordinator, monkeypatch):
    import time

    from resilience.web import session as web_session

    idle = app.config["SETTINGS"].session_idle_minutes * 60
    start = time.time()
    clock = [start]
    monkeypatch.setattr(web_session.time, "time", lambda: clock[0])
    clock[0] = start + idle - 5
    assert web_coordinator.get("/events").status_code == 200  # activity: last seen now
    clock[0] = start + 2 * idle - 10
    assert web_coordinator.get("/events").status_code == 200  # within the idle time of the last use
    thief = _thief_with_cookie_of(app, web_coordinator)
    clock[0] = start + 3 * idle
    response = web_coordinator.get("/events")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Sesi Anda berakhir" in web_coordinator.get("/login").get_data(as_text=True)
    assert thief.get("/events").status_code == 302  # a copy idles out the same way


def test_the_dashboards_automatic_refresh_is_not_activity(app, web_coordinator, seed, monkeypatch):
    import time

    from resilience.web import session as web_session

    event = seed.event()
    idle = app.config["SETTINGS"].session_idle_minutes * 60
    start = time.time()
    clock = [start]
    monkeypatch.setattr(web_session.time, "time", lambda: clock[0])
    for seconds in (60, idle // 2, idle - 60):  # the refresh runs, but nobody uses the page
        clock[0] = start + seconds
        assert web_coordinator.get(f"/events/{event['id']}/map.json").status_code == 200
    clock[0] = start + idle + 60
    assert web_coordinator.get("/events").status_code == 302  # idle since the page was loaded


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, web_coordinator):
    from datetime import timedelta

    from sqlalchemy import select, update

    from resilience.accounts.models import WebSession
    from resilience.core.db import utcnow
    from resilience.extensions import db

    assert web_coordinator.get("/events").status_code == 200
    hours = app.config["SETTINGS"].session_max_hours
    db.session.execute(update(WebSession).values(created_at=utcnow() - timedelta(hours=hours, minutes=-1)))
    db.session.commit()
    assert web_coordinator.get("/events").status_code == 200  # a minute left
    db.session.execute(update(WebSession).values(created_at=utcnow() - timedelta(hours=hours, minutes=1)))
    db.session.commit()
    assert db.session.scalar(select(WebSession.ended_at)) is None
    db.session.rollback()
    assert web_coordinator.get("/events").status_code == 302


def test_deactivating_a_user_ends_their_web_sessions_at_once(app, web_coordinator):
    from resilience.cli import users as users_cli

    result = app.test_cli_runner().invoke(users_cli, ["deactivate", "koordinator.web@posko.test"])
    assert result.exit_code == 0, result.output
    assert web_coordinator.get("/events").status_code == 302
    assert app.test_cli_runner().invoke(users_cli, ["activate", "koordinator.web@posko.test"]).exit_code == 0
    assert web_coordinator.get("/events").status_code == 302  # an ended session stays ended
    assert web_coordinator.login("koordinator.web@posko.test").status_code == 302


def test_login_starts_a_new_server_session_and_ends_the_previous_one(app, web):
    from sqlalchemy import select

    from resilience.accounts.models import WebSession
    from resilience.extensions import db

    make_user("budi@posko.test", "coordinator")
    assert web.login("budi@posko.test").status_code == 302
    first = _thief_with_cookie_of(app, web)
    token_before = web.token
    web.get("/login")  # a logged-in user may log in again (e.g. as someone else)
    assert web.post("/login", {"email": "budi@posko.test", "password": PASSWORD}).status_code == 302
    web.get("/events")
    assert web.token != token_before  # a new CSRF token with the new session
    rows = db.session.execute(select(WebSession.id, WebSession.ended_at)).all()
    db.session.rollback()
    assert len(rows) == 1 and rows[0].ended_at is None  # the first one ended (and was cleared away)
    assert first.get("/events").status_code == 302
    assert web.get("/events").status_code == 200
    other = type(web)(app.test_client())
    assert other.login("budi@posko.test").status_code == 302  # a second browser: both stay logged in
    assert web.get("/events").status_code == 200 and other.get("/events").status_code == 200
    rows = db.session.execute(select(WebSession.ended_at)).scalars().all()
    db.session.rollback()
    assert rows == [None, None]  # a login ends no other browser's session


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(app, web):
    make_user("budi@posko.test", "coordinator")
    web.login("budi@posko.test")
    response = web.get("/events")
    assert response.status_code == 200
    web.get("/login")
    response = web.post("/logout")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    page = secure.get("/login", base_url="https://resilience.test")
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_new_password_ends_the_users_web_sessions(app, web_coordinator):
    from resilience.accounts.operations import reset_password, user_by_email
    from resilience.extensions import db

    reset_password(db.session, user_by_email(db.session, "koordinator.web@posko.test"))
    db.session.commit()
    assert web_coordinator.get("/events").status_code == 302
