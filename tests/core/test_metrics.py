"""Prometheus metrics on /metrics (issue 15, point 6): requests and latencies per route (the
endpoint's name, never a raw path), SMS by state, open alerts by kind, failed decrypts, the
Celery queue's depth with Redis; only for an admin's token or METRICS_TOKEN."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import factories
from tests.conftest import make_settings, pythonpath

METRICS_TOKEN = "scrape-" + "k" * 30


def _samples(response) -> dict[tuple[str, tuple], float]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and response.headers["Cache-Control"] == "no-store"
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_scrape_shows_requests_sms_alerts_and_failed_decrypts_moving(app, admin, coordinator):
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from resilience.alerts.operations import raise_alert
    from resilience.extensions import db
    from resilience.sms import outbox

    route = dict(endpoint="events.list_events", method="GET", status="2xx")
    before = _samples(admin.get("/metrics"))
    household = factories.household()
    for _ in range(3):
        assert coordinator.get("/api/v1/events").status_code == 200
    assert coordinator.get("/api/v1/events/123456").status_code == 404
    assert coordinator.get("/no/such/page/081234567890").status_code == 404
    with factories.writing() as session:
        outbox.queue(session, "+6281200001111", "Tes", "coordinator")
        raise_alert(session, "long_wait", "need:1")
    stranger = Fernet(Fernet.generate_key()).encrypt(b"6271054507800001").decode()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE households SET nik = :n WHERE id = :i"), {"n": stranger, "i": household.id})
    assert coordinator.get(f"/api/v1/households/{household.id}").get_json()["nik"] == "<unreadable>"

    response = admin.get("/metrics")
    after = _samples(response)
    body = response.get_data(as_text=True)
    requests = "resilience_http_requests_total"
    assert _value(after, requests, **route) - _value(before, requests, **route) == 3
    assert _value(after, requests, endpoint="events.get_event", method="GET", status="4xx") \
        - _value(before, requests, endpoint="events.get_event", method="GET", status="4xx") == 1
    assert _value(after, requests, endpoint="unmatched", method="GET", status="4xx") >= 1
    assert "/no/such/page" not in body and "081234567890" not in body and "123456" not in body
    latency = "resilience_http_request_duration_seconds_count"
    assert _value(after, latency, endpoint=route["endpoint"], method="GET") \
        - _value(before, latency, endpoint=route["endpoint"], method="GET") == 3
    assert _value(after, "resilience_http_request_duration_seconds_bucket", endpoint=route["endpoint"],
                  method="GET", le="+Inf") >= 3

    sms_before = sum(v for (name, _), v in before.items() if name == "resilience_sms_messages")
    sms_after = sum(v for (name, _), v in after.items() if name == "resilience_sms_messages")
    assert sms_after - sms_before == 1
    assert ("resilience_sms_messages", (("state", "delivered"),)) in after  # every state, zero or not
    assert _value(after, "resilience_alerts_open", kind="long_wait") == 1
    assert _value(after, "resilience_alerts_open", kind="sms_failed") == 0
    assert _value(after, "resilience_decrypt_failures_total") - _value(before, "resilience_decrypt_failures_total") >= 1
    assert "+6281200001111" not in body and "Tes" not in body


def test_metrics_need_an_admin_token_or_the_metrics_token(app, admin, coordinator, official, anonymous):
    for client, status in ((anonymous, 401), (official, 403), (coordinator, 403)):
        response = client.get("/metrics")
        assert response.status_code == status, client
        assert response.mimetype == "application/problem+json"
        assert "resilience_" not in response.get_data(as_text=True)
    assert "METRICS_TOKEN" in official.get("/metrics").get_json()["detail"]  # says what would do
    assert anonymous.get("/metrics", headers={"Authorization": "Bearer rsl_guess"}).status_code == 401
    assert anonymous.get("/metrics", headers={"Authorization": f"Basic {admin.token}"}).status_code == 401
    assert anonymous.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 401

    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(settings, metrics_token=METRICS_TOKEN)
    try:
        assert anonymous.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
        assert anonymous.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"}).status_code == 401
    finally:
        app.config["SETTINGS"] = settings
    assert admin.get("/metrics").status_code == 200


def test_scrapes_are_not_counted_by_the_api_rate_limit(app, admin):
    from resilience.core.ratelimit import MemoryRateLimit

    previous = app.extensions.get("api_rate_limit")
    app.extensions["api_rate_limit"] = MemoryRateLimit(2, 60)
    try:
        assert [admin.get("/metrics").status_code for _ in range(4)] == [200] * 4
        assert [admin.get("/api/v1/events").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        app.extensions["api_rate_limit"] = previous


def test_with_redis_the_celery_queue_depth_is_shown(sqlite_app, tmp_path):
    redis = pytest.importorskip("redis")
    from resilience.app import create_app

    url = "redis://127.0.0.1:6379/13"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    app = create_app(make_settings(sqlite_app.config["SETTINGS"].database_url, tmp_path, REDIS_URL=url,
                                   METRICS_TOKEN=METRICS_TOKEN), TESTING=True)
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    client.delete("celery")
    try:
        client.rpush("celery", "a", "b", "c")
        samples = _samples(app.test_client().get("/metrics", headers=headers))
        assert _value(samples, "resilience_celery_queue_length", queue="celery") == 3
        assert _value(samples, "resilience_broker_up") == 1
    finally:
        client.delete("celery")
    down = create_app(make_settings(sqlite_app.config["SETTINGS"].database_url, tmp_path,
                                    REDIS_URL="redis://127.0.0.1:1/0", METRICS_TOKEN=METRICS_TOKEN), TESTING=True)
    samples = _samples(down.test_client().get("/metrics", headers=headers))
    assert _value(samples, "resilience_broker_up") == 0
    assert ("resilience_celery_queue_length", (("queue", "celery"),)) not in samples


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_worker(tmp_path):
    """Two processes stand for two gunicorn workers sharing PROMETHEUS_MULTIPROC_DIR; a third
    scrapes and sees both workers' requests."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROMETHEUS_MULTIPROC_DIR": str(shared),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'mp.db'}", "RESILIENCE_INSTANCE_PATH": str(tmp_path),
           "METRICS_TOKEN": METRICS_TOKEN, **pythonpath()}
    worker = ("from resilience.app import create_app\nclient = create_app().test_client()\n"
              "for _ in range(2): assert client.get('/healthz').status_code == 200\n")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", worker], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    scrape = ("from resilience.app import create_app\nfrom resilience.cli import upgrade_database\n"
              "app = create_app()\nwith app.app_context(): upgrade_database()\n"
              f"r = app.test_client().get('/metrics', headers={{'Authorization': 'Bearer {METRICS_TOKEN}'}})\n"
              "assert r.status_code == 200, r.data\nprint(r.get_data(as_text=True))\n")
    done = subprocess.run([sys.executable, "-c", scrape], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    counts = {}
    for family in text_string_to_metric_families(done.stdout):
        for sample in family.samples:
            if sample.name == "resilience_http_requests_total":
                counts[sample.labels["endpoint"]] = sample.value
    assert counts.get("health.healthz") == 4


def test_metrics_token_is_optional_and_long(tmp_path):
    from resilience.core.settings import Settings, SettingsError

    env = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 32}
    assert Settings.from_env(env).metrics_token is None
    assert Settings.from_env({**env, "METRICS_TOKEN": METRICS_TOKEN}).metrics_token == METRICS_TOKEN
    with pytest.raises(SettingsError, match="METRICS_TOKEN") as refused:
        Settings.from_env({**env, "METRICS_TOKEN": "short-secret"})
    assert "short-secret" not in str(refused.value)  # a secret is never echoed
