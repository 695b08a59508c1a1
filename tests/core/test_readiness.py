"""/readyz checks the real broker when REDIS_URL is set."""

import socket

import pytest

from resilience.app import create_app
from tests.conftest import make_settings  # noqa: E402  (plain helper, not a fixture)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("redis_up", [True, False])
def test_readyz_reports_the_broker(sqlite_app, tmp_path, redis_up):
    url = "redis://127.0.0.1:6379/15" if redis_up else f"redis://127.0.0.1:{_free_port()}/0"
    database_url = sqlite_app.config["SETTINGS"].database_url
    app = create_app(make_settings(database_url, tmp_path, REDIS_URL=url), TESTING=True)
    response = app.test_client().get("/readyz")
    body = response.get_json()
    if redis_up:
        assert response.status_code == 200 and body["checks"]["broker"] == "ok"
    else:
        assert response.status_code == 503 and body["checks"]["broker"].startswith("error")
        assert body["status"] == "not ready"
