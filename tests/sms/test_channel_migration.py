"""Revision 0006 (the channel that carried a message, and why it switched) goes up and down on
both databases, keeping the messages stored before it."""

from datetime import datetime, timezone

import sqlalchemy as sa



def test_0006_adds_the_channel_columns_and_goes_back(fresh_app):
    from flask_migrate import downgrade, upgrade

    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0005")
        insert = sa.text(
            "INSERT INTO sms_messages (id, direction, phone, body, kind, encoding, segments, status, error_message,"
            " attempts, created_at, updated_at) VALUES (1, 'outbound', '+6281300000001', 'halo', 'offer', 'GSM-7',"
            " 1, 'sent', '', 1, :now, :now)"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        with db.engine.begin() as conn:
            conn.execute(insert, {"now": datetime(2026, 12, 4, tzinfo=timezone.utc)})

        upgrade(directory=directory, revision="0006")
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT channel, channel_reason FROM sms_messages WHERE id = 1")).one()
        assert tuple(row) == (None, "")

        downgrade(directory=directory, revision="0005")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("sms_messages")}
            assert "channel" not in columns and "channel_reason" not in columns
            assert conn.scalar(sa.text("SELECT body FROM sms_messages WHERE id = 1")) == "halo"
        upgrade(directory=directory, revision="0006")
        db.engine.dispose()
