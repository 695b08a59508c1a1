"""Migrations that move data, on both databases: revision 0005 fills the KK digest of the
households stored before it, from the encrypted KK numbers."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from resilience.core.crypto import EncryptedString, digest

KK = "6271050101090003"


def test_0005_fills_the_kk_digest_of_existing_households_and_goes_back(fresh_app):
    from flask_migrate import downgrade, upgrade

    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0004")
        encrypted = EncryptedString().process_bind_param(KK, None)
        insert = sa.text(
            "INSERT INTO households (id, head_name, kk_number, address, landmark, location, members, elderly,"
            " children_under5, pregnant_or_lactating, disabled, chronically_ill, created_at, updated_at)"
            " VALUES (:id, 'Siti Aminah', :kk, '', '', ST_GeomFromText('POINT(113.6858 -1.6346)', 4326),"
            " 1, 0, 0, 0, 0, 0, :now, :now)"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        with db.engine.begin() as conn:
            for hid, kk in ((1, encrypted), (2, None)):
                conn.execute(insert, {"id": hid, "kk": kk, "now": datetime(2026, 11, 24, tzinfo=timezone.utc)})

        upgrade(directory=directory, revision="0005")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT id, kk_digest FROM households ORDER BY id")).all())
        assert rows == {1: digest(KK), 2: None}

        downgrade(directory=directory, revision="0004")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("households")}
            assert "kk_digest" not in columns and conn.scalar(sa.text("SELECT count(*) FROM households")) == 2
            geometry = conn.scalar(sa.text("SELECT ST_AsText(location) FROM households WHERE id = 1"))
        assert geometry.replace(" ", "").upper() == "POINT(113.6858-1.6346)"
        db.engine.dispose()
