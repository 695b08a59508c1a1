"""The embedded default's background threads: without Redis there is no Celery beat and no
worker, so ``resilience serve`` runs the periodic tasks (outbox sweep, offer expiry) in a
scheduler thread, on the same schedule beat uses in production, and the SMS sends in a worker
thread (:class:`EmbeddedWorker`), so a request that queues SMS answers before they go out."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Iterable

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


#: ``app.extensions`` key of the running background worker (absent: tasks run eagerly).
WORKER = "resilience.embedded_worker"


class EmbeddedWorker(threading.Thread):
    """The embedded default's stand-in for a Celery worker: without Redis ``run_task`` would run
    a task eagerly inside the request that enqueued it (a confirmation of 165 offers sending
    them at the rate limit for 46 s before it answers). ``resilience serve`` starts this thread
    for the tasks named in ``tasks`` (the SMS send task); ``run_task`` hands those to it, after
    the commit as in production, and the request returns at once. A countdown is honoured.

    Nothing here is durable, as nothing in a Celery message is more durable than the rows it
    names: the sends are claimed by compare-and-set (a task handed over twice sends once), and
    a process that dies with tasks still waiting here leaves their rows ``queued`` for the
    outbox sweep. Apps without this thread (tests, CLI commands) keep running tasks eagerly.
    """

    def __init__(self, app: Flask, tasks: Iterable[str]):
        super().__init__(name="resilience-worker", daemon=True)
        self.app = app
        self.tasks = frozenset(tasks)
        self._due: list[tuple[float, int, str, tuple]] = []  # heap of (due, order, name, args)
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._running = 0
        self.stopped = threading.Event()

    def takes(self, name: str) -> bool:
        return name in self.tasks and self.is_alive() and not self.stopped.is_set()

    def submit(self, name: str, args: tuple, countdown: float | None = None) -> None:
        with self._wake:
            heapq.heappush(self._due, (time.monotonic() + (countdown or 0.0), next(self._order), name, args))
            self._wake.notify()

    def start(self) -> None:
        self.app.extensions[WORKER] = self
        super().start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop taking tasks; what is still waiting stays for the sweep."""
        self.stopped.set()
        with self._wake:
            self._wake.notify()
        if self.app.extensions.get(WORKER) is self:
            del self.app.extensions[WORKER]
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def idle(self) -> bool:
        """Nothing waiting that is due and nothing running (for tests and benchmarks)."""
        with self._wake:
            return self._running == 0 and not any(due <= time.monotonic() for due, *_ in self._due)

    def wait_idle(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.idle():
                return True
            time.sleep(0.02)
        return self.idle()

    def _next(self) -> tuple[str, tuple] | None:
        with self._wake:
            while not self.stopped.is_set():
                if self._due:
                    wait = self._due[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, name, args = heapq.heappop(self._due)
                        self._running += 1
                        return name, args
                    self._wake.wait(wait)
                else:
                    self._wake.wait()
            return None

    def run(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            name, args = job
            try:
                with self.app.app_context():
                    self.app.extensions["celery"].tasks[name].apply(args)
            except Exception:  # keep the worker alive; the sweep recovers what this left queued
                log.exception("background task %s failed", name)
            finally:
                with self._wake:
                    self._running -= 1
