"""The application factory."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_compress import Compress
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from resilience.core import bounds, crypto
from resilience.core import logging as safe_logging
from resilience.core import requestlog
from resilience.core import security
from resilience.core.db import (engine_options, install_engine_events, reset_read_only, secure_sqlite_files,
                                 set_read_only)
from resilience.core.errors import DomainError, Message, ValidationFailed, render_domain_error
from resilience.audit.chain import set_actor
from resilience.core.schemas import register_fields, show_personal_data
from resilience.core.settings import Settings
from resilience.core.transaction import READ_ONLY_METHODS, TransactionalFlask
from resilience.core.api import ProblemApi
from resilience.core.celery import init_celery
from resilience.alerts import tasks as alert_tasks
from resilience.alerts.hooks import init_alerts
from resilience.audit import tasks as audit_tasks
from resilience.dispatch import tasks as dispatch_tasks
from resilience.dispatch.hooks import init_dispatch
from resilience.sms import tasks as sms_tasks
from resilience.sms.service import init_sms
from resilience.extensions import db, migrate

API_PREFIX = "/api/v1/"
MAX_BODY = 1024 * 1024
MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_PATHS = ("/api/v1/households/import",)
# Web pages that take a file: their body limit is raised (and their form checked for NUL) by the
# web guard once it knows the user is a coordinator (resilience.web.session.UPLOAD_ENDPOINTS).
UPLOAD_PAGES = ("/households/import",)
# Each domain's Celery tasks (and the beat entries each one declares in BEAT_SCHEDULE).
TASK_MODULES = (sms_tasks, dispatch_tasks, alert_tasks, audit_tasks)
# Anyone may check the response log's integrity (it reveals only counts and a sequence number).
PUBLIC_PATHS = ("/api/v1/audit/verify",)


def freeze_loaded_objects() -> None:
    """Take what is loaded now (the app, its routes and schemas, SQLAlchemy's and the other
    libraries' ~200,000 objects) out of the garbage collector's full collections: they live as
    long as the process. Called once a serving process is ready (resilience/wsgi.py under
    gunicorn, ``resilience serve``). Without it a full collection walked them all, about 130 ms
    on this machine, paid now and then by whichever request happened to allocate enough:
    map.json of 10,000 households builds ~40,000 containers and paid it often (bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()


def migrations_dir() -> str:
    import migrations

    return str(Path(migrations.__file__).resolve().parent)


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    settings = settings or Settings.from_env()
    safe_logging.install()
    crypto.configure(settings.field_encryption_keys, settings.secret_key)

    app = TransactionalFlask("resilience", instance_path=str(settings.instance_path))
    app.url_map.converters["int"] = bounds.BoundedIntConverter  # before any route is added
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=MAX_BODY,
        API_TITLE="Resilience",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Flood-response coordination: events, households, needs, "
                "volunteers, matching, SMS dispatch, aid stock and the audit log.",
            },
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
            },
            "security": [{"bearer": []}],
        },
    )
    # gzip what a posko's weak link carries most: the map library, scripts, styles, JSON and
    # GeoJSON. Not HTML: a page holds the CSRF token beside text the user typed, which is what
    # a BREACH-style attack on compressed responses needs.
    app.config.update(
        COMPRESS_ALGORITHM="gzip",
        COMPRESS_MIMETYPES=["text/css", "text/javascript", "application/javascript", "application/json",
                            "application/geo+json", "application/problem+json", "image/svg+xml"],
        COMPRESS_MIN_SIZE=1024,
        COMPRESS_STREAMS=False,  # streamed exports stay as they are; static files: web/assets.py
        COMPRESS_REGISTER=True,
    )
    # Keys in schema (declaration) order, as the OpenAPI document lists them. JSON_SORT_KEYS is
    # ignored since Flask 2.3: the JSON provider holds the setting.
    app.json.sort_keys = False
    security.install(app, settings, API_PREFIX)
    app.config.update(config)
    if settings.is_sqlite:
        secure_sqlite_files(settings.database_url.removeprefix("sqlite:///"), settings.instance_path)

    Compress(app)
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            install_engine_events(engine)
    migrate.init_app(app, db, directory=migrations_dir(), render_as_batch=True)
    init_celery(app, TASK_MODULES)
    init_sms(app)
    init_dispatch(app)  # dispatch's SMS hooks: replies and failed offers
    init_alerts(app)  # a failed SMS raises an alert (after dispatch has re-offered)
    requestlog.install(app)  # request id, request log line, request metrics
    api = ProblemApi(app)
    register_fields(api)
    _register_blueprints(app, api)
    _register_guards(app)
    app.register_error_handler(DomainError, render_domain_error)
    return app


def _register_blueprints(app: Flask, api: ProblemApi) -> None:
    from resilience.accounts.api import blp as accounts
    from resilience.alerts.api import blp as alerts
    from resilience.areas.api import blp as areas
    from resilience.audit.api import blp as audit
    from resilience.events.api import blp as events
    from resilience.health import bp as health
    from resilience.metrics import bp as metrics
    from resilience.matching.api import blp as matching
    from resilience.sms.api import blp as sms
    from resilience.sms.webhooks import bp as twilio_webhooks
    from resilience.helprequests.api import blp as help_requests
    from resilience.households.api import blp as households
    from resilience.needs.api import blp as needs
    from resilience.privacy.api import blp as privacy
    from resilience.reports.api import blp as reports
    from resilience.dispatch.api import blp as tasks
    from resilience.stock.api import blp as stock
    from resilience.volunteers.api import blp as volunteers
    from resilience.web import bp as web

    for blueprint in (areas, events, households, help_requests, needs, volunteers, matching, tasks, sms, stock,
                      reports, audit, accounts, alerts, privacy):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX.rstrip("/") + blueprint.url_prefix)
    app.register_blueprint(health)
    app.register_blueprint(metrics)
    app.register_blueprint(twilio_webhooks)
    app.register_blueprint(web)


def _register_guards(app: Flask) -> None:
    from resilience.accounts.auth import authenticate

    @app.before_request
    def _guard():
        # Threads are reused between requests: start every one from a clean slate.
        g.read_only_token = set_read_only(request.method in READ_ONLY_METHODS)
        set_actor("anonymous")
        show_personal_data(False)
        if not request.path.startswith(API_PREFIX):
            if bounds.has_nul(request.args) or (request.method == "POST" and request.path not in UPLOAD_PAGES
                                                and bounds.has_nul(request.form)):
                raise BadRequest("the request holds the NUL character")
            return None
        security.check_api_rate(app)
        if request.path in UPLOAD_PATHS:
            request.max_content_length = MAX_UPLOAD
        if request.method in ("POST", "PUT", "PATCH") and _has_body():
            mimetype = request.mimetype
            if request.path in UPLOAD_PATHS:
                if mimetype not in ("multipart/form-data", "text/csv"):
                    raise UnsupportedMediaType("send the CSV as multipart/form-data (field 'file') or text/csv")
            elif not request.is_json:
                raise UnsupportedMediaType(
                    f"send JSON with 'Content-Type: application/json' (got {mimetype or 'none'!r})"
                )
        bounds.check_query(request.args)
        if request.is_json and _has_body():
            bounds.check_value(_json_body())
        if request.path in PUBLIC_PATHS and "Authorization" not in request.headers:
            return None
        authenticate()
        return None

    @app.teardown_request
    def _release(_exc):
        # The request's transaction ended in dispatch (core.transaction); the session ends
        # with the request, whoever pushed the app context.
        db.session.remove()
        token = g.pop("read_only_token", None)
        if token is not None:
            reset_read_only(token)


def _json_body() -> Any:
    """The request's JSON, parsed once (views read the cached value). A document nested too
    deeply for the parser is refused like one nested too deeply for ``bounds``."""
    try:
        return request.get_json(silent=False)
    except RecursionError:
        raise ValidationFailed.field("(body)", Message("nested more than %(depth)s levels deep",
                                                       depth=bounds.MAX_DEPTH)) from None


def _has_body() -> bool:
    length = request.content_length
    return bool(length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"
