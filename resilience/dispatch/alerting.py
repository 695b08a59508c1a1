"""Dispatch's alerts: raised where dispatch notices the condition, resolved when it goes away.

* ``no_candidate`` — a re-offer found nobody (``offers.reoffer``); resolved when the need has a
  task again or is closed (``lifecycle`` calls :func:`need_moved`).
* ``repeated_expiry`` — a need's offers expired twice or more (``offers.expire_offers``);
  resolved when a volunteer accepts it or it is closed.
* ``long_wait`` — a priority 4–5 need still unserved (open, or offered and not accepted) longer
  than its event's ``long_wait_minutes``: found by :func:`sweep`, every minute; resolved when a
  volunteer accepts it, it is closed or its priority drops below 4.
* ``opted_out_with_tasks`` — a volunteer sent STOP while holding accepted tasks
  (``inbound``); resolved by MULAI or when none of their tasks is live any more.

The parameters carry no personal data: codes, categories, priorities, counts. The sweep also
resolves any alert whose condition went away by a path that did not call in (a safety net:
nothing stays open for a need that was closed some other way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.alerts import operations as alerts
from resilience.alerts.models import Alert
from resilience.areas.models import AdminArea
from resilience.core.db import utcnow
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.volunteers.models import Volunteer

LONG_WAIT_PRIORITY = 4            # priorities 4 and 5 are watched for a long wait
WAITING = ("open", "assigned")    # unserved: nobody has accepted it yet
EXPIRIES_FOR_ALERT = 2
NEED_KINDS = ("no_candidate", "repeated_expiry", "long_wait")  # alerts about a need


def _need_params(need: Need, **more) -> dict:
    return {"category": need.category, "priority": need.priority, **more}


def no_candidate(session: Session, need: Need) -> Alert:
    alert, _created = alerts.raise_alert(
        session, "no_candidate", alerts.subject("need", need.id), event_id=need.event_id,
        need_id=need.id, params=_need_params(need))
    return alert


def offer_expired(session: Session, need: Need) -> Alert | None:
    """After an expiry: a need whose offers expired ``EXPIRIES_FOR_ALERT`` times or more."""
    count = session.scalar(select(func.count()).select_from(Task).where(
        Task.need_id == need.id, Task.status == "expired")) or 0
    if count < EXPIRIES_FOR_ALERT:
        return None
    alert, created = alerts.raise_alert(
        session, "repeated_expiry", alerts.subject("need", need.id), event_id=need.event_id,
        need_id=need.id, params=_need_params(need, expiries=count))
    if not created and alert.params.get("expiries") != count:
        alert.params = {**alert.params, "expiries": count}
    return alert


def _live_tasks(session: Session, volunteer_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(
        Task.volunteer_id == volunteer_id, Task.status.in_(("offered", "accepted"))).order_by(Task.id)))


def opted_out(session: Session, volunteer: Volunteer) -> Alert | None:
    """STOP from a volunteer who still holds live tasks (offers are declined by then, so these
    are the accepted ones): nobody can reach them about those tasks by SMS any more."""
    tasks = _live_tasks(session, volunteer.id)
    if not tasks:
        return None
    alert, _created = alerts.raise_alert(
        session, "opted_out_with_tasks", alerts.subject("volunteer", volunteer.id),
        event_id=tasks[0].event_id, task_id=tasks[0].id, volunteer_id=volunteer.id,
        params={"tasks": [t.code for t in tasks][:20], "count": len(tasks)})
    return alert


def opted_in(session: Session, volunteer: Volunteer) -> None:
    alerts.resolve(session, "opted_out_with_tasks", alerts.subject("volunteer", volunteer.id))


def need_moved(session: Session, need: Need) -> None:
    """``lifecycle``: ``need`` reached a new status (no autoflush: the caller is mid-change)."""
    with session.no_autoflush:
        alerts.need_moved(session, need.id, need.status)


# --- the sweep ----------------------------------------------------------------------------------
def long_waits(session: Session, now: datetime) -> list[Alert]:
    """Raise ``long_wait`` for every priority 4–5 need of an active event unserved too long."""
    rows = session.execute(
        select(Need, FloodEvent.long_wait_minutes)
        .join(FloodEvent, FloodEvent.id == Need.event_id)
        .where(FloodEvent.status == "active", Need.status.in_(WAITING), Need.priority >= LONG_WAIT_PRIORITY)
        .order_by(Need.id)
    ).all()
    known = set(session.scalars(select(Alert.need_id).where(
        Alert.kind == "long_wait", Alert.resolved_at.is_(None))))
    raised = []
    for need, minutes in rows:
        waited = now - need.reported_at
        if waited < timedelta(minutes=minutes) or need.id in known:
            continue
        alert, created = alerts.raise_alert(
            session, "long_wait", alerts.subject("need", need.id), event_id=need.event_id, need_id=need.id,
            params=_need_params(need, minutes=int(waited.total_seconds() // 60), threshold=minutes))
        if created:
            raised.append(alert)
    return raised


def _gone(alert: Alert, need: Need | None, volunteer: Volunteer | None, live: set[int], closed: set[int]) -> bool:
    """Whether the condition of ``alert`` no longer holds (a closed event's needs wait no more)."""
    if alert.kind in NEED_KINDS and alert.event_id in closed:
        return True
    if alert.kind == "no_candidate":
        return need is None or need.status != "open"
    if alert.kind == "repeated_expiry":
        return need is None or need.status not in WAITING
    if alert.kind == "long_wait":
        return need is None or need.status not in WAITING or need.priority < LONG_WAIT_PRIORITY
    if alert.kind == "opted_out_with_tasks":
        return volunteer is None or not volunteer.sms_opt_out or volunteer.id not in live
    return False


def resolve_stale(session: Session) -> list[Alert]:
    """Resolve every unresolved alert whose condition went away."""
    kinds = (*NEED_KINDS, "opted_out_with_tasks")
    stale = list(session.scalars(select(Alert).where(Alert.kind.in_(kinds), Alert.resolved_at.is_(None))))
    if not stale:
        return []
    needs = {n.id: n for n in session.scalars(select(Need).where(
        Need.id.in_({a.need_id for a in stale if a.need_id})))}
    volunteer_ids = {a.volunteer_id for a in stale if a.volunteer_id}
    volunteers = {v.id: v for v in session.scalars(select(Volunteer).where(Volunteer.id.in_(volunteer_ids)))}
    live = set(session.scalars(select(Task.volunteer_id).where(
        Task.volunteer_id.in_(volunteer_ids), Task.status.in_(("offered", "accepted")))))
    closed = set(session.scalars(select(FloodEvent.id).where(
        FloodEvent.id.in_({a.event_id for a in stale if a.event_id}), FloodEvent.status == "closed")))
    now = utcnow()
    resolved = []
    for alert in stale:
        if _gone(alert, needs.get(alert.need_id), volunteers.get(alert.volunteer_id), live, closed):
            alert.resolved_at = now
            resolved.append(alert)
    session.flush()
    return resolved


def sweep(session: Session, now: datetime | None = None) -> dict[str, int]:
    """The periodic pass: long waits raised, stale alerts resolved."""
    now = now or utcnow()
    raised = long_waits(session, now)
    resolved = resolve_stale(session)
    return {"raised": len(raised), "resolved": len(resolved)}


# --- long waits by kelurahan (the alerts page) ------------------------------------------------
@dataclass(frozen=True)
class WaitGroup:
    """The open ``long_wait`` alerts of one event and kelurahan: on a flood morning there are
    hundreds, and a coordinator acts on them per kelurahan (run matching there, send a group),
    not one by one."""

    event_id: int
    area_code: str | None   # None: households registered without a kelurahan
    area_name: str | None
    count: int
    oldest: datetime        # the longest-waiting need's report time
    top_priority: int


def _open_long_waits():
    return (select(Alert.id)
            .join(Need, Need.id == Alert.need_id)
            .join(Household, Household.id == Need.household_id)
            .outerjoin(AdminArea, AdminArea.id == Household.admin_area_id)
            .where(Alert.kind == "long_wait", Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None)))


def long_wait_groups(session: Session, event_id: int | None = None) -> list[WaitGroup]:
    """Open long-wait alerts counted per event and kelurahan, largest group first."""
    query = (_open_long_waits().with_only_columns(
        Alert.event_id, AdminArea.code, AdminArea.name, func.count(Alert.id),
        func.min(Need.reported_at), func.max(Need.priority))
        .group_by(Alert.event_id, AdminArea.code, AdminArea.name)
        .order_by(func.count(Alert.id).desc(), AdminArea.name, Alert.event_id))
    if event_id is not None:
        query = query.where(Alert.event_id == event_id)
    # min() and max() keep their column's type, so the oldest report time comes back aware UTC.
    return [WaitGroup(event, code, name, int(count), oldest, int(top))
            for event, code, name, count, oldest, top in session.execute(query)]


def acknowledge_long_waits(session: Session, event_id: int, area_code: str | None, actor: str) -> int:
    """Acknowledge every open long-wait alert of one event and kelurahan (``None``: without a
    kelurahan) at once; each alert gets its own acknowledgement and audit entry, as one by one.
    Returns how many were acknowledged (0 when another coordinator was first)."""
    query = _open_long_waits().where(Alert.event_id == event_id)
    query = query.where(AdminArea.code == area_code) if area_code else query.where(Household.admin_area_id.is_(None))
    ids = list(session.scalars(query))
    if not ids:
        return 0
    rows = session.scalars(select(Alert).where(
        Alert.id.in_(ids), Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None))
        .order_by(Alert.id).with_for_update()).all()
    now = utcnow()
    for alert in rows:
        alert.acknowledged_at = now
        alert.acknowledged_by = actor
    session.flush()
    return len(rows)
