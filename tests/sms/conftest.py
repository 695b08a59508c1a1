"""The Twilio backend in-process: the real twilio SDK against the fake Twilio on 127.0.0.1,
tasks run eagerly (no REDIS_URL), on both databases."""

import pytest

from resilience.app import create_app
from resilience.core.db import set_read_only
from resilience.extensions import db
from tests.conftest import ApiClient, _reset, _token, make_settings
from tests.fakes.twilio_server import FakeTwilio, flask_test_client_transport

PUBLIC = "https://posko.example.org"


@pytest.fixture
def fake():
    with FakeTwilio() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgis"])
def twilio_app(request, fake, tmp_path):
    base = request.getfixturevalue(f"{request.param}_app")
    settings = make_settings(
        base.config["SETTINGS"].database_url, tmp_path,
        SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=fake.account_sid, TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_FROM="+15005550006", TWILIO_API_URL=fake.base_url, PUBLIC_BASE_URL=PUBLIC,
        SMS_HTTP_TIMEOUT="2",
    )
    app = create_app(settings, TESTING=True)
    _reset(app)
    fake.webhook_transport = flask_test_client_transport(app.test_client())
    set_read_only(True)  # the test thread only reads: it must not hold SQLite's write lock
    with app.app_context():
        yield app
        db.session.remove()
    set_read_only(False)


@pytest.fixture
def client(twilio_app):
    return ApiClient(twilio_app.test_client(), _token(twilio_app, "koordinator@posko.test", "coordinator"))
