"""LOG_FORMAT=json (issue 15, point 6): one JSON object a line with time, level, logger,
message, the request id (taken from a sane X-Request-ID or made, and answered in that header),
a request line's method, path (never the query), status and duration, and the scrubbed
traceback; no personal value in any of it. Gunicorn (resilience.wsgi), the Celery worker
(workers) and the CLI configure it alike."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from resilience.core import logging as safe_logging
from resilience.core.settings import Settings, SettingsError
from tests.conftest import pythonpath

NAME, PHONE, NIK = "Budi Santoso Wibowo", "+6281345678901", "6271054507800001"


@pytest.fixture
def json_lines():
    """The root logger writes JSON into a buffer (as ``configure`` sets it up); the handlers
    pytest put there come back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()
    safe_logging.configure("json", logging.INFO, stream=buffer)

    def lines():
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def _requests(lines):
    return [line for line in lines if line["logger"] == "resilience.request"]


def test_a_request_line_has_every_field_and_the_id_round_trips(app, coordinator, json_lines):
    response = coordinator.get(f"/api/v1/volunteers?phone={PHONE[1:]}&name=Budi",
                               headers={"X-Request-ID": "posko-7f3a.1"})
    assert response.status_code in (200, 422)
    assert response.headers["X-Request-ID"] == "posko-7f3a.1"
    (line,) = [r for r in _requests(json_lines()) if r.get("request_id") == "posko-7f3a.1"]
    assert line["level"] == "INFO" and line["method"] == "GET" and line["path"] == "/api/v1/volunteers"
    assert line["status"] == response.status_code and isinstance(line["duration_ms"], (int, float))
    assert datetime.fromisoformat(line["time"].replace("Z", "+00:00")).utcoffset().total_seconds() == 0
    assert line["time"].endswith("Z")
    assert coordinator.get("/no/such/page/081234567890", headers={"X-Request-ID": "path-3"}).status_code == 404
    (lost,) = [r for r in _requests(json_lines()) if r.get("request_id") == "path-3"]
    assert lost["path"] == "/no/such/page/[phone]" and lost["status"] == 404
    text = json.dumps(json_lines())
    assert "Budi" not in text and "81345678901" not in text and "81234567890" not in text  # nor the query


@pytest.mark.parametrize("incoming", [None, "", "a" * 129, "id with spaces", "x\u00e9", "<script>"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(app, anonymous, json_lines, incoming):
    headers = {} if incoming is None else {"X-Request-ID": incoming}
    first = anonymous.get("/healthz", headers=headers)
    second = anonymous.get("/healthz", headers=headers)
    made = first.headers["X-Request-ID"]
    assert made != incoming and len(made) == 32 and made != second.headers["X-Request-ID"]
    assert made in [line.get("request_id") for line in _requests(json_lines())]


def test_lines_written_while_handling_a_request_carry_its_id(app, coordinator, json_lines):
    """A refused request is logged too (status 401 before any view), and an error logged by
    the app during a request (a failed decrypt) carries the request's id."""
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from resilience.extensions import db
    from tests import factories

    refused = coordinator.client.get("/api/v1/events", headers={"X-Request-ID": "refused-1"})
    assert refused.status_code == 401 and refused.headers["X-Request-ID"] == "refused-1"
    (line,) = [r for r in _requests(json_lines()) if r["request_id"] == "refused-1"]
    assert line["status"] == 401

    household = factories.household()
    stranger = Fernet(Fernet.generate_key()).encrypt(NIK.encode()).decode()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE households SET nik = :n WHERE id = :i"), {"n": stranger, "i": household.id})
    read = coordinator.get(f"/api/v1/households/{household.id}", headers={"X-Request-ID": "decrypt-2"})
    assert read.status_code == 200 and read.get_json()["nik"] == "<unreadable>"
    (failure,) = [r for r in json_lines() if r["logger"] == "resilience.crypto" and r["request_id"] == "decrypt-2"]
    assert failure["level"] == "ERROR" and stranger not in json.dumps(json_lines())


def test_a_traceback_is_in_exc_scrubbed_of_the_row(app, json_lines):
    """A failed insert with personal data, logged with its traceback: ``exc`` holds the
    traceback without the name, the phone or the NIK, on both databases."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from resilience.extensions import db
    from resilience.volunteers.models import Volunteer

    def insert():
        db.session.add(Volunteer(name=NAME, phone=PHONE, skills=["boat"], trainings=[], capacity=2,
                                 location=from_shape(Point(113.69, -1.64), srid=4326), availability="available"))
        db.session.flush()

    log = logging.getLogger("resilience.test")
    with app.app_context():
        insert()
        db.session.commit()
        try:
            insert()
        except IntegrityError:
            log.exception("registering volunteer (NIK %s) failed", NIK)
        finally:
            db.session.rollback()
    (line,) = [r for r in json_lines() if r["logger"] == "resilience.test"]
    assert line["level"] == "ERROR" and "IntegrityError" in line["exc"]
    assert line["message"] == "registering volunteer (NIK [NIK/KK]) failed"
    text = json.dumps(json_lines())
    assert NAME not in text and "Budi" not in text and "81345678901" not in text and NIK not in text


def test_log_format_defaults_to_text_and_is_checked(tmp_path):
    env = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 32}
    assert Settings.from_env(env).log_format == "text"
    assert Settings.from_env({**env, "LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        Settings.from_env({**env, "LOG_FORMAT": "xml"})


ENTRY_POINTS = {
    # gunicorn imports resilience.wsgi:app
    "gunicorn": "from resilience.wsgi import app",
    # celery -A workers worker: Celery sends setup_logging, which workers answers
    "celery": ("from workers import flask_app as app\n"
               "from celery.signals import setup_logging\n"
               "setup_logging.send(sender=None, loglevel='INFO', logfile=None, format='', colorize=False)"),
    # every resilience command builds its app through the CLI's factory (serve raises the level)
    "cli": ("import logging\nfrom resilience.cli import _create_app\napp = _create_app()\n"
            "logging.getLogger().setLevel(logging.INFO)"),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_process_kind_writes_json_lines(tmp_path, entry):
    code = ENTRY_POINTS[entry] + f"""
import logging
response = app.test_client().get('/healthz', headers={{'X-Request-ID': 'entry-{entry}'}})
logging.getLogger('resilience.sms').warning('could not reach {PHONE}')
"""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LOG_FORMAT": "json",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}", "RESILIENCE_INSTANCE_PATH": str(tmp_path),
           **pythonpath()}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]  # every line is JSON
    (request,) = [line for line in lines if line.get("request_id") == f"entry-{entry}"]
    assert request["path"] == "/healthz" and request["status"] == 200
    (warning,) = [line for line in lines if line["logger"] == "resilience.sms"]
    assert warning["message"] == "could not reach [phone]" and warning["level"] == "WARNING"
