"""Twilio webhooks: form-encoded, signed with X-Twilio-Signature (Twilio's own algorithm, from
its SDK). A bad or missing signature gets 403 and changes nothing. Both answer fast: they store
what arrived durably and leave the work to a Celery task (``inbox.receive``)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select

from resilience.audit.chain import set_actor
from resilience.core.db import locked, utcnow
from resilience.core.identity import normalize_phone
from resilience.core.invalid import InvalidValue
from resilience.extensions import db
from resilience.sms.inbox import receive
from resilience.sms.models import SmsMessage
from resilience.sms.whatsapp import CHANNEL as WHATSAPP
from resilience.sms.whatsapp import PREFIX as WHATSAPP_PREFIX
from resilience.sms.whatsapp import fall_back

log = logging.getLogger(__name__)
bp = Blueprint("twilio_webhooks", __name__, url_prefix="/sms/twilio")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def signed_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path + query behind proxies, else the request's."""
    base = current_app.config["SETTINGS"].public_base_url
    if not base:
        return request.url
    query = request.query_string.decode("utf-8")
    return base + request.path + (f"?{query}" if query else "")


def _check_signature() -> None:
    from twilio.request_validator import RequestValidator

    settings = current_app.config["SETTINGS"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.twilio_auth_token or not signature:
        abort(403)
    if not RequestValidator(settings.twilio_auth_token).validate(signed_url(), request.form, signature):
        abort(403)


@bp.post("/inbound")
def inbound():
    _check_signature()
    set_actor("system:twilio")
    sender, channel = request.form.get("From", ""), "twilio"
    if sender.startswith(WHATSAPP_PREFIX):  # a WhatsApp reply: the same protocol, another door
        sender, channel = sender[len(WHATSAPP_PREFIX):], WHATSAPP
    try:
        phone = normalize_phone(sender)
    except InvalidValue:
        phone = sender[:20]
    receive(db.session, phone, request.form.get("Body", ""), request.form.get("MessageSid") or None, channel)
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/status")
def status():
    _check_signature()
    set_actor("system:twilio")
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    state = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    error_code = request.form.get("ErrorCode", type=int)
    own_id = request.args.get("m", type=int)
    if own_id is not None:
        message = locked(db.session, select(SmsMessage).where(SmsMessage.id == own_id)).first()
    else:
        message = locked(db.session, select(SmsMessage).where(SmsMessage.provider_sid == sid)).first()
    if message is None or (sid and message.provider_sid not in (None, sid)):
        db.session.rollback()
        return Response("", status=204)
    mapped = {"accepted": "sending", "queued": "sending", "sending": "sending", "sent": "sent",
              "delivered": "delivered", "read": "delivered", "undelivered": "undelivered",
              "failed": "failed"}.get(state)
    if mapped:
        if state == "read" and message.read_at is None:  # WhatsApp: read implies delivered
            message.read_at = utcnow()
        message.advance(mapped, sid, error_code)
        if error_code == 21610 and message.volunteer is not None:
            message.volunteer.sms_opt_out = True
        if mapped in ("undelivered", "failed") and message.channel == WHATSAPP:
            reason = f"whatsapp {mapped}" + (f" ({error_code})" if error_code else "")
            fall_back(db.session, message, reason)  # once: the same intent by SMS
    return Response("", status=204)
