"""The audit chain head by SMS once a day: an anchor outside the database.

Whoever can write to the database could rewrite the response log and recompute every hash
after the change; they cannot rewrite an SMS already on an official's phone. Once a day, from
``SEND_HOUR`` local time (the ``TIMEZONE`` setting), the chain is verified (incrementally) and
its head — entry number and hash — goes out through the normal SMS outbox to:

* every phone in the ``AUDIT_ANCHOR_PHONES`` setting (officials: BPBD, camat, DPRD), and
* the duty phone of every active event (the coordinator on duty).

Anyone holding such an SMS checks the log later with ``resilience audit verify --anchor
SEQ:HASH`` or the standalone verifier on an export. The SMS holds no personal data: a date,
a number and a hash. It is sent once per local day: the beat task runs every hour and sends
only when no anchor SMS was written since local midnight, so a restart or a missed hour sends
neither twice nor never. The sending is itself recorded in the log (``audit.anchor_sent``).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.audit.chain import record
from resilience.audit.models import AuditHead
from resilience.audit.verification import verify
from resilience.core.db import utcnow
from resilience.events.models import FloodEvent
from resilience.sms import outbox
from resilience.sms.models import SmsMessage

SMS_KIND = "audit_anchor"  # SmsMessage.kind of these messages
SEND_HOUR = 7  # local time: the morning briefing


def _settings():
    from flask import current_app

    return current_app.config["SETTINGS"]


def recipients(session: Session) -> list[str]:
    """The configured officials' phones, then the duty phones of active events; each once."""
    phones = list(_settings().audit_anchor_phones)
    phones += session.scalars(select(FloodEvent.duty_phone).where(
        FloodEvent.status == "active", FloodEvent.duty_phone.is_not(None), FloodEvent.duty_phone != "")
        .order_by(FloodEvent.id))
    return list(dict.fromkeys(phones))


def anchor_text(day: str, seq: int, digest: str, ok: bool, first_bad: int | None, lang: str) -> str:
    """The SMS: the day, the head's entry number and hash, whether the chain verified."""
    from resilience.dispatch.messages import translations

    tr = translations(lang)
    if ok:
        # NOTE: daily SMS to officials: the response log's head (an anchor to check the log against later).
        return tr.pgettext("sms", "Resilience audit log %(day)s: entry %(seq)s hash %(hash)s. Keep this SMS to "
                                  "check the log later.") % {"day": day, "seq": seq, "hash": digest}
    # NOTE: daily SMS to officials when the response log does not verify.
    return tr.pgettext("sms", "Resilience audit log %(day)s: BROKEN at entry %(bad)s (head %(seq)s hash %(hash)s). "
                              "Tell the BPBD.") % {"day": day, "bad": first_bad, "seq": seq, "hash": digest}


def send_daily_anchor(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Queue today's anchor SMS unless it is too early or already written today; flushes,
    the caller commits (the SMS go out after the commit)."""
    from resilience.dispatch.messages import language

    now = now or utcnow()
    settings = _settings()
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    if local.hour < SEND_HOUR:
        return {"sent": 0, "reason": "before_send_hour"}
    midnight = datetime.combine(local.date(), time(0), zone)
    already = session.scalar(select(func.count()).select_from(SmsMessage).where(
        SmsMessage.kind == SMS_KIND, SmsMessage.created_at >= midnight))
    if already:
        return {"sent": 0, "reason": "already_sent_today"}
    phones = recipients(session)
    if not phones:
        return {"sent": 0, "reason": "no_recipient"}
    result = verify(session)
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    if head is None or not head[0]:
        return {"sent": 0, "reason": "empty_log"}
    seq, digest = head
    body = anchor_text(local.date().isoformat(), seq, digest, result.ok, result.first_bad_seq, language())
    for phone in phones:
        outbox.queue(session, phone, body, SMS_KIND)
    record(session, "audit.anchor_sent", "audit", seq, {"seq": seq, "hash": digest, "ok": result.ok,
                                                        "recipients": len(phones)})
    return {"sent": len(phones), "seq": seq, "hash": digest}
