"""Matching against the database: build the problem, store the proposal, re-offer a need.

The engine (engine.py) is pure; this module decides who may be matched:
- open needs of the event, with their household's location, priority and required skill;
- volunteers who are ``available``, not opted out of SMS, and still have capacity this round
  (capacity minus the tasks they hold: offered or accepted, in any event);
- never a volunteer who already declined, let expire or failed this very need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from resilience.core.errors import Message, ValidationFailed
from resilience.dispatch import lifecycle
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.needs.models import REQUIRED_SKILL, Need
from resilience.volunteers.models import Volunteer

DEFAULT_MAX_DISTANCE_M = 8000.0
MAX_DISTANCE_LIMIT_M = 100_000.0
HELD_STATUSES = ("offered", "accepted")
EXCLUDING_STATUSES = ("declined", "expired", "failed")


@dataclass(frozen=True)
class Reason:
    """Why a need went to a volunteer: the engine's English sentence (``str(reason)``, what the
    API and the CLI show) and the same as data (``code``, ``params`` with database ids in place
    of the engine's indices) for the web app to word in the page language."""

    text: str
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


_INDEX_PARAMS = {"nearer_volunteer": "nearer_volunteer_id", "higher_need": "higher_need_id",
                 "other_needs": "other_need_ids"}


APPROXIMATE_NOTE = (" The household's point is approximate (only its kelurahan is known), so the distance"
                    " is an estimate: lokasi perkiraan.")


def _reason(explanation, needs: list[Need], volunteers: list[Volunteer]) -> Reason:
    """The engine's explanation with database ids; for a household whose point is only its
    kelurahan's, the sentence says the distance is an estimate and ``params`` carry
    ``location_precision`` (a page words it as "lokasi perkiraan")."""
    params: dict[str, Any] = {}
    for key, value in explanation.params.items():
        if key == "nearer_volunteer":
            params[_INDEX_PARAMS[key]] = volunteers[value].id
        elif key == "higher_need":
            params[_INDEX_PARAMS[key]] = needs[value].id
        elif key == "other_needs":
            params[_INDEX_PARAMS[key]] = [needs[j].id for j in value]
        else:
            params[key] = value
    text = explanation.reason
    household = needs[explanation.need].household
    if household.location_is_approximate:
        params["location_precision"] = household.location_precision
        text += APPROXIMATE_NOTE
    return Reason(text, explanation.code, params)


@dataclass
class Proposal:
    tasks: list[Task]
    unassigned: list[Need]
    summary: dict[str, Any] = field(default_factory=dict)


def lock_event(session: Session, event: FloodEvent) -> None:
    """Serialise matching and dispatch per event (PostgreSQL row lock; SQLite serialises writers)."""
    session.execute(select(FloodEvent.id).where(FloodEvent.id == event.id).with_for_update())


def held_tasks(session: Session, volunteer_ids: list[int] | None = None) -> dict[int, int]:
    query = select(Task.volunteer_id, func.count()).where(Task.status.in_(HELD_STATUSES)).group_by(Task.volunteer_id)
    if volunteer_ids is not None:
        query = query.where(Task.volunteer_id.in_(volunteer_ids))
    return dict(session.execute(query).all())


def _lat_lon(geometry) -> tuple[float, float]:
    point = to_shape(geometry)
    return point.y, point.x


def _candidates(session: Session) -> tuple[list[Volunteer], list[int]]:
    volunteers = session.scalars(
        select(Volunteer)
        .where(Volunteer.availability == "available", Volunteer.sms_opt_out.is_(False), Volunteer.capacity > 0)
        .order_by(Volunteer.id)
    ).all()
    held = held_tasks(session)
    remaining = [max(0, v.capacity - held.get(v.id, 0)) for v in volunteers]
    keep = [i for i, r in enumerate(remaining) if r > 0]
    return [volunteers[i] for i in keep], [remaining[i] for i in keep]


def _forbidden(session: Session, need_ids: list[int]) -> set[tuple[int, int]]:
    if not need_ids:
        return set()
    rows = session.execute(
        select(Task.need_id, Task.volunteer_id).where(
            Task.need_id.in_(need_ids), Task.status.in_(EXCLUDING_STATUSES)
        )
    ).all()
    return {(n, v) for n, v in rows}


def solve(session: Session, needs: list[Need], max_distance_m: float) -> tuple[list[tuple[Need, Volunteer, float, Reason]], list[Need], dict]:
    from resilience.matching import engine  # numpy/scipy: loaded when matching is used

    volunteers, remaining = _candidates(session)
    forbidden_ids = _forbidden(session, [n.id for n in needs])
    need_pos = [_lat_lon(n.household.location) for n in needs]
    vol_pos = [_lat_lon(v.location) for v in volunteers]
    need_index = {n.id: i for i, n in enumerate(needs)}
    vol_index = {v.id: j for j, v in enumerate(volunteers)}
    forbidden = [
        (need_index[n], vol_index[v]) for n, v in sorted(forbidden_ids) if n in need_index and v in vol_index
    ]
    result = engine.solve(
        needs_lat=[p[0] for p in need_pos],
        needs_lon=[p[1] for p in need_pos],
        needs_priority=[n.priority for n in needs],
        needs_skill=[REQUIRED_SKILL[n.category] for n in needs],
        vols_lat=[p[0] for p in vol_pos],
        vols_lon=[p[1] for p in vol_pos],
        vols_skills=[list(v.skills or []) for v in volunteers],
        vols_capacity=remaining,
        max_distance_m=max_distance_m,
        forbidden=forbidden,
        need_labels=[f"need {n.id}" for n in needs],
        volunteer_labels=[v.name for v in volunteers],
    )
    pairs = []
    for (i, k, distance), explanation in zip(result.assignments, result.explanations):
        pairs.append((needs[i], volunteers[k], distance, _reason(explanation, needs, volunteers)))
    assigned = {i for i, _k, _d in result.assignments}
    unassigned = [n for i, n in enumerate(needs) if i not in assigned]
    summary = {
        "needs": len(needs),
        "volunteers": len(volunteers),
        "served": len(pairs),
        "priority_served": result.priority_served,
        "total_distance_m": round(result.total_distance_m, 1),
        "seconds": round(result.seconds, 3),
        "max_distance_m": max_distance_m,
    }
    return pairs, unassigned, summary


def _check_distance(max_distance_m: float | None) -> float:
    if max_distance_m is None:
        return DEFAULT_MAX_DISTANCE_M
    if not (0 < max_distance_m <= MAX_DISTANCE_LIMIT_M):
        raise ValidationFailed.field("max_distance_m", Message("must be between 0 and %(max)s metres",
                                                                max=f"{MAX_DISTANCE_LIMIT_M:.0f}"))
    return float(max_distance_m)


def propose(session: Session, event: FloodEvent, max_distance_m: float | None = None) -> Proposal:
    """Replace the event's unconfirmed proposal by the optimum for its open needs now."""
    max_distance_m = _check_distance(max_distance_m)
    lock_event(session, event)
    for task in session.scalars(select(Task).where(Task.event_id == event.id, Task.status == "proposed")):
        lifecycle.drop_proposed(session, task)
    session.flush()
    needs = session.scalars(
        select(Need)
        .options(joinedload(Need.household))
        .where(Need.event_id == event.id, Need.status == "open")
        .order_by(Need.id)
    ).unique().all()
    pairs, unassigned, summary = solve(session, list(needs), max_distance_m)
    tasks = []
    for need, volunteer, distance, reason in pairs:
        tasks.append(lifecycle.propose(session, need, volunteer, distance, reason.text, reason.code,
                                       reason.params))
    session.flush()
    return Proposal(tasks=tasks, unassigned=unassigned, summary=summary)


def best_volunteer_for(session: Session, need: Need, max_distance_m: float = DEFAULT_MAX_DISTANCE_M):
    """The next best volunteer for one need (after a decline or an expiry), or None."""
    pairs, _unassigned, _summary = solve(session, [need], max_distance_m)
    if not pairs:
        return None
    _need, volunteer, distance, reason = pairs[0]
    return volunteer, distance, reason

