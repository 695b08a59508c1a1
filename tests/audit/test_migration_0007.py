"""Revision 0007 on both databases: it fills event_id of the entries written before it exactly
as the write hook does for new ones, and goes back."""

from __future__ import annotations

import sqlalchemy as sa

from tests.audit import scenario
from tests.conftest import ApiClient, Seed


def test_0007_backfills_event_ids_like_the_hook_and_goes_back(fresh_app):
    from flask_migrate import downgrade, upgrade

    from resilience.accounts.operations import create_token, create_user
    from resilience.cli import upgrade_database
    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade_database()
        create_user(db.session, "koordinator@posko.test", "coordinator", "a-long-password")
        token = create_token(db.session, "koordinator@posko.test")
        db.session.commit()
        coordinator = ApiClient(fresh_app.test_client(), token)
        built = scenario.build(coordinator, Seed(coordinator))
        db.session.remove()
        query = sa.text("SELECT seq, event_id FROM audit_entries ORDER BY seq")
        with db.engine.connect() as conn:
            written = dict(conn.execute(query).all())
        assert {built["event"]["id"], built["other"]["id"]} <= set(written.values())

        downgrade(directory=directory, revision="0006")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("audit_entries")}
            assert "event_id" not in columns and not sa.inspect(conn).has_table("audit_verified")
            assert conn.scalar(sa.text("SELECT count(*) FROM audit_entries")) == len(written)

        upgrade(directory=directory, revision="0007")
        with db.engine.connect() as conn:
            assert dict(conn.execute(query).all()) == written
        from resilience.audit.verification import verify

        assert verify(db.session, full=True).ok
        db.session.remove()
        db.engine.dispose()
