"""Benchmark of the GSM modem path (SMS_BACKEND=gammu) on Gammu's dummy driver.

Never part of the test pass/fail. Prints figures; they go to bench/RESULTS.md by hand.

The embedded default as a posko runs it: SQLite + SpatiaLite in a temporary directory, no
Redis, tasks eager, the embedded scheduler thread running the sweep and the modem poll. For
each ``--rates`` value (GAMMU_MAX_PER_SECOND) it queues ``--messages`` outbound SMS in one
transaction (a mix of 1- and 2-segment texts, ``--long`` of them 2 segments), the way a request
queues offers, and times from the commit until every row is ``sent``. It reports messages/s,
segments/s, and the most segments handed to the modem in any sliding 1-second window (times
taken around Gammu's SendSMS), then checks every message went out exactly once.
``--inbound N`` also drops N replies into the dummy's inbox and times one poll reading them in.

The dummy answers at once (no radio): the figures are this side's ceiling and the limiter's
pacing, not a real modem's (a USB modem takes about 1-4 s per SMS on the air).

    .venv/bin/python bench/gammu_bench.py --rates 0.5,1,2,5 --messages 20
    .venv/bin/python bench/gammu_bench.py --rates 100,1000 --messages 500 --inbound 200
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LONG = ("Tugas evakuasi T{n}: perahu ke RT 02 dekat masjid Mungku Baru, bawa pelampung, senter "
        "dan tali. Balas YA T{n} untuk menerima atau TIDAK T{n} untuk menolak. Terima kasih.")
SHORT = "Tugas T{n}: balas YA T{n} atau TIDAK T{n}."


def run(rate: float, messages: int, long_every: int, inbound: int) -> None:
    from sqlalchemy import func, select

    from resilience.app import create_app
    from resilience.cli import upgrade_database
    from resilience.core.db import set_read_only
    from resilience.core.embedded import EmbeddedScheduler
    from resilience.core.settings import Settings
    from resilience.extensions import db
    from resilience.sms.models import SmsMessage
    from resilience.sms.modem import GammuGateway
    from resilience.sms.outbox import queue
    from resilience.sms.service import service
    from resilience.sms.tasks import POLL_MODEM_TASK
    from tests.sms.gammu_dummy import Phone, write_config

    work = Path(tempfile.mkdtemp(prefix="gammu-bench-"))
    config = write_config(work)
    settings = Settings.from_env({
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}", "RESILIENCE_INSTANCE_PATH": str(work),
        "SECRET_KEY": "b" * 32, "RESILIENCE_ENV": "test", "SMS_BACKEND": "gammu",
        "GAMMU_CONFIG": str(config), "GAMMU_MAX_PER_SECOND": str(rate)})
    app = create_app(settings)
    with app.app_context():
        upgrade_database()
        gateway = service().gateway
        assert isinstance(gateway, GammuGateway)
        stamps: list[tuple[float, int]] = []
        original = gateway.send

        def timed_send(message_id, to, body, callback):
            started = time.monotonic()
            sid = original(message_id, to, body, callback)
            stamps.append((started, sid.count(".") + 1))
            return sid

        gateway.send = timed_send
        scheduler = EmbeddedScheduler(app, tick=0.5)
        scheduler.next_run = {name: time.monotonic() + 1 for name in scheduler.next_run}
        scheduler.start()
        started = time.monotonic()
        for n in range(messages):
            body = (LONG if long_every and n % long_every == 0 else SHORT).format(n=n + 1)
            queue(db.session, f"+62813{n:08d}", body, "offer")
        db.session.commit()  # eager: the first batches go out inside this call
        set_read_only(True)
        while True:
            db.session.rollback()
            left = db.session.scalar(select(func.count()).where(SmsMessage.status != "sent"))
            if not left:
                break
            if time.monotonic() - started > 600:
                print(f"  rate {rate}: gave up with {left} unsent")
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        segments = db.session.scalar(select(func.sum(SmsMessage.segments)))
        sids = db.session.scalars(select(SmsMessage.provider_sid)).all()
        attempts = db.session.scalar(select(func.max(SmsMessage.attempts)))
        window = max_window(stamps)
        print(f"  GAMMU_MAX_PER_SECOND={rate:g}: {messages} messages ({segments} segments) in {elapsed:.2f} s = "
              f"{messages / elapsed:.2f} msgs/s, {segments / elapsed:.2f} segments/s; "
              f"busiest 1-s window {window} segments; sends {len(stamps)}, distinct sids {len(set(sids))}, "
              f"max attempts {attempts}")
        assert len(stamps) == messages == len(set(sids)), "a message was sent twice or not at all"
        if inbound:
            phone = Phone(config)
            for n in range(inbound):
                phone.deliver(f"+62813{n:08d}", f"YA T{n + 1}")
            set_read_only(False)
            t0 = time.monotonic()
            result = app.extensions["celery"].tasks[POLL_MODEM_TASK].apply().get()
            took = time.monotonic() - t0
            print(f"  poll: {inbound} inbound in {took:.2f} s = {inbound / took:.1f} msgs/s ({result})")
        scheduler.stopped.set()
        scheduler.join(10)
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


def max_window(stamps: list[tuple[float, int]]) -> int:
    """The most segments started within any 1-second window."""
    best, first, total = 0, 0, 0
    ordered = sorted(stamps)
    for index, (at, count) in enumerate(ordered):
        total += count
        while ordered[first][0] <= at - 1.0:
            total -= ordered[first][1]
            first += 1
        best = max(best, total)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="0.5,1,2,5")
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--long", type=int, default=4, help="every Nth message is 2 segments (0: none)")
    parser.add_argument("--inbound", type=int, default=0)
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)
    print(f"gammu bench: {args.messages} messages per rate, every {args.long}th one 2 segments")
    for rate in (float(r) for r in args.rates.split(",")):
        run(rate, args.messages, args.long, args.inbound)


if __name__ == "__main__":
    main()
