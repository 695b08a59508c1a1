"""The task board of an event: every task with its state, need, kelurahan, volunteer, group,
time in its current state, decline reason, safety check-in and coordinator note; filters; the
coordinator's actions on a task (cancel, reassign, re-offer, done on the volunteer's behalf).

Coordinators and admins only. The rows come from ``dispatch.queries.board_page`` (shared with
the API's reads), the actions from ``dispatch.operations`` (the states from
``dispatch.lifecycle``). The page polls ``board/rows`` (the same filters) and swaps the table
in place; ``board.js`` pauses while a coordinator is using a row's actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, gettext

from resilience.core.db import utcnow
from resilience.core.errors import DomainError, Message, NotFound, ValidationFailed, flatten_messages
from resilience.dispatch import operations as dispatch
from resilience.dispatch import queries as task_queries
from resilience.dispatch.models import LIVE_TASK_STATUSES, TASK_STATUSES, Task
from resilience.dispatch.operations import REOFFERABLE
from resilience.dispatch.schemas import BoardQuery
from resilience.events import queries as event_queries
from resilience.events.operations import get_event
from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.sms import queries as sms_queries
from resilience.vocabulary import NEED_CATEGORIES
from resilience.web.blueprint import bp, nav_item
from resilience.web.i18n import message_text
from resilience.web.labels import Translated
from resilience.web.people import Page, localise
from resilience.web.session import write_required
from resilience.web.query import accepts

BOARD_PER_PAGE = 50
BOARD_QUERY = (*task_queries.BOARD_FILTERS, "page")
POLL_SECONDS = 5

nav_item("web.board_latest", "board", "write")


# --------------------------------------------------------------------------- reading
def _filters() -> tuple[dict, int, list[dict]]:
    """The query string as filters and a page number, or the errors that refuse it (an unknown
    parameter is an error, not ignored). Empty values (a filter set to "all") are absent."""
    raw = {k: v for k, v in request.args.items() if v.strip() != ""}
    try:
        loaded = BoardQuery().load(raw)
    except ma.ValidationError as exc:
        errors = localise(flatten_messages(exc.messages))
        for error in errors:  # an unknown parameter is named as it was written
            if not error["label"]:
                error["label"], error["anchor"] = Translated(error["field"]), "board-filters"
        return {}, 1, errors
    page = loaded.pop("page", 1)
    return loaded, page, []


def _query_string(filters: dict, page: int | None = None) -> str:
    args = {k: filters[k] for k in task_queries.BOARD_FILTERS if filters.get(k) is not None}
    if page and page > 1:
        args["page"] = page
    return urlencode(args)


@dataclass
class BoardPage(Page):
    event_id: int = 0
    args: dict = field(default_factory=dict)  # the filters as given, without the page

    def url(self, page: int) -> str:  # the full page's address, whichever view rendered the rows
        return url_for("web.board", event_id=self.event_id, **{**self.args, "page": page})


def checkin_state(task: Task) -> tuple[str, object] | None:
    """The safety check-in's furthest step (escalated, help, safe, asked, due) and its time."""
    for step in ("escalated", "help", "safe", "asked", "due"):
        moment = getattr(task, f"checkin_{step}_at")
        if moment is not None:
            return step, moment
    return None


def _board_context(event: FloodEvent) -> tuple[dict, int]:
    filters, page, errors = _filters()
    rows, total = ([], 0) if errors else task_queries.board_page(db.session, event.id, filters, page,
                                                                BOARD_PER_PAGE)
    result = BoardPage(items=rows, total=total, page=page, per_page=BOARD_PER_PAGE, event_id=event.id,
                       args={k: filters[k] for k in task_queries.BOARD_FILTERS if k in filters})
    now = utcnow()
    since = {row.task.id: format_timedelta(now - row.state_since, granularity="minute", threshold=1)
             for row in rows}
    tasks = [row.task for row in rows]
    context = {
        "event": event, "rows": rows, "result": result, "filters": filters, "errors": errors,
        "since": since, "checkins": {t.id: checkin_state(t) for t in tasks},
        "offer_channels": sms_queries.offer_channels(db.session, [t.id for t in tasks]),
        "choices": task_queries.reassign_choices(db.session, tasks),
        "back": url_for("web.board", event_id=event.id) + ("?" + _query_string(filters, page) if filters or page > 1 else ""),
        "live": LIVE_TASK_STATUSES, "reofferable": REOFFERABLE,
        "rows_src": url_for("web.board_rows", event_id=event.id) + ("?" + _query_string(filters, page) if not errors else ""),
    }
    return context, 422 if errors else 200


@bp.get("/board")
@write_required
def board_latest():
    """The menu's way to the board: the newest active event's (the events list when none)."""
    active = event_queries.events(db.session, "active")
    if not active:
        return redirect(url_for("web.events"))
    return redirect(url_for("web.board", event_id=active[0].id))


@bp.get("/events/<int:event_id>/board")
@write_required
@accepts(*BOARD_QUERY, checked_by_view=True)
def board(event_id: int):
    event = get_event(db.session, event_id)
    context, status = _board_context(event)
    return render_template("board.html", **context, statuses=TASK_STATUSES, categories=NEED_CATEGORIES,
                           options=task_queries.board_choices(db.session, event.id),
                           poll_seconds=POLL_SECONDS), status


@bp.get("/events/<int:event_id>/board/rows")
@write_required
@accepts(*BOARD_QUERY, checked_by_view=True)
def board_rows(event_id: int):
    """The board's table alone (what the page polls), with the same filters."""
    event = get_event(db.session, event_id)
    context, status = _board_context(event)
    response = render_template("_board_rows.html", **context)
    return response, status, {"Cache-Control": "no-store"}


# --------------------------------------------------------------------------- actions
def _back(event_id: int):
    target = request.form.get("next") or ""
    prefix = url_for("web.board", event_id=event_id)
    if not target.startswith(prefix) or target.startswith("//"):
        target = prefix
    return redirect(target)


def _task(event_id: int, task_id: int) -> Task:
    task = dispatch.get_task(db.session, task_id)
    if task.event_id != event_id:
        raise NotFound(Message("no task with id %(task_id)s", task_id=task_id))
    return task


def _refused(event_id: int, exc: DomainError):
    db.session.rollback()  # a redirect is a 3xx, which commits: undo the refused change
    for error in exc.errors or [{"message": exc.detail}]:
        flash(message_text(error["message"]), "error")
    return _back(event_id)


@bp.post("/events/<int:event_id>/board/tasks/<int:task_id>/cancel")
@write_required
def board_cancel(event_id: int, task_id: int):
    task = _task(event_id, task_id)
    try:
        dispatch.cancel(db.session, task, request.form.get("note"))
    except DomainError as exc:
        return _refused(event_id, exc)
    flash(gettext("Task %(code)s cancelled.", code=task.code), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/board/tasks/<int:task_id>/reassign")
@write_required
def board_reassign(event_id: int, task_id: int):
    task = _task(event_id, task_id)
    raw = request.form.get("volunteer_id") or ""
    try:
        if not raw.isdigit():
            raise ValidationFailed.field("volunteer_id", Message("choose a volunteer"))
        new = dispatch.reassign(db.session, task, int(raw))
    except DomainError as exc:
        return _refused(event_id, exc)
    flash(gettext("Task %(old)s given to %(name)s as %(new)s.", old=task.code, name=new.volunteer.name,
                  new=new.code), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/board/tasks/<int:task_id>/reoffer")
@write_required
def board_reoffer(event_id: int, task_id: int):
    task = _task(event_id, task_id)
    try:
        new = dispatch.reoffer(db.session, task)
    except DomainError as exc:
        return _refused(event_id, exc)
    if new is None:
        flash(gettext("No available volunteer with the required skill is within reach; the need stays open."),
              "warning")
    else:
        flash(gettext("The need of %(old)s is offered to %(name)s as %(new)s.", old=task.code,
                      name=new.volunteer.name, new=new.code), "info")
    return _back(event_id)


@bp.post("/events/<int:event_id>/board/tasks/<int:task_id>/done")
@write_required
def board_done(event_id: int, task_id: int):
    task = _task(event_id, task_id)
    try:
        dispatch.done_on_behalf(db.session, task, request.form.get("note"))
    except DomainError as exc:
        return _refused(event_id, exc)
    flash(gettext("Task %(code)s recorded as done; the volunteer is told by SMS.", code=task.code), "info")
    return _back(event_id)
