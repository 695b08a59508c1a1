"""Shared by the benchmarks (people_pages_bench.py, report_bench.py, load.py, …): the PostgreSQL
admin address, a throw-away PostGIS database, and timed GETs through a Flask test client."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid


def admin_url() -> str:
    """TEST_POSTGRES_ADMIN_URL, else postgres on 127.0.0.1 with trust, else with the password
    .ci/setup gives it where trust is not configured."""
    import psycopg

    if os.environ.get("TEST_POSTGRES_ADMIN_URL"):
        return os.environ["TEST_POSTGRES_ADMIN_URL"]
    for url in ("postgresql://postgres@127.0.0.1:5432/postgres",
                "postgresql://postgres:postgres@127.0.0.1:5432/postgres"):
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return url
        except psycopg.OperationalError:
            continue
    raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")


def postgis_database(prefix: str):
    """A new database with PostGIS (see :func:`admin_url`): its SQLAlchemy URL and a function
    that drops it."""
    import psycopg

    admin = admin_url()
    name = f"resilience_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://"), drop


def timed_get(client, path: str, runs: int, headers=None):
    """GETs ``path`` runs + 1 times (the first warms caches and is not counted); every answer
    must be 200. Returns (median ms, p90 ms, the last response)."""
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if i:
            times.append(elapsed)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], response


def bench_main(doc: str, prefix: str, run) -> None:
    """The command line both page benchmarks share: ``--runs N`` and ``--postgis``; builds the
    app on a throw-away SQLite file or PostGIS database and calls ``run(app, runs, label)``
    inside its context."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgis", action="store_true", help="PostgreSQL + PostGIS instead of SQLite")
    args = parser.parse_args()

    from resilience.app import create_app
    from resilience.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix=f"resilience-{prefix}-") as tmp:
        drop = None
        url = f"sqlite:///{tmp}/bench.db"
        if args.postgis:
            url, drop = postgis_database(prefix)
        try:
            settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-0123456789abcdef",
                                          "RESILIENCE_ENV": "development", "RESILIENCE_INSTANCE_PATH": tmp,
                                          "SMS_BACKEND": "outbox"})
            app = create_app(settings)
            with app.app_context():
                run(app, args.runs, "postgis" if args.postgis else "sqlite")
        finally:
            if drop is not None:
                from resilience.extensions import db

                with app.app_context():
                    db.engine.dispose()
                drop()
