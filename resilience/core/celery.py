"""Celery glue: tasks run inside the Flask app context; JSON only; safe delivery settings.

In production Redis is the broker. Without REDIS_URL (the embedded default) tasks run eagerly
inside the serving process, so the same task code serves both deployments.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

# Broker visibility timeout > task hard time limit > the HTTP timeouts inside tasks, so a
# task still running is never redelivered to a second worker.
TASK_SOFT_TIME_LIMIT = 60
TASK_TIME_LIMIT = 90
VISIBILITY_TIMEOUT = 300


def _beat_schedule() -> dict:
    from resilience.sms.tasks import BEAT_SCHEDULE

    return BEAT_SCHEDULE


def init_celery(app: Flask) -> Celery:
    settings = app.config["SETTINGS"]

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
        include=["resilience.sms.tasks"],
        beat_schedule=_beat_schedule(),
        timezone="UTC",
        enable_utc=True,
    )
    app.extensions["celery"] = celery
    return celery


def run_task(name: str, *args, countdown: float | None = None) -> None:
    """Enqueue a task on the current Flask app's own Celery app (eager in embedded mode).

    Each Flask app has its own Celery app (settings differ: broker, eagerness); tasks are
    declared with ``shared_task`` and looked up here by name, so a call never lands on
    another app's configuration."""
    from flask import current_app

    task = current_app.extensions["celery"].tasks[name]
    if countdown:
        task.apply_async(args, countdown=countdown)
    else:
        task.apply_async(args)
