"""What observing costs: the per-request price of the request log line and the request metrics,
and a /metrics scrape over 100,000 SMS messages.

    PYTHONPATH=$PWD python bench/observe_bench.py [--runs 200] [--postgis]

Prints medians and p90s in milliseconds (microseconds for the per-call figures)."""

from __future__ import annotations

import io
import logging
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _web_timing import bench_main, timed_get  # noqa: E402

SMS_ROWS = 100_000
STATES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "received")


def _per_call_us(fn, calls: int = 20_000) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls * 1e6


def run(app, runs: int, label: str) -> None:
    from sqlalchemy import insert

    from resilience.accounts.operations import create_token, create_user
    from resilience.cli import upgrade_database
    from resilience.core import logging as safe_logging
    from resilience.core import metrics
    from resilience.extensions import db
    from resilience.sms.models import SmsMessage

    upgrade_database()
    now = datetime.now(timezone.utc)
    rows = [dict(direction="outbound", phone=f"+62812{n:07d}", body="Tawaran tugas", kind="offer", encoding="GSM-7",
                 segments=1, status=STATES[n % len(STATES)], error_message="", attempts=1, channel_reason="",
                 needs_attention=False, created_at=now, updated_at=now) for n in range(SMS_ROWS)]
    for start in range(0, SMS_ROWS, 10_000):
        db.session.execute(insert(SmsMessage.__table__), rows[start:start + 10_000])
    create_user(db.session, "admin@bench.test", "admin", "a-long-password")
    token = create_token(db.session, "admin@bench.test")
    db.session.commit()
    db.session.remove()
    client = app.test_client()

    sink = io.StringIO()
    root = logging.getLogger()
    for log_format in ("text", "json"):
        safe_logging.configure(log_format, logging.INFO, stream=sink)
        median, p90, _ = timed_get(client, "/healthz", runs)
        print(f"{label}: GET /healthz with a {log_format} request line: median {median:.3f} ms, p90 {p90:.3f} ms")
    root.setLevel(logging.WARNING)
    median, p90, _ = timed_get(client, "/healthz", runs)
    print(f"{label}: GET /healthz with request lines filtered out (WARNING): median {median:.3f} ms, p90 {p90:.3f} ms")

    record = logging.LogRecord("resilience.request", logging.INFO, __file__, 1, "%s %s %s %.1f ms",
                               ("GET", "/api/v1/events", 200, 3.2), None)
    record.__dict__.update(method="GET", path="/api/v1/events", status=200, duration_ms=3.2)
    json_formatter = safe_logging.JsonFormatter()
    print(f"{label}: formatting one JSON request line: {_per_call_us(lambda: json_formatter.format(record)):.1f} µs")
    print(f"{label}: metrics.observe_request: "
          f"{_per_call_us(lambda: metrics.observe_request('events.list_events', 'GET', 200, 0.004)):.1f} µs")

    headers = {"Authorization": f"Bearer {token}"}
    median, p90, response = timed_get(client, "/metrics", max(10, runs // 10), headers=headers)
    size = len(response.get_data())
    print(f"{label}: GET /metrics over {SMS_ROWS:,} SMS messages: median {median:.1f} ms, p90 {p90:.1f} ms "
          f"({size:,} bytes)")
    samples = [line for line in response.get_data(as_text=True).splitlines() if line.startswith("resilience_sms")]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in samples) == SMS_ROWS, samples


if __name__ == "__main__":
    bench_main(__doc__, "observe", run)
