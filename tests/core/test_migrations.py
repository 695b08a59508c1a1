"""Migrations that move data, on both databases: revision 0005 fills the KK digest of the
households stored before it, from the encrypted KK numbers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from resilience.app import create_app
from resilience.core.crypto import EncryptedString, digest
from tests.conftest import _create_pg_database, _drop_pg_database, make_settings

KK = "6271050101090003"


@pytest.fixture(params=["sqlite", "postgis"])
def fresh_app(request, tmp_path):
    if request.param == "sqlite":
        yield create_app(make_settings(f"sqlite:///{tmp_path / 'migrate.db'}", tmp_path), TESTING=True)
        return
    name, url = _create_pg_database()
    app = create_app(make_settings(url, tmp_path), TESTING=True)
    yield app
    from resilience.extensions import db

    with app.app_context():
        db.engine.dispose()
    _drop_pg_database(name)


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
