"""Entry module for Celery processes: ``celery -A workers worker`` and ``celery -A workers beat``.

Building the Flask app here is the point of this module (it is the worker's ``wsgi.py``);
nothing else in the project builds an app at import time.

Layout: run one worker process per host with prefork concurrency about twice the cores
(``celery -A workers worker -P prefork --concurrency=4`` on 2 cores), not several worker
containers per host: more processes than cores only queue behind each other (bench/RESULTS.md).
"""

import logging

from celery.signals import setup_logging, worker_init, worker_process_init

from resilience.app import create_app
from resilience.core import logging as safe_logging
from resilience.core.settings import Settings

settings = Settings.from_env()
flask_app = create_app(settings)
celery = app = flask_app.extensions["celery"]


@setup_logging.connect
def _logging(loglevel=None, **_kwargs) -> None:
    """Celery leaves logging alone when this signal has a receiver: the worker and beat log
    like ``resilience serve`` and gunicorn (LOG_FORMAT, personal data scrubbed)."""
    level = loglevel if isinstance(loglevel, int) else logging.getLevelName(str(loglevel or "INFO").upper())
    safe_logging.configure(settings.log_format, level if isinstance(level, int) else logging.INFO)


@worker_init.connect
def _refuse_foreign_keys(**_kwargs) -> None:
    """As ``resilience serve``: a worker whose field-encryption keys decrypt none of the
    database's encrypted values stops (it would send SMS to <unreadable> numbers and store new
    values under keys the web does not have). A database still starting is checked by serve."""
    from sqlalchemy.exc import OperationalError

    from resilience.core.keys import check, refusal
    from resilience.extensions import db

    with flask_app.app_context():
        try:
            report = check(db.engine, db.metadata)
        except OperationalError:
            logging.getLogger("resilience.keys").warning("database not reachable: field-encryption keys not checked")
            return
        finally:
            db.session.remove()
    if not report.keys_fit:
        logging.getLogger("resilience.keys").critical(refusal(report))
        raise SystemExit(2)


@worker_process_init.connect
def _warm_up(**_kwargs) -> None:
    """Each pool process, right after the fork: drop database connections inherited from the
    parent (never share a socket across processes), then open its own, load the rate-limit
    script and import the task code, so the first send is not a cold one."""
    from sqlalchemy import text

    from resilience.extensions import db
    import resilience.sms.sender  # noqa: F401  (imported by the send task)

    with flask_app.app_context():
        db.engine.dispose(close=False)
        try:
            db.session.execute(text("SELECT 1"))
            flask_app.extensions["sms"].limiter.warm()
        except Exception:  # a database or Redis still starting: the first task connects instead
            pass
        finally:
            db.session.remove()
