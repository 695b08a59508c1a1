"""Server time of the task board with 10,000 tasks in one event (target: under 500 ms).

Loads the Rakumpit demo (600 households, the volunteer roster) into a fresh database —
SQLite/SpatiaLite in a temporary directory by default, or a throw-away PostgreSQL/PostGIS
database with ``--postgis`` (admin URL from TEST_POSTGRES_ADMIN_URL, else postgres@127.0.0.1) —
then adds a new event with ``--tasks`` tasks, most with a need of their own, in a state drawn like a busy
flood morning (a third done, a fifth accepted, …), with timestamps and a few decline reasons,
written with bulk inserts (no audit: the board reads, it is not what is measured). Logs in as a
coordinator with Flask's test client and requests each board URL ``--runs`` times (the first
run is a warm-up and not counted): the whole request in-process (routing, session, the count,
the page's joined select, the reassignment choices of its live tasks, the template); not the
network or the browser.

    .venv/bin/python bench/task_board.py --postgis [--tasks 10000] [--runs 20]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import bench_main, timed_get  # noqa: E402

EMAIL, PASSWORD = "bench.board@posko.test", "a-long-password"
TASKS = 10_000
# state -> share of the tasks (at most one live task per need: every task has a need of its own)
STATES = {"done": 0.33, "accepted": 0.2, "offered": 0.12, "declined": 0.1, "expired": 0.1, "cancelled": 0.08,
          "failed": 0.02, "proposed": 0.05}
NEED_STATUS = {"done": "done", "accepted": "in_progress", "offered": "assigned", "cancelled": "cancelled"}


def main() -> None:
    count = TASKS
    if "--tasks" in sys.argv:
        at = sys.argv.index("--tasks")
        count = int(sys.argv[at + 1])
        del sys.argv[at:at + 2]
    bench_main(__doc__, "board", lambda app, runs, label: run(app, runs, label, count))


def _add_tasks(event_id: int, count: int) -> None:
    from sqlalchemy import insert, select

    from resilience.core.db import utcnow
    from resilience.dispatch.models import Task
    from resilience.extensions import db
    from resilience.households.models import Household
    from resilience.needs.models import Need
    from resilience.vocabulary import NEED_CATEGORIES
    from resilience.volunteers.models import Volunteer

    rng = random.Random(13)
    households = db.session.scalars(select(Household.id)).all()
    volunteers = db.session.scalars(select(Volunteer.id)).all()
    now = utcnow()
    states = rng.choices(list(STATES), weights=list(STATES.values()), k=count)
    # A household has at most one live need per category in an event: the live ones take
    # distinct (household, category) pairs; a declined, expired or failed task shares the need
    # of another task (the need was offered again), as on a real morning.
    pairs = [(h, c) for h in households for c in NEED_CATEGORIES]
    rng.shuffle(pairs)
    own = [s for s in states if s not in ("declined", "expired", "failed")]
    needs = []
    free = iter(pairs)
    for state in own:
        household, category = next(free) if state in ("proposed", "offered", "accepted") else (
            rng.choice(households), rng.choice(NEED_CATEGORIES))
        priority = rng.randint(1, 5)
        needs.append({"event_id": event_id, "household_id": household, "category": category,
                      "status": NEED_STATUS.get(state, "open"), "priority": priority, "derived_priority": priority,
                      "priority_overridden": False, "priority_reason": "", "notes": "", "reporter": "bench",
                      "reported_at": now})
    first = (db.session.scalar(select(Need.id).order_by(Need.id.desc()).limit(1)) or 0) + 1
    db.session.execute(insert(Need), needs)
    own_ids = iter(db.session.scalars(select(Need.id).where(Need.id >= first).order_by(Need.id)).all())
    need_ids = []
    for state in states:
        need_ids.append(rng.randrange(first, first + len(needs)) if state in ("declined", "expired", "failed")
                        else next(own_ids))
    tasks = []
    for need_id, state in zip(need_ids, states):
        proposed = now - timedelta(minutes=rng.randint(5, 600))
        row = {"event_id": event_id, "need_id": need_id, "volunteer_id": rng.choice(volunteers), "status": state,
               "distance_m": rng.uniform(100, 8000), "explanation": "", "proposed_at": proposed,
               "decline_reason": "motor mogok" if state == "declined" and rng.random() < 0.3 else "",
               "coordinator_note": ""}
        for step in ("offered", "accepted", "declined", "expired", "done", "cancelled", "failed"):
            row[f"{step}_at"] = None
        if state != "proposed":
            row["offered_at"] = proposed + timedelta(minutes=1)
        if state in ("accepted", "done"):
            row["accepted_at"] = proposed + timedelta(minutes=4)
        if state not in ("proposed", "offered", "accepted"):
            row[f"{state}_at"] = proposed + timedelta(minutes=rng.randint(5, 120))
        tasks.append(row)
    db.session.execute(insert(Task), tasks)
    db.session.commit()


def run(app, runs: int, label: str, count: int) -> None:
    from sqlalchemy import func, select

    from resilience.accounts.operations import create_user
    from resilience.audit.chain import set_actor
    from resilience.cli import upgrade_database
    from resilience.demo.load import load_demo
    from resilience.dispatch.models import Task
    from resilience.core.db import utcnow
    from resilience.events.operations import create_event
    from resilience.extensions import db
    from resilience.households.models import Household

    upgrade_database()
    set_actor("bench")
    started = time.perf_counter()
    load_demo()
    create_user(db.session, EMAIL, "coordinator", PASSWORD)
    db.session.commit()
    event = create_event(db.session, {"name": "Banjir besar (bench)", "started_at": utcnow()}).id
    db.session.commit()
    _add_tasks(event, count)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    tasks = db.session.scalar(select(func.count()).select_from(Task).where(Task.event_id == event))
    area = db.session.scalar(select(Household.admin_area_id).where(Household.admin_area_id.is_not(None)).limit(1))
    volunteer = db.session.scalar(select(Task.volunteer_id).where(Task.event_id == event).limit(1))
    print(f"{label}: demo + {tasks} tasks in the event loaded in {time.perf_counter() - started:.1f} s")
    db.session.remove()

    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["_csrf"]
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code

    base = f"/events/{event}/board"
    pages = [
        ("board, first page", base),
        ("board rows (the poll), first page", f"{base}/rows"),
        ("state accepted + evacuation", f"{base}?state=accepted&category=evacuation"),
        ("priority 5, one kelurahan", f"{base}?priority=5&kelurahan={area}"),
        ("one volunteer", f"{base}?volunteer={volunteer}"),
        ("page 100", f"{base}?page=100"),
    ]
    print(f"{'page':40} {'median ms':>10} {'p90 ms':>8} {'KiB':>6}  rows")
    for name, path in pages:
        median, p90, response = timed_get(client, path, runs)
        body = response.get_data(as_text=True)
        rows = body.count('<tr id="task-')
        print(f"{name:40} {median:10.1f} {p90:8.1f} {len(body) / 1024:6.0f}  {rows}")


if __name__ == "__main__":
    main()
