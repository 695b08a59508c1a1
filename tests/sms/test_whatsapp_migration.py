"""Revision 0016 (a volunteer's preferred channel; read receipts and SMS fallbacks of messages)
goes up and down on both databases, keeping what was stored before it: every volunteer so far
gets SMS."""

from datetime import datetime, timezone

import sqlalchemy as sa

NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)


def test_0016_adds_the_whatsapp_columns_and_goes_back(fresh_app):
    from flask_migrate import downgrade, upgrade

    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0015")
        now = sa.bindparam("now", type_=sa.DateTime(timezone=True))
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO volunteers (id, name, phone, skills, trainings, location, availability, capacity,"
                " sms_opt_out, created_at, updated_at) VALUES (1, 'Rina', '+6281300000001', '[]', '[]',"
                " ST_GeomFromText('POINT(113.69 -1.64)', 4326), 'available', 1, false, :now, :now)"
            ).bindparams(now), {"now": NOW})
            conn.execute(sa.text(
                "INSERT INTO sms_messages (id, direction, phone, body, kind, encoding, segments, status, error_message,"
                " attempts, channel_reason, needs_attention, volunteer_id, created_at, updated_at) VALUES (1,"
                " 'outbound', '+6281300000001', 'halo', 'offer', 'GSM-7', 1, 'sent', '', 1, '', false, 1, :now, :now)"
            ).bindparams(now), {"now": NOW})

        upgrade(directory=directory, revision="0016")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT preferred_channel FROM volunteers WHERE id = 1")) == "sms"
            row = conn.execute(sa.text("SELECT read_at, fallback_of_id FROM sms_messages WHERE id = 1")).one()
            assert tuple(row) == (None, None)
        with db.engine.begin() as conn:  # the unique index: one SMS per WhatsApp message
            insert = sa.text(
                "INSERT INTO sms_messages (id, direction, phone, body, kind, encoding, segments, status, error_message,"
                " attempts, channel_reason, needs_attention, fallback_of_id, created_at, updated_at) VALUES (:id,"
                " 'outbound', '+6281300000001', 'halo', 'offer', 'GSM-7', 1, 'queued', '', 0, '', false, 1, :now, :now)"
            ).bindparams(now)
            conn.execute(insert, {"id": 2, "now": NOW})
            try:
                with conn.begin_nested():
                    conn.execute(insert, {"id": 3, "now": NOW})
                refused = False
            except sa.exc.IntegrityError:
                refused = True
        assert refused

        downgrade(directory=directory, revision="0015")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("sms_messages")}
            assert not {"read_at", "fallback_of_id"} & columns
            assert "preferred_channel" not in {c["name"] for c in sa.inspect(conn).get_columns("volunteers")}
            assert conn.scalar(sa.text("SELECT name FROM volunteers WHERE id = 1")) == "Rina"
        upgrade(directory=directory, revision="0016")
        db.engine.dispose()
