"""Test fixtures: a real SpatiaLite file and a real PostGIS database, both built by the
migrations; tests that take ``app`` (or ``client``) run once on each.

Isolation: after each test every table except the reference areas is emptied (TRUNCATE on
PostgreSQL, DELETE on SQLite). The code under test commits for real, as in production, so
after-commit hooks, constraints and concurrent connections behave as they do there.
"""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from resilience.app import create_app
from resilience.audit.models import GENESIS_HASH
from resilience.core.settings import Settings
from tests.netguard import GUARD

GUARD.install()


@functools.cache
def admin_url() -> str:
    """TEST_POSTGRES_ADMIN_URL, else postgres on 127.0.0.1 with trust, else with the password
    .ci/setup gives it where trust is not configured. Asked only by the fixtures that need
    PostgreSQL: the pure tests (geo, GSM-7, engine, replies) run without it."""
    if os.environ.get("TEST_POSTGRES_ADMIN_URL"):
        return os.environ["TEST_POSTGRES_ADMIN_URL"]
    for url in ("postgresql://postgres@127.0.0.1:5432/postgres",
                "postgresql://postgres:postgres@127.0.0.1:5432/postgres"):
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return url
        except psycopg.OperationalError:
            continue
    raise RuntimeError("PostgreSQL is not reachable on 127.0.0.1:5432 (run: bash .ci/setup --services)")


KEEP_TABLES = {"admin_areas", "spatial_ref_sys", "alembic_version"}
SECRET = "test-secret-key-0123456789abcdef"


def _create_pg_database() -> tuple[str, str]:
    name = f"resilience_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(admin.rsplit("/", 1)[0] + "/" + name, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return name, admin.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- every test: no real network (no real SMS); the slow ones marked by where they live --------
@pytest.fixture(autouse=True)
def no_real_network():
    """Fails the test that tried to reach a host other than loopback, even if the code under
    test caught the error (see tests/netguard.py)."""
    GUARD.take()
    yield GUARD
    blocked = GUARD.take()
    if blocked:
        pytest.fail(f"the test tried to reach the real network (blocked): {blocked}", pytrace=False)


# Real processes, browsers or many concurrent connections: minutes together. The fast path
# is ``pytest -m "not slow"``. Paths are relative to tests/; a test id prefix marks one test.
SLOW = (
    "e2e/",
    "web/test_browser",
)


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        relative = Path(item.path).relative_to(root).as_posix()
        test_id = relative + "::" + item.name
        if any(relative.startswith(p) or test_id.startswith(p) for p in SLOW):
            item.add_marker(pytest.mark.slow)


def make_settings(database_url: str, instance: Path, **overrides) -> Settings:
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "RESILIENCE_ENV": "test",
        "RESILIENCE_INSTANCE_PATH": str(instance),
        **overrides,
    }
    return Settings.from_env(env)


def _build(database_url: str, instance: Path):
    app = create_app(make_settings(database_url, instance), TESTING=True)
    from resilience.cli import upgrade_database

    with app.app_context():
        upgrade_database()
    return app


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("sqlite")
    return _build(f"sqlite:///{base / 'test.db'}", base)


@pytest.fixture(scope="session")
def postgis_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("postgis")
    name, url = _create_pg_database()
    app = _build(url, base)
    yield app
    from resilience.extensions import db

    with app.app_context():
        db.engine.dispose()
    _drop_pg_database(name)


def _reset(app) -> None:
    from resilience.extensions import db

    with app.app_context():
        db.session.remove()
        engine = db.engine
        tables = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(
                text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": GENESIS_HASH}
            )


@pytest.fixture(params=["sqlite", "postgis"])
def app(request):
    from resilience.core.db import set_read_only

    app = request.getfixturevalue(f"{request.param}_app")
    _reset(app)
    # The test's own session only reads (and occasionally writes a fixture row): on SQLite it
    # must not hold the write lock that the requests under test need.
    set_read_only(True)
    with app.app_context():
        yield app
    set_read_only(False)
    from resilience.extensions import db

    with app.app_context():
        db.session.remove()


@pytest.fixture
def db_session(app):
    from resilience.extensions import db

    return db.session


class ApiClient:
    """The Flask test client with a bearer token and JSON by default."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, headers):
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)


def _token(app, email: str, role: str) -> str:
    from resilience.accounts.operations import create_token, create_user
    from resilience.extensions import db

    db.session.rollback()
    create_user(db.session, email, role, "a-long-password")
    token = create_token(db.session, email)
    db.session.commit()
    return token


@pytest.fixture
def coordinator(app):
    return ApiClient(app.test_client(), _token(app, "koordinator@posko.test", "coordinator"))


@pytest.fixture
def official(app):
    return ApiClient(app.test_client(), _token(app, "pejabat@bpbd.test", "official"))


@pytest.fixture
def admin(app):
    return ApiClient(app.test_client(), _token(app, "admin@posko.test", "admin"))


@pytest.fixture
def anonymous(app):
    return ApiClient(app.test_client(), None)


# --- building data through the API ----------------------------------------------------------
MUNGKU_BARU = {"lat": -1.6346, "lon": 113.6858}  # centroid of kelurahan 62.71.05.1004
# A box around Mungku Baru and Bukit Sua (Rakumpit), lon/lat order.
RAKUMPIT_BOX = {
    "type": "Polygon",
    "coordinates": [[[113.60, -1.72], [113.74, -1.72], [113.74, -1.58], [113.60, -1.58], [113.60, -1.72]]],
}


class Seed:
    def __init__(self, client: ApiClient):
        self.client = client
        self._phone = 0

    def _ok(self, response, status=201):
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def event(self, **overrides):
        body = {"name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z", "affected_area": RAKUMPIT_BOX}
        body.update(overrides)
        return self._ok(self.client.post("/api/v1/events", json=body))

    def household(self, **overrides):
        body = {
            "head_name": "Siti Aminah", "phone": "0812-3456-7890", "nik": "6271054507800001",
            "kk_number": "6271050101090003", "address": "Jl. Mungku Baru RT 02",
            "landmark": "dekat masjid", "location": MUNGKU_BARU, "members": 5, "elderly": 1,
            "children_under5": 1, "pregnant_or_lactating": 0, "disabled": 0, "chronically_ill": 0,
        }
        body.update(overrides)
        return self._ok(self.client.post("/api/v1/households", json=body))

    def need(self, event_id, household_id, category="food", **overrides):
        body = {"household_id": household_id, "category": category, **overrides}
        return self._ok(self.client.post(f"/api/v1/events/{event_id}/needs", json=body))

    def group(self, **overrides):
        body = {"name": "Karang Taruna Mungku Baru", "kind": "youth",
                "base_location": {"lat": -1.635, "lon": 113.686}}
        body.update(overrides)
        return self._ok(self.client.post("/api/v1/groups", json=body))

    def volunteer(self, **overrides):
        self._phone += 1
        body = {"name": "Budi Santoso", "phone": f"+62813456{self._phone:05d}", "skills": ["boat"],
                "location": {"lat": -1.64, "lon": 113.69}, "availability": "available", "capacity": 2}
        body.update(overrides)
        return self._ok(self.client.post("/api/v1/volunteers", json=body))


@pytest.fixture
def seed(coordinator):
    return Seed(coordinator)
