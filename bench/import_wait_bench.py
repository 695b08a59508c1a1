"""How long another coordinator's registration waits while a large spreadsheet is imported.

A fresh database (SQLite in a temporary directory, or PostGIS with ``--postgis``), a
``--rows`` CSV (the rows of ``import_bench.py``, needs into an event) uploaded through the API
(``POST /api/v1/households/import?mode=valid_rows``: read and checked in a read-only
transaction, then stored) from one thread, while the main thread registers one household
through the API (``POST /api/v1/households``) every 0.25 s until the import has answered.
Prints the import's time and each registration's status and time: the longest is what a
coordinator waits at worst (the issue's target: never refused, at most 2 s).

    PYTHONPATH=$PWD .venv/bin/python bench/import_wait_bench.py [--rows 20000] [--postgis]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import postgis_database  # noqa: E402
from import_bench import _csv, _rows  # noqa: E402


def run(app, rows: int, label: str) -> None:
    from resilience.accounts.operations import create_token, create_user
    from resilience.audit.chain import set_actor
    from resilience.cli import upgrade_database
    from resilience.events.operations import create_event
    from resilience.extensions import db

    with app.app_context():
        upgrade_database()
        set_actor("bench")
        event = create_event(db.session, {"name": "Banjir bench", "started_at": datetime.now(timezone.utc)})
        create_user(db.session, "koordinator@bench.test", "coordinator", "a-long-password")
        token = create_token(db.session, "koordinator@bench.test")
        event_id = event.id
        db.session.commit()
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    data = _csv(_rows(1, rows))
    answer: dict = {}

    def upload() -> None:
        started = time.perf_counter()
        response = app.test_client().post(
            f"/api/v1/households/import?event={event_id}&mode=valid_rows",
            data={"file": (io.BytesIO(data), "warga.csv")}, headers=headers, content_type="multipart/form-data")
        answer.update(status=response.status_code, seconds=time.perf_counter() - started,
                      created=(response.get_json() or {}).get("created"))

    thread = threading.Thread(target=upload)
    thread.start()
    client = app.test_client()
    waits: list[tuple[int, float]] = []
    offsets: list[float] = []
    begun = time.perf_counter()
    number = 0
    while thread.is_alive():
        number += 1
        started = time.perf_counter()
        response = client.post("/api/v1/households", headers=headers, json={
            "head_name": f"Registrasi {number}", "admin_area": "62.71.05.1004", "rt": "9", "members": 2})
        waits.append((response.status_code, time.perf_counter() - started))
        offsets.append(started - begun)
        time.sleep(0.25)
    thread.join()
    seconds = [s for _, s in waits]
    statuses = sorted({status for status, _ in waits})
    print(f"{label}: import of {rows} rows answered {answer['status']} in {answer['seconds']:.1f} s "
          f"({answer['created']} households stored)")
    print(f"{label}: {len(waits)} registrations meanwhile, statuses {statuses}, median "
          f"{statistics.median(seconds):.2f} s, longest {max(seconds):.2f} s")
    worst = sorted(zip(seconds, offsets), reverse=True)[:5]
    print(f"{label}: the longest (s, started at s): " + ", ".join(f"{w:.2f} at {o:.1f}" for w, o in worst))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgis", action="store_true", help="PostgreSQL + PostGIS instead of SQLite")
    args = parser.parse_args()

    from resilience.app import create_app
    from resilience.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix="resilience-import-wait-") as tmp:
        drop = None
        url = f"sqlite:///{tmp}/bench.db"
        if args.postgis:
            url, drop = postgis_database("importwait")
        app = create_app(Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-0123456789abcdef",
                                            "RESILIENCE_ENV": "development", "RESILIENCE_INSTANCE_PATH": tmp,
                                            "API_RATE_LIMIT": "0"}))
        try:
            run(app, args.rows, "postgis" if args.postgis else "sqlite")
        finally:
            from resilience.extensions import db

            with app.app_context():
                db.engine.dispose()
            if drop is not None:
                drop()


if __name__ == "__main__":
    main()
