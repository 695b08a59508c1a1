"""The official report of one flood event, built once and rendered in every format.

What an official (BPBD, kelurahan, DPRD) asks: per kelurahan, how many households are
affected, what they need, how many are served, in progress or still waiting (and since when),
how fast the response was, what aid went out, how many volunteers worked, and whether the
response log it all rests on is intact. The report holds aggregates and need ids only: no
names, NIK, KK numbers, phones, addresses, points or vulnerability counts.

Definitions (also in ``DEFINITIONS``, so every format can state them):
- a household is *affected* when it has a need in the event that is not cancelled;
- its state is *waiting* when one of those needs is open, else *in progress* when one is
  assigned or in progress, else *served* (all done): the three states partition the affected;
- response times run from a need's ``reported_at`` to the first time a volunteer accepted a
  task for it, and to the first time a task for it was reported done; median, and p90 by the
  nearest-rank method, in minutes.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import math
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from resilience.areas.models import AdminArea
from resilience.audit.chain import verify
from resilience.audit.models import AuditHead
from resilience.core.db import utcnow
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent, event_admin_areas
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.sms.models import SmsMessage
from resilience.stock.distributions import needs_estimate
from resilience.stock.models import Item, StockMovement
from resilience.stock.profiles import Profile, current_profiles
from resilience.stock.units import number
from resilience.volunteers.models import Volunteer
from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES, VULNERABILITY_FIELDS

FORMATS = ("json", "csv", "geojson", "xlsx", "pdf")
MINIMUM_NEEDS_DAYS = 7
PRIORITIES = (5, 4, 3, 2, 1)
NEED_STATES = ("waiting", "in_progress", "served", "cancelled")
STATES_BY_RANK = NEED_STATES  # a household's state is its most pressing need's: the lowest rank
STATE_RANK = {state: rank for rank, state in enumerate(NEED_STATES)}
NEED_STATE = {"open": "waiting", "assigned": "in_progress", "in_progress": "in_progress",
              "done": "served", "cancelled": "cancelled"}
DEFINITIONS = {
    "households_affected": "households with a need in the event that is not cancelled",
    "waiting": "household: one of its needs is open (no volunteer has it yet)",
    "in_progress": "household: no open need, one assigned to or being handled by a volunteer",
    "served": "household: every need that is not cancelled is done",
    "response_minutes": "from the need's reported time to the first accepted task (to_accepted) "
                        "and the first task reported done (to_done); median and p90 (nearest rank)",
    "volunteers_engaged": "volunteers who accepted at least one task in the event",
    "safety_checkin": "accepted tasks of an at-risk category (evacuation, medical unless the event "
                      "says otherwise) that got a safety check-in (with_checkin); how many were asked, "
                      "answered AMAN (safe), answered BANTU (help) and escalated to the coordinator "
                      "(BANTU or no answer in time); counts of tasks",
    "vulnerable_households": "households with at least one vulnerable member (older person, person with a "
                             "disability or a long illness, expecting or nursing mother, child under five); "
                             "not_reached: not yet served",
    "sms": "SMS about the event's tasks: outbound by status, failures by provider error code, inbound "
           "replies, and the volunteers with a task in the event who opted out",
    "timeline": "per day in the TIMEZONE setting's zone: needs reported that day (not cancelled) and needs "
                "served that day (the day their first task was reported done)",
    "response_distribution": "how many needs got their first accepted task (to_accepted) or their first task "
                             "done (to_done) within each span of minutes after being reported",
    "aid_vs_minimum": "aid handed out per kelurahan against the BNPB minimum for the people of its affected "
                      "households over the response so far (whole days from the event's start to its end, "
                      "or to the report time); lines whose standard names stock items only",
}
# Spans of the response-time distribution, in minutes: [0, 30), [30, 60), … [2880, ∞).
RESPONSE_BUCKETS = (0, 30, 60, 120, 240, 480, 1440, 2880)
MINIMUM_PROFILE = "bnpb"
MAX_TIMELINE_DAYS = 60


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_epoch(seconds: float | None) -> str | None:
    """Epoch seconds as the report writes times (UTC, to the second, truncated as :func:`iso`)."""
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(round(seconds, 3))))


def epoch(column, dialect: str):
    """SQL: a time column as epoch seconds (a float). Turning 90,000 ``timestamptz`` values into
    aware datetimes cost a third of a 40,000-need report on PostGIS; floats cost nothing."""
    if dialect == "postgresql":
        return func.date_part(literal("epoch"), column)
    # SQLite keeps UTC as text ("2026-01-05 07:30:00.123456"); julianday reads it.
    return (func.julianday(column) - 2440587.5) * 86400.0


def _minutes(start: float, end: float) -> float:
    return max(0.0, (end - start) / 60)


def report_zone() -> ZoneInfo:
    """The TIMEZONE setting's zone (UTC outside an application)."""
    from flask import current_app, has_app_context

    settings = current_app.config.get("SETTINGS") if has_app_context() else None
    return ZoneInfo(getattr(settings, "timezone", None) or "UTC")


class _LocalDays:
    """Epoch seconds to the local calendar day, cached per quarter hour (every zone's offset is
    a multiple of 15 minutes): one dict look-up per need instead of a datetime conversion."""

    def __init__(self, zone: ZoneInfo):
        self.zone, self.cache = zone, {}

    def __call__(self, seconds: float) -> date:
        key = int(seconds // 900)
        day = self.cache.get(key)
        if day is None:
            day = self.cache[key] = datetime.fromtimestamp(key * 900, self.zone).date()
        return day


def summarise(values: list[float]) -> dict[str, Any]:
    """Count, median and p90 (nearest rank: the smallest value with at least 90 % at or below
    it) of durations in minutes, rounded to 0.1."""
    if not values:
        return {"count": 0, "median_minutes": None, "p90_minutes": None}
    ordered = sorted(values)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"count": len(ordered), "median_minutes": round(statistics.median(ordered), 1),
            "p90_minutes": round(p90, 1)}


def _need_counts() -> dict[str, int]:
    return {"total": 0, **{state: 0 for state in NEED_STATES}}


@dataclass
class _Tally:
    """The running sums of one kelurahan (or of the whole event)."""

    households: dict[str, int] = field(default_factory=lambda: {
        "affected": 0, "people": 0, "waiting": 0, "in_progress": 0, "served": 0, "received_aid": 0})
    needs: dict[str, int] = field(default_factory=_need_counts)
    by_category: dict[str, dict[str, int]] = field(default_factory=lambda: {c: _need_counts() for c in CATEGORIES})
    by_priority: dict[int, dict[str, int]] = field(default_factory=lambda: {p: _need_counts() for p in PRIORITIES})
    # Households with an elderly, disabled, chronically ill, pregnant or lactating member or a
    # child under five: how many are affected, and how many of them are not yet served.
    vulnerable: dict[str, int] = field(default_factory=lambda: {"affected": 0, "not_reached": 0})
    oldest_waiting: float | None = None  # epoch seconds
    to_accepted: list[float] = field(default_factory=list)
    to_done: list[float] = field(default_factory=list)
    aid_milli: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    aid_households: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Pregnant or lactating women in the affected households: only for the minimum-needs line
    # (BNPB adds rice for them); never shown.
    pregnant: int = 0

    def add_needs(self, category: str, state: str, priority: int, count: int) -> None:
        """``count`` needs of one category, state and priority (the loop over the needs counts
        such groups first: 80,000 method calls cost more than the sums)."""
        for counts in (self.needs, self.by_category[category], self.by_priority[priority]):
            counts["total"] += count
            counts[state] += count

    def waiting_since(self, reported_at: float | None) -> None:
        if reported_at is not None and (self.oldest_waiting is None or reported_at < self.oldest_waiting):
            self.oldest_waiting = reported_at

    def add_households(self, state: str, vulnerable: bool, count: int, people: int, pregnant: int) -> None:
        """``count`` affected households whose state is ``state`` (not cancelled), with their people."""
        self.households["affected"] += count
        self.households["people"] += people
        self.households[state] += count
        self.pregnant += pregnant
        if vulnerable:
            self.vulnerable["affected"] += count
            if state != "served":
                self.vulnerable["not_reached"] += count

    def as_dict(self, items: dict[int, Item]) -> dict[str, Any]:
        return {
            "households": dict(self.households),
            "needs": dict(self.needs),
            "vulnerable_households": dict(self.vulnerable),
            "needs_by_category": {c: dict(v) for c, v in self.by_category.items()},
            "needs_by_priority": {str(p): dict(v) for p, v in self.by_priority.items()},
            "oldest_waiting_since": iso_epoch(self.oldest_waiting),
            "response_minutes": {"to_accepted": summarise(self.to_accepted), "to_done": summarise(self.to_done)},
            "aid": [{"item_code": items[i].code, "item_name": items[i].name, "unit": items[i].unit,
                     "quantity": number(q), "households": len(self.aid_households.get(i, ()))}
                    for i, q in sorted(self.aid_milli.items(), key=lambda kv: items[kv[0]].code) if q],
        }


def _tally(tallies: dict[int | None, _Tally], area_id: int | None) -> _Tally:
    """The kelurahan's tally, made on first use (``setdefault(k, _Tally())`` would build and
    throw away a tally of 12 count dicts for every need: 1.6 s of a 40,000-need report)."""
    tally = tallies.get(area_id)
    if tally is None:
        tally = tallies[area_id] = _Tally()
    return tally


def _area_ref(area: dict[str, Any] | None) -> dict[str, Any]:
    if area is None:
        return {"code": None, "name": None}
    return {"code": area["code"], "name": area["name"]}


def _areas(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Code, name and parent (kecamatan) of the areas, without their boundaries."""
    rows = {i: {"code": c, "name": n, "parent_id": p} for i, c, n, p in session.execute(
        select(AdminArea.id, AdminArea.code, AdminArea.name, AdminArea.parent_id).where(AdminArea.id.in_(ids)))}
    parents = {row["parent_id"] for row in rows.values()} - {None}
    parent_rows = dict((i, {"code": c, "name": n}) for i, c, n in session.execute(
        select(AdminArea.id, AdminArea.code, AdminArea.name).where(AdminArea.id.in_(parents)))) if parents else {}
    for row in rows.values():
        row["parent"] = parent_rows.get(row.pop("parent_id"))
    return rows


def _task_times(session: Session, event: FloodEvent, dialect: str) -> tuple[dict[int, float], dict[int, float]]:
    """The first accepted and first done time of each need's tasks, in epoch seconds."""
    accepted: dict[int, float] = {}
    done: dict[int, float] = {}
    rows = session.connection().execute(
        select(Task.need_id, epoch(Task.accepted_at, dialect), epoch(Task.done_at, dialect))
        .where(Task.event_id == event.id))
    for need_id, accepted_at, done_at in rows:
        if accepted_at is not None and (need_id not in accepted or accepted_at < accepted[need_id]):
            accepted[need_id] = accepted_at
        if done_at is not None and (need_id not in done or done_at < done[need_id]):
            done[need_id] = done_at
    return accepted, done


def _volunteers(session: Session, event: FloodEvent) -> dict[str, int]:
    def distinct(*conditions) -> int:
        return session.scalar(select(func.count(func.distinct(Task.volunteer_id)))
                              .where(Task.event_id == event.id, *conditions)) or 0

    return {
        "engaged": distinct(Task.accepted_at.is_not(None)),
        "on_task": distinct(Task.status == "accepted"),
        "offered": distinct(Task.status == "offered"),
        "available": session.scalar(select(func.count()).select_from(Volunteer).where(
            Volunteer.availability == "available", Volunteer.sms_opt_out.is_(False))) or 0,
    }


def _safety_checkin(session: Session, event: FloodEvent) -> dict[str, int]:
    """Counts of the event's tasks by check-in step (``count(column)`` counts the times set)."""
    row = session.execute(select(
        func.count(Task.checkin_due_at), func.count(Task.checkin_asked_at), func.count(Task.checkin_safe_at),
        func.count(Task.checkin_help_at), func.count(Task.checkin_escalated_at),
    ).where(Task.event_id == event.id)).one()
    return dict(zip(("with_checkin", "asked", "safe", "help", "escalated"), (int(n or 0) for n in row)))


def _sms(session: Session, event: FloodEvent) -> dict[str, Any]:
    """The SMS figures of the event: what was sent about its tasks and what came of it."""
    rows = session.execute(
        select(SmsMessage.direction, SmsMessage.status, SmsMessage.error_code, func.count())
        .join(Task, Task.id == SmsMessage.task_id).where(Task.event_id == event.id)
        .group_by(SmsMessage.direction, SmsMessage.status, SmsMessage.error_code)).all()
    by_status: dict[str, int] = defaultdict(int)
    failed_by_code: dict[str, int] = defaultdict(int)
    outbound = inbound = 0
    for direction, status, code, count in rows:
        if direction == "inbound":
            inbound += count
            continue
        outbound += count
        by_status[status] += count
        if status in ("failed", "undelivered"):
            failed_by_code[str(code) if code is not None else "unknown"] += count
    opted_out = session.scalar(
        select(func.count(func.distinct(Task.volunteer_id))).join(Volunteer, Volunteer.id == Task.volunteer_id)
        .where(Task.event_id == event.id, Volunteer.sms_opt_out.is_(True))) or 0
    return {"outbound": outbound, "by_status": dict(sorted(by_status.items())),
            "failed_by_code": dict(sorted(failed_by_code.items())), "inbound": inbound,
            "opted_out_volunteers": opted_out}


def _audit(session: Session) -> dict[str, Any]:
    """The chain's state at report time: verify's answer plus the head it ends at, so a later
    reader can check the log still holds this entry with this hash."""
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    result = verify(session).as_dict()  # note: verify expunges the session's objects
    result["head_seq"], result["head_hash"] = head if head else (0, None)
    return result


@contextlib.contextmanager
def _without_gc():
    """Python's cycle collector paused: building a 40,000-need report allocates some 200,000
    tuples, dicts and lists, none of them in a cycle, and the collector scanned them again and
    again (a third of the CPU time). Reference counting still frees everything; the collector
    runs as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_report(session: Session, event: FloodEvent, now: datetime | None = None,
                 *, stock_days: int | None = MINIMUM_NEEDS_DAYS) -> dict[str, Any]:
    """The report as plain JSON-ready data (see the module doc for what each number means);
    ``stock_days`` None leaves out the minimum-needs part."""
    with _without_gc():
        return _build_report(session, event, now, stock_days=stock_days)


def _build_report(session: Session, event: FloodEvent, now: datetime | None = None,
                  *, stock_days: int | None = MINIMUM_NEEDS_DAYS) -> dict[str, Any]:
    now = now or utcnow()
    now_epoch = now.timestamp()
    dialect = session.get_bind().dialect.name
    minimum_needs = minimum_needs_summary(estimate(session, event, stock_days)) if stock_days else None
    affected_ids = list(session.scalars(
        select(event_admin_areas.c.admin_area_id).where(event_admin_areas.c.event_id == event.id)))
    tallies: dict[int | None, _Tally] = {area_id: _Tally() for area_id in affected_ids}
    total = _Tally()

    # Columns only: no household entity, so no personal field is even decrypted; run on the
    # session's connection (Core rows, no ORM row processing: a tenth of a second at 40,000).
    needs = session.connection().execute(
        select(Need.id, Need.category, Need.status, Need.priority, epoch(Need.reported_at, dialect),
               Need.household_id, Household.members, Household.admin_area_id,
               sum((getattr(Household, name) for name in VULNERABILITY_FIELDS[1:]),
                   getattr(Household, VULNERABILITY_FIELDS[0])).label("vulnerable"),
               Household.pregnant_or_lactating)
        .join(Household, Household.id == Need.household_id)
        .where(Need.event_id == event.id).order_by(Need.id)
    ).all()
    accepted, done = _task_times(session, event, dialect)
    # One pass over the needs counting groups (kelurahan, category, state, priority) and keeping
    # per household its most pressing state (waiting < in progress < served < cancelled); the
    # tallies are filled from the groups afterwards.
    groups: dict[tuple, int] = defaultdict(int)
    oldest: dict[int | None, float] = {}
    to_accepted: dict[int | None, list[float]] = defaultdict(list)
    to_done: dict[int | None, list[float]] = defaultdict(list)
    household_rank: dict[int, int] = {}
    household_row: dict[int, tuple[int, int | None, bool, int]] = {}
    live_needs = []
    local_day = _LocalDays(report_zone())
    reported_per_day: dict[date, int] = defaultdict(int)
    served_per_day: dict[date, int] = defaultdict(int)
    for need in needs:
        need_id, category, status, priority, reported_at, household_id, members, area_id, vulnerable, pregnant = need
        state = NEED_STATE[status]
        groups[area_id, category, state, priority] += 1
        accepted_at = accepted.get(need_id)
        if accepted_at is not None:
            to_accepted[area_id].append(accepted_at - reported_at if accepted_at > reported_at else 0.0)
        done_at = done.get(need_id)
        if done_at is not None:
            to_done[area_id].append(done_at - reported_at if done_at > reported_at else 0.0)
        rank = STATE_RANK[state]
        previous = household_rank.get(household_id)
        if previous is None:
            household_rank[household_id] = rank
            household_row[household_id] = (members, area_id, bool(vulnerable), pregnant or 0)
        elif rank < previous:
            household_rank[household_id] = rank
        if rank < 2:  # waiting or in progress
            live_needs.append(need)
            if rank == 0 and (area_id not in oldest or reported_at < oldest[area_id]):
                oldest[area_id] = reported_at
        if rank < 3:
            reported_per_day[local_day(reported_at)] += 1
            if rank == 2 and done_at is not None:
                served_per_day[local_day(done_at)] += 1
    for (area_id, category, state, priority), count in groups.items():
        for t in (_tally(tallies, area_id), total):
            t.add_needs(category, state, priority, count)
    for area_id, reported_at in oldest.items():
        for t in (tallies[area_id], total):
            t.waiting_since(reported_at)
    for area_id, seconds in to_accepted.items():
        minutes = [value / 60 for value in seconds]
        tallies[area_id].to_accepted.extend(minutes)
        total.to_accepted.extend(minutes)
    for area_id, seconds in to_done.items():
        minutes = [value / 60 for value in seconds]
        tallies[area_id].to_done.extend(minutes)
        total.to_done.extend(minutes)
    household_groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for household_id, rank in household_rank.items():
        if rank == 3:  # every need cancelled: not affected
            continue
        members, area_id, vulnerable, pregnant = household_row[household_id]
        group = household_groups[area_id, rank, vulnerable]
        group[0] += 1
        group[1] += members
        group[2] += pregnant
    for (area_id, rank, vulnerable), (count, people, pregnant) in household_groups.items():
        for t in (tallies[area_id], total):
            t.add_households(STATES_BY_RANK[rank], vulnerable, count, people, pregnant)

    items = {i.id: i for i in session.scalars(select(Item))}
    aid_households: dict[int | None, set[int]] = defaultdict(set)
    aid_everywhere: set[int] = set()
    aid_rows = session.execute(
        select(StockMovement.item_id, StockMovement.quantity_milli, StockMovement.household_id, Household.admin_area_id)
        .outerjoin(Household, Household.id == StockMovement.household_id)
        .where(StockMovement.kind == "issue", StockMovement.event_id == event.id)
    ).all()
    per_item: dict[int, dict[str, Any]] = {}
    for item_id, milli, household_id, area_id in aid_rows:
        entry = per_item.setdefault(item_id, {"milli": 0, "households": set(), "movements": 0})
        entry["milli"] += -milli
        entry["movements"] += 1
        total.aid_milli[item_id] += -milli
        if household_id is not None:
            entry["households"].add(household_id)
            aid_everywhere.add(household_id)
            aid_households[area_id].add(household_id)
            tally = _tally(tallies, area_id)
            tally.aid_milli[item_id] += -milli
            tally.aid_households[item_id].add(household_id)
            total.aid_households[item_id].add(household_id)
    for area_id, tally in tallies.items():
        tally.households["received_aid"] = len(aid_households.get(area_id, ()))
    total.households["received_aid"] = len(aid_everywhere)

    areas = _areas(session, set(tallies) - {None})
    kelurahan = []
    for area_id, tally in tallies.items():
        area = areas.get(area_id)
        kelurahan.append({**_area_ref(area), "kecamatan": area["parent"] if area else None, **tally.as_dict(items)})
    kelurahan.sort(key=lambda row: (row["code"] is None, row["code"] or ""))
    live_needs.sort(key=lambda n: (-n[3], n[4], n[0]))  # priority, reported (epoch), id
    refs = {area_id: _area_ref(areas.get(area_id)) for area_id in tallies}
    waiting_list = [  # the kelurahan dicts are shared between rows: nothing changes them
        {"need_id": need_id, "category": category, "priority": priority, "status": status,
         "state": NEED_STATE[status], "kelurahan": refs[area_id],
         "reported_at": iso_epoch(reported_at), "waiting_minutes": round(_minutes(reported_at, now_epoch), 1)}
        for need_id, category, status, priority, reported_at, _household, _members, area_id, _vulnerable, _pregnant
        in live_needs
    ]
    event_info = {
        "id": event.id, "name": event.name, "status": event.status,
        "started_at": iso(event.started_at), "ended_at": iso(event.ended_at),
        "affected_kelurahan": [_area_ref(areas[i]) for i in sorted(affected_ids, key=lambda i: areas[i]["code"])],
    }

    report = {
        "event": event_info,
        "generated_at": iso(now),
        "definitions": DEFINITIONS,
        "totals": total.as_dict(items),
        "kelurahan": kelurahan,
        "waiting": waiting_list,
        "aid": [
            {"item_code": items[i].code, "item_name": items[i].name, "unit": items[i].unit,
             "category": items[i].category, "quantity": number(e["milli"]),
             "households": len(e["households"]), "movements": e["movements"]}
            for i, e in sorted(per_item.items(), key=lambda kv: items[kv[0]].code)
        ],
        "volunteers": _volunteers(session, event),
        "safety_checkin": _safety_checkin(session, event),
        "sms": _sms(session, event),
        "timeline": _timeline(reported_per_day, served_per_day),
        "response_distribution": _distribution(total),
    }
    if minimum_needs is not None:
        report["minimum_needs"] = minimum_needs
        bnpb = next((p for p in current_profiles() if p.key == MINIMUM_PROFILE), None)
        if bnpb is not None:
            end = event.ended_at or now
            days = max(1, math.ceil((end - event.started_at).total_seconds() / 86400))
            report["aid_vs_minimum"] = aid_vs_minimum(bnpb, days, tallies, total, areas, items)
    report["audit"] = _audit(session)  # last: verify detaches the session's objects
    return report


def _timeline(reported: dict[date, int], served: dict[date, int]) -> list[dict[str, Any]]:
    """One row per local day from the first to the last with a need reported or served (gaps
    are days with zero), capped at the last MAX_TIMELINE_DAYS days."""
    days = set(reported) | set(served)
    if not days:
        return []
    first, last = min(days), max(days)
    first = max(first, last - timedelta(days=MAX_TIMELINE_DAYS - 1))
    rows = []
    day = first
    while day <= last:
        rows.append({"date": day.isoformat(), "reported": reported.get(day, 0), "served": served.get(day, 0)})
        day += timedelta(days=1)
    return rows


def _distribution(total: _Tally) -> dict[str, Any]:
    """Needs per span of minutes to accepted and to done (``RESPONSE_BUCKETS``)."""
    def counts(values: list[float]) -> list[int]:
        out = [0] * len(RESPONSE_BUCKETS)
        for value in values:
            out[bisect.bisect_right(RESPONSE_BUCKETS, value) - 1] += 1
        return out

    return {"bucket_minutes": list(RESPONSE_BUCKETS), "to_accepted": counts(total.to_accepted),
            "to_done": counts(total.to_done)}


def aid_vs_minimum(profile: Profile, days: int, tallies: dict[int | None, _Tally], total: _Tally,
                   areas: dict[int, dict[str, Any]], items: dict[int, Item]) -> dict[str, Any]:
    """Per kelurahan and line of ``profile`` with stock items: what was handed out (items in the
    line's unit) against what the standard asks for the people of the affected households over
    ``days``."""
    lines = [line for line in profile.lines if line.item_codes]
    by_code = {item.code: item for item in items.values()}

    def row(tally: _Tally) -> dict[str, Any]:
        people = tally.households["people"]
        out = {}
        for line in lines:
            needed = line.needed(people, tally.pregnant, days)[0] if people else 0
            milli = sum(tally.aid_milli.get(by_code[code].id, 0) for code in line.item_codes
                        if code in by_code and by_code[code].unit == line.unit)
            delivered = number(milli)
            out[line.key] = {"needed": needed, "delivered": delivered,
                             "percent": round(100 * delivered / needed, 1) if needed else None}
        return {"people": people, "lines": out}

    kelurahan = []
    for area_id, tally in tallies.items():
        if not tally.households["affected"] and not tally.aid_milli:
            continue
        kelurahan.append({**_area_ref(areas.get(area_id)), **row(tally)})
    kelurahan.sort(key=lambda r: (r["code"] is None, r["code"] or ""))
    return {"profile": profile.key, "name": profile.name, "days": days,
            "lines": [{"key": line.key, "label": line.label, "unit": line.unit} for line in lines],
            "kelurahan": kelurahan, "totals": row(total)}


def estimate(session: Session, event: FloodEvent, days: int = 7, profile: str | None = None) -> dict[str, Any]:
    """The minimum-needs estimate of the event (``GET /events/{id}/needs-estimate``), with the
    profiles the stock API reads (the operator's copy in the instance folder, else the shipped
    ones). Needs an application context."""
    return needs_estimate(session, event, current_profiles(), days, profile)


def minimum_needs_summary(estimate: dict[str, Any]) -> dict[str, Any]:
    """The stock part of the report: the minimum-needs estimate reduced to what an official
    reads (no depot details)."""
    return {
        "days": estimate["days"],
        "people": estimate["people"],
        "profiles": [
            {"key": p["key"], "name": p["name"], "source": p["source"],
             "lines": [{"key": line["key"], "label": line["label"], "unit": line["unit"],
                        "needed": line["needed"], "available": line["available"], "shortfall": line["shortfall"]}
                       for line in p["lines"]]}
            for p in estimate["profiles"]
        ],
    }


def shortfall_lines(estimate: dict[str, Any]) -> list[dict[str, Any]]:
    """Every line of every profile whose stock falls short (a line without items has none)."""
    return [
        {"profile": p["key"], "key": line["key"], "label": line["label"], "unit": line["unit"],
         "needed": line["needed"], "available": line["available"], "shortfall": line["shortfall"]}
        for p in estimate["profiles"] for line in p["lines"]
        if line.get("shortfall")
    ]
