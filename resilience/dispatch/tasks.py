"""Celery tasks of dispatch. ``BEAT_SCHEDULE`` is what this domain asks beat to run; the app
factory assembles the schedule from every domain's (see ``resilience.app``)."""

from __future__ import annotations

from celery import shared_task

from resilience.core.transaction import unit_of_work
from resilience.extensions import db

EXPIRE_OFFERS_TASK = "resilience.dispatch.expire_offers"
BEAT_SCHEDULE = {
    "expire-offers": {"task": EXPIRE_OFFERS_TASK, "schedule": 60.0},
}


@shared_task(name=EXPIRE_OFFERS_TASK, ignore_result=True)
def expire_offers() -> int:
    from resilience.dispatch.offers import expire_offers as expire

    try:
        with unit_of_work(db.session):
            return expire(db.session)
    finally:
        db.session.remove()
