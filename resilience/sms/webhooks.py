"""Twilio webhooks: form-encoded, signed with X-Twilio-Signature (Twilio's own algorithm, from
its SDK). A bad or missing signature gets 403 and changes nothing. Both answer fast: they store
what arrived durably and leave the work to a Celery task (``inbox.receive``)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select

from resilience.audit.chain import set_actor
from resilience.core.db import locked
from resilience.core.identity import normalize_phone
from resilience.core.invalid import InvalidValue
from resilience.extensions import db
from resilience.sms.inbox import receive
from resilience.sms.models import SmsMessage

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
    try:
        phone = normalize_phone(request.form.get("From", ""))
    except InvalidValue:
        phone = request.form.get("From", "")[:20]
    receive(db.session, phone, request.form.get("Body", ""), request.form.get("MessageSid") or None)
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
              "delivered": "delivered", "undelivered": "undelivered", "failed": "failed"}.get(state)
    if mapped:
        message.advance(mapped, sid, error_code)
        if error_code == 21610 and message.volunteer is not None:
            message.volunteer.sms_opt_out = True
    return Response("", status=204)
