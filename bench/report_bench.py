"""Server time of the official report (JSON, HXL CSV, GeoJSON, the officials' page) and of the
stock pages on the Rakumpit demo (600 households, 830 needs, the stock ledger).

Loads the demo into a fresh database — SQLite/SpatiaLite in a temporary directory by default,
or a throw-away PostgreSQL/PostGIS database with ``--postgis`` (admin URL from
TEST_POSTGRES_ADMIN_URL, else postgres@127.0.0.1) — then requests each URL ``--runs`` times
with Flask's test client (the first run is a warm-up and not counted): routing, session,
queries, rendering; not the network or the browser. The report includes verifying the whole
audit chain, which grows with the log (its size is printed).

    .venv/bin/python bench/report_bench.py [--runs 20] [--postgis]

With ``--needs N`` (e.g. 40000) it first grows the demo event to N needs (copies of the demo
households, inserted in bulk: categories, states, priorities and tasks with accept and done
times mixed as in a large flood), then times building the report (JSON) and rendering it as
XLSX and PDF, each ``--runs`` times after a warm-up, and the API's JSON, XLSX and PDF answers:

    .venv/bin/python bench/report_bench.py --needs 40000 --runs 5 [--postgis]

``--profile`` (with ``--needs``) prints a cProfile of one build_report instead of the timings.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import timedelta
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


NEEDS = 0  # --needs
PROFILE = False  # --profile (with --needs): cProfile one build_report instead of timing


def grow(event_id: int, target: int) -> None:
    """Grows the event to ``target`` needs with bulk inserts (no audit entries: this measures the
    report, not the writes); one need per new household, households copied from the demo's."""
    from sqlalchemy import func, insert, select

    from resilience.core.db import utcnow
    from resilience.dispatch.models import Task
    from resilience.extensions import db
    from resilience.households.models import Household
    from resilience.needs.models import Need
    from resilience.volunteers.models import Volunteer
    from resilience.vocabulary import NEED_CATEGORIES

    rng = random.Random(40000)
    session = db.session
    have = session.scalar(select(func.count()).select_from(Need).where(Need.event_id == event_id))
    missing = target - have
    templates = session.execute(select(Household.admin_area_id, Household.location, Household.members,
                                       Household.elderly, Household.children_under5, Household.disabled)).all()
    volunteers = list(session.scalars(select(Volunteer.id)))
    now = utcnow()
    started = time.perf_counter()
    batch = 2000
    made = 0
    while made < missing:
        size = min(batch, missing - made)
        rows = [rng.choice(templates) for _ in range(size)]
        household_ids = list(session.scalars(insert(Household).returning(Household.id), [
            {"head_name": "", "address": "", "landmark": "", "admin_area_id": t.admin_area_id, "location": t.location,
             "members": t.members, "elderly": t.elderly, "children_under5": t.children_under5, "disabled": t.disabled}
            for t in rows]))
        needs = []
        for household_id in household_ids:
            status = rng.choices(("open", "assigned", "in_progress", "done", "cancelled"), (35, 8, 7, 45, 5))[0]
            priority = rng.randint(1, 5)
            needs.append({"event_id": event_id, "household_id": household_id, "category": rng.choice(NEED_CATEGORIES),
                          "status": status, "priority": priority, "derived_priority": priority,
                          "reported_at": now - timedelta(minutes=rng.randint(30, 4 * 24 * 60))})
        need_ids = list(session.scalars(insert(Need).returning(Need.id), needs))
        tasks = []
        for need_id, need in zip(need_ids, needs):
            if need["status"] in ("assigned", "in_progress", "done"):
                accepted = need["reported_at"] + timedelta(minutes=rng.randint(5, 240))
                tasks.append({"event_id": event_id, "need_id": need_id, "volunteer_id": rng.choice(volunteers),
                              "status": "done" if need["status"] == "done" else "accepted",
                              "distance_m": rng.uniform(100, 8000), "accepted_at": accepted,
                              "done_at": accepted + timedelta(minutes=rng.randint(20, 600)) if need["status"] == "done" else None})
        if tasks:
            session.execute(insert(Task), tasks)
        made += size
    session.commit()
    print(f"grown to {target} needs ({missing} inserted) in {time.perf_counter() - started:.1f} s")


def _timed(fn, runs: int):
    """(median wall ms, p90 wall ms, median CPU ms of this process, the last result). The CPU
    time leaves out other processes on a shared machine (and, on PostGIS, the server's work)."""
    times, cpu = [], []
    for i in range(runs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        if i:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], statistics.median(cpu), result


def run_large(app, runs: int, label: str, event: int, bearer: dict) -> None:
    from resilience.events.operations import get_event
    from resilience.extensions import db
    from resilience.reports.operations import build_report
    from resilience.reports.pdf import to_pdf
    from resilience.reports.xlsx import to_xlsx

    grow(event, NEEDS)
    db.session.remove()

    def build():
        report = build_report(db.session, get_event(db.session, event))
        db.session.rollback()
        return report

    if PROFILE:
        import cProfile
        import pstats

        build()
        profile = cProfile.Profile()
        profile.runcall(build)
        pstats.Stats(profile).sort_stats("tottime").print_stats(22)
        return
    print(f"{'step':36} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'KiB':>6}")
    median, p90, cpu, report = _timed(build, runs)
    print(f"{'build_report (JSON dict)':36} {median:10.1f} {p90:8.1f} {cpu:8.1f} {'':>6}")
    print(f"   needs {report['totals']['needs']['total']}, waiting list {len(report['waiting'])}, "
          f"kelurahan {len(report['kelurahan'])}, audit entries {report['audit']['entries']}")
    for name, render in (("render xlsx (from the dict)", to_xlsx), ("render pdf (from the dict)", to_pdf)):
        median, p90, cpu, body = _timed(lambda r=render: r(report), runs)
        print(f"{name:36} {median:10.1f} {p90:8.1f} {cpu:8.1f} {len(body) / 1024:6.0f}")
    api = app.test_client()
    for fmt in ("json", "xlsx", "pdf"):
        def get(fmt=fmt):
            response = api.get(f"/api/v1/events/{event}/report?format={fmt}", headers=bearer)
            assert response.status_code == 200, response.status_code
            return response
        median, p90, cpu, response = _timed(get, runs)
        print(f"{'API report ' + fmt:36} {median:10.1f} {p90:8.1f} {cpu:8.1f} {len(response.data) / 1024:6.0f}")


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

    bearer = {"Authorization": f"Bearer {token}"}
    if NEEDS:
        run_large(app, runs, label, event, bearer)
        return
    official, coordinator = _login(app, "bench.p@bpbd.test"), _login(app, "bench.k@posko.test")
    api = app.test_client()
    urls = [
        ("API report json", api, f"/api/v1/events/{event}/report", bearer),
        ("API report csv", api, f"/api/v1/events/{event}/report?format=csv", bearer),
        ("API report csv waiting", api, f"/api/v1/events/{event}/report?format=csv&table=waiting", bearer),
        ("API report geojson", api, f"/api/v1/events/{event}/report?format=geojson", bearer),
        ("API report xlsx", api, f"/api/v1/events/{event}/report?format=xlsx", bearer),
        ("API report pdf", api, f"/api/v1/events/{event}/report?format=pdf", bearer),
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
    global NEEDS, PROFILE
    if "--profile" in sys.argv:
        PROFILE = True
        sys.argv.remove("--profile")
    if "--needs" in sys.argv:
        at = sys.argv.index("--needs")
        NEEDS = int(sys.argv[at + 1])
        del sys.argv[at:at + 2]
    bench_main(__doc__, "report", run)


if __name__ == "__main__":
    main()
