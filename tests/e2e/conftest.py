"""End-to-end harness: a redis-server of our own on a free port, real ``celery -A workers
worker`` processes, the PostGIS test database, and the fake Twilio on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from resilience.app import create_app
from resilience.core.db import set_read_only
from resilience.extensions import db
from tests.conftest import SECRET, ApiClient, _reset, _token, make_settings
from tests.fakes.redis_server import RedisServer
from tests.fakes.twilio_server import FakeTwilio, flask_test_client_transport

PUBLIC = "https://posko.example.org"
ROOT = Path(__file__).resolve().parents[2]


class Workers:
    """Celery worker processes with the app's settings in their environment."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, concurrency: int = 2, name: str | None = None) -> subprocess.Popen:
        name = name or f"w{len(self.procs)}"
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers", "worker", "--loglevel=INFO",
             f"--concurrency={concurrency}", "-P", "prefork", "-n", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: {(self.log_dir / f'{name}.log').read_text()[-2000:]}")
            if b"ready." in (self.log_dir / f"{name}.log").read_bytes():
                return proc
            time.sleep(0.2)
        raise RuntimeError("worker did not become ready")

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the whole worker (main process and its children), as a crash would."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


class Stack:
    """Redis, the fake Twilio, an app on the PostGIS test database wired to both, and the
    environment for worker processes. ``close()`` stops everything it started."""

    def __init__(self, postgis_app, tmp: Path, **extra):
        self.fake = FakeTwilio().start()
        self.redis = RedisServer(tmp)
        self.redis.start()
        database_url = postgis_app.config["SETTINGS"].database_url
        # The web app and the workers of one deployment share the field-encryption keys (the
        # workers refuse to start on a database whose values their keys cannot read).
        keys = ",".join(postgis_app.config["SETTINGS"].field_encryption_keys)
        overrides = dict(FIELD_ENCRYPTION_KEYS=keys,
            REDIS_URL=self.redis.url, SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=self.fake.account_sid,
            TWILIO_AUTH_TOKEN=self.fake.auth_token, TWILIO_FROM="+15005550006",
            TWILIO_API_URL=self.fake.base_url, PUBLIC_BASE_URL=PUBLIC, SMS_MAX_PER_SECOND="1000",
            SMS_HTTP_TIMEOUT="2", **extra,
        )
        self.app = create_app(make_settings(database_url, tmp, **overrides), TESTING=True)
        self.fake.webhook_transport = flask_test_client_transport(self.app.test_client())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO", "REDIS", "DATABASE"))}
        env.update({k: str(v) for k, v in overrides.items()})
        env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET,
                   RESILIENCE_ENV="test", RESILIENCE_INSTANCE_PATH=str(tmp), PYTHONPATH=str(ROOT))
        self.env = env
        self.workers = Workers(env, tmp)

    def client(self) -> ApiClient:
        return ApiClient(self.app.test_client(), _token(self.app, "koordinator@posko.test", "coordinator"))

    def close(self) -> None:
        self.workers.stop_all()
        self.redis.stop()
        self.fake.stop()


@pytest.fixture
def e2e(postgis_app, tmp_path):
    """(app, client, fake, redis_server, workers) wired together on PostGIS; a fresh Redis and
    fake per test (tests here stop Redis and kill workers)."""
    stack = Stack(postgis_app, tmp_path)
    _reset(stack.app)
    set_read_only(True)
    try:
        with stack.app.app_context():
            yield stack.app, stack.client(), stack.fake, stack.redis, stack.workers
            db.session.remove()
    finally:
        set_read_only(False)
        stack.close()
