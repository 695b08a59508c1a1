"""dispatch's and sms/'s errors and skip reasons carry message ids: the API keeps its English,
a page words them in Indonesian (stored codes as words), on both databases."""

import marshmallow as ma
import pytest

from resilience.core.errors import Conflict, Message, ValidationFailed
from resilience.dispatch.models import Task
from resilience.dispatch.operations import confirm, reassign
from resilience.dispatch.schemas import TaskPatchSchema
from resilience.events.operations import get_event
from resilience.needs.models import Need
from resilience.volunteers.models import Volunteer
from resilience.web.i18n import message_text
from tests import factories

NEAR = {"lat": -1.6346, "lon": 113.6858}


def _indonesian(app, message) -> str:
    assert isinstance(message, Message), message
    with app.test_request_context():  # no language chosen: a page in Bahasa Indonesia
        return message_text(message)


def test_confirm_skip_reasons_are_worded_by_a_page(app):
    event = factories.event()
    needs = [factories.need(event, factories.household(nik=None, kk_number=None, location=NEAR, head_name=f"KK {i}"),
                            "food") for i in range(3)]
    opted = factories.volunteer(name="Berhenti", skills=["cooking"])
    busy = factories.volunteer(name="Sibuk", skills=["cooking"])
    full = factories.volunteer(name="Penuh", skills=["cooking"], capacity=1)
    tasks = [factories.task(event, needs[0], opted), factories.task(event, needs[1], busy),
             factories.task(event, needs[2], full)]
    held = factories.task(event, factories.need(event, factories.household(nik=None, kk_number=None, location=NEAR,
                                                                           head_name="KK x"), "food"),
                          full, offer=True)
    with factories.writing() as session:
        session.get(Volunteer, opted.id).sms_opt_out = True
        session.get(Volunteer, busy.id).availability = "busy"
        result = confirm(session, get_event(session, event.id), [t.id for t in tasks] + [held.id, 99999])
        reasons = {s["task_id"]: s["reason"] for s in result.skipped}
    assert result.offered == []
    expected = {
        tasks[0].id: ("volunteer opted out of SMS", "Relawan sudah berhenti menerima SMS."),
        tasks[1].id: ("volunteer is busy", "Relawan berstatus sibuk."),
        tasks[2].id: ("volunteer has no capacity left", "Kapasitas relawan sudah penuh."),
        held.id: ("task is offered, not proposed", "Tugas berstatus ditawarkan, bukan diusulkan."),
        99999: ("no such task in this event", "Tugas ini tidak ada dalam kejadian ini."),
    }
    assert {task_id: (str(reason), _indonesian(app, reason)) for task_id, reason in reasons.items()} == expected


def test_a_need_no_longer_open_is_named_with_its_status(app):
    event = factories.event()
    need = factories.need(event, factories.household(nik=None, kk_number=None, location=NEAR), "food")
    task = factories.task(event, need, factories.volunteer(name="Satu", skills=["cooking"]))
    with factories.writing() as session:
        session.get(Need, need.id).status = "cancelled"  # as if cancelled meanwhile
    with factories.writing() as session:
        [skipped] = confirm(session, get_event(session, event.id), [task.id]).skipped
    reason = skipped["reason"]
    assert str(reason) == f"need {need.id} is cancelled"
    worded = _indonesian(app, reason)
    assert worded.startswith(f"Kebutuhan #{need.id} berstatus ") and "cancelled" not in worded


def test_reassign_errors_are_worded_by_a_page(app):
    event = factories.event()
    evac = factories.need(event, factories.household(nik=None, kk_number=None, location=NEAR), "evacuation")
    boat = factories.volunteer(name="Pak Perahu", skills=["boat"])
    cook = factories.volunteer(name="Bu Dapur", skills=["cooking"])
    task = factories.task(event, evac, boat)
    cases = [
        (boat.id, ValidationFailed, "the task already belongs to this volunteer", "Tugas ini sudah dipegang relawan tersebut."),
        (cook.id, ValidationFailed, "Bu Dapur lacks the skill boat that a evacuation need requires",
         "Bu Dapur tidak punya keahlian perahu yang dibutuhkan untuk kebutuhan evakuasi."),
        (999_999, ValidationFailed, "no volunteer with id 999999", None),
    ]
    for volunteer_id, kind, english, indonesian in cases:
        with pytest.raises(kind) as raised, factories.writing() as session:
            reassign(session, session.get(Task, task.id), volunteer_id)
        message = raised.value.errors[0]["message"]
        assert str(message) == english
        worded = _indonesian(app, message)
        assert worded != english and "need" not in worded
        if indonesian:
            assert worded == indonesian
    with factories.writing() as session:
        session.get(Task, task.id).status = "done"
    with pytest.raises(Conflict) as raised, factories.writing() as session:
        reassign(session, session.get(Task, task.id), cook.id)
    assert raised.value.detail == (f"task {task.code} is done; only proposed, offered or accepted tasks "
                                   "can be reassigned")
    assert _indonesian(app, raised.value.detail).startswith(f"Tugas {task.code} berstatus selesai; hanya")


def test_task_patch_schema_and_simulator_errors_carry_ids(app, coordinator):
    with pytest.raises(ma.ValidationError) as refused:
        TaskPatchSchema().load({})
    [message] = refused.value.messages["_schema"]
    assert _indonesian(app, message) == "Pilih salah satu: batalkan tugas, tandai selesai, atau alihkan ke relawan lain."
    # a number that is no volunteer's is simulated too (a resident's TOLONG): stored for the inbox,
    # never answered
    response = coordinator.post("/api/v1/sms/simulate", json={"from": "+6281399999999", "body": "YA"})
    assert response.status_code in (200, 201) and response.get_json()["replies"] == []
    assert response.get_json()["inbound"]["needs_attention"] is True
