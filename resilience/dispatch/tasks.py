"""Celery tasks of dispatch. ``BEAT_SCHEDULE`` is what this domain asks beat to run; the app
factory assembles the schedule from every domain's (see ``resilience.app``)."""

from __future__ import annotations

from celery import shared_task

from resilience.core.transaction import unit_of_work
from resilience.extensions import db

EXPIRE_OFFERS_TASK = "resilience.dispatch.expire_offers"
SAFETY_CHECKIN_TASK = "resilience.dispatch.safety_checkin"
BEAT_SCHEDULE = {
    "expire-offers": {"task": EXPIRE_OFFERS_TASK, "schedule": 60.0},
    "safety-checkin": {"task": SAFETY_CHECKIN_TASK, "schedule": 60.0},
}


@shared_task(name=EXPIRE_OFFERS_TASK, ignore_result=True)
def expire_offers() -> int:
    from resilience.dispatch.offers import expire_offers as expire

    try:
        with unit_of_work(db.session):
            return expire(db.session)
    finally:
        db.session.remove()


@shared_task(name=SAFETY_CHECKIN_TASK, ignore_result=True)
def safety_checkin() -> dict[str, int]:
    """Ask due safety check-ins and escalate unanswered ones (``dispatch.checkin.sweep``)."""
    from resilience.dispatch.checkin import sweep

    try:
        with unit_of_work(db.session):
            return sweep(db.session)
    finally:
        db.session.remove()
