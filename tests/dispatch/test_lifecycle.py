"""dispatch.lifecycle: each transition moves the task and its need together, writes their audit
entries and the SMS it causes; an illegal one raises InvalidTransition and changes nothing.
Rows are built directly (no HTTP), on both databases; nothing is committed."""

from __future__ import annotations

import pytest
from geoalchemy2.elements import WKTElement
from sqlalchemy import select

from resilience.audit.models import AuditEntry
from resilience.core.db import utcnow
from resilience.core.errors import InvalidTransition
from resilience.dispatch import lifecycle
from resilience.dispatch.models import Task
from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.households.models import Household
from resilience.sms.models import SmsMessage
from resilience.volunteers.models import Volunteer

FINAL = ("declined", "expired", "done", "cancelled", "failed")
ACTIONS = {
    "offer": lifecycle.offer, "accept": lifecycle.accept, "decline": lifecycle.decline,
    "expire": lifecycle.expire, "fail": lifecycle.fail, "cancel": lifecycle.cancel, "done": lifecycle.done,
}


def _point(lat: float, lon: float) -> WKTElement:
    return WKTElement(f"POINT({lon} {lat})", srid=4326)


class World:
    def __init__(self, session):
        self.session = session
        self.event = FloodEvent(name="Banjir Rungan", started_at=utcnow(), status="active", offer_timeout_minutes=20)
        session.add(self.event)
        session.flush()
        self.count = 0

    def volunteer(self) -> Volunteer:
        self.count += 1
        volunteer = Volunteer(name=f"Relawan {self.count}", phone=f"+6281300000{self.count:03d}", skills=["boat"],
                              location=_point(-1.64, 113.69), capacity=3)
        self.session.add(volunteer)
        self.session.flush()
        return volunteer

    def need(self, category="food"):
        household = Household(head_name="Siti Aminah", address="Jl. Mungku Baru", landmark="dekat masjid",
                              location=_point(-1.6346, 113.6858), members=4, elderly=1)
        self.session.add(household)
        self.session.flush()
        need = lifecycle.new_need(event_id=self.event.id, household_id=household.id, category=category,
                                  priority=3, derived_priority=3)
        need.household, need.event = household, self.event
        self.session.add(need)
        self.session.flush()
        return need

    def task(self, status="proposed", need=None) -> Task:
        """A task brought to ``status`` through the lifecycle itself."""
        need = need or self.need()
        task = lifecycle.propose(self.session, need, self.volunteer(), 1234.56, "nearest", None, None)
        self.session.flush()
        path = {"proposed": [], "offered": ["offer"], "accepted": ["offer", "accept"],
                "declined": ["offer", "decline"], "expired": ["offer", "expire"], "failed": ["offer", "fail"],
                "done": ["offer", "accept", "done"], "cancelled": ["cancel"]}[status]
        for step in path:
            ACTIONS[step](self.session, task)
        assert task.status == status
        return task

    def actions(self, entity_type: str, entity_id: int) -> list[str]:
        return list(self.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.seq)))

    def sms(self, task: Task) -> list[str]:
        return list(self.session.scalars(select(SmsMessage.kind).where(SmsMessage.task_id == task.id)
                                         .order_by(SmsMessage.id)))


@pytest.fixture
def world(app):
    yield World(db.session)
    db.session.rollback()


def test_propose_creates_a_proposed_task_and_leaves_the_need_open(world):
    task = world.task("proposed")
    assert (task.status, task.need.status, task.distance_m) == ("proposed", "open", 1234.6)
    assert world.actions("task", task.id) == ["task.created"]


def test_offer_assigns_the_need_and_queues_the_offer(world):
    task = world.task("proposed")
    lifecycle.offer(world.session, task)
    assert (task.status, task.need.status) == ("offered", "assigned")
    assert task.offered_at is not None
    assert world.sms(task) == ["offer"]
    assert world.actions("task", task.id)[-1] == "task.offered"
    assert world.actions("need", task.need.id)[-1] == "need.assigned"


def test_accept_then_done_carry_the_need_to_done(world):
    task = world.task("offered")
    lifecycle.accept(world.session, task)
    assert (task.status, task.need.status) == ("accepted", "in_progress")
    lifecycle.done(world.session, task)
    assert (task.status, task.need.status) == ("done", "done")
    assert task.accepted_at and task.done_at
    assert world.actions("need", task.need.id) == ["need.created", "need.assigned", "need.in_progress", "need.done"]


@pytest.mark.parametrize("start", ["offered", "accepted"])
def test_decline_releases_the_need(world, start):
    task = world.task(start)
    lifecycle.decline(world.session, task)
    assert (task.status, task.need.status) == ("declined", "open")
    assert world.actions("need", task.need.id)[-1] == "need.open"


@pytest.mark.parametrize("start", ["offered", "accepted"])
def test_decline_keeps_the_volunteers_reason(world, start):
    task, quiet = world.task(start), world.task(start)
    lifecycle.decline(world.session, task, reason="motor mogok")
    lifecycle.decline(world.session, quiet)
    world.session.expire_all()
    assert (task.status, task.decline_reason) == ("declined", "motor mogok")
    assert (quiet.status, quiet.decline_reason) == ("declined", "")


def test_expire_releases_the_need_and_tells_the_volunteer(world):
    task = world.task("offered")
    lifecycle.expire(world.session, task)
    assert (task.status, task.need.status) == ("expired", "open")
    assert world.sms(task) == ["offer", "expiry"]


def test_fail_releases_the_need(world):
    task = world.task("offered")
    lifecycle.fail(world.session, task)
    assert (task.status, task.need.status, world.sms(task)) == ("failed", "open", ["offer"])


@pytest.mark.parametrize("start, need_after, told", [
    ("proposed", "open", False), ("offered", "open", True), ("accepted", "open", True)])
def test_cancel(world, start, need_after, told):
    task = world.task(start)
    lifecycle.cancel(world.session, task)
    assert (task.status, task.need.status) == ("cancelled", need_after)
    assert ("cancellation" in world.sms(task)) is told


@pytest.mark.parametrize("status", FINAL)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_nothing_leaves_a_final_state(world, status, action):
    task = world.task(status)
    need_status = task.need.status
    with pytest.raises(InvalidTransition):
        ACTIONS[action](world.session, task)
    assert (task.status, task.need.status) == (status, need_status)


@pytest.mark.parametrize("status, action", [
    ("proposed", "accept"), ("proposed", "decline"), ("proposed", "done"), ("proposed", "expire"),
    ("offered", "done"), ("offered", "offer"), ("accepted", "accept"), ("accepted", "expire"),
    ("accepted", "offer"),
])
def test_illegal_moves_are_refused_and_change_nothing(world, status, action):
    task = world.task(status)
    need_status = task.need.status
    with pytest.raises(InvalidTransition) as raised:
        ACTIONS[action](world.session, task)
    assert raised.value.status == 409
    assert (task.status, task.need.status) == (status, need_status)


def test_a_need_that_cannot_follow_stops_the_task_too(world):
    task = world.task("proposed")
    task.need.status = "done"  # noqa: the state a broken database could hold; lifecycle must refuse
    with pytest.raises(InvalidTransition):
        lifecycle.offer(world.session, task)
    assert task.status == "proposed"


def test_only_an_open_need_is_proposed(world):
    task = world.task("offered")
    with pytest.raises(InvalidTransition):
        lifecycle.propose(world.session, task.need, world.volunteer(), 10.0, "x", None, None)


def test_drop_proposed_deletes_only_proposals(world):
    offered = world.task("offered")
    with pytest.raises(InvalidTransition):
        lifecycle.drop_proposed(world.session, offered)
    proposed = world.task("proposed")
    lifecycle.drop_proposed(world.session, proposed)
    world.session.flush()
    assert world.session.get(Task, proposed.id) is None


@pytest.mark.parametrize("start", ["offered", "accepted"])
def test_reassign_a_held_task_offers_the_replacement(world, start):
    task = world.task(start)
    need = task.need
    before = world.actions("need", need.id)
    replacement = lifecycle.reassign(world.session, task, world.volunteer(), 99.0, "reassigned", "reassigned", {})
    assert (task.status, replacement.status, need.status) == ("cancelled", "offered", "assigned")
    assert world.sms(task)[-1] == "cancellation" and world.sms(replacement) == ["offer"]
    # the need moves once, to where it ends up: no detour through "open" in its log
    expected = [] if start == "offered" else ["need.assigned"]
    assert world.actions("need", need.id)[len(before):] == expected


def test_reassign_a_proposed_task_proposes_the_replacement(world):
    task = world.task("proposed")
    replacement = lifecycle.reassign(world.session, task, world.volunteer(), 99.0, "reassigned", None, None)
    assert (task.status, replacement.status, task.need.status) == ("cancelled", "proposed", "open")
    assert world.sms(task) == []


def test_reassign_refuses_a_finished_task(world):
    task = world.task("done")
    with pytest.raises(InvalidTransition):
        lifecycle.reassign(world.session, task, world.volunteer(), 99.0, "x", None, None)


# --- the coordinator's own change of a need -----------------------------------------------------
def test_manual_done_finishes_an_accepted_task(world):
    task = world.task("accepted")
    lifecycle.set_need_status(world.session, task.need, "done")
    assert (task.status, task.need.status) == ("done", "done")
    assert world.actions("need", task.need.id)[-1] == "need.done"
    assert world.sms(task) == ["offer"]  # nothing to tell: the work is done


@pytest.mark.parametrize("wanted", ["open", "done", "cancelled"])
def test_manual_change_cancels_an_offer_and_tells_the_volunteer(world, wanted):
    task = world.task("offered")
    need = task.need
    lifecycle.set_need_status(world.session, need, wanted)
    assert (task.status, need.status) == ("cancelled", wanted)
    assert world.sms(task) == ["offer", "cancellation"]
    assert world.actions("need", need.id)[-1] == f"need.{wanted}"
    assert world.actions("need", need.id).count("need.open") == (1 if wanted == "open" else 0)


def test_manual_change_cancels_a_proposal_silently(world):
    task = world.task("proposed")
    lifecycle.set_need_status(world.session, task.need, "cancelled")
    assert (task.status, task.need.status, world.sms(task)) == ("cancelled", "cancelled", [])


@pytest.mark.parametrize("start, wanted", [("open", "assigned"), ("open", "in_progress"), ("done", "cancelled")])
def test_manual_change_refuses_what_a_coordinator_may_not_do(world, start, wanted):
    need = world.need()
    if start != "open":
        lifecycle.set_need_status(world.session, need, start)
    with pytest.raises(InvalidTransition) as raised:
        lifecycle.set_need_status(world.session, need, wanted)
    assert need.status == start
    assert raised.value.status == 409


def test_manual_reopen_of_a_closed_need(world):
    need = world.need()
    lifecycle.set_need_status(world.session, need, "done")
    lifecycle.set_need_status(world.session, need, "open")
    assert need.status == "open"
    assert lifecycle.manual_need_statuses(need) == ["done", "cancelled"]
