"""Server-side cost of alerts: the lookup every need change makes to resolve its alerts, the
minute's summary to the duty phones, and the sweep that resolves stale alerts.

On a throw-away SQLite file (default) or PostGIS database (``--postgis``), after a history of
``HISTORY`` resolved alerts (a long flood):

* ``need_moved`` × 165 — what a 165-task dispatch adds (one indexed lookup per offer);
* ``send_summaries`` with 50 new warnings in one event (a bad minute: one SMS) and 1,000 over
  10 events (10 SMS), committed, the SMS written to the outbox and "sent" by it;
* ``resolve_stale`` with 1,000 unresolved alerts whose needs are gone.

Each figure is the median of ``--runs`` (fresh rows each run), the work and its commit apart:
in the embedded default the commit also sends the queued SMS through the outbox, paced by
``SMS_MAX_PER_SECOND`` (10 by default: ten summaries take about a second to go out).

    .venv/bin/python bench/alerts_bench.py [--runs 5] [--postgis]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import bench_main  # noqa: E402

HISTORY = 100_000


def run(app, runs: int, label: str) -> None:
    from sqlalchemy import insert

    from resilience.alerts import notify, operations
    from resilience.alerts.models import Alert
    from resilience.cli import upgrade_database
    from resilience.core.db import utcnow
    from resilience.dispatch.alerting import resolve_stale
    from resilience.events.models import FloodEvent
    from resilience.extensions import db

    upgrade_database()
    session = db.session
    events = [FloodEvent(name=f"Banjir {i}", started_at=utcnow(), duty_phone=f"+62811000000{i:02d}")
              for i in range(10)]
    session.add_all(events)
    session.commit()
    event_ids = [e.id for e in events]
    now = utcnow()
    rows = [{"kind": "no_candidate", "severity": "warning", "subject": f"need:{i}", "event_id": event_ids[0],
             "params": {"priority": 3}, "created_at": now, "resolved_at": now, "notified_at": now, "notify_count": 1}
            for i in range(HISTORY)]
    for start in range(0, HISTORY, 10_000):
        session.execute(insert(Alert), rows[start:start + 10_000])
    session.commit()
    next_subject = [HISTORY]

    def fresh(count: int, events_used: int, notified=None) -> None:
        batch = []
        for i in range(count):
            next_subject[0] += 1
            batch.append({"kind": "long_wait", "severity": "warning", "subject": f"need:{next_subject[0]}",
                          "event_id": event_ids[i % events_used], "params": {"priority": 4 + i % 2},
                          "created_at": utcnow(), "notified_at": notified, "notify_count": 0})
        session.execute(insert(Alert), batch)
        session.commit()

    def timed(setup, work) -> str:
        """Median of the work and of its commit (which, in the embedded default, also sends the
        queued SMS through the outbox at SMS_MAX_PER_SECOND)."""
        works, commits = [], []
        for _ in range(runs):
            setup()
            started = time.perf_counter()
            work()
            session.flush()
            middle = time.perf_counter()
            session.commit()
            works.append(middle - started)
            commits.append(time.perf_counter() - middle)
        return f"{statistics.median(works) * 1000:8.1f} ms + commit {statistics.median(commits) * 1000:7.1f} ms"

    base = [HISTORY + 10_000_000]

    def moves():
        base[0] += 1000
        for i in range(165):
            operations.need_moved(session, base[0] + i, "assigned")

    print(f"{label}: {HISTORY:,} resolved alerts in the history, median of {runs} runs")
    print(f"  need_moved x 165 (a 165-task dispatch):          {timed(lambda: None, moves)}")
    sent = []
    print(f"  send_summaries, 50 new warnings in 1 event:       "
          f"{timed(lambda: fresh(50, 1), lambda: sent.append(notify.send_summaries(session)))}"
          f"  ({sent[-1]} SMS)")
    print(f"  send_summaries, 1,000 new warnings in 10 events:  "
          f"{timed(lambda: fresh(1000, 10), lambda: sent.append(notify.send_summaries(session)))}"
          f"  ({sent[-1]} SMS)")
    resolved = []
    print(f"  resolve_stale, 1,000 unresolved (needs gone):     "
          f"{timed(lambda: fresh(1000, 10, notified=utcnow()), lambda: resolved.append(len(resolve_stale(session))))}"
          f"  ({resolved[-1]} resolved)")


if __name__ == "__main__":
    bench_main(__doc__, "alerts", run)
