"""The PostgreSQL pool checks a connection with a round trip only after it sat idle
(resilience/core/db.py): none for a connection in steady use, and an idle one that the server
closed meanwhile is replaced at checkout instead of failing the request that gets it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from resilience.core import db as core_db


@pytest.fixture
def engine(postgis_app, monkeypatch):
    url = postgis_app.config["SQLALCHEMY_DATABASE_URI"]
    engine = sa.create_engine(url, **{**core_db.engine_options(url), "pool_size": 1, "max_overflow": 0})
    core_db.install_engine_events(engine)
    pings = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or real(conn))
    engine.pings = pings
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(postgis_app, pid: int) -> None:
    url = postgis_app.config["SQLALCHEMY_DATABASE_URI"]
    other = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with other.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
    other.dispose()


def test_a_connection_in_steady_use_costs_no_round_trip(engine):
    assert not core_db.engine_options(str(engine.url))["pool_pre_ping"]
    pids = {_backend(engine) for _ in range(20)}
    assert len(pids) == 1 and engine.pings == []


def test_an_idle_connection_closed_by_the_server_is_replaced_at_checkout(engine, postgis_app, monkeypatch):
    first = _backend(engine)
    _terminate(postgis_app, first)
    monkeypatch.setattr(core_db, "IDLE_PING_SECONDS", 0.0)  # it counts as idle now
    second = _backend(engine)  # no error: the ping found it closed, the pool connected anew
    assert second != first and engine.pings == [1]


def test_without_the_ping_the_closed_connection_would_have_failed(engine, postgis_app):
    """The case the ping exists for: the same closed connection, checked out while 'fresh'."""
    _terminate(postgis_app, _backend(engine))
    with pytest.raises(sa.exc.OperationalError):
        _backend(engine)
    assert engine.pings == []
