"""``GET /metrics``: Prometheus metrics, for an admin's API token or ``METRICS_TOKEN`` only.

Besides the process's counters (core.metrics: requests and latencies per route, failed
decrypts), read when scraped: SMS messages by state and open alerts by kind (one grouped
count each, on indexed columns) and, when REDIS_URL is set, the number of Celery tasks waiting
in the default queue. Not under /api/v1, so the API's rate limit does not count scrapes.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from resilience.accounts.operations import user_for_token
from resilience.alerts.models import Alert
from resilience.core import metrics
from resilience.core.errors import Forbidden, Message, Unauthorized
from resilience.extensions import db
from resilience.sms.models import SMS_STATUSES, SmsMessage
from resilience.vocabulary import ALERT_KINDS

CELERY_QUEUE = "celery"  # Celery's default queue: every task goes there (core.celery)
bp = Blueprint("metrics", __name__)
log = logging.getLogger("resilience.metrics")


def _authorize() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(Message("the metrics need 'Authorization: Bearer <token>' with an admin's API "
                                   "token or METRICS_TOKEN"))
    wanted = current_app.config["SETTINGS"].metrics_token
    if wanted and hmac.compare_digest(token.encode("utf-8"), wanted.encode("utf-8")):
        return
    user = user_for_token(db.session, token)
    if user is None:
        raise Unauthorized(Message("the token is unknown, expired or revoked, or its user is deactivated"))
    if user.role != "admin":
        raise Forbidden(Message("only an admin's API token or METRICS_TOKEN may read the metrics"))


class DatabaseCollector:
    """Gauges computed at scrape time from the database and the broker."""

    def __init__(self, session, redis_url: str | None):
        self.session, self.redis_url = session, redis_url

    def collect(self):
        sms = GaugeMetricFamily("resilience_sms_messages", "SMS messages by state", labels=["state"])
        counts = dict.fromkeys(SMS_STATUSES, 0)
        counts.update(self.session.execute(
            select(SmsMessage.status, func.count()).group_by(SmsMessage.status)).all())
        for state, count in counts.items():
            sms.add_metric([state], count)
        yield sms

        alerts = GaugeMetricFamily("resilience_alerts_open", "Alerts neither acknowledged nor resolved, by kind",
                                   labels=["kind"])
        counts = dict.fromkeys(ALERT_KINDS, 0)
        counts.update(self.session.execute(
            select(Alert.kind, func.count())
            .where(Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None))
            .group_by(Alert.kind)).all())
        for kind, count in counts.items():
            alerts.add_metric([kind], count)
        yield alerts

        if self.redis_url:
            depth = self._queue_depth()
            up = GaugeMetricFamily("resilience_broker_up", "1 when the Redis broker answered this scrape")
            up.add_metric([], 0 if depth is None else 1)
            yield up
            if depth is not None:
                queue = GaugeMetricFamily("resilience_celery_queue_length",
                                          "Celery tasks waiting in the queue", labels=["queue"])
                queue.add_metric([CELERY_QUEUE], depth)
                yield queue

    def _queue_depth(self) -> int | None:
        import redis

        try:
            client = redis.Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
            return int(client.llen(CELERY_QUEUE))
        except Exception as exc:  # a scrape reports the broker down, never fails
            log.warning("the broker did not answer the metrics scrape (%s)", type(exc).__name__)
            return None


@bp.get("/metrics")
def scrape():
    _authorize()
    settings = current_app.config["SETTINGS"]
    registry = metrics.registry(DatabaseCollector(db.session, settings.redis_url))
    response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
