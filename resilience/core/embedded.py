"""The embedded default's scheduler: without Redis there is no Celery beat, so ``resilience
serve`` runs the periodic tasks (outbox sweep, offer expiry) in a background thread, on the
same schedule beat uses in production."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)


class EmbeddedScheduler(threading.Thread):
    def __init__(self, app: Flask, tick: float = 5.0):
        super().__init__(name="resilience-scheduler", daemon=True)
        self.app = app
        self.tick = tick
        self.stopped = threading.Event()
        beat = app.extensions["celery"].conf.beat_schedule  # assembled by the app factory
        self.schedule = {entry["task"]: float(entry["schedule"]) for entry in beat.values()}
        self.next_run = {name: time.monotonic() + 10 for name in self.schedule}

    def run_due(self) -> list[str]:
        ran = []
        now = time.monotonic()
        for name, interval in self.schedule.items():
            if now < self.next_run[name]:
                continue
            self.next_run[name] = now + interval
            try:
                with self.app.app_context():
                    self.app.extensions["celery"].tasks[name].apply()
                ran.append(name)
            except Exception:  # keep the scheduler alive; the next tick tries again
                log.exception("periodic task %s failed", name)
        return ran

    def run(self) -> None:
        while not self.stopped.wait(self.tick):
            self.run_due()
