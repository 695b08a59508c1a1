"""The SMS inbox: what volunteers and unknown numbers wrote, newest first, and the outbound SMS
that failed. Messages the system did not act on wait for a coordinator, who applies one as a
command to one of the sender's tasks, answers it, or marks it handled; a failed SMS is resent
as a new message. Coordinators and admins only: officials never see SMS bodies or phones."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from resilience.core.api import paginate
from resilience.core.errors import DomainError, Message, ValidationFailed
from resilience.core.identity import mask_phone
from resilience.dispatch import inbox_actions
from resilience.dispatch import queries as task_queries
from resilience.events import queries as event_queries
from resilience.extensions import db
from resilience.sms import operations as sms
from resilience.sms import queries as sms_queries
from resilience.sms.gsm7 import GSM7_PART, GSM7_SINGLE, MAX_SEGMENTS
from resilience.sms.reasons import channel_reason, failure_reason
from resilience.vocabulary import WRITE_ROLES
from resilience.web.blueprint import bp, nav_item
from resilience.web.forms import FormErrors
from resilience.web.i18n import message_text
from resilience.web.people import Page, page_number
from resilience.web.session import write_required
from resilience.web.query import accepts

nav_item("web.inbox", "inbox_menu", "write")

PER_PAGE = 50
QUERY_ARGS = {"show", "event", "page", "lang"}


def waiting_badge() -> int | None:
    """The navigation's count of messages waiting for a coordinator (None for other roles)."""
    user = g.get("web_user")
    if user is None or user.role not in WRITE_ROLES:
        return None
    return sms_queries.waiting_count(db.session)


@bp.app_context_processor
def _inbox_badge() -> dict:
    return {"inbox_waiting": waiting_badge}


def _filters() -> dict:
    """The view, event and page asked for; anything else is refused (422, nothing shown)."""
    errors = [{"field": name, "message": Message("Unknown field.")} for name in sorted(set(request.args) - QUERY_ARGS)]
    show = request.args.get("show") or "attention"
    if show not in sms_queries.INBOX_VIEWS:
        errors.append({"field": "show", "message": Message("Must be one of: %(choices)s.",
                                                           choices=", ".join(sms_queries.INBOX_VIEWS))})
    raw = request.args.get("event") or ""
    if raw and not raw.isdigit():
        errors.append({"field": "event", "message": Message("Not a valid integer.")})
    if errors:
        raise FormErrors(errors)
    return {"show": show, "event": int(raw) if raw else None}


def _sender(message) -> dict:
    if message.volunteer is not None:
        return {"name": message.volunteer.name, "known": True, "volunteer_id": message.volunteer.id,
                "phone": mask_phone(message.phone)}
    return {"name": gettext("unknown number"), "known": False, "volunteer_id": None,
            "phone": mask_phone(message.phone)}


def _page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    f = _filters()
    volunteers = task_queries.event_volunteer_ids(f["event"]) if f["event"] else None
    query = sms_queries.inbox_query(f["show"], volunteers)
    found = paginate(db.session, query, {"page": page_number(), "per_page": PER_PAGE})
    result = Page(items=found["items"], total=found["total"], page=found["page"], per_page=PER_PAGE)
    messages = result.items
    tasks = task_queries.live_tasks_of(db.session, sorted({m.volunteer_id for m in messages
                                                            if m.volunteer_id and m.direction == "inbound"}))
    reasons = {m.id: message_text(failure_reason(m.error_code, m.error_message, m.channel))
               for m in messages if m.direction == "outbound"}
    switches = {m.id: message_text(channel_reason(m.channel_reason)) for m in messages if m.channel_reason}
    return render_template(
        "inbox.html", result=result, messages=messages, f=f, events=event_queries.events_active_first(db.session),
        senders={m.id: _sender(m) for m in messages}, tasks=tasks, reasons=reasons, switches=switches,
        commands=list(inbox_actions.COMMANDS), form=form or {}, errors=errors or {},
        gsm7={"single": GSM7_SINGLE, "part": GSM7_PART, "segments": MAX_SEGMENTS},
        waiting=sms_queries.waiting_count(db.session)), status


@bp.get("/inbox")
@write_required
@accepts(*QUERY_ARGS, checked_by_view=True)
def inbox():
    return _page()


def _back():
    """Back to the inbox view the form was posted from."""
    args = {k: v for k, v in request.args.items() if k in QUERY_ARGS and k != "lang"}
    return redirect(url_for("web.inbox", **args))


def _act(action):
    """Run ``action`` (which returns the text telling what happened) and go back to the inbox;
    a refused action changes nothing and says why."""
    try:
        done = action()
    except DomainError as exc:
        db.session.rollback()  # a redirect is a 3xx, which commits: undo the refused change
        flash(message_text(exc.errors[0]["message"] if exc.errors else exc.detail), "error")
        return _back()
    flash(done, "info")
    return _back()


@bp.post("/inbox/<int:message_id>/handled")
@write_required
def inbox_handled(message_id: int):
    def handled():
        sms.mark_handled(db.session, message_id)
        return gettext("Marked as handled.")

    return _act(handled)


@bp.post("/inbox/<int:message_id>/resend")
@write_required
def inbox_resend(message_id: int):
    def resend():
        copy = sms.resend(db.session, message_id)
        return gettext("The failed SMS was sent again as a new SMS (#%(new)s); it goes out in the background. "
                       "The failed one is marked as handled, so it is never sent twice.", new=copy.id)

    return _act(resend)


@bp.post("/inbox/<int:message_id>/apply")
@write_required
def inbox_apply(message_id: int):
    raw = request.form.get("task_id") or ""
    command = request.form.get("command") or ""

    def apply():
        if not raw.isdigit():
            raise ValidationFailed.field("task_id", Message("choose one of the sender's tasks"))
        inbox_actions.apply_reply(db.session, message_id, int(raw), command)
        return gettext("Applied to the task; the volunteer gets the same confirmation SMS as if they had replied.")

    return _act(apply)


@bp.post("/inbox/<int:message_id>/answer")
@write_required
def inbox_answer(message_id: int):
    body = request.form.get("body") or ""
    try:
        sms.answer(db.session, message_id, body)
    except ValidationFailed as exc:
        db.session.rollback()
        text = message_text(exc.errors[0]["message"]) if exc.errors else message_text(exc.detail)
        return _page({message_id: body}, {message_id: text}, 422)
    except DomainError as exc:
        db.session.rollback()
        flash(message_text(exc.detail), "error")
        return _back()
    flash(gettext("Answer queued; it goes out in the background."), "info")
    return _back()
