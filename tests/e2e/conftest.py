"""End-to-end harness: a redis-server of our own on a free port, real ``celery -A workers
worker`` processes, the PostGIS test database, and the fake Twilio on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from resilience.app import create_app
from resilience.core.db import set_read_only
from resilience.extensions import db
from tests.conftest import SECRET, ApiClient, _reset, _token, make_settings
from tests.fakes.twilio_server import FakeTwilio, flask_test_client_transport

PUBLIC = "https://posko.example.org"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


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


@pytest.fixture
def e2e(postgis_app, tmp_path):
    """(app, client, fake, redis_server, workers, env) wired together on PostGIS."""
    fake = FakeTwilio().start()
    server = RedisServer(tmp_path)
    server.start()
    database_url = postgis_app.config["SETTINGS"].database_url
    overrides = dict(
        REDIS_URL=server.url, SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token, TWILIO_FROM="+15005550006", TWILIO_API_URL=fake.base_url,
        PUBLIC_BASE_URL=PUBLIC, SMS_MAX_PER_SECOND="1000", SMS_HTTP_TIMEOUT="2",
    )
    settings = make_settings(database_url, tmp_path, **overrides)
    app = create_app(settings, TESTING=True)
    _reset(app)
    fake.webhook_transport = flask_test_client_transport(app.test_client())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO", "REDIS", "DATABASE"))}
    env.update({k: str(v) for k, v in overrides.items()})
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET,
               RESILIENCE_ENV="test", RESILIENCE_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    workers = Workers(env, tmp_path)
    set_read_only(True)
    try:
        with app.app_context():
            client = ApiClient(app.test_client(), _token(app, "koordinator@posko.test", "coordinator"))
            yield app, client, fake, server, workers
            db.session.remove()
    finally:
        set_read_only(False)
        workers.stop_all()
        server.stop()
        fake.stop()
