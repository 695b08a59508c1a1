"""Celery tasks of the response log. ``BEAT_SCHEDULE`` is what this domain asks beat to run
(the app factory assembles beat's schedule, and the embedded scheduler runs the same one):

* ``audit-anchor-sms``: the chain head by SMS once a day (``resilience/audit/anchor.py``);
  it runs every hour and sends only once per local day, from 07:00.
"""

from __future__ import annotations

from celery import shared_task

from resilience.core.transaction import unit_of_work
from resilience.extensions import db

ANCHOR_TASK = "resilience.audit.anchor_sms"
BEAT_SCHEDULE = {
    "audit-anchor-sms": {"task": ANCHOR_TASK, "schedule": 3600.0},
}


@shared_task(name=ANCHOR_TASK, ignore_result=True)
def anchor_sms() -> dict:
    from resilience.audit.anchor import send_daily_anchor
    from resilience.audit.chain import set_actor

    set_actor("system:audit")
    try:
        with unit_of_work(db.session):
            return send_daily_anchor(db.session)
    finally:
        db.session.remove()
