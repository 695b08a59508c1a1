"""Alerts' side of the SMS hooks, registered by the app factory (after ``init_dispatch``, so a
failed offer is already re-offered when the alert is raised): an SMS that failed for good
raises ``sms_failed``. Its parameters are the message's kind and the provider's error code,
never the phone or the text."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from resilience.alerts import notify
from resilience.alerts.operations import raise_alert, subject
from resilience.sms.hooks import OUTBOUND_FAILED, register


def on_send_failed(session: Session, message) -> None:
    """``OUTBOUND_FAILED``: one alert per failed message."""
    task = message.task
    params = {"sms_kind": message.kind or "", "error_code": message.error_code}
    if task is not None:
        params["task_code"] = task.code
    alert, created = raise_alert(
        session, "sms_failed", subject("sms", message.id), event_id=task.event_id if task is not None else None,
        task_id=message.task_id, volunteer_id=message.volunteer_id, sms_message_id=message.id, params=params)
    if created and message.kind == notify.SMS_KIND:
        notify.mark_without_sms(alert)


def init_alerts(app: Flask) -> None:
    """Register alerts' SMS hooks on ``app`` (after ``init_sms`` and ``init_dispatch``)."""
    register(app, OUTBOUND_FAILED, on_send_failed)
