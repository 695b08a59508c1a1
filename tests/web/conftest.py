"""Web-app fixtures: staff users and a logged-in Flask test client (session cookie + CSRF)."""

from __future__ import annotations

import re

import pytest

PASSWORD = "a-long-password"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class WebClient:
    """The Flask test client as a browser would use it: GET a page, post its form with its token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, path, **kw):
        response = self.client.get(path, **kw)
        if response.mimetype == "text/html":
            match = _CSRF.search(response.get_data(as_text=True))
            if match:
                self.token = match.group(1)
        return response

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(path, data=data, **kw)

    def login(self, email, password=PASSWORD):
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password})
        if response.status_code == 302:
            self.get("/events")  # login starts a new session: pick up its CSRF token
        return response


def make_user(email: str, role: str) -> None:
    from resilience.accounts.operations import create_user
    from resilience.extensions import db

    db.session.rollback()
    create_user(db.session, email, role, PASSWORD)
    db.session.commit()


@pytest.fixture
def limiter(app):
    limiter, per_ip = app.extensions["web_login_limiter"], app.extensions["web_login_ip_limiter"]
    limiter.reset()
    per_ip.reset()
    yield limiter
    limiter.reset()
    per_ip.reset()


@pytest.fixture
def web(app, limiter):
    return WebClient(app.test_client())


@pytest.fixture
def web_coordinator(app, limiter):
    return _logged_in(app, "koordinator.web@posko.test", "coordinator")


@pytest.fixture
def web_official(app, limiter):
    return _logged_in(app, "pejabat.web@bpbd.test", "official")


@pytest.fixture
def web_admin(app, limiter):
    return _logged_in(app, "admin.web@posko.test", "admin")


def _logged_in(app, email: str, role: str) -> WebClient:
    """A web client of ``app`` signed in as a new ``role`` user."""
    make_user(email, role)
    client = WebClient(app.test_client())
    assert client.login(email).status_code == 302
    return client


@pytest.fixture
def server(tmp_path):
    """``resilience serve`` on a fresh SQLite file with a coordinator: (base URL, API token)."""
    from tests.web.browser_server import serve

    with serve(tmp_path) as running:
        yield running
