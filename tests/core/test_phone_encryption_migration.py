"""Revision 0017 on both databases: the phones already stored (a volunteer's, a group leader's,
the duty coordinator's, the SMS to and from them and a stranger) are encrypted in place with
their digests, the app finds them by phone afterwards, one phone is one volunteer by a unique
index, and the revision goes back to the plain numbers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

NOW = datetime(2026, 12, 4, tzinfo=timezone.utc)
VOLUNTEER, LEADER, DUTY, STRANGER = "+6281345600001", "+6281345600002", "+6281345600003", "+6281299990123"
POINT = "ST_GeomFromText('POINT(113.6858 -1.6346)', 4326)"


def _rows(conn):
    conn.execute(sa.text(
        "INSERT INTO volunteer_groups (id, name, kind, leader, leader_phone, created_at, updated_at)"
        " VALUES (1, 'Tagana', 'tagana', 'Pak Yanto', :leader, :now, :now)"), {"leader": LEADER, "now": NOW})
    conn.execute(sa.text(
        "INSERT INTO volunteers (id, name, phone, group_id, skills, trainings, location, availability, capacity,"
        f" sms_opt_out, created_at, updated_at) VALUES (1, 'Budi', :phone, 1, '[]', '[]', {POINT}, 'available', 1,"
        " false, :now, :now)"), {"phone": VOLUNTEER, "now": NOW})
    conn.execute(sa.text(
        "INSERT INTO flood_events (id, name, status, started_at, offer_timeout_minutes, checkin_categories,"
        " duty_phone, created_at, updated_at) VALUES (1, 'Banjir', 'active', :now, 20, '[]', :duty, :now, :now)"),
        {"duty": DUTY, "now": NOW})
    for mid, direction, phone, volunteer in ((1, "outbound", VOLUNTEER, 1), (2, "inbound", VOLUNTEER, 1),
                                             (3, "inbound", STRANGER, None), (4, "inbound", "", None)):
        conn.execute(sa.text(
            "INSERT INTO sms_messages (id, direction, phone, body, kind, encoding, segments, status, attempts,"
            " error_message, channel_reason, needs_attention, volunteer_id, created_at, updated_at)"
            " VALUES (:id, :direction, :phone, 'YA', 'reply', 'GSM-7', 1, :status, 0, '', '', false, :volunteer,"
            " :now, :now)"),
            {"id": mid, "direction": direction, "phone": phone, "volunteer": volunteer, "now": NOW,
             "status": "received" if direction == "inbound" else "sent"})


def _raw(conn):
    return {
        "volunteer": conn.execute(sa.text("SELECT phone, phone_digest FROM volunteers")).one(),
        "leader": conn.scalar(sa.text("SELECT leader_phone FROM volunteer_groups")),
        "duty": conn.scalar(sa.text("SELECT duty_phone FROM flood_events")),
        "sms": conn.execute(sa.text("SELECT phone, phone_digest FROM sms_messages ORDER BY id")).all(),
    }


def test_0017_encrypts_the_stored_phones_and_goes_back(fresh_app):
    from flask_migrate import downgrade, upgrade

    from resilience.core import crypto
    from resilience.extensions import db
    from resilience.sms.models import SmsMessage
    from resilience.volunteers.models import Volunteer

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0015")
        with db.engine.begin() as conn:
            _rows(conn)

        upgrade(directory=directory, revision="0017")
        with db.engine.connect() as conn:
            raw = _raw(conn)
            text = str(list(conn.execute(sa.text("SELECT * FROM sms_messages")).all()))
        assert VOLUNTEER not in str(raw) and LEADER not in str(raw) and DUTY not in str(raw) and "81299990123" not in text
        assert crypto.decrypt(raw["volunteer"][0]) == VOLUNTEER and raw["volunteer"][1] == crypto.digest(VOLUNTEER)
        assert crypto.decrypt(raw["leader"]) == LEADER and crypto.decrypt(raw["duty"]) == DUTY
        assert [crypto.decrypt(phone) for phone, _ in raw["sms"]] == [VOLUNTEER, VOLUNTEER, STRANGER, ""]
        assert [d for _, d in raw["sms"]] == [crypto.digest(VOLUNTEER)] * 2 + [crypto.digest(STRANGER), None]

        # The app finds them by phone, through the digest.
        session = db.session
        assert Volunteer.by_phone(session, VOLUNTEER).id == 1 and Volunteer.by_phone(session, STRANGER) is None
        assert sorted(session.scalars(sa.select(SmsMessage.id).where(SmsMessage.phone_is(VOLUNTEER)))) == [1, 2]
        session.rollback()
        # One phone, one volunteer: the digest's unique index (the ciphertexts always differ).
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO volunteers (id, name, phone, phone_digest, skills, trainings, location, availability,"
                f" capacity, sms_opt_out, created_at, updated_at) VALUES (2, 'Andi', :phone, :digest, '[]', '[]',"
                f" {POINT}, 'available', 1, false, :now, :now)"),
                {"phone": crypto.encrypt(VOLUNTEER), "digest": crypto.digest(VOLUNTEER), "now": NOW})

        downgrade(directory=directory, revision="0015")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT phone FROM volunteers")) == VOLUNTEER
            assert conn.scalar(sa.text("SELECT leader_phone FROM volunteer_groups")) == LEADER
            assert conn.scalar(sa.text("SELECT duty_phone FROM flood_events")) == DUTY
            assert list(conn.scalars(sa.text("SELECT phone FROM sms_messages ORDER BY id"))) == [
                VOLUNTEER, VOLUNTEER, STRANGER, ""]
            assert "phone_digest" not in {c["name"] for c in sa.inspect(conn).get_columns("volunteers")}
        db.engine.dispose()
