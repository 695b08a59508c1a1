"""``resilience backup FILE`` and ``resilience restore FILE`` for both databases.

SQLite (SpatiaLite): SQLite's online backup API copies the database page by page under its
own locking, so the copy is consistent while the service runs; a restore copies the file back
the same way. PostgreSQL (PostGIS): ``pg_dump --format=custom`` and ``pg_restore`` (the client
tools must be at least the server's major version). A file is recognised by its first bytes,
so a PostGIS dump is never restored into SQLite or the reverse. A restore refuses a target
that holds data (anything beyond what init-db writes: the reference areas and their audit
entries) unless forced, and then replaces the whole database (tables, rows, sequences, the
audit chain) after backing up what it replaces next to FILE (``FILE.replaced-<UTC time>``); a
file that cannot be read is refused before anything is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from resilience.core.db import private_file, sqlite_dbapi

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# What `init-db` writes into a new database: restoring over it loses nothing.
REFERENCE_TABLES = {"admin_areas", "audit_head", "alembic_version", "spatial_ref_sys"}


class BackupError(Exception):
    """The message is one line for the operator."""


def backup(engine: sa.Engine, path: Path) -> str:
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    # Created for this user only before anything is written into it: the copy holds every
    # household's personal data (SQLite and pg_dump both keep an existing file's mode).
    partial.unlink(missing_ok=True)  # a copy left by an interrupted run
    private_file(partial)
    if engine.dialect.name == "sqlite":
        _sqlite_copy(engine.url.database, str(partial))
        kind = "SQLite"
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], engine)
        kind = "PostgreSQL custom-format"
    os.replace(partial, path)
    return f"{kind} backup written to {path} ({path.stat().st_size} bytes)"


def restore(engine: sa.Engine, path: Path, force: bool = False) -> str:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"{path}: {exc.strerror or exc}") from None
    sqlite = engine.dialect.name == "sqlite"
    if head.startswith(PGDUMP_MAGIC) and sqlite:
        raise BackupError(f"{path} is a PostgreSQL dump and DATABASE_URL is SQLite: refusing to restore it here")
    if head == SQLITE_MAGIC and not sqlite:
        raise BackupError(f"{path} is a SQLite database and DATABASE_URL is PostgreSQL: refusing to restore it here")
    if not head.startswith(PGDUMP_MAGIC) and head != SQLITE_MAGIC:
        raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format file")
    if sqlite:
        _check_sqlite_backup(path)
    else:
        listing = _pg_listing(path)
    held = tables_with_data(engine)
    if held and not force:
        raise BackupError(
            f"the target database is not empty (rows in {', '.join(held)}); restore --force replaces everything in it")
    saved = ""
    if held:  # what --force replaces is kept, in case the restore was a mistake
        kept = path.with_name(f"{path.name}.replaced-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
        backup(engine, kept)
        saved = f"; what it replaced is in {kept}"
    engine.dispose()  # no connection of ours may hold the database during the copy
    if sqlite:
        _sqlite_copy(str(path), engine.url.database)
    else:
        _pg_restore(engine, path, listing)
    engine.dispose()
    return f"restored {path} into the {'SQLite' if sqlite else 'PostgreSQL'} database{saved}"


def tables_with_data(engine: sa.Engine) -> list[str]:
    """The application's tables holding rows, beyond what a new database holds."""
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        names = [n for n in inspector.get_table_names() if n not in REFERENCE_TABLES
                 and not _is_spatial_metadata(n)]
        held = []
        for name in sorted(names):
            query = f'SELECT 1 FROM "{name}"'
            if name == "audit_entries":  # init-db's own entries: the reference areas it loaded
                query += " WHERE entity_type <> 'admin_area'"
            if conn.execute(sa.text(query + " LIMIT 1")).first() is not None:
                held.append(name)
        return held


def _is_spatial_metadata(name: str) -> bool:
    """SpatiaLite's own tables (geometry_columns, spatialite_history, idx_* R-trees, …)."""
    return bool(re.match(r"^(geometry_columns|geom_cols_|spatial_ref_sys|spatialite_|sql_statements_log|"
                         r"views_geometry_columns|virts_geometry_columns|vector_layers|data_licenses|"
                         r"ElementaryGeometries|KNN|SpatialIndex|idx_)", name, re.IGNORECASE))


# --- SQLite ---------------------------------------------------------------------------------
def _sqlite_copy(source: str, target: str) -> None:
    sqlite = sqlite_dbapi()
    src = sqlite.connect(source, timeout=30)
    try:
        dst = sqlite.connect(target, timeout=30)
        try:
            src.backup(dst, pages=4096)  # in steps: the service's writers interleave
        finally:
            dst.close()
    except sqlite.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from None
    finally:
        src.close()


def _check_sqlite_backup(path: Path) -> None:
    sqlite = sqlite_dbapi()
    conn = sqlite.connect(str(path))
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite.Error as exc:
        raise BackupError(f"{path}: not a readable SQLite database ({exc})") from None
    finally:
        conn.close()
    if not found:
        raise BackupError(f"{path} is a SQLite database but not a Resilience backup (no alembic_version)")
    if not ok:
        raise BackupError(f"{path} fails SQLite's integrity check: refusing to restore it")


# --- PostgreSQL -------------------------------------------------------------------------------
def _libpq(engine: sa.Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it (never in argv)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], engine: sa.Engine) -> subprocess.CompletedProcess:
    tool = args[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    _check_client_version(tool, engine)
    dsn, env = _libpq(engine)
    result = subprocess.run([*args, f"--dbname={dsn}"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        message = " ".join((result.stderr or result.stdout).split())[:500]
        raise BackupError(f"{tool} failed: {message}")
    return result


def _check_client_version(tool: str, engine: sa.Engine) -> None:
    output = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    with engine.connect() as conn:
        server = int(conn.execute(sa.text("SHOW server_version_num")).scalar()) // 10000
    if match is None or int(match.group(1)) < server:
        raise BackupError(f"{tool} is version {match.group(1) if match else '?'} but the server is PostgreSQL "
                          f"{server}: install postgresql-client-{server}")


def _pg_listing(path: Path) -> list[str]:
    """The dump's table of contents without the extension's entries (it exists already, made by
    whoever may create it); read before anything is dropped, so a bad file changes nothing."""
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed (Debian: apt-get install postgresql-client)")
    listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path}: pg_restore cannot read it: {' '.join(listing.stderr.split())[:300]}")
    return [line for line in listing.stdout.splitlines() if not re.search(r"\b(EXTENSION|SCHEMA - public)\b", line)]


def _pg_restore(engine: sa.Engine, path: Path, wanted: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        # Everything of ours goes; what belongs to an extension (PostGIS's spatial_ref_sys) stays.
        for kind, name in conn.execute(sa.text(
                "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
                " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
                " ORDER BY c.relkind DESC")).all():
            what = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}.get(kind, "TABLE")
            conn.execute(sa.text(f'DROP {what} IF EXISTS "{name}" CASCADE'))
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(wanted) + "\n")
    try:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--use-list={handle.name}", str(path)], engine)
    finally:
        os.unlink(handle.name)
