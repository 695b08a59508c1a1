"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from resilience.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    settings = current_app.config["SETTINGS"]
    checks: dict[str, str] = {}
    ready = True
    try:
        db.session.execute(text("SELECT 1"))
        version = db.session.execute(
            text("SELECT spatialite_version()" if settings.is_sqlite else "SELECT postgis_lib_version()")
        ).scalar()
        checks["database"] = f"ok ({'spatialite' if settings.is_sqlite else 'postgis'} {version})"
    except Exception as exc:  # report, never raise: readiness must answer (the GET rolls back)
        ready = False
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.redis_url:
        try:
            import redis

            redis.Redis.from_url(settings.redis_url, socket_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception as exc:
            ready = False
            checks["broker"] = f"error: {type(exc).__name__}"
    else:
        checks["broker"] = "embedded (no REDIS_URL)"
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return jsonify(body), 200 if ready else 503
