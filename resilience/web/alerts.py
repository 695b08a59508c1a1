"""The alerts page: what needs a coordinator now, most severe and newest first, each worded in
the page language with the action that resolves it, links to what it is about and an
Acknowledge button; and the count of open alerts in the main menu.

Alerts are the coordinators' work list (see ``alerts.api``): the page and the count are for
coordinators and admins only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from resilience.alerts import operations as alert_ops
from resilience.alerts.models import Alert
from resilience.alerts.queries import ALERT_STATES, alert_query, open_counts, state_of
from resilience.core.api import paginate
from resilience.core.errors import DomainError
from resilience.dispatch import alerting
from resilience.events import queries as event_queries
from resilience.extensions import db
from resilience.volunteers import queries as volunteer_queries
from resilience.vocabulary import ALERT_KINDS, WRITE_ROLES
from resilience.web.blueprint import bp, nav_item
from resilience.web.i18n import message_text, term
from resilience.web.labels import label
from resilience.web.people import Page
from resilience.web.session import write_required
from resilience.web.query import Query, accepts

ALERTS_PER_PAGE = 50

nav_item("web.alerts", "alerts_menu", "write")


@dataclass
class Worded:
    """One alert as the page shows it."""

    alert: Alert
    title: str
    text: str
    action: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)

    @property
    def state(self) -> str:
        return state_of(self.alert)


def _category(params: dict) -> str:
    return term(params.get("category"), "category") if params.get("category") else "—"


def _sms_kind(kind: str) -> str:
    return label(f"alert_sms_kind_{kind}") if kind in SMS_KINDS else kind or "—"


# Every kind of outbound SMS (SmsMessage.kind), worded for the failed-SMS alert.
SMS_KINDS = ("offer", "confirmation", "expiry", "cancellation", "alert", "checkin", "done_on_behalf",
             "coordinator", "help_request", "audit_anchor")


def word(alert: Alert, names: dict[int, str]) -> Worded:
    """``alert`` in the page language: what happened and what resolves it (``names``: the
    volunteers' names by id)."""
    p = alert.params or {}
    name = names.get(alert.volunteer_id)
    who = name or (f"#{alert.volunteer_id}" if alert.volunteer_id else "—")
    task = p.get("task_code") or (f"T{alert.task_id}" if alert.task_id else "—")
    need = {"need": alert.need_id or "—", "category": _category(p), "priority": p.get("priority", "—")}
    if alert.kind == "no_candidate":
        title = gettext("No volunteer left for a need")
        text = gettext("Need #%(need)s (%(category)s, priority %(priority)s) is open again and no available "
                       "volunteer with the required skill is within reach.", **need)
        action = gettext("Find someone: run matching with a larger distance, ask a group to send a volunteer, "
                         "or close the need if it was handled another way.")
    elif alert.kind == "long_wait":
        title = gettext("A priority need is waiting too long")
        text = gettext("Need #%(need)s (%(category)s, priority %(priority)s) has waited %(minutes)s minutes "
                       "without a volunteer on it (limit: %(threshold)s minutes).",
                       minutes=p.get("minutes", "—"), threshold=p.get("threshold", "—"), **need)
        action = gettext("Offer it now: run matching or reassign it, or phone a volunteer you know.")
    elif alert.kind == "repeated_expiry":
        title = gettext("Offers keep expiring")
        text = gettext("The offers for need #%(need)s (%(category)s, priority %(priority)s) expired %(count)s "
                       "times without an answer.", count=p.get("expiries", 2), **need)
        action = gettext("Phone the volunteers, or assign the need by hand to someone you reached by phone.")
    elif alert.kind == "sms_failed":
        title = gettext("An SMS could not be delivered")
        text = gettext("An SMS (%(kind)s, task %(task)s) to %(volunteer)s failed for good (provider code "
                       "%(code)s).", kind=_sms_kind(p.get("sms_kind", "")), task=task, volunteer=who,
                       code=p.get("error_code") or "—")
        action = gettext("Check the phone number and reach the volunteer another way; the offer itself has "
                         "already gone to someone else.") if p.get("sms_kind") == "offer" else \
            gettext("Check the phone number and reach the recipient another way.")
    elif alert.kind == "opted_out_with_tasks":
        title = gettext("A volunteer stopped SMS while holding tasks")
        text = gettext("%(volunteer)s sent STOP while holding %(count)s task(s): %(tasks)s.", volunteer=who,
                       count=p.get("count", 1), tasks=", ".join(p.get("tasks", [])) or "—")
        action = gettext("Phone the volunteer; reassign or cancel the tasks they can no longer be reached about.")
    else:  # safety_escalation
        title = gettext("Safety emergency")
        text = gettext("The volunteer on task %(task)s (%(volunteer)s) asked for help or did not answer the "
                       "safety check-in.", task=task, volunteer=who)
        action = gettext("Phone the volunteer and their group leader now and send help; acknowledge the alert "
                         "so the SMS reminders stop.")
    return Worded(alert, title, text, action, _links(alert, name))


def _links(alert: Alert, name: str | None) -> list[tuple[str, str]]:
    links = []
    if alert.need_id:
        links.append((gettext("Need #%(id)s", id=alert.need_id), url_for("web.need_edit", need_id=alert.need_id)))
        if alert.event_id and alert.kind in ("no_candidate", "long_wait", "repeated_expiry"):
            links.append((gettext("Matching"), url_for("web.match_page", event_id=alert.event_id)))
    if alert.volunteer_id:
        sms = url_for("web.volunteer_sms", volunteer_id=alert.volunteer_id)
        if alert.task_id:
            links.append((gettext("Task T%(id)s", id=alert.task_id), sms + "#tasks"))
        if alert.sms_message_id:
            links.append((gettext("The SMS"), sms + f"#sms-{alert.sms_message_id}"))
        links.append((name or gettext("Volunteer"),
                      url_for("web.volunteer_edit", volunteer_id=alert.volunteer_id)))
    return links


def _filters() -> tuple[dict, int]:
    """The filters and page asked for; a value the page cannot read is a 422 naming it."""
    q = Query()
    filters = {"event": q.integer("event"), "kind": q.choice("kind", ALERT_KINDS),
               "state": q.choice("state", ALERT_STATES, "open")}
    page = q.page()
    q.done()
    return filters, page


@bp.get("/alerts")
@write_required
@accepts("state", "kind", "event", "page")
def alerts():
    f, page = _filters()
    # The open long waits, unless asked for by kind, are counted per kelurahan above the list:
    # a flood morning raises hundreds, and they are acted on per kelurahan.
    grouped = f["kind"] is None and f["state"] == "open"
    result = paginate(db.session, alert_query(f["event"], f["kind"], f["state"],
                                              exclude=("long_wait",) if grouped else ()),
                      {"page": page, "per_page": ALERTS_PER_PAGE})
    rows = result["items"]
    names = volunteer_queries.names(db.session, {a.volunteer_id for a in rows if a.volunteer_id})
    events = {e.id: e for e in event_queries.events_active_first(db.session)}
    pager = Page(items=rows, total=result["total"], page=page, per_page=ALERTS_PER_PAGE)
    groups = alerting.long_wait_groups(db.session, f["event"]) if grouped else []
    return render_template("alerts.html", alerts=[word(a, names) for a in rows], result=pager, f=f,
                           events=events, kinds=ALERT_KINDS, states=ALERT_STATES, wait_groups=groups,
                           total=result["total"] + sum(g.count for g in groups))


@bp.post("/alerts/long-waits/ack")
@write_required
def long_waits_ack():
    """Acknowledge the open long-wait alerts of one event and kelurahan at once."""
    user = g.web_user
    event = request.form.get("event", "")
    area = request.form.get("area", "").strip() or None
    if not event.isdigit() or int(event) > 2**31 - 1:
        abort(400, description=gettext("No such event."))
    count = alerting.acknowledge_long_waits(db.session, int(event), area, f"{user.role}:{user.email}")
    if count:
        flash(gettext("Alerts acknowledged: %(count)s.", count=count), "info")
    else:
        flash(gettext("Nothing left to acknowledge there: another coordinator was first, or the needs found "
                      "volunteers."), "info")
    return redirect(_next_alerts_page())


@bp.post("/alerts/<int:alert_id>/ack")
@write_required
def alert_ack(alert_id: int):
    user = g.web_user
    try:
        alert = alert_ops.acknowledge(db.session, alert_id, f"{user.role}:{user.email}")
    except DomainError as exc:
        db.session.rollback()  # a redirect is a 3xx, which commits: undo the refused change
        flash(message_text(exc.detail), "error")
    else:
        flash(gettext("Alert %(id)s acknowledged.", id=alert.id), "info")
    return redirect(_next_alerts_page())


def _next_alerts_page() -> str:
    """Back to the alerts page the form was on (its filters kept); only ever that page."""
    target = request.form.get("next") or ""
    if not target.startswith("/alerts") or target.startswith("//"):
        target = url_for("web.alerts")
    return target


def _badge() -> dict:
    total, emergencies = open_counts(db.session)
    words = gettext("open") + (", " + gettext("emergencies: %(count)s", count=emergencies) if emergencies else "")
    return {"total": total, "emergencies": emergencies, "words": words}


@bp.get("/alerts/count.json")
@write_required
def alert_count():
    """The menu's count, for the page to refresh it every half minute (alert_count.js)."""
    return jsonify(_badge())


@bp.app_context_processor
def _alert_badge():
    """The main menu's count of open alerts (emergencies apart), for coordinators and admins."""
    user = g.get("web_user")
    if user is None or user.role not in WRITE_ROLES or request.blueprint != "web":
        return {"alert_badge": None}
    return {"alert_badge": _badge()}
