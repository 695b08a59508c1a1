"""The coordinator on duty by SMS: new alerts go to the event's ``duty_phone``.

* Warnings are grouped: :func:`send_summaries` (every minute, ``alerts.tasks``) collects the
  open alerts nobody was told about yet (``notified_at IS NULL``) and sends one summary per duty
  phone and event — a bad minute is one SMS, not fifty.
* Emergencies (``severity == "emergency"``) do not wait: :func:`emergency_now` queues the SMS in
  the transaction that raised the alert, to the duty phone and to the group leader of the
  alert's volunteer; :func:`repeat_emergencies` sends them again every
  ``checkin_escalate_minutes`` until someone acknowledges the alert.

Never twice under concurrency: a summary claims its alerts with one conditional ``UPDATE …
WHERE notified_at IS NULL RETURNING id`` and words only what it claimed; a repeat claims its
alert with ``UPDATE … WHERE notify_count = <the count read>`` (:func:`claim`), which only one
of two concurrent senders wins.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from resilience.alerts import messages
from resilience.alerts.models import Alert
from resilience.audit.chain import record
from resilience.core.db import utcnow
from resilience.events.models import FloodEvent
from resilience.sms import outbox
from resilience.volunteers.models import Volunteer, VolunteerGroup

SMS_KIND = "alert"          # SmsMessage.kind of these messages
_OPEN = (Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None))


def _language() -> str:
    from resilience.dispatch.messages import language

    return language()


def claim(session: Session, alert_id: int, seen_count: int, now: datetime) -> bool:
    """Take the right to send notification number ``seen_count + 1`` of an alert."""
    result = session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.notify_count == seen_count, *_OPEN)
        .values(notify_count=seen_count + 1, notified_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _recipients(session: Session, alert: Alert) -> tuple[FloodEvent | None, list[str]]:
    event = session.get(FloodEvent, alert.event_id) if alert.event_id else None
    phones = [event.duty_phone] if event is not None and event.duty_phone else []
    if alert.volunteer_id:
        leader = session.scalar(select(VolunteerGroup.leader_phone).join(
            Volunteer, Volunteer.group_id == VolunteerGroup.id).where(Volunteer.id == alert.volunteer_id))
        if leader and leader not in phones:
            phones.append(leader)
    return event, phones


def _emergency_text(session: Session, alert: Alert, repeat: int) -> str:
    volunteer = session.get(Volunteer, alert.volunteer_id) if alert.volunteer_id else None
    params = alert.params or {}
    code = params.get("task_code") or (f"T{alert.task_id}" if alert.task_id else None)
    return messages.emergency(code, volunteer.name if volunteer else None, params.get("category"), repeat,
                              lang=_language())


def _send_emergency(session: Session, alert: Alert, phones: list[str], repeat: int) -> None:
    body = _emergency_text(session, alert, repeat)
    for phone in phones:
        outbox.queue(session, phone, body, SMS_KIND)
    record(session, "alert.notified", "alert", alert.id, {"count": repeat + 1, "recipients": len(phones)})


def emergency_now(session: Session, alert: Alert) -> bool:
    """A new emergency alert: SMS at once, in the raiser's transaction (sent after its commit).
    The alert row is new and only this transaction sees it, so it is simply marked."""
    _event, phones = _recipients(session, alert)
    if not phones:
        return False
    alert.notify_count = (alert.notify_count or 0) + 1
    alert.notified_at = utcnow()
    session.flush()
    _send_emergency(session, alert, phones, 0)
    return True


def repeat_emergencies(session: Session, now: datetime | None = None) -> int:
    """Open emergencies not acknowledged: sent again every ``checkin_escalate_minutes``
    (first sent now if the raiser could not, e.g. the duty phone was set later)."""
    now = now or utcnow()
    rows = session.execute(
        select(Alert.id, Alert.notify_count, Alert.notified_at, FloodEvent.checkin_escalate_minutes)
        .outerjoin(FloodEvent, FloodEvent.id == Alert.event_id)
        .where(Alert.severity == "emergency", *_OPEN).order_by(Alert.id)).all()
    sent = 0
    for alert_id, count, notified_at, minutes in rows:
        every = timedelta(minutes=minutes or 15)
        if notified_at is not None and notified_at + every > now:
            continue
        alert = session.get(Alert, alert_id)
        _event, phones = _recipients(session, alert)
        if not phones or not claim(session, alert_id, count or 0, now):
            continue
        _send_emergency(session, alert, phones, count or 0)
        sent += 1
    return sent


def send_summaries(session: Session, now: datetime | None = None) -> int:
    """One summary SMS per event (to its duty phone) of the open warnings not yet notified."""
    now = now or utcnow()
    rows = session.execute(
        select(Alert.id, FloodEvent.id)
        .join(FloodEvent, FloodEvent.id == Alert.event_id)
        .where(Alert.severity != "emergency", Alert.notified_at.is_(None), FloodEvent.duty_phone.is_not(None),
               *_OPEN)
        .order_by(Alert.id)).all()
    by_event: dict[int, list[int]] = defaultdict(list)
    for alert_id, event_id in rows:
        by_event[event_id].append(alert_id)
    sent = 0
    for event_id, ids in sorted(by_event.items()):
        event = session.get(FloodEvent, event_id)
        if not event.duty_phone:  # encrypted: a blank one is told apart here, not in SQL
            continue
        claimed = session.scalars(
            update(Alert).where(Alert.id.in_(ids), Alert.notified_at.is_(None), *_OPEN)
            .values(notified_at=now, notify_count=Alert.notify_count + 1)
            .returning(Alert.id).execution_options(synchronize_session=False)).all()
        if not claimed:
            continue
        alerts = session.scalars(select(Alert).where(Alert.id.in_(claimed))
                                 .execution_options(populate_existing=True)).all()
        counts: dict[str, int] = defaultdict(int)
        for alert in alerts:
            counts[alert.kind] += 1
        priorities = [int((a.params or {}).get("priority") or 0) for a in alerts]
        body = messages.summary(event.name, counts, max(priorities, default=0) or None, lang=_language())
        outbox.queue(session, event.duty_phone, body, SMS_KIND)
        record(session, "alert.summary_sent", "flood_event", event_id, {"alerts": sorted(claimed)})
        sent += 1
    return sent


def mark_without_sms(alert: Alert) -> None:
    """An alert that must not go out by SMS (a failed alert SMS: telling the duty phone by SMS
    that an SMS to it failed would go round in circles). It stays on the page."""
    alert.notified_at = utcnow()
