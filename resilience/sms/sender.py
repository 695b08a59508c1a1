"""The sender, in a worker: claim, send, record, release, reconcile.

1. ``send_batch`` claims the rows in one statement: ``UPDATE … SET status = 'sending',
   attempt_token = <fresh> WHERE id IN (…) AND status = 'queued' AND due RETURNING …`` and
   commits, so a redelivered or duplicated Celery message finds nothing to do.
2. For each claimed row it waits for the global rate limit and calls the gateway; it records
   the outcomes (only where its attempt token still holds the row) in one transaction per batch,
   or before a long rate-limit wait, whichever comes first.
3. Retryable failures go back to ``queued`` with a backoff; terminal ones end ``failed`` with
   the provider's code and fire the ``OUTBOUND_FAILED`` hook (:mod:`resilience.sms.hooks`); an
   ambiguous one (the request may have arrived) stays ``sending`` until the sweep reconciles it
   with the provider or a status callback settles it — never a blind second send. After a
   retryable or ambiguous failure the provider is in trouble: the batch stops and hands its
   unsent rows back (``queued``, the attempt not counted).
4. With a fallback chain (``SMS_BACKEND=twilio,gammu``) each message goes by its channel (the
   first, until it switched), with that channel's gateway and rate limit. A retryable failure
   is known to have sent nothing: a message at least ``SMS_FALLBACK_AFTER`` old moves to the
   next channel (``channel``, ``channel_reason``), with the rest of its batch on the same
   channel, and is sent there at once. Ambiguous and terminal failures never switch — except
   on WhatsApp (:mod:`resilience.sms.whatsapp`), where a refusal (no template outside the
   24-hour window, 63016, no WhatsApp on the number) switches to the SMS chain at once.

Claim and record are Core statements (a batch is one round trip, not one ORM object per row),
so they write their audit entries themselves with :func:`record_many`: one head lock per batch.
The rare paths (failures, reconciliation) use the ORM and its flush hook. Queuing a message
(inside a request) is :mod:`resilience.sms.outbox`.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from resilience.audit.chain import REDACTED, record_many, set_actor
from resilience.core.celery import TASK_SOFT_TIME_LIMIT, runs_later
from resilience.core.db import lock, utcnow
from resilience.sms import hooks, whatsapp
from resilience.sms.gateways import SendError
from resilience.sms.gsm7 import MAX_SEGMENTS
from resilience.sms.hooks import OUTBOUND_FAILED
from resilience.sms.models import SmsMessage
from resilience.sms.outbox import SEND_TASK, enqueue_sends
from resilience.sms.service import service

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(seconds=120)   # > a batch's time budget + the gateway's timeout, with margin
DUE_GRACE = timedelta(seconds=30)      # a queued message this old was not picked up: resend
CLAIM_AT_LEAST = 5                     # rows claimed at a time under a real rate limit
_MESSAGES = SmsMessage.__table__


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 5 * 2 ** max(0, attempts - 1)) * (0.8 + 0.4 * random.random()))


def status_callback_url(message_id: int) -> str | None:
    base = current_app.config["SETTINGS"].public_base_url
    return f"{base}/sms/twilio/status?m={message_id}" if base else None


# --- sending ------------------------------------------------------------------------------
@dataclass
class _Claimed:
    id: int
    phone: str
    body: str
    segments: int
    attempts: int
    channel: str | None
    kind: str = ""
    volunteer_id: int | None = None


def time_budget() -> float:
    """Seconds a send task may spend before it hands the rest of its batch back: one more
    gateway call must still fit under the task's soft time limit."""
    timeout = current_app.config["SETTINGS"].sms_http_timeout
    return max(5.0, min(30.0, TASK_SOFT_TIME_LIMIT - timeout - 5.0))


def _claim(session: Session, message_ids: list[int], token: str) -> list[_Claimed]:
    """Compare-and-set ``queued → sending`` for the due rows among ``message_ids``."""
    now = utcnow()
    rows = session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.id.in_(message_ids), _MESSAGES.c.status == "queued",
               or_(_MESSAGES.c.next_attempt_at.is_(None), _MESSAGES.c.next_attempt_at <= now))
        .values(status="sending", attempt_token=token, attempts=_MESSAGES.c.attempts + 1,
                sending_since=now, updated_at=now)
        .returning(_MESSAGES.c.id, _MESSAGES.c.phone, _MESSAGES.c.body, _MESSAGES.c.segments,
                   _MESSAGES.c.attempts, _MESSAGES.c.channel, _MESSAGES.c.kind, _MESSAGES.c.volunteer_id)
    ).all()
    claimed = sorted((_Claimed(*row) for row in rows), key=lambda c: c.id)
    record_many(session, [
        ("sms_message.sending", "sms_message", c.id,
         {"status": ["queued", "sending"], "attempts": [c.attempts - 1, c.attempts],
          "attempt_token": REDACTED, "sending_since": now})
        for c in claimed])
    session.commit()
    return claimed


def _record_sent(session: Session, token: str, sent: dict[int, tuple[str, str]]) -> None:
    """Store the provider ids (and channels) of a batch's sends in one transaction."""
    if not sent:
        return
    now = utcnow()
    current = session.execute(
        select(_MESSAGES.c.id, _MESSAGES.c.status, _MESSAGES.c.attempt_token, _MESSAGES.c.provider_sid,
               _MESSAGES.c.error_message, _MESSAGES.c.sent_at, _MESSAGES.c.channel)
        .where(_MESSAGES.c.id.in_(list(sent))).with_for_update()
    ).all()
    params, entries = [], []
    for row in current:
        sid, channel = sent[row.id]
        values = {"b_id": row.id, "b_now": now, "b_status": row.status, "b_sid": row.provider_sid or sid,
                  "b_sent_at": row.sent_at, "b_error": "", "b_channel": row.channel or channel}
        change: dict = {}
        if row.provider_sid is None:
            change["provider_sid"] = [None, sid]
        if row.channel is None:
            change["channel"] = [None, channel]
        if row.status == "sending" and row.attempt_token == token:
            values["b_status"], values["b_sent_at"] = "sent", now
            change["status"], change["sent_at"] = ["sending", "sent"], [row.sent_at, now]
        if row.error_message:
            change["error_message"] = [row.error_message, ""]
        if change:
            params.append(values)
            action = "sms_message.sent" if "status" in change else "sms_message.updated"
            entries.append((action, "sms_message", row.id, change))
    if params:
        session.execute(
            update(_MESSAGES).where(_MESSAGES.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status", type_=_MESSAGES.c.status.type),
                    provider_sid=bindparam("b_sid", type_=_MESSAGES.c.provider_sid.type),
                    sent_at=bindparam("b_sent_at", type_=_MESSAGES.c.sent_at.type),
                    error_message=bindparam("b_error", type_=_MESSAGES.c.error_message.type),
                    channel=bindparam("b_channel", type_=_MESSAGES.c.channel.type),
                    updated_at=bindparam("b_now", type_=_MESSAGES.c.updated_at.type)),
            params)
        record_many(session, entries)  # last: the audit head stays locked only until COMMIT
    session.commit()


def release(session: Session, message_ids: list[int], token: str, why: str, delay: timedelta | None) -> list[int]:
    """Hand claimed but unsent rows back (``sending → queued``, the attempt not counted) and
    enqueue them again after ``delay``. Returns the ids released."""
    if not message_ids:
        return []
    now = utcnow()
    due = now + delay if delay else None
    rows = session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.id.in_(message_ids), _MESSAGES.c.status == "sending",
               _MESSAGES.c.attempt_token == token)
        .values(status="queued", attempt_token=None, attempts=_MESSAGES.c.attempts - 1,
                next_attempt_at=due, error_message=why, updated_at=now)
        .returning(_MESSAGES.c.id, _MESSAGES.c.attempts)
    ).all()
    released = sorted(row.id for row in rows)
    record_many(session, [
        ("sms_message.queued", "sms_message", message_id,
         {"status": ["sending", "queued"], "attempts": [attempts + 1, attempts],
          "attempt_token": REDACTED, "next_attempt_at": due, "error_message": why})
        for message_id, attempts in sorted(rows)])
    session.commit()
    if released and runs_later(SEND_TASK):
        enqueue_sends(released, countdown=delay.total_seconds() if delay else None)
    return released


def claim_size(limiter, batch: int) -> int:
    """How many rows to claim at a time: what the global limit lets through in about 0.25 s
    (at least CLAIM_AT_LEAST). Unlimited, that is the whole batch; under a real limit the rest
    waits ``queued``, not claimed, and is not handed back if the task runs out of time."""
    return max(1, min(batch, max(CLAIM_AT_LEAST, int(0.25 / (MAX_SEGMENTS * limiter.interval)))))


def send_batch(session: Session, message_ids: Iterable[int]) -> dict[int, str]:
    """Claim, send and record a batch of messages. Returns what happened to each claimed id
    (for logs and tests); ids that were not claimed (sent already, claimed elsewhere, not due,
    or left for another task when this one ran out of time) are left out."""
    set_actor("system:sms")
    ids = sorted(set(int(i) for i in message_ids))
    if not ids:
        return {}
    svc = service()
    with ExitStack() as stack:
        for gateway, _ in svc.channels.values():  # a modem, once opened, is kept for the batch
            if hasattr(gateway, "batch"):
                stack.enter_context(gateway.batch())
        outcome = _send_batch(session, ids, svc)
    switched = [message_id for message_id, what in outcome.items() if what == "switched"]
    if switched:  # they go out by their next channel now (eagerly in embedded mode)
        enqueue_sends(switched)
    return outcome


def _send_batch(session: Session, ids: list[int], svc) -> dict[int, str]:
    token = uuid.uuid4().hex
    outcome: dict[int, str] = {}
    sent: dict[int, tuple[str, str]] = {}  # id → (provider id, channel)
    failures: list[tuple[int, SendError]] = []
    budget_end = time.monotonic() + time_budget()
    step = claim_size(svc.limiter, len(ids))
    failed_channels: dict[int, str] = {}  # message id → the channel its failure was on

    def record_sent() -> None:
        _record_sent(session, token, sent)
        outcome.update((message_id, "sent") for message_id in sent)
        sent.clear()

    stop = None  # (why, delay) once the rest of the batch goes back to the queue
    rest: list[int] = []  # claimed, not sent: handed back
    unclaimed: list[int] = []  # never claimed: enqueued again as they are
    opted_out: dict[str, SendError] = {}  # phones the provider refused with 21610 in this batch
    fallback_rest = None  # (ids, error): the rest of a batch whose channel failed, may fall back
    started, done = time.monotonic(), 0
    for first in range(0, len(ids), step):
        now = time.monotonic()
        pace = (now - started) / done if done else 0.0  # seconds per message so far
        if now + pace * step >= budget_end:  # this claim would not be sent in time: leave it queued
            stop, unclaimed = ("time budget of the send task used up", None), ids[first:]
            break
        claimed = _claim(session, ids[first:first + step], token)
        by_whatsapp = [m.volunteer_id for m in claimed if m.channel == whatsapp.CHANNEL]
        opened = whatsapp.windows(session, by_whatsapp) if by_whatsapp else {}
        if by_whatsapp:
            session.commit()  # ends the read: no transaction stays open while the gateways are called
        for index, message in enumerate(claimed):
            done += 1
            if message.phone in opted_out:  # the provider would refuse it again: do not ask
                failures.append((message.id, opted_out[message.phone]))
                continue
            channel, gateway, limiter = svc.channel(message.channel)
            remaining = budget_end - time.monotonic()
            if remaining <= 0:
                stop = ("time budget of the send task used up", None)
            elif not limiter.acquire(message.segments, timeout=min(30.0, remaining), on_wait=record_sent):
                stop = ("rate limit wait too long", timedelta(seconds=1))
            if stop is not None:
                rest = [m.id for m in claimed[index:]]
                break
            extra = {} if channel != whatsapp.CHANNEL else {
                "kind": message.kind, "window_open": whatsapp.window_open(opened.get(message.volunteer_id), utcnow())}
            try:
                sent[message.id] = (gateway.send(message.id, message.phone, message.body,
                                                 status_callback_url(message.id), **extra), channel)
            except SendError as error:
                failures.append((message.id, error))
                failed_channels[message.id] = channel
                if error.opted_out:
                    opted_out[message.phone] = error
                if error.retry or error.ambiguous:  # the provider is in trouble: stop hammering it
                    stop = (f"{error} (sent later)", backoff(1))
                    rest = [m.id for m in claimed[index + 1:]]
                    if error.retry:  # known not sent: those on the same channel may fall back
                        falls = {m.id for m in claimed[index + 1:] if svc.channel(m.channel)[0] == channel}
                        for message_id in falls:
                            failed_channels[message_id] = channel
                        fallback_rest = (falls, error)
                    break
        if stop is not None:
            unclaimed = ids[first + step:]
            break
    record_sent()
    for message_id, error in failures:
        outcome[message_id] = _failed_attempt(session, message_id, token, error, failed_channels.get(message_id))
    if rest and fallback_rest is not None:
        falls, error = fallback_rest
        for message_id in [m for m in rest if m in falls]:
            if _fall_back(session, message_id, token, failed_channels[message_id], error, counted=False):
                outcome[message_id] = "switched"
        rest = [m for m in rest if outcome.get(m) != "switched"]
    if rest:
        for message_id in release(session, rest, token, *stop):
            outcome[message_id] = "requeued"
    if unclaimed and runs_later(SEND_TASK):
        delay = stop[1]
        enqueue_sends(unclaimed, countdown=delay.total_seconds() if delay else None)
    _refresh_loaded(session, list(outcome))
    return outcome


def send(session: Session, message_id: int) -> str:
    """Claim, send and record one message. Returns what happened (for logs and tests)."""
    outcome = send_batch(session, [message_id])
    if message_id in outcome:
        return outcome[message_id]
    status, due = session.execute(
        select(_MESSAGES.c.status, _MESSAGES.c.next_attempt_at).where(_MESSAGES.c.id == message_id)
    ).one_or_none() or (None, None)
    session.rollback()
    return "not-due" if status == "queued" and due is not None and due > utcnow() else "not-queued"


def _refresh_loaded(session: Session, message_ids: list[int]) -> None:
    """Core statements bypass the identity map: reload the messages this session already holds
    (in embedded mode the request that queued them is still using them)."""
    wanted = set(message_ids)
    held = [key[1][0] for key in session.identity_map.keys() if key[0] is SmsMessage and key[1][0] in wanted]
    if held:
        session.scalars(select(SmsMessage).where(SmsMessage.id.in_(held))
                        .execution_options(populate_existing=True)).all()
        session.commit()  # ends the read; unlike a rollback it leaves the reloaded values in place


def _back_to_queue(session: Session, message_id: int, token: str, why: str, delay: timedelta) -> str:
    message = lock(session, SmsMessage, message_id)
    if message is None or message.attempt_token != token or message.status != "sending":
        session.rollback()
        return "superseded"
    message.status, message.error_message = "queued", why
    message.next_attempt_at = utcnow() + delay
    session.commit()
    if runs_later(SEND_TASK):
        enqueue_sends([message_id], countdown=delay.total_seconds())
    return "requeued"


def _fall_back(session: Session, message_id: int, token: str, channel: str | None, error: SendError,
               counted: bool, at_once: bool = False) -> bool:
    """Move a message that ``channel`` could not send (known: nothing went out) to the next
    channel of the chain, once its first attempt is ``SMS_FALLBACK_AFTER`` old (``at_once``:
    WhatsApp refused it, which no retry changes). True if moved."""
    svc = service()
    following = svc.next_channel(channel)
    if following is None:
        return False
    message = lock(session, SmsMessage, message_id)
    if message is None or message.attempt_token != token or message.status != "sending" \
            or (not at_once and message.created_at > utcnow() - timedelta(seconds=svc.fallback_after)):
        session.rollback()
        return False
    reason = f"{channel} failed: {error}"[:300]
    message.channel, message.channel_reason = following, reason
    message.status, message.attempt_token, message.next_attempt_at = "queued", None, None
    message.error_message = f"sent by {following} instead ({reason})"[:500]
    if not counted:
        message.attempts -= 1
    session.commit()
    return True


def _failed_attempt(session: Session, message_id: int, token: str, error: SendError,
                    channel: str | None = None) -> str:
    if error.ambiguous:
        message = lock(session, SmsMessage, message_id)
        if message is not None and message.attempt_token == token and message.status == "sending":
            message.error_message = f"{error} — reconciling before any resend"
        session.commit()
        return "ambiguous"
    if channel == whatsapp.CHANNEL and not error.retry and not error.opted_out:
        # WhatsApp will not carry it (no template outside the window, 63016, no WhatsApp): SMS now.
        if _fall_back(session, message_id, token, channel, error, counted=True, at_once=True):
            return "switched"
    message = lock(session, SmsMessage, message_id)
    if message is None or message.attempt_token != token or message.status != "sending":
        session.rollback()
        return "superseded"
    if error.retry:
        session.rollback()
        if _fall_back(session, message_id, token, channel, error, counted=True):
            return "switched"
        message = lock(session, SmsMessage, message_id)
        if message is None or message.attempt_token != token or message.status != "sending":
            session.rollback()
            return "superseded"
    if error.retry and message.attempts < MAX_ATTEMPTS:
        session.rollback()
        return _back_to_queue(session, message_id, token, str(error), backoff(message.attempts))
    message.status, message.error_code, message.error_message = "failed", error.code, str(error)
    if error.opted_out and message.volunteer is not None:
        message.volunteer.sms_opt_out = True
    hooks.fire(OUTBOUND_FAILED, session, message)
    session.commit()
    return "failed"


def due_messages(session: Session, now: datetime) -> tuple[list[int], list[int]]:
    """Queued messages nobody picked up, and messages stuck in ``sending``."""
    queued = session.scalars(
        select(SmsMessage.id).where(
            SmsMessage.status == "queued",
            or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now),
            SmsMessage.updated_at <= now - DUE_GRACE,
        ).order_by(SmsMessage.id).limit(1000)
    ).all()
    stuck = session.scalars(
        select(SmsMessage.id).where(SmsMessage.status == "sending", SmsMessage.sending_since <= now - STUCK_AFTER)
        .order_by(SmsMessage.id).limit(1000)
    ).all()
    return list(queued), list(stuck)


def reconcile(session: Session, message_id: int) -> str:
    """A message stuck in ``sending`` (worker killed, ambiguous answer): ask the provider
    whether it has it; adopt it if so, otherwise queue it again."""
    set_actor("system:sms")
    message = lock(session, SmsMessage, message_id)
    if message is None or message.status != "sending":
        session.rollback()
        return "settled"
    _, gateway, _ = service().channel(message.channel)
    if not getattr(gateway, "can_lookup", True):
        # A modem keeps no record to ask: the message may have gone out, so it is not resent.
        message.status = "failed"
        message.error_message = "the modem's answer was lost: not resent (it may have been sent)"
        hooks.fire(OUTBOUND_FAILED, session, message)
        session.commit()
        return "failed"
    found = gateway.lookup(message.phone, message.body, message.sending_since - timedelta(minutes=5))
    if found is not None:
        message.provider_sid = message.provider_sid or found.provider_sid
        message.status, message.sent_at, message.error_message = "sent", utcnow(), ""
        message.advance(found.status, None, None)
        session.commit()
        return "adopted"
    if message.attempts >= MAX_ATTEMPTS:
        message.status, message.error_message = "failed", "no answer from the provider after several attempts"
        hooks.fire(OUTBOUND_FAILED, session, message)  # failed for good, like any other final failure
        session.commit()
        return "failed"
    message.status, message.attempt_token, message.next_attempt_at = "queued", None, None
    message.error_message = "not found at the provider: sending again"
    session.commit()
    enqueue_sends([message_id])
    return "requeued"
