"""The process's Prometheus metrics (prometheus-client): what happens in this process is counted
here; what the database and the broker hold is read when /metrics is scraped
(resilience/metrics.py).

The metrics belong to no registry: the scrape builds one (:func:`registry`). With several
gunicorn workers each process counts its own requests, so set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty directory shared by the workers (before they start): prometheus-client then keeps the
values in files there and a scrape answered by any worker adds up every worker's.

Labels never hold a raw path or a value someone typed: requests are labelled with the route's
endpoint name (``households.list``), the method and the status class (``2xx``).
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client import multiprocess

def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


if multiprocess_dir():  # prometheus-client writes there as soon as a metric exists
    os.makedirs(multiprocess_dir(), exist_ok=True)

METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# Seconds; a page or API answer should take tens of milliseconds, a big export seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("resilience_http_requests", "HTTP requests answered, by route, method and status class",
                   ("endpoint", "method", "status"), registry=None)
LATENCY = Histogram("resilience_http_request_duration_seconds", "Time to answer an HTTP request, by route",
                    ("endpoint", "method"), buckets=LATENCY_BUCKETS, registry=None)
DECRYPT_FAILURES = Counter("resilience_decrypt_failures",
                           "Encrypted fields no key in FIELD_ENCRYPTION_KEYS decrypts", registry=None)

PROCESS_METRICS = (REQUESTS, LATENCY, DECRYPT_FAILURES)


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    endpoint = endpoint or "unmatched"  # a 404 matched no route: never label with its path
    method = method if method in METHODS else "other"
    REQUESTS.labels(endpoint, method, f"{status // 100}xx").inc()
    LATENCY.labels(endpoint, method).observe(seconds)


def registry(*collectors) -> CollectorRegistry:
    """A registry for one scrape: this process's metrics (every process's with
    PROMETHEUS_MULTIPROC_DIR) and ``collectors`` (read at scrape time)."""
    built = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(built)
    else:
        for metric in PROCESS_METRICS:
            built.register(metric)
    for collector in collectors:
        built.register(collector)
    return built
