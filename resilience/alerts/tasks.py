"""Celery tasks of alerts. ``BEAT_SCHEDULE`` is what this domain asks beat to run (the app
factory assembles beat's schedule, and the embedded scheduler runs the same one):

* ``alerts-sweep``: long waits raised, alerts whose condition went away resolved;
* ``alerts-notify``: the coordinator-on-duty SMS — one summary per event of the new warnings,
  and the repeats of unacknowledged emergencies.

Once a minute each: a bad minute is one summary SMS.
"""

from __future__ import annotations

from celery import shared_task

from resilience.core.transaction import unit_of_work
from resilience.extensions import db

SWEEP_TASK = "resilience.alerts.sweep"
NOTIFY_TASK = "resilience.alerts.notify"
BEAT_SCHEDULE = {
    "alerts-sweep": {"task": SWEEP_TASK, "schedule": 60.0},
    "alerts-notify": {"task": NOTIFY_TASK, "schedule": 60.0},
}


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep() -> dict:
    from resilience.audit.chain import set_actor
    from resilience.dispatch.alerting import sweep as run

    set_actor("system:alerts")
    try:
        with unit_of_work(db.session):
            return run(db.session)
    finally:
        db.session.remove()


@shared_task(name=NOTIFY_TASK, ignore_result=True)
def notify() -> dict:
    from resilience.alerts.notify import repeat_emergencies, send_summaries
    from resilience.audit.chain import set_actor

    set_actor("system:alerts")
    try:
        with unit_of_work(db.session):
            repeats = repeat_emergencies(db.session)
            summaries = send_summaries(db.session)
        return {"emergencies": repeats, "summaries": summaries}
    finally:
        db.session.remove()
