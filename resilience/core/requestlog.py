"""Every request: an id, a log line and the request metrics.

- The request id is the incoming ``X-Request-ID`` when it is a sane token (what nginx's
  ``$request_id`` or a load balancer sends: 1–128 letters, digits and ``-_.:``), else a new one;
  it is answered in the ``X-Request-ID`` header and carried by every log line written while
  the request is handled (``LOG_FORMAT=json``).
- One log line a request (logger ``resilience.request``, INFO) with the method, the path
  without its query string (a query may hold a name or a phone), the status and the duration.
- ``core.metrics.observe_request`` with the route's endpoint name, never the raw path.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

from resilience.core import metrics
from resilience.core.logging import request_id

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
log = logging.getLogger("resilience.request")


def incoming_id(value: str | None) -> str:
    if value and _VALID_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def install(app: Flask) -> None:
    def _start():
        g.request_started = time.perf_counter()
        g.request_id = incoming_id(request.headers.get(HEADER))
        g.request_id_token = request_id.set(g.request_id)

    # First of all before-request functions: a request refused by a later one (rate limit,
    # token) is timed and logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _finish(response):
        if "request_started" in g:
            response.headers[HEADER] = g.request_id
            _record(response.status_code)
        return response

    @app.teardown_request
    def _end(exc):
        if "request_started" in g and not g.get("request_recorded"):
            _record(500)  # an exception no handler turned into a response
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                request_id.reset(token)
            except ValueError:  # set in another context (a copied one): forget it there
                request_id.set(None)


def _record(status: int) -> None:
    g.request_recorded = True
    seconds = time.perf_counter() - g.request_started
    rule = request.url_rule
    metrics.observe_request(rule.endpoint if rule is not None else None, request.method, status, seconds)
    duration_ms = round(seconds * 1000, 1)
    log.info("%s %s %s %.1f ms", request.method, request.path, status, duration_ms,
             extra={"method": request.method, "path": request.path, "status": status,
                    "duration_ms": duration_ms, "request_id": g.request_id})
