"""The daily SMS of the audit chain head (resilience/audit/anchor.py) on both databases: to
the configured officials' phones and the active events' duty phones, through the outbox, with
the head's entry and hash and nothing personal; once per local day, not before 07:00."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from resilience.audit.anchor import SMS_KIND, send_daily_anchor
from resilience.audit.models import AuditHead
from resilience.audit.tasks import ANCHOR_TASK
from resilience.extensions import db
from resilience.sms.models import SmsMessage

OFFICIAL = "+6281122223333"
DUTY = "+6281244445555"


def test_daily_anchor_sms_carries_the_head_and_nothing_personal(app, monkeypatch, seed):
    monkeypatch.setitem(app.config, "SETTINGS", dataclasses.replace(app.config["SETTINGS"],
                                                                    audit_anchor_phones=(OFFICIAL,)))
    assert app.extensions["celery"].conf.beat_schedule["audit-anchor-sms"]["task"] == ANCHOR_TASK
    seed.event(duty_phone=DUTY)
    household = seed.household()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    early = datetime.combine(today, time(6, 59), ZoneInfo("Asia/Jakarta"))
    morning = datetime.combine(today, time(8, 0), ZoneInfo("Asia/Jakarta"))

    assert send_daily_anchor(db.session, early) == {"sent": 0, "reason": "before_send_hour"}
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash)).one()
    result = send_daily_anchor(db.session, morning)
    db.session.commit()
    assert result == {"sent": 2, "seq": head.seq, "hash": head.hash}
    messages = db.session.scalars(select(SmsMessage).where(SmsMessage.kind == SMS_KIND)).all()
    assert sorted(m.phone for m in messages) == sorted([OFFICIAL, DUTY])
    body = messages[0].body
    assert body == (f"Log audit Resilience {today.isoformat()}: entri {head.seq} hash {head.hash}. "
                    "Simpan SMS ini untuk memeriksa log nanti.")
    for value in (household["head_name"], household["nik"], household["phone"], household["address"]):
        assert value not in body
    # Once a day: the next hour's run sends nothing.
    assert send_daily_anchor(db.session, morning.replace(hour=9)) == {"sent": 0, "reason": "already_sent_today"}


def test_anchor_phones_setting_is_checked(tmp_path):
    import pytest

    from resilience.core.settings import Settings, SettingsError

    env = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 32}
    assert Settings.from_env({**env, "AUDIT_ANCHOR_PHONES": f"{OFFICIAL}, {DUTY}"}).audit_anchor_phones == (OFFICIAL, DUTY)
    with pytest.raises(SettingsError, match="AUDIT_ANCHOR_PHONES"):
        Settings.from_env({**env, "AUDIT_ANCHOR_PHONES": "0812-3456-789"})
