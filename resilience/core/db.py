"""Database plumbing shared by every domain: engine options for SpatiaLite and PostGIS,
the declarative base, column types, the write-intent flag and the after-commit queue.

PostgreSQL pool. A pooled connection is checked with a round trip (``SELECT 1``) only when it
sat unused in the pool for IDLE_PING_SECONDS or more: that is when a server restart, a
failover or a firewall's idle timeout may have closed it, and then it is replaced before the
request uses it. A connection in steady use (every request under load) skips the round trip
that ``pool_pre_ping`` costs on every checkout; ``pool_recycle`` replaces connections older than
POOL_RECYCLE_SECONDS. (bench/pool_bench.py measures the checkout.)

SQLite notes. The driver's own transaction handling is switched off and transactions are
begun here: ``BEGIN IMMEDIATE`` for anything that may write (so two writers queue on the
database lock instead of failing half-way with SQLITE_BUSY), plain ``BEGIN`` for read-only
requests (which then don't block each other under WAL).
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import DateTime, MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from resilience.core.settings import SettingsError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is required")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# --- write intent -------------------------------------------------------------------------
_may_write: contextvars.ContextVar[bool] = contextvars.ContextVar("may_write", default=True)


def set_read_only(read_only: bool) -> contextvars.Token:
    """Mark the current context (a GET request) as read-only for the SQLite BEGIN choice."""
    return _may_write.set(not read_only)


def reset_read_only(token: contextvars.Token) -> None:
    _may_write.reset(token)


# --- SQLite + SpatiaLite ------------------------------------------------------------------
def sqlite_dbapi():
    """The DB-API module to use for SQLite: one that can load the SpatiaLite extension."""
    import sqlite3

    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        return importlib.import_module("pysqlite3.dbapi2")
    except ImportError as exc:
        raise SettingsError(
            "DATABASE_URL is SQLite but this Python's sqlite3 cannot load extensions: "
            "pip install pysqlite3-binary (Linux x86-64) or use a Python built with "
            "--enable-loadable-sqlite-extensions"
        ) from exc


def spatialite_library() -> str:
    return os.environ.get("SPATIALITE_LIBRARY_PATH") or "mod_spatialite"


def engine_options(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        return {
            "module": sqlite_dbapi(),
            "connect_args": {"timeout": 30, "check_same_thread": False},
            "hide_parameters": True,  # no personal data in an error's text (core.logging)
        }
    return {"pool_pre_ping": False, "pool_recycle": POOL_RECYCLE_SECONDS, "pool_size": 10, "max_overflow": 20,
            "hide_parameters": True}


IDLE_PING_SECONDS = 10.0
POOL_RECYCLE_SECONDS = 1800
_IDLE_SINCE = "resilience.idle_since"


# --- the embedded database's files: the service's user only ---------------------------------
PRIVATE_DIRECTORY, PRIVATE_FILE = 0o700, 0o600


def private_file(path: Path) -> None:
    """Create ``path`` empty and readable by this user only, unless it exists (then narrowed to
    it): what a database file or a backup is written into."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        os.chmod(path, PRIVATE_FILE)


def secure_sqlite_files(database: str, instance_path: Path) -> None:
    """The SQLite database, its -wal/-shm/-journal and the instance directory readable by the
    service's user only: other users of the posko laptop must not read the personal data (or
    the keys in the instance directory). The database file is created here, mode 0600, before
    SQLite opens it: SQLite creates its -wal and -shm files with the database file's mode. A
    directory created for the database is 0700; an existing one the operator chose is left as
    it is, except the instance directory, which is always 0700. Files that exist already (from
    an older version) are narrowed. A file this user cannot change is logged, not fatal."""
    path = Path(database)
    try:
        instance_path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        os.chmod(instance_path, PRIVATE_DIRECTORY)
        path.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                os.chmod(companion, PRIVATE_FILE)
    except PermissionError as exc:
        log.warning("could not make the database files private to this user (%s: %s)", exc.filename, exc.strerror)


def install_engine_events(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        _ping_idle_connections(engine)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see module doc)
        try:
            dbapi_conn.enable_load_extension(True)
            dbapi_conn.load_extension(spatialite_library())
            dbapi_conn.enable_load_extension(False)
        except Exception as exc:  # the driver raises its own OperationalError class
            raise SettingsError(
                f"SpatiaLite could not be loaded ({spatialite_library()}): {exc}; "
                "install it (Debian: apt-get install libsqlite3-mod-spatialite) or set "
                "SPATIALITE_LIBRARY_PATH"
            ) from exc
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        if cursor.execute("SELECT CheckSpatialMetaData()").fetchone()[0] == 0:
            cursor.execute("SELECT InitSpatialMetaData(1)")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write.get() else "BEGIN")


def _ping_idle_connections(engine: Engine) -> None:
    """Check a pooled connection at checkout only when it has been idle (see the module doc)."""

    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_conn, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:  # closed by the server: the pool replaces it and checks out again
            raise exc.DisconnectionError("an idle pooled connection was closed") from error


# --- after-commit queue -------------------------------------------------------------------
_AFTER_COMMIT = "resilience.after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed; drop it on rollback.

    Side effects that leave the database (sending SMS, enqueuing Celery tasks) go here so they
    never happen for a change that was rolled back.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # SQLAlchemy sends after_commit for a SAVEPOINT's release too (begin_nested): nothing is
    # committed then, and an effect run there (an SMS sent, a task enqueued eagerly) would act
    # on rows other connections cannot see yet, or wait for the lock this session holds.
    if session.in_nested_transaction():
        return
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def like_pattern(text: str) -> str:
    """A case-insensitive "contains" pattern with LIKE's wildcards taken literally (escape '\\')."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- row locks ----------------------------------------------------------------------------
def locked(session: Session, statement):
    """Run ``statement`` (a ``select`` of ORM rows) as ``SELECT … FOR UPDATE``, refreshing the
    objects this session already holds (``populate_existing``): the caller sees the rows as they
    are once it holds their lock, not as it loaded them before. Returns the scalar result."""
    return session.scalars(statement.with_for_update().execution_options(populate_existing=True))


def lock(session: Session, model, row_id: int):
    """The row ``model`` with id ``row_id``, locked and refreshed (see :func:`locked`); None if gone."""
    from sqlalchemy import select

    return locked(session, select(model).where(model.id == row_id)).first()
