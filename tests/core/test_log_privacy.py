"""No personal data in any log line, tracebacks included (issue 15): database errors that quote
the refused row (a unique phone, a CHECK on a volunteer's row) are logged with exc_info on both
databases, and the captured log holds neither the name nor the phone."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from resilience.core.logging import scrub_traceback

NAME, PHONE = "Budi Santoso Wibowo", "+6281345678901"


def _insert(session, **overrides):
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from resilience.volunteers.models import Volunteer

    columns = dict(name=NAME, phone=PHONE, skills=["boat"], trainings=[], capacity=2,
                   location=from_shape(Point(113.69, -1.64), srid=4326), availability="available")
    columns.update(overrides)
    session.add(Volunteer(**columns))
    session.flush()


@pytest.mark.parametrize("second", [{}, {"phone": "+6281399990000", "capacity": 999}],
                         ids=["unique-phone", "check-constraint"])
def test_a_database_error_is_logged_without_the_row_it_refused(app, caplog, second):
    from resilience.extensions import db

    log = logging.getLogger("resilience.test")
    with app.app_context():
        _insert(db.session)
        db.session.commit()
        try:
            _insert(db.session, **second)
        except IntegrityError:
            log.exception("registering volunteer failed")
        else:
            pytest.fail("the database accepted the row")
        finally:
            db.session.rollback()
    text = caplog.text
    assert "registering volunteer failed" in text and "IntegrityError" in text  # the traceback is there
    assert NAME not in text and "Budi" not in text
    assert PHONE not in text and "81345678901" not in text and "81399990000" not in text


def test_the_rows_postgresql_quotes_are_cut():
    text = ('psycopg.errors.UniqueViolation: duplicate key value violates unique constraint "uq_volunteers_phone"\n'
            "DETAIL:  Key (phone)=(+6281345678901) already exists.\n"
            'psycopg.errors.CheckViolation: new row for relation "volunteers" violates check constraint\n'
            "DETAIL:  Failing row contains (2, Siti Aminah, +6281345678901, null, [], 999).\n"
            "[SQL: INSERT INTO volunteers (name) VALUES (%(name)s)]\n"
            "[parameters: {'name': 'Siti Aminah'}]\n")
    cleaned = scrub_traceback(text)
    assert "Siti" not in cleaned and "6281345678901" not in cleaned
    assert "Key (phone)=(…) already exists" in cleaned and "Failing row contains (…)." in cleaned
    assert "uq_volunteers_phone" in cleaned  # what failed stays readable
