"""Server time of the official report (JSON, HXL CSV, GeoJSON, the officials' page) and of the
stock pages on the Rakumpit demo (600 households, 830 needs, the stock ledger).

Loads the demo into a fresh database — SQLite/SpatiaLite in a temporary directory by default,
or a throw-away PostgreSQL/PostGIS database with ``--postgis`` (admin URL from
TEST_POSTGRES_ADMIN_URL, else postgres@127.0.0.1) — then requests each URL ``--runs`` times
with Flask's test client (the first run is a warm-up and not counted): routing, session,
queries, rendering; not the network or the browser. The report includes verifying the whole
audit chain, which grows with the log (its size is printed).

    .venv/bin/python bench/report_bench.py [--runs 20] [--postgis]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import bench_main, timed_get  # noqa: E402

PASSWORD = "a-long-password"


def _login(app, email):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["_csrf"]
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def run(app, runs: int, label: str) -> None:
    from sqlalchemy import func, select

    from resilience.accounts.operations import create_token, create_user
    from resilience.audit.chain import set_actor
    from resilience.audit.models import AuditEntry
    from resilience.cli import upgrade_database
    from resilience.demo.load import load_demo
    from resilience.events.models import FloodEvent
    from resilience.extensions import db

    upgrade_database()
    set_actor("bench")
    started = time.perf_counter()
    load_demo()
    create_user(db.session, "bench.k@posko.test", "coordinator", PASSWORD)
    create_user(db.session, "bench.p@bpbd.test", "official", PASSWORD)
    token = create_token(db.session, "bench.p@bpbd.test")
    db.session.commit()
    event = db.session.scalar(select(FloodEvent.id))
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
    print(f"{label}: demo loaded in {time.perf_counter() - started:.1f} s; audit log {entries} entries")
    db.session.remove()

    official, coordinator = _login(app, "bench.p@bpbd.test"), _login(app, "bench.k@posko.test")
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    urls = [
        ("API report json", api, f"/api/v1/events/{event}/report", bearer),
        ("API report csv", api, f"/api/v1/events/{event}/report?format=csv", bearer),
        ("API report csv waiting", api, f"/api/v1/events/{event}/report?format=csv&table=waiting", bearer),
        ("API report geojson", api, f"/api/v1/events/{event}/report?format=geojson", bearer),
        ("report page (official)", official, f"/events/{event}/report", None),
        ("stock page (official)", official, "/stock", None),
        ("stock ledger page 1", official, "/stock/ledger", None),
        ("event shortfall page", official, f"/events/{event}/stock", None),
        ("distribute form (600 households)", coordinator, f"/stock/distribute?event={event}", None),
        ("dashboard counters.json", coordinator, f"/events/{event}/counters.json", None),
    ]
    print(f"{'url':36} {'median ms':>10} {'p90 ms':>8} {'KiB':>6}")
    for name, client, path, headers in urls:
        median, p90, response = timed_get(client, path, runs, headers)
        print(f"{name:36} {median:10.1f} {p90:8.1f} {len(response.data) / 1024:6.0f}")


def main() -> None:
    bench_main(__doc__, "report", run)


if __name__ == "__main__":
    main()
