"""Revision 0008 on both databases: the NIK digest becomes unique; existing duplicates stop the
upgrade with the ids to fix; the volunteer phone is unique too; and back down."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError


INSERT = sa.text(
    "INSERT INTO households (id, head_name, nik_digest, address, landmark, location, members, elderly,"
    " children_under5, pregnant_or_lactating, disabled, chronically_ill, created_at, updated_at)"
    " VALUES (:id, 'Siti Aminah', :digest, '', '', ST_GeomFromText('POINT(113.6858 -1.6346)', 4326),"
    " 1, 0, 0, 0, 0, 0, :now, :now)"
).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
NOW = datetime(2026, 12, 4, tzinfo=timezone.utc)


def _insert(conn, hid, digest):
    conn.execute(INSERT, {"id": hid, "digest": digest, "now": NOW})


def _volunteer(conn, vid, phone):
    conn.execute(sa.text(
        "INSERT INTO volunteers (id, name, phone, skills, trainings, location, availability, capacity,"
        " sms_opt_out, created_at, updated_at) VALUES (:id, 'Budi', :phone, '[]', '[]',"
        " ST_GeomFromText('POINT(113.6858 -1.6346)', 4326), 'available', 1, false, :now, :now)"
    ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True))), {"id": vid, "phone": phone, "now": NOW})


def test_0006_refuses_duplicates_then_makes_the_nik_digest_unique_and_goes_back(fresh_app, caplog):
    from flask_migrate import downgrade, upgrade

    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0007")
        with db.engine.begin() as conn:
            for hid, digest in ((1, "a" * 64), (2, "b" * 64), (3, "a" * 64), (4, None), (5, None),
                                (6, "c" * 64), (7, "c" * 64)):
                _insert(conn, hid, digest)

        with pytest.raises(SystemExit):  # Flask-Migrate logs the error as one line and exits 1
            upgrade(directory=directory, revision="0008")
        [message] = [r.getMessage() for r in caplog.records if "NIK unique" in r.getMessage()]
        assert "2 NIK(s)" in message and "1, 3; 6, 7" in message and "init-db" in message
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0007"
            assert conn.scalar(sa.text("SELECT count(*) FROM households")) == 7  # nothing deleted

        with db.engine.begin() as conn:  # the coordinator corrects them
            conn.execute(sa.text("UPDATE households SET nik_digest = NULL WHERE id IN (3, 7)"))
        upgrade(directory=directory, revision="0008")
        with db.engine.connect() as conn:
            indexes = {i["name"]: i for i in sa.inspect(conn).get_indexes("households")}
            assert indexes["ix_households_nik_digest"]["unique"]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _insert(conn, 8, "a" * 64)
        with db.engine.begin() as conn:  # households without a NIK may repeat
            _insert(conn, 9, None)
        with db.engine.begin() as conn:
            _volunteer(conn, 1, "+6281345600001")
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            _volunteer(conn, 2, "+6281345600001")

        downgrade(directory=directory, revision="0007")
        with db.engine.connect() as conn:
            indexes = {i["name"]: i for i in sa.inspect(conn).get_indexes("households")}
            assert not indexes["ix_households_nik_digest"]["unique"]
        with db.engine.begin() as conn:
            _insert(conn, 10, "a" * 64)
        db.engine.dispose()
