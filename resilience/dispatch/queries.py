"""Reading tasks: the API's task list and what the pages show (a household's tasks, the live
tasks of the event map, the proposal under review, the counters), each loading what it names
in the same query."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from resilience.dispatch.models import LIVE_TASK_STATUSES, Task
from resilience.needs.models import Need
from resilience.sms.models import SmsMessage


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
