"""Server time of the household list, household page, roster and groups pages on the Rakumpit
demo (600 households, their needs, the volunteer roster).

Loads the demo into a fresh database — SQLite/SpatiaLite in a temporary directory by default,
or a throw-away PostgreSQL/PostGIS database with ``--postgis`` (admin URL from
TEST_POSTGRES_ADMIN_URL, else postgres@127.0.0.1) — logs in as a coordinator with Flask's test
client and requests each page ``--runs`` times (the first run is a warm-up and not counted).
Measures the whole request in-process: routing, session, queries, template; not the network or
the browser (bench/web_first_paint.py measures paint in Chromium).

    .venv/bin/python bench/people_pages_bench.py [--runs 20] [--postgis]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import bench_main, timed_get  # noqa: E402

EMAIL, PASSWORD = "bench.people@posko.test", "a-long-password"


def main() -> None:
    bench_main(__doc__, "people", run)


def run(app, runs: int, label: str) -> None:
    from sqlalchemy import func, select

    from resilience.accounts.operations import create_user
    from resilience.audit.chain import set_actor
    from resilience.cli import upgrade_database
    from resilience.demo.load import load_demo
    from resilience.events.models import FloodEvent
    from resilience.extensions import db
    from resilience.households.models import Household

    upgrade_database()
    set_actor("bench")
    started = time.perf_counter()
    load_demo()
    create_user(db.session, EMAIL, "coordinator", PASSWORD)
    db.session.commit()
    households = db.session.scalar(select(func.count()).select_from(Household))
    print(f"{label}: demo loaded in {time.perf_counter() - started:.1f} s ({households} households)")
    event = db.session.scalar(select(FloodEvent.id))
    with_nik = db.session.scalars(select(Household).where(Household.nik.is_not(None)).order_by(Household.id.desc())).first()
    with_kk = db.session.scalars(select(Household).where(Household.kk_number.is_not(None))
                                 .order_by(Household.id.desc())).first()
    code = with_nik.admin_area.code if with_nik.admin_area else ""
    db.session.remove()

    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["_csrf"]
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code

    pages = [
        ("list, all events, by priority", "/households"),
        ("list, event", f"/households?event={event}"),
        ("list, event, live evacuation", f"/households?event={event}&status=live&category=evacuation"),
        ("list, event, kelurahan, vulnerable", f"/households?event={event}&area={code}&vulnerable=1"),
        ("list, text search 'jl'", "/households?q=jl"),
        ("list, NIK exact (digest)", f"/households?q={with_nik.nik}"),
        ("list, KK exact (decrypt scan)", f"/households?q={with_kk.kk_number}"),
        ("list, page 10 by name", "/households?sort=name&page=10"),
        ("household page", f"/households/{with_nik.id}"),
        ("household edit form", f"/households/{with_nik.id}/edit"),
        ("roster", "/volunteers"),
        ("roster, boat + available", "/volunteers?skill=boat&availability=available"),
        ("groups", "/groups"),
    ]
    print(f"{'page':40} {'median ms':>10} {'p90 ms':>8} {'KiB':>6}  rows")
    for name, path in pages:
        median, p90, response = timed_get(client, path, runs)
        body = response.get_data(as_text=True)
        rows = body.count("<tr") - body.count("<thead")
        print(f"{name:40} {median:10.1f} {p90:8.1f} {len(body) / 1024:6.0f}  {rows}")


if __name__ == "__main__":
    main()
