"""The task board's reads and the coordinator's own changes (dispatch.queries.board_page,
reassign_choices; operations.done_on_behalf, cancel with a note, reoffer) and the API's PATCH
for them; on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from resilience.core.errors import Conflict, ValidationFailed
from resilience.dispatch import lifecycle, operations, queries
from resilience.dispatch.models import Task
from resilience.sms.models import SmsMessage
from tests import factories

BUKIT_SUA = {"lat": -1.6794, "lon": 113.67}


def _move(task_id: int, *steps: str) -> None:
    with factories.writing() as session:
        task = session.get(Task, task_id)
        for step in steps:
            getattr(lifecycle, step)(session, task)


@pytest.fixture
def world(app):
    event = factories.event()
    siti = factories.household()
    rina = factories.household(head_name="Rina Marlina", nik="6271054507800002", kk_number="6271050101090004",
                               phone="0812-3456-7891", location=BUKIT_SUA)
    youth = factories.group()
    andi = factories.volunteer(name="Andi Pratama", group_id=youth.id, skills=["boat"], capacity=3)
    sari = factories.volunteer(name="Sari Wulandari", skills=["cooking"], capacity=3)
    far = factories.volunteer(name="Rudi Jauh", skills=["boat"], location={"lat": -1.60, "lon": 113.74})
    near = factories.volunteer(name="Dedi Dekat", skills=["boat"], location={"lat": -1.6347, "lon": 113.6859})
    busy = factories.volunteer(name="Bayu Sibuk", skills=["boat"], availability="busy",
                               location={"lat": -1.6346, "lon": 113.6858})
    evac = factories.need(event, siti, "evacuation", priority=5, priority_reason="rumah terendam")
    food = factories.need(event, rina, "food", priority=2, priority_reason="stok cukup")
    t1 = factories.task(event, evac, andi, offer=True)
    t2 = factories.task(event, food, sari, offer=True)
    _move(t2.id, "accept")
    return {"event": event, "t1": t1, "t2": t2, "andi": andi, "sari": sari, "far": far, "near": near,
            "busy": busy, "youth": youth}


def test_board_page_filters_counts_and_pages(world, db_session):
    from resilience.areas.models import AdminArea

    e = world["event"].id
    t1, t2 = world["t1"].id, world["t2"].id

    def ids(**filters):
        rows, total = queries.board_page(db_session, e, filters, 1, 50)
        assert total == len(rows)
        return [r.task.id for r in rows]

    rows, total = queries.board_page(db_session, e, {}, 1, 50)
    assert total == 2 and [r.task.id for r in rows] == [t2, t1]
    first = rows[1]
    assert (first.category, first.priority, first.kelurahan, first.volunteer, first.group) == (
        "evacuation", 5, "Mungku Baru", "Andi Pratama", "Karang Taruna Mungku Baru")
    assert rows[0].group is None and rows[0].kelurahan == "Bukit Sua"
    assert first.state_since == first.task.offered_at and rows[0].state_since == rows[0].task.accepted_at
    assert ids(state="accepted") == [t2]
    assert ids(category="evacuation", priority=5) == [t1]
    assert ids(priority=4) == []
    bukit_sua = db_session.scalar(select(AdminArea.id).where(AdminArea.code == "62.71.05.1007"))
    assert ids(kelurahan=bukit_sua) == [t2]
    assert ids(group=world["youth"].id) == [t1]
    assert ids(volunteer=world["sari"].id) == [t2]
    second, total = queries.board_page(db_session, e, {}, 2, 1)
    assert total == 2 and [r.task.id for r in second] == [t1]
    assert queries.board_page(db_session, e + 1, {}, 1, 50) == ([], 0)
    choices = queries.board_choices(db_session, e)
    assert [name for _id, name in choices["kelurahan"]] == ["Bukit Sua", "Mungku Baru"]
    assert [name for _id, name in choices["volunteer"]] == ["Andi Pratama", "Sari Wulandari"]
    assert [name for _id, name in choices["group"]] == ["Karang Taruna Mungku Baru"]


def test_reassign_choices_are_the_nearest_able_volunteers(world, db_session):
    tasks = db_session.scalars(select(Task).order_by(Task.id)).all()
    choices = queries.reassign_choices(db_session, tasks)
    evac = [(v.name, round(d)) for v, d in choices[world["t1"].id]]
    # boat only, not the task's own volunteer, not the busy one; nearest first
    assert [name for name, _ in evac] == ["Dedi Dekat", "Rudi Jauh"]
    assert evac[0][1] < 20 < evac[1][1]
    food = [v.name for v, _ in choices[world["t2"].id]]
    assert "Sari Wulandari" not in food and "Andi Pratama" in food and "Bayu Sibuk" not in food
    # one who declined the need is not offered it again
    _move(world["t1"].id, "decline")
    db_session.rollback()
    assert world["t1"].id not in queries.reassign_choices(db_session, db_session.scalars(select(Task)).all())


def test_done_on_behalf_needs_an_accepted_task_and_a_reason(world, db_session):
    with factories.writing() as session:
        with pytest.raises(ValidationFailed):
            operations.done_on_behalf(session, session.get(Task, world["t2"].id), " ")
        with pytest.raises(Conflict):
            operations.done_on_behalf(session, session.get(Task, world["t1"].id), "sudah dievakuasi")
        task = operations.done_on_behalf(session, session.get(Task, world["t2"].id), "lapor lewat telepon")
        assert task.status == "done" and task.need.status == "done" and task.coordinator_note == "lapor lewat telepon"
    db_session.rollback()
    sms = db_session.scalars(select(SmsMessage).where(SmsMessage.task_id == world["t2"].id).order_by(SmsMessage.id)).all()
    assert [m.kind for m in sms] == ["offer", "done_on_behalf"]
    assert sms[-1].body.startswith(f"Koordinator telah mencatat tugas T{world['t2'].id} selesai")
    assert "lapor" not in sms[-1].body  # the reason stays with the coordinator


def test_reoffer_only_an_open_need_without_a_live_task(world, db_session):
    with factories.writing() as session:
        with pytest.raises(Conflict):
            operations.reoffer(session, session.get(Task, world["t1"].id))  # still offered
    _move(world["t1"].id, "expire")
    with factories.writing() as session:
        new = operations.reoffer(session, session.get(Task, world["t1"].id))
        assert new is not None and new.status == "offered" and new.volunteer.name == "Dedi Dekat"
        with pytest.raises(Conflict):
            operations.reoffer(session, session.get(Task, world["t1"].id))  # the need is assigned again


# --------------------------------------------------------------------------- the API
def test_api_patch_done_on_behalf(world, coordinator, official):
    t1, t2 = world["t1"].id, world["t2"].id
    missing = coordinator.patch(f"/api/v1/tasks/{t2}", json={"status": "done"})
    assert missing.status_code == 422 and missing.mimetype == "application/problem+json"
    assert [e["field"] for e in missing.get_json()["errors"]] == ["note"]
    assert official.patch(f"/api/v1/tasks/{t2}", json={"status": "done", "note": "x"}).status_code == 403
    offered = coordinator.patch(f"/api/v1/tasks/{t1}", json={"status": "done", "note": "sudah"})
    assert offered.status_code == 409 and offered.mimetype == "application/problem+json"
    both = coordinator.patch(f"/api/v1/tasks/{t1}", json={"volunteer_id": world["near"].id, "note": "x"})
    assert both.status_code == 422
    done = coordinator.patch(f"/api/v1/tasks/{t2}", json={"status": "done", "note": "lapor lewat telepon"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["status"] == "done" and body["done_at"] and body["coordinator_note"] == "lapor lewat telepon"
    assert official.get(f"/api/v1/tasks/{t2}").get_json()["coordinator_note"] is None  # a note is personal
    cancelled = coordinator.patch(f"/api/v1/tasks/{t1}", json={"status": "cancelled", "note": "air surut"}).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["coordinator_note"] == "air surut"
    spec = coordinator.get("/api/openapi.json").get_json()
    patch = spec["components"]["schemas"]["TaskPatch"]["properties"]
    assert "done" in patch["status"]["enum"] and "note" in patch

