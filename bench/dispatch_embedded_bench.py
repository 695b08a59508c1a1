"""How long confirming a proposal keeps the request open on the embedded default (SQLite, no
Redis, outbox SMS at the default SMS_MAX_PER_SECOND=10), and how long until every offer is sent.

Never part of the test pass/fail. Prints figures; they go to bench/RESULTS.md by hand.

Two runs, each on a fresh SQLite database in a temporary directory, with the same data:
``--tasks`` households (one food need each, in Mungku Baru) and as many volunteers (capacity 1),
matched, then ``POST /api/v1/events/{id}/dispatch`` through the Flask test client (server time,
no network):

* ``inline``: no worker thread, as ``resilience serve`` ran before (Celery eager: the SMS are
  sent inside the request, after its commit, at the rate limit);
* ``worker``: ``resilience serve``'s ``EmbeddedWorker`` sends them in the background.

For each: the request's time, then the time from the request until the database shows every
offer ``sent``, and a check that each one was handed to the gateway exactly once.

    .venv/bin/python bench/dispatch_embedded_bench.py                 # 165 tasks, as in issue 13
    .venv/bin/python bench/dispatch_embedded_bench.py --tasks 50 --rate 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from resilience.app import create_app  # noqa: E402
from resilience.core.settings import Settings  # noqa: E402


def build(base: Path, rate: float):
    settings = Settings.from_env({
        "DATABASE_URL": f"sqlite:///{base / 'bench.db'}", "RESILIENCE_INSTANCE_PATH": str(base),
        "SECRET_KEY": "bench-secret-key-0123456789abcdef", "SMS_MAX_PER_SECOND": str(rate),
    })
    assert settings.embedded and settings.sms_backend == "outbox"
    app = create_app(settings)
    from resilience.cli import upgrade_database

    with app.app_context():
        upgrade_database()
    return app


class CountingGateway:
    """The outbox gateway, counting each message it is handed."""

    name = "outbox"

    def __init__(self, inner):
        self.inner = inner
        self.calls: Counter[int] = Counter()

    def send(self, message_id, to, body, status_callback):
        self.calls[message_id] += 1
        return self.inner.send(message_id, to, body, status_callback)

    def lookup(self, to, body, since):
        return None


def seed(app, tasks: int) -> tuple[str, int]:
    from resilience.accounts.operations import create_token, create_user
    from resilience.extensions import db
    from tests import factories

    with app.app_context():
        create_user(db.session, "bench@posko.test", "coordinator", "a-long-password")
        token = create_token(db.session, "bench@posko.test")
        db.session.commit()
        event = factories.event()
        for i in range(tasks):
            lat, lon = -1.6346 + 0.0004 * (i % 20), 113.6858 + 0.0004 * (i // 20)
            household = factories.household(nik=None, landmark=f"dekat masjid gang {i}", members=4,
                                            location={"lat": lat, "lon": lon})
            factories.need(event, household, "food")
            factories.volunteer(skills=["cooking"], capacity=1, location={"lat": lat + 0.002, "lon": lon + 0.002})
        return token, event.id


def run(mode: str, tasks: int, rate: float) -> dict:
    from resilience.core.embedded import EmbeddedWorker
    from resilience.extensions import db
    from resilience.sms.models import SmsMessage
    from resilience.sms.outbox import SEND_TASK

    with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as tmp:
        app = build(Path(tmp), rate)
        token, event_id = seed(app, tasks)
        service = app.extensions["sms"]
        gateway = CountingGateway(service.gateway)
        service.gateway, service.channels = gateway, {"outbox": (gateway, service.limiter)}
        worker = EmbeddedWorker(app, [SEND_TASK]) if mode == "worker" else None
        if worker:
            worker.start()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post(f"/api/v1/events/{event_id}/match", json={}, headers=headers).status_code == 200
        started = time.perf_counter()
        response = client.post(f"/api/v1/events/{event_id}/dispatch", json={}, headers=headers)
        answered = time.perf_counter() - started
        assert response.status_code == 200, response.get_json()
        offered = len(response.get_json()["offered"])
        with app.app_context():
            while True:
                counts = dict(db.session.execute(select(SmsMessage.status, func.count())
                                                 .group_by(SmsMessage.status)).all())
                db.session.rollback()
                if counts.get("sent", 0) >= offered or time.perf_counter() - started > 600:
                    break
                time.sleep(0.05)
            all_sent = time.perf_counter() - started
            segments = db.session.scalar(select(func.sum(SmsMessage.segments)))
            db.session.remove()
        if worker:
            worker.stop()
        return {"mode": mode, "offered": offered, "segments": segments, "request_s": answered,
                "all_sent_s": all_sent, "sent": counts.get("sent", 0),
                "sent_once": sorted(set(gateway.calls.values())) == [1] and len(gateway.calls) == offered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=165)
    parser.add_argument("--rate", type=float, default=10.0, help="SMS_MAX_PER_SECOND (default: the product's 10)")
    args = parser.parse_args()
    print(f"{args.tasks} proposed tasks, SQLite, embedded, outbox, SMS_MAX_PER_SECOND={args.rate:g}")
    print(f"{'mode':8} {'offered':>7} {'segments':>8} {'request s':>10} {'all sent s':>11} {'each sent once':>15}")
    for mode in ("inline", "worker"):
        r = run(mode, args.tasks, args.rate)
        print(f"{r['mode']:8} {r['offered']:>7} {r['segments']:>8} {r['request_s']:>10.2f} {r['all_sent_s']:>11.2f} "
              f"{'yes' if r['sent_once'] else 'NO':>15}")


if __name__ == "__main__":
    main()
