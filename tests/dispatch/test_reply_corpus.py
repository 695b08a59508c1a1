"""The reply corpus (tests/dispatch/reply_corpus.py) through the real inbound path, on both
databases: each SMS is stored by ``sms.inbox.receive`` (as the Twilio webhook and the simulator
store one), processed after the commit by the ``INBOUND_RECEIVED`` hook, and must make exactly
its labelled state change (or none), mark the message for attention exactly when labelled
``inbox``, keep a decline's reason, and answer with the labelled kind of SMS."""

from __future__ import annotations

import re

import pytest
from geoalchemy2.elements import WKTElement
from sqlalchemy import select

from resilience.core.db import utcnow
from resilience.dispatch import lifecycle
from resilience.dispatch import messages as t
from resilience.dispatch.models import Task
from resilience.dispatch.replies import parse
from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.households.models import Household
from resilience.sms.inbox import receive
from resilience.sms.models import SmsMessage
from resilience.volunteers.models import Volunteer
from tests import factories
from tests.dispatch.reply_corpus import CORPUS, WORLDS, Case

STRANGER = "+6281999999999"
TASK_NAMES = ("T", "U")


def _point(lat: float, lon: float) -> WKTElement:
    return WKTElement(f"POINT({lon} {lat})", srid=4326)


def _offered(session, event, volunteer) -> int:
    household = Household(head_name="Siti Aminah", address="Jl. Mungku Baru RT 02", landmark="dekat masjid",
                          location=_point(-1.6346, 113.6858), members=5, elderly=1)
    session.add(household)
    session.flush()
    need = lifecycle.new_need(event_id=event.id, household_id=household.id, category="evacuation", priority=4,
                              derived_priority=4)
    need.household, need.event = household, event
    session.add(need)
    session.flush()
    task = lifecycle.propose(session, need, volunteer, 650.0, "nearest", None, None)
    session.flush()
    lifecycle.offer(session, task)
    return task.id


def _world(world: str) -> tuple[str, dict[str, int]]:
    """The sender's phone and their tasks' ids by name, as ``world`` describes (reply_corpus),
    built in one transaction through the lifecycle."""
    assert world in WORLDS
    if world == "stranger":
        return STRANGER, {}
    phone, tasks = "+6281345600001", {}
    with factories.writing() as session:
        event = FloodEvent(name="Banjir Rungan", started_at=utcnow(), status="active", offer_timeout_minutes=20)
        volunteer = Volunteer(name="Budi Santoso", phone=phone, skills=["boat", "first_aid"],
                              location=_point(-1.64, 113.69), capacity=3)
        session.add_all([event, volunteer])
        if world == "offer+spare":
            session.add(Volunteer(name="Sari", phone="+6281345600002", skills=["boat", "first_aid"],
                                  location=_point(-1.645, 113.69), capacity=3))
        session.flush()
        if world != "idle":
            tasks["T"] = _offered(session, event, volunteer)
        if world in ("accepted+offer", "two offers"):
            tasks["U"] = _offered(session, event, volunteer)
        if world in ("accepted", "accepted+offer"):
            lifecycle.accept(session, session.get(Task, tasks["T"]))
        if world == "expired":
            lifecycle.expire(session, session.get(Task, tasks["T"]))
        if world == "declined":
            lifecycle.decline(session, session.get(Task, tasks["T"]), reason="motor mogok")
    return phone, tasks


def _body(case: Case, codes: dict[str, str]) -> str:
    values = {"T": "", "U": "", **codes}
    return case.body.format(t=values["T"].lower(), n=values["T"][1:], **values)


def _expected(answer: str, codes: dict[str, str], live: list[Task], body: str) -> str:
    """The answer of a kind whose text follows from the sender's tasks after the reply."""
    kind, _, names = answer.partition(" ")
    if kind == "forwarded":
        return t.forwarded([(task.code, task.status) for task in live])
    if kind == "status":
        return t.status_list([(task.code, task.status, task.need.category) for task in live])
    if kind == "ambiguous":
        return t.ambiguous([codes[name] for name in names.split()])
    if kind == "backing":
        return t.backing_out(codes[names.split()[-1]])
    if kind == "unknown":
        return t.unknown_code(re.search(r"T\d+", body).group())
    return {"no tasks": t.no_open_tasks, "opted out": t.opted_out, "opted in": t.opted_in,
            "help requested": t.help_requested}[answer]()


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c.world}: {c.body}" for c in CORPUS])
def test_reply(app, case: Case):
    phone, ids = _world(case.world)
    codes = {name: f"T{task_id}" for name, task_id in ids.items()}
    body = _body(case, codes)
    with factories.writing("system:test") as session:
        message_id = receive(session, phone, body).id
    # the commit processed it (inbox.receive → process_inbound → INBOUND_RECEIVED)

    session = db.session
    session.rollback()
    inbound = session.get(SmsMessage, message_id)
    tasks = {name: session.get(Task, task_id) for name, task_id in ids.items()}
    volunteer = session.scalar(select(Volunteer).where(Volunteer.phone_is(phone)))
    live = list(session.scalars(select(Task).where(Task.volunteer_id == volunteer.id,
                                                   Task.status.in_(("offered", "accepted")))
                                .order_by(Task.id))) if volunteer else []
    replies = [m.body for m in session.scalars(
        select(SmsMessage).where(SmsMessage.id > message_id, SmsMessage.direction == "outbound",
                                 SmsMessage.phone_is(phone)).order_by(SmsMessage.id))]

    # the state change, and nothing else
    before = {"offer": {"T": "offered"}, "offer+spare": {"T": "offered"}, "accepted": {"T": "accepted"},
              "accepted+offer": {"T": "accepted", "U": "offered"}, "two offers": {"T": "offered", "U": "offered"},
              "expired": {"T": "expired"}, "declined": {"T": "declined"}}.get(case.world, {})
    wanted = dict(before)
    if case.change not in ("inbox", "-"):
        name, status = case.change.split()
        wanted[name] = status
    assert {name: task.status for name, task in tasks.items()} == wanted, body
    assert inbound.needs_attention is (case.change == "inbox"), body

    # the reason of a decline
    if case.change.endswith("declined"):
        assert tasks[case.change.split()[0]].decline_reason == case.reason
    else:
        assert not case.reason
        assert all(task.decline_reason == ("motor mogok" if case.world == "declined" else "")
                   for task in tasks.values())
    if case.answer == "opted out":
        assert volunteer.sms_opt_out is True

    # the answer
    kind = case.answer.split()[0]
    if kind == "none":
        assert replies == []
        return
    [answer] = replies
    assert re.fullmatch(r"[\x20-\x7e]+", answer) and len(answer) <= 306, answer  # GSM-7, two parts
    if kind == "accepted":
        code = codes[case.change.split()[0]]
        assert answer.startswith(f"Terima kasih, tugas {code} sudah tercatat untuk Anda.")
        assert answer.endswith(f"Setelah selesai, balas SELESAI {code}.")
    elif kind == "declined":
        code = codes[case.change.split()[0]]
        assert answer == t.declined(code, reoffered=case.answer == "declined")
    elif kind == "done":
        assert answer == t.done(codes[case.change.split()[0]])
    elif kind == "state":
        name = case.answer.split()[1]
        assert answer == t.task_state(codes[name], tasks[name].status)
    else:
        assert answer == _expected(case.answer, codes, live, body), body


def test_the_corpus_is_large_and_varied():
    assert len(CORPUS) >= 60
    assert len({c.body for c in CORPUS}) >= 60
    assert {c.world for c in CORPUS} == set(WORLDS)
    changes = {c.change for c in CORPUS}
    assert {"T accepted", "U accepted", "T declined", "U declined", "T done", "inbox", "-"} <= changes
    free_text = [c for c in CORPUS if c.change == "inbox" and c.answer == "forwarded"]
    assert len(free_text) >= 20
    # free text that starts with, or contains, a keyword: the cases issue 13 is about
    assert sum(parse(c.body.format(T="T1", U="T2", t="t1", n="1")).command == "unknown"
               and bool(re.match(r"(?i)\W*(ya|ok|oke|siap|sudah|selesai|tidak|gak|terima|berhenti|cancel)\b", c.body))
               for c in free_text) >= 10
    assert sum(bool(c.reason) for c in CORPUS) >= 6
