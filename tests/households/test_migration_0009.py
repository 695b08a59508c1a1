"""Revision 0009 on both databases: existing households become ``gps`` with no RT/RW, and the
revision goes back without touching the rows or their points."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa



def test_0009_adds_address_and_precision_and_goes_back(fresh_app):
    from flask_migrate import downgrade, upgrade

    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0008")
        insert = sa.text(
            "INSERT INTO households (id, head_name, address, landmark, location, members, elderly,"
            " children_under5, pregnant_or_lactating, disabled, chronically_ill, created_at, updated_at)"
            " VALUES (1, 'Siti Aminah', '', '', ST_GeomFromText('POINT(113.6858 -1.6346)', 4326),"
            " 1, 0, 0, 0, 0, 0, :now, :now)"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        with db.engine.begin() as conn:
            conn.execute(insert, {"now": datetime(2026, 12, 4, tzinfo=timezone.utc)})

        upgrade(directory=directory, revision="0009")
        with db.engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT location_precision, rt, rw, street FROM households WHERE id = 1")).one()
        assert tuple(row) == ("gps", None, None, "")
        try:
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE households SET location_precision = 'guess' WHERE id = 1"))
        except sa.exc.IntegrityError:
            pass
        else:  # pragma: no cover - the CHECK must hold on both databases
            raise AssertionError("location_precision accepted 'guess'")

        downgrade(directory=directory, revision="0008")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("households")}
            assert not columns & {"rt", "rw", "street", "location_precision"}
            geometry = conn.scalar(sa.text("SELECT ST_AsText(location) FROM households WHERE id = 1"))
        assert geometry.replace(" ", "").upper() == "POINT(113.6858-1.6346)"
        db.engine.dispose()
