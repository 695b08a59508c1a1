"""Test fixtures: a real SpatiaLite file and a real PostGIS database, both built by the
migrations; tests that take ``app`` (or ``client``) run once on each. PostgreSQL is reached
only when a test needs it: the pure tests run without it.

Isolation: after each test every table except the reference areas is emptied and ids restart.
The code under test commits for real, as in production, so after-commit hooks, constraints
and concurrent connections behave as they do there.

Also here: the network guard every test runs under (no real SMS), the ``slow`` marker set by
path, API clients per role, and ``seed`` (tests/factories.py with the API's answers).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from resilience.app import create_app
from resilience.audit.models import GENESIS_HASH
from resilience.core.settings import Settings
from tests import factories
from tests.factories import MUNGKU_BARU, RAKUMPIT_BOX  # noqa: F401  (imported from here by tests)
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
        # A test database need not survive a crash: commits return without waiting for the WAL
        # to reach the disk (each wait is a disk flush; the tests commit thousands of times).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
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


@pytest.fixture(autouse=True)
def celery_join_flag():
    """Celery's "a join would block" flag is one global, set and restored around every eager
    ``apply_async`` by whichever thread runs it: two threads running tasks at once (a
    concurrency test, waitress's threads) can leave it set when the second restores what the
    first had set. Every test starts with it cleared, as a fresh process does."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Staff passwords hashed with one round of PBKDF2 instead of scrypt (76 CPU-ms a user, the
    largest cost of the fast tests). check_password_hash reads the method from the stored hash,
    so logging in works the same; the console-script tests (subprocesses) keep scrypt."""
    import werkzeug.security

    real = werkzeug.security.generate_password_hash

    def cheap(password, method="pbkdf2:sha256:1", salt_length=16):
        return real(password, method, salt_length)

    # Modules imported from here on take the cheap one; those already imported are patched.
    patched = [werkzeug.security] + [
        m for m in list(sys.modules.values())
        if getattr(m, "__name__", "").startswith("resilience") and getattr(m, "generate_password_hash", None) is real]
    for module in patched:
        module.generate_password_hash = cheap
    yield
    for module in patched:
        module.generate_password_hash = real


# Real processes (workers, Chromium, the console script), the demo's data set, heavy
# concurrency: each several seconds (measured with --durations). The developer's fast path is
# ``pytest -m "not slow and not postgis"`` (``postgis`` is set below from the database
# parameter). Paths are relative to tests/; "file::test_name" marks one test
# (all its parameters).
SLOW = (
    "e2e/",
    "web/test_browser",
    "accounts/test_accounts_cli.py",
    "areas/test_areas_cli.py",
    "households/test_import_cli.py",
    "demo/test_load.py",
    "demo/test_demo_cli.py",
    "core/test_cli_options.py",
    "stock/test_stock_concurrency.py",
    "stock/test_stock.py::test_demo_loads_its_stock_through_the_ledger",
    "audit/test_audit.py::test_cli_audit_verify_exit_codes",
    "audit/test_export_and_verifier.py::test_the_console_script_exports_the_same_lines",
    "reports/test_report_cli.py::test_console_script_exit_codes",
    "sms/test_ratelimit.py::test_arrivals_stay_within_the_limit_despite_jitter",
    # hundreds of generated instances each, 1.3-1.8 s; the engine's other tests stay fast
    "matching/test_engine.py::test_feasible_and_optimal",
    "matching/test_engine.py::test_native_auction_matches_the_milp_reference",
    "web/test_indonesian_pages.py::test_no_english_on_any_page_in_indonesian",
    "web/test_official_sees_no_personal_data.py",  # the demo flood, loaded twice (about 5 s each)
    "households/test_import_messy_workbook.py",
    "core/test_api_fuzz.py",
    "core/test_proxies.py::test_resilience_serve_passes_forwarded_headers_to_the_app",
    "core/test_json_logs.py::test_every_process_kind_writes_json_lines",
    "core/test_metrics.py::test_with_a_multiprocess_directory_a_scrape_adds_up_every_worker",
)


# Fixtures that make a test slow wherever it lives: ``console`` runs the console script in a
# process of its own (about 1 s of imports each call); ``server`` runs ``resilience serve``.
SLOW_FIXTURES = {"console", "server"}


def _on_postgis(item) -> bool:
    """The test runs on PostgreSQL: a fixture parameter ``postgis`` (``app``, ``client``,
    ``fresh_app``, …), or the PostgreSQL app itself."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "postgis" in params.values() or "postgis_app" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        relative = Path(item.path).relative_to(root).as_posix()
        test_id = relative + "::" + item.name
        if (any(test_id.startswith(p) if "::" in p else relative.startswith(p) for p in SLOW)
                or SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)
        if _on_postgis(item):
            item.add_marker(pytest.mark.postgis)


@contextlib.contextmanager
def selects_sent():
    """The SELECT statements the database receives inside the block (a query count: an N+1
    in a page or a check run before every request shows here)."""
    from sqlalchemy import event as sa_event

    from resilience.extensions import db

    selects: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    db.session.remove()
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield selects
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def pythonpath() -> dict[str, str]:
    """The code under test, not whatever copy is installed (a git worktree sets PYTHONPATH)."""
    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}


@pytest.fixture
def console(tmp_path):
    """The console script on a fresh SQLite database in tmp_path: ``console("users", "create", ...)``
    returns the finished process (a subprocess, as an operator runs it)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "RESILIENCE_INSTANCE_PATH": str(tmp_path / "instance"),
        **pythonpath(),
    }

    def _run(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "resilience.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, input=stdin, timeout=120)

    assert _run("init-db").returncode == 0
    return _run


def make_settings(database_url: str, instance: Path, **overrides) -> Settings:
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "RESILIENCE_ENV": "test",
        "RESILIENCE_INSTANCE_PATH": str(instance),
        # One client address makes every request of the session-wide apps: the API's rate
        # limit is tested on its own (tests/core/test_security.py swaps a limiter in).
        "API_RATE_LIMIT": "0",
        # The SMS send rate is tested on its own limiters (tests/sms/test_ratelimit.py, the
        # modem's in test_gammu.py): at the default 10 a second every test that sends a few SMS
        # slept 0.14 s a segment between them (about 110 s of the fast path's wall time).
        "SMS_MAX_PER_SECOND": "1000",
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


def _owned_sequences(conn, tables: list[str]) -> list[str]:
    return list(conn.execute(text(
        "SELECT DISTINCT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
        "JOIN pg_class t ON d.refobjid = t.oid WHERE s.relkind = 'S' AND t.relname = ANY(:tables) "
        "ORDER BY s.relname"), {"tables": tables}).scalars())


_SEQUENCES: dict[str, list[str]] = {}


@pytest.fixture(params=["sqlite", "postgis"])
def fresh_app(request, tmp_path):
    """An app on an empty database of each kind, not migrated: for tests that walk the
    migrations up and down themselves."""
    if request.param == "sqlite":
        yield create_app(make_settings(f"sqlite:///{tmp_path / 'migrate.db'}", tmp_path), TESTING=True)
        return
    name, url = _create_pg_database()
    app = create_app(make_settings(url, tmp_path), TESTING=True)
    yield app
    from resilience.extensions import db

    with app.app_context():
        db.engine.dispose()
    _drop_pg_database(name)


def _reset(app) -> None:
    """Empty every table but the reference areas; ids start at 1 again. DELETE rather than
    TRUNCATE on PostgreSQL too: the tables are small, and TRUNCATE of 16 tables costs ~0.25 s a
    test (new files for each), DELETE ~0.02 s."""
    from resilience.extensions import db

    with app.app_context():
        db.session.remove()
        engine = db.engine
        tables = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
        with engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))
            if engine.dialect.name == "postgresql":
                key = str(engine.url)
                if key not in _SEQUENCES:
                    _SEQUENCES[key] = _owned_sequences(conn, tables)
                for sequence in _SEQUENCES[key]:
                    conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
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


# --- building data: tests/factories.py, seen as the API shows it -----------------------------
class Seed:
    """The data most tests start from, built in-process by tests/factories.py (the API's schemas
    and domain operations, no HTTP round trip) and returned as the API would answer the
    client's user (a coordinator: personal data in full), audited as that user."""

    def __init__(self, client: ApiClient):
        self.client = client
        self._phone = 0
        self._actor = None

    def _as(self) -> str:
        if self._actor is None:
            from resilience.accounts.operations import user_for_token
            from resilience.extensions import db

            user = user_for_token(db.session, self.client.token)
            self._actor = f"{user.role}:{user.email}"
            db.session.rollback()
        return self._actor

    def _shown(self, schema_class, row) -> dict:
        from flask import current_app

        from resilience.core.schemas import personal_data_visible, show_personal_data
        from resilience.extensions import db

        previous = personal_data_visible()
        show_personal_data(True)
        try:
            row = db.session.merge(row, load=True)
            return json.loads(current_app.json.dumps(schema_class().dump(row)))
        finally:
            show_personal_data(previous)
            db.session.rollback()

    def event(self, **overrides):
        from resilience.events.schemas import EventSchema

        return self._shown(EventSchema, factories.event(actor=self._as(), **overrides))

    def household(self, **overrides):
        from resilience.households.schemas import HouseholdSchema

        return self._shown(HouseholdSchema, factories.household(actor=self._as(), **overrides))

    def need(self, event_id, household_id, category="food", **overrides):
        from resilience.needs.schemas import NeedSchema

        return self._shown(NeedSchema, factories.need(event_id, household_id, category, actor=self._as(),
                                                      **overrides))

    def group(self, **overrides):
        from resilience.volunteers.schemas import GroupSchema

        return self._shown(GroupSchema, factories.group(actor=self._as(), **overrides))

    def volunteer(self, **overrides):
        from resilience.volunteers.schemas import VolunteerSchema

        self._phone += 1
        overrides.setdefault("phone", f"+62813456{self._phone:05d}")
        return self._shown(VolunteerSchema, factories.volunteer(actor=self._as(), **overrides))


@pytest.fixture
def seed(coordinator):
    return Seed(coordinator)
