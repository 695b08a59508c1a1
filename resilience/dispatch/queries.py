"""Reading tasks: the API's task list and what the pages show (a household's tasks, the live
tasks of the event map, the proposal under review, the counters, the task board and its
reassignment choices), each loading what it names in the same query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from geoalchemy2.shape import to_shape
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from resilience.areas.models import AdminArea
from resilience.core.geo import haversine_m
from resilience.dispatch.models import LIVE_TASK_STATUSES, Task
from resilience.households.models import Household
from resilience.matching.operations import EXCLUDING_STATUSES, HELD_STATUSES
from resilience.needs.models import REQUIRED_SKILL, Need
from resilience.sms.models import SmsMessage
from resilience.volunteers.models import Volunteer, VolunteerGroup


def task_query(event: int | None = None, status: str | None = None, volunteer: int | None = None) -> Select:
    """Tasks by id, optionally of one event, status or volunteer (GET /tasks)."""
    query = select(Task).order_by(Task.id)
    if event is not None:
        query = query.where(Task.event_id == event)
    if status:
        query = query.where(Task.status == status)
    if volunteer is not None:
        query = query.where(Task.volunteer_id == volunteer)
    return query


def tasks_by_need(session: Session, need_ids: list[int]) -> dict[int, list[Task]]:
    """Need id → its tasks (oldest first), with their volunteers."""
    out: dict[int, list[Task]] = {i: [] for i in need_ids}
    if not need_ids:
        return out
    for task in session.scalars(select(Task).options(joinedload(Task.volunteer))
                                .where(Task.need_id.in_(need_ids)).order_by(Task.id)):
        out[task.need_id].append(task)
    return out


def _with_places(query: Select) -> Select:
    return query.options(joinedload(Task.need).joinedload(Need.household), joinedload(Task.volunteer))


def live_tasks(session: Session, event_id: int) -> list[Task]:
    """The event's live tasks (proposed, offered, accepted), with need, household and volunteer."""
    return session.scalars(_with_places(task_query(event_id).where(Task.status.in_(LIVE_TASK_STATUSES)))).unique().all()


def proposed_tasks(session: Session, event_id: int) -> list[Task]:
    """The proposal under review, with need, household and volunteer."""
    return session.scalars(_with_places(task_query(event_id, "proposed"))).unique().all()


def task_counts(session: Session, event_id: int) -> dict[str, int]:
    """Status → how many of the event's tasks have it (statuses without tasks left out)."""
    return dict(session.execute(select(Task.status, func.count()).where(Task.event_id == event_id)
                                .group_by(Task.status)).all())


def volunteer_tasks(session: Session, volunteer_id: int) -> list[Task]:
    """A volunteer's tasks, newest first."""
    return session.scalars(task_query(volunteer=volunteer_id).order_by(None).order_by(Task.id.desc())).all()


def sms_progress(session: Session, event_id: int) -> dict[str, int]:
    """The event's outbound SMS about its tasks by status: what the match page shows going out
    (every status present, zeros included)."""
    rows = dict(session.execute(
        select(SmsMessage.status, func.count()).join(Task, Task.id == SmsMessage.task_id)
        .where(Task.event_id == event_id, SmsMessage.direction == "outbound").group_by(SmsMessage.status)
    ).all())
    return {status: rows.get(status, 0)
            for status in ("queued", "sending", "sent", "delivered", "undelivered", "failed")}


def event_volunteer_ids(event_id: int) -> Select:
    """The ids of the volunteers who have (or had) a task in the event, as a subquery."""
    return select(Task.volunteer_id).where(Task.event_id == event_id).distinct()


def live_tasks_of(session: Session, volunteer_ids: list[int]) -> dict[int, list[Task]]:
    """Volunteer id → their offered and accepted tasks (oldest first), with need and household:
    the tasks a coordinator may apply a volunteer's free-text reply to."""
    out: dict[int, list[Task]] = {i: [] for i in volunteer_ids}
    if not volunteer_ids:
        return out
    query = _with_places(select(Task).where(Task.volunteer_id.in_(volunteer_ids),
                                            Task.status.in_(("offered", "accepted"))).order_by(Task.id))
    for task in session.scalars(query).unique():
        out[task.volunteer_id].append(task)
    return out


# --- the task board ---------------------------------------------------------------------------
# The board's filters, as (query parameter, what it compares). Values are already validated
# (dispatch.schemas.BoardQuery): a status, a category, a priority 1-5, ids.
BOARD_FILTERS = ("state", "category", "priority", "kelurahan", "group", "volunteer")


@dataclass
class BoardRow:
    """One line of the task board: the task and the words around it, no household name,
    address or point (the board shows where by kelurahan)."""

    task: Task
    category: str
    priority: int
    need_status: str
    kelurahan: str | None
    volunteer: str
    volunteer_id: int
    group: str | None

    @property
    def state_since(self) -> datetime:
        """When the task entered its current state."""
        return getattr(self.task, f"{self.task.status}_at", None) or self.task.proposed_at


def _board_base(event_id: int, filters: dict) -> Select:
    query = (select(Task.id).join(Need, Need.id == Task.need_id)
             .where(Task.event_id == event_id))
    if filters.get("state"):
        query = query.where(Task.status == filters["state"])
    if filters.get("category"):
        query = query.where(Need.category == filters["category"])
    if filters.get("priority"):
        query = query.where(Need.priority == filters["priority"])
    if filters.get("kelurahan") is not None:
        query = query.join(Household, Household.id == Need.household_id).where(
            Household.admin_area_id == filters["kelurahan"])
    if filters.get("volunteer") is not None:
        query = query.where(Task.volunteer_id == filters["volunteer"])
    if filters.get("group") is not None:
        query = query.join(Volunteer, Volunteer.id == Task.volunteer_id).where(
            Volunteer.group_id == filters["group"])
    return query


def board_page(session: Session, event_id: int, filters: dict, page: int, per_page: int) -> tuple[list[BoardRow], int]:
    """One page of an event's tasks (newest first) matching ``filters``, and how many match.

    Two statements: the count, then the page's ids with every column it shows in one joined
    select (an index on tasks (event_id, status, id) serves both; see bench/task_board.py)."""
    base = _board_base(event_id, filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    ids = base.order_by(Task.id.desc()).limit(per_page).offset((page - 1) * per_page).scalar_subquery()
    rows = session.execute(
        select(Task, Need.category, Need.priority, Need.status, AdminArea.name, Volunteer.name, Volunteer.id,
               VolunteerGroup.name)
        .join(Need, Need.id == Task.need_id)
        .join(Household, Household.id == Need.household_id)
        .outerjoin(AdminArea, AdminArea.id == Household.admin_area_id)
        .join(Volunteer, Volunteer.id == Task.volunteer_id)
        .outerjoin(VolunteerGroup, VolunteerGroup.id == Volunteer.group_id)
        .where(Task.id.in_(ids))
        .order_by(Task.id.desc())
    ).all()
    return [BoardRow(*row) for row in rows], total


def board_choices(session: Session, event_id: int) -> dict[str, list[tuple[int, str]]]:
    """What the board's kelurahan, group and volunteer filters offer: those that occur among
    the event's tasks, by name."""
    def pairs(query):
        return [(i, n) for i, n in session.execute(query.distinct().order_by(query.selected_columns[1],
                                                                             query.selected_columns[0])).all()]

    in_event = select(Task.need_id).where(Task.event_id == event_id)
    kelurahan = (select(AdminArea.id, AdminArea.name)
                 .join(Household, Household.admin_area_id == AdminArea.id)
                 .join(Need, Need.household_id == Household.id)
                 .where(Need.id.in_(in_event)))
    volunteers = select(Volunteer.id, Volunteer.name).where(
        Volunteer.id.in_(select(Task.volunteer_id).where(Task.event_id == event_id)))
    groups = select(VolunteerGroup.id, VolunteerGroup.name).where(
        VolunteerGroup.id.in_(select(Volunteer.group_id).where(
            Volunteer.id.in_(select(Task.volunteer_id).where(Task.event_id == event_id)))))
    return {"kelurahan": pairs(kelurahan), "group": pairs(groups), "volunteer": pairs(volunteers)}


REASSIGN_CHOICES = 8  # nearest volunteers offered per task on the board


def reassign_choices(session: Session, tasks: list[Task], limit: int = REASSIGN_CHOICES
                     ) -> dict[int, list[tuple[Volunteer, float]]]:
    """For each live task, the nearest volunteers a coordinator can give it to: available,
    taking SMS, with capacity left, with the skill its need requires, not its own volunteer
    and not one who already declined or missed that need; nearest first, with the distance."""
    live = [t for t in tasks if t.status in LIVE_TASK_STATUSES]
    if not live:
        return {}
    volunteers = session.scalars(
        select(Volunteer).where(Volunteer.availability == "available", Volunteer.sms_opt_out.is_(False),
                                Volunteer.capacity > 0, Volunteer.location.is_not(None))
        .order_by(Volunteer.id)).all()
    held = dict(session.execute(select(Task.volunteer_id, func.count()).where(Task.status.in_(HELD_STATUSES))
                                .group_by(Task.volunteer_id)).all())
    places = [(v, to_shape(v.location)) for v in volunteers if v.capacity - held.get(v.id, 0) > 0]
    needs = {t.need_id for t in live}
    excluded = set(session.execute(select(Task.need_id, Task.volunteer_id).where(
        Task.need_id.in_(needs), Task.status.in_(EXCLUDING_STATUSES))).all())
    households = {n.id: n for n in session.scalars(
        select(Need).options(joinedload(Need.household)).where(Need.id.in_(needs)))}
    out = {}
    for task in live:
        need = households[task.need_id]
        if need.household.location is None:
            out[task.id] = []
            continue
        here = to_shape(need.household.location)
        skill = REQUIRED_SKILL.get(need.category)
        fits = [(v, haversine_m(here.y, here.x, p.y, p.x)) for v, p in places
                if v.id != task.volunteer_id and (need.id, v.id) not in excluded
                and (not skill or skill in (v.skills or []))]
        fits.sort(key=lambda pair: (pair[1], pair[0].id))
        out[task.id] = fits[:limit]
    return out
