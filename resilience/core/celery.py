"""Celery glue: tasks run inside the Flask app context; JSON only; safe delivery settings.

In production Redis is the broker. Without REDIS_URL (the embedded default) tasks run eagerly
inside the serving process, so the same task code serves both deployments; ``resilience serve``
hands the SMS sends to a worker thread instead (``core.embedded.EmbeddedWorker``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Iterable

from celery import Celery, Task
from flask import Flask

# Broker visibility timeout > task hard time limit > the HTTP timeouts inside tasks, so a
# task still running is never redelivered to a second worker.
TASK_SOFT_TIME_LIMIT = 60
TASK_TIME_LIMIT = 90
VISIBILITY_TIMEOUT = 300


def init_celery(app: Flask, task_modules: Iterable[ModuleType] = ()) -> Celery:
    """The app's Celery app. ``task_modules`` are the domains' ``tasks`` modules (the app
    factory names them): workers import them, and each one's ``BEAT_SCHEDULE`` joins beat's."""
    settings = app.config["SETTINGS"]
    task_modules = list(task_modules)
    schedule: dict = {}
    for module in task_modules:
        for entry, spec in getattr(module, "BEAT_SCHEDULE", {}).items():
            if entry in schedule:
                raise ValueError(f"two domains schedule the beat entry {entry!r}")
            schedule[entry] = spec

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=AppContextTask)
    celery.conf.update(
        broker_url=settings.redis_url or "memory://",
        # No task returns anything a caller waits for: nothing is written back per task.
        result_backend=None,
        task_ignore_result=True,
        task_store_errors_even_if_ignored=False,
        task_always_eager=settings.embedded,
        task_eager_propagates=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=TASK_SOFT_TIME_LIMIT,
        task_time_limit=TASK_TIME_LIMIT,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        # Publishing while the broker is down must fail fast: the outbox sweep resends later.
        task_publish_retry=False,
        broker_connection_timeout=3,
        broker_connection_max_retries=1,
        include=[module.__name__ for module in task_modules],
        beat_schedule=schedule,
        timezone="UTC",
        enable_utc=True,
    )
    app.extensions["celery"] = celery
    return celery


def run_task(name: str, *args, countdown: float | None = None) -> None:
    """Enqueue a task on the current Flask app's own Celery app (eager in embedded mode, unless
    ``resilience serve``'s worker thread takes it: :class:`resilience.core.embedded.EmbeddedWorker`).

    Each Flask app has its own Celery app (settings differ: broker, eagerness); tasks are
    declared with ``shared_task`` and looked up here by name, so a call never lands on
    another app's configuration."""
    from flask import current_app

    from resilience.core.embedded import WORKER

    worker = current_app.extensions.get(WORKER)
    if worker is not None and worker.takes(name):  # embedded, served: a thread sends, not the request
        worker.submit(name, args, countdown)
        return
    task = current_app.extensions["celery"].tasks[name]
    if countdown:
        task.apply_async(args, countdown=countdown)
    else:
        task.apply_async(args)


def runs_later(name: str) -> bool:
    """Whether ``run_task(name, …)`` hands the task to a worker (Celery's, or the embedded
    worker thread) rather than running it at once in the caller: only then may a task enqueue
    its own retries (with a countdown) instead of leaving them to the periodic sweep."""
    from flask import current_app

    from resilience.core.embedded import WORKER

    if not current_app.config["SETTINGS"].embedded:
        return True
    worker = current_app.extensions.get(WORKER)
    return worker is not None and worker.takes(name)
