"""WhatsApp through Twilio's Messaging API, for volunteers who prefer it (``preferred_channel``).

A message to such a volunteer is queued with ``channel = 'whatsapp'`` (:mod:`resilience.sms.outbox`)
and sent by :class:`WhatsAppGateway` to ``whatsapp:+62…`` from ``TWILIO_WHATSAPP_FROM``.

WhatsApp's rules for a business: inside the 24-hour customer-service window (24 h since the
volunteer's last inbound WhatsApp message, :func:`windows`) any text may be sent; outside it only
an approved template (Content API: ``content_sid`` + ``content_variables``; ``WHATSAPP_TEMPLATES``
names one per kind of message, its variable ``{{1}}`` is the message text). Without a template
for the kind, or when Twilio refuses (63016 "outside the allowed window", 63003 not a WhatsApp
number, …), nothing went out: the same row switches to the SMS chain at once (``channel_reason``
says why; :mod:`resilience.sms.sender`).

A WhatsApp message Twilio accepted but that was reported ``undelivered``/``failed``, or that is
still not delivered ``WHATSAPP_FALLBACK_SECONDS`` after it was sent (:func:`due_fallbacks`, run
by the sweep), is replaced by an SMS: a new row with ``fallback_of_id`` = the WhatsApp message's
id (:func:`fall_back`). That column is unique, so whichever of the status callback and the sweep
comes second finds it done, and the lock on the WhatsApp row orders a late ``delivered`` against
the fallback: once ``delivered`` is stored no SMS follows.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from resilience.core.db import lock, utcnow
from resilience.sms import hooks
from resilience.sms.gateways import HTTP_TIMEOUT_SECONDS, Found, SendError, TwilioGateway
from resilience.sms.models import SmsMessage

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
WINDOW = timedelta(hours=24)
#: Twilio codes that mean WhatsApp will not carry this message (nothing was sent): go by SMS.
SWITCH_CODES = {
    63016: "outside WhatsApp's 24-hour window without a template (63016)",
    63003: "the number has no WhatsApp (63003)",
    63024: "not a valid WhatsApp recipient (63024)",
}


class WhatsAppGateway(TwilioGateway):
    """Twilio's Messages API with ``whatsapp:`` addresses; free text inside the window, the
    kind's template outside it."""

    name = CHANNEL

    def __init__(self, account_sid: str, auth_token: str, sender: str, templates: dict[str, str],
                 api_url: str | None = None, timeout: float = HTTP_TIMEOUT_SECONDS):
        super().__init__(account_sid, auth_token, sender, api_url, timeout)
        self.templates = dict(templates)

    def send(self, message_id: int, to: str, body: str, status_callback: str | None, *,
             kind: str = "", window_open: bool = False) -> str:
        kwargs: dict = {"to": PREFIX + to, "from_": self.sender}
        if status_callback:
            kwargs["status_callback"] = status_callback
        if window_open:
            kwargs["body"] = body
        elif kind in self.templates:
            kwargs["content_sid"] = self.templates[kind]
            kwargs["content_variables"] = json.dumps({"1": body}, ensure_ascii=False)
        else:
            raise SendError(f"no WhatsApp template for {kind or 'this kind of message'} outside the 24-hour window")
        try:
            return self._create(**kwargs)
        except SendError as error:
            if error.code in SWITCH_CODES:
                raise SendError(SWITCH_CODES[error.code], code=error.code) from error
            raise

    def lookup(self, to: str, body: str, since: datetime) -> Found | None:
        """A template's text holds the message as its variable: a message containing it is ours."""
        for message in self.client.messages.list(to=PREFIX + to, date_sent_after=since, limit=50):
            if body.strip() and body.strip() in (message.body or ""):
                return Found(provider_sid=message.sid, status=str(message.status))
        return None


def windows(session: Session, volunteer_ids: list[int]) -> dict[int, datetime]:
    """Each volunteer's last inbound WhatsApp message (the start of their 24-hour window)."""
    ids = sorted({i for i in volunteer_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(
        select(SmsMessage.volunteer_id, func.max(SmsMessage.created_at))
        .where(SmsMessage.volunteer_id.in_(ids), SmsMessage.direction == "inbound", SmsMessage.channel == CHANNEL)
        .group_by(SmsMessage.volunteer_id)).all()
    return {volunteer_id: last for volunteer_id, last in rows if last is not None}


def window_open(last_inbound: datetime | None, now: datetime) -> bool:
    return last_inbound is not None and now - last_inbound < WINDOW


def fall_back(session: Session, message: SmsMessage, reason: str) -> SmsMessage | None:
    """Send ``message`` (a WhatsApp message the caller holds locked) again by SMS, once. Returns
    the SMS, or None when it was replaced already, was delivered, or the volunteer opted out."""
    from resilience.sms import outbox
    from resilience.sms.operations import handled

    if message.direction != "outbound" or message.channel != CHANNEL or message.status in ("delivered",) \
            or message.read_at is not None:
        return None
    if session.scalar(select(SmsMessage.id).where(SmsMessage.fallback_of_id == message.id)) is not None:
        return None
    if not hooks.still_wanted(session, message):  # its offer was answered, expired or withdrawn
        message.error_message = f"not sent by SMS: no longer needed ({reason})"[:500]
        if message.handled_at is None:
            handled(message, "system:whatsapp")
        return None
    try:
        with session.begin_nested():  # the unique index decides between two racing fallbacks
            copy = outbox.queue(session, message.phone, message.body, message.kind, task=message.task,
                                volunteer=message.volunteer, by_sms=True, channel_reason=reason[:300],
                                fallback_of=message.id)
    except IntegrityError:
        return None
    message.error_message = (f"sent by SMS instead ({reason})" if copy is not None
                             else f"not sent by SMS: the volunteer opted out ({reason})")[:500]
    if message.handled_at is None:
        handled(message, "system:whatsapp")  # nothing for a coordinator to do about it
    return copy


def due_fallbacks(session: Session, now: datetime, after_seconds: float) -> list[int]:
    """WhatsApp messages Twilio accepted that are still not delivered ``after_seconds`` later
    and have no SMS in their place yet."""
    replacement = aliased(SmsMessage)
    return list(session.scalars(
        select(SmsMessage.id).where(
            SmsMessage.channel == CHANNEL, SmsMessage.direction == "outbound",
            SmsMessage.status.in_(("sending", "sent")), SmsMessage.provider_sid.is_not(None),
            SmsMessage.sent_at <= now - timedelta(seconds=after_seconds), SmsMessage.handled_at.is_(None),
            ~select(replacement.id).where(replacement.fallback_of_id == SmsMessage.id).exists(),
        ).order_by(SmsMessage.id).limit(1000)).all())


def fall_back_late(session: Session, message_id: int, now: datetime, after_seconds: float) -> SmsMessage | None:
    """The sweep's side: under the row's lock, a message still not delivered goes by SMS."""
    message = lock(session, SmsMessage, message_id)
    if message is None or message.status not in ("sending", "sent") or message.sent_at is None \
            or message.sent_at > now - timedelta(seconds=after_seconds):
        return None  # delivered (or failed and handled) in the meantime
    return fall_back(session, message, f"whatsapp not delivered after {int(after_seconds)} s")


def sweep(session: Session, now: datetime | None = None) -> int:
    """Replace every overdue WhatsApp message by SMS; one commit each. Returns how many."""
    from flask import current_app

    settings = current_app.config["SETTINGS"]
    if not settings.whatsapp_from:
        return 0
    now = now or utcnow()
    count = 0
    for message_id in due_fallbacks(session, now, settings.whatsapp_fallback_seconds):
        if fall_back_late(session, message_id, now, settings.whatsapp_fallback_seconds) is not None:
            count += 1
        session.commit()
    session.rollback()
    return count
