"""The task board: every task of an event with its state, need, kelurahan, volunteer and group,
filters (an unknown or bad one is an error), the polled rows, the coordinator's actions
(cancel, reassign, re-offer, done on the volunteer's behalf) through dispatch, the SMS each
queues, officials kept out."""

from __future__ import annotations

from resilience.audit.sealing import staff_view

import re

import pytest
from sqlalchemy import select

from tests import factories

BUKIT_SUA = {"lat": -1.6794, "lon": 113.67}  # kelurahan 62.71.05.1007


def _codes(html: str) -> list[str]:
    return re.findall(r'<tr id="task-\d+" data-task="\d+" data-status="\w+">\s*<th scope="row">(T\d+)</th>', html)


def _move(task_id: int, *steps: str, reason: str = "") -> None:
    from resilience.dispatch import lifecycle
    from resilience.dispatch.models import Task

    with factories.writing() as session:
        task = session.get(Task, task_id)
        for step in steps:
            getattr(lifecycle, step)(session, task)
        if reason:
            task.decline_reason = reason


def _task(task_id: int):
    from resilience.dispatch.models import Task
    from resilience.extensions import db

    db.session.rollback()
    return db.session.get(Task, task_id)


def _sms_kinds(task_id: int) -> list[str]:
    from resilience.extensions import db
    from resilience.sms.models import SmsMessage

    db.session.rollback()
    return list(db.session.scalars(select(SmsMessage.kind).where(SmsMessage.task_id == task_id).order_by(SmsMessage.id)))


@pytest.fixture
def board(app):
    """Three tasks in one event: an offered evacuation in Mungku Baru (Andi, Karang Taruna), an
    accepted food task in Bukit Sua (Sari, no group), a declined medical task (Andi) whose need
    is open again; Rudi is a free boat volunteer near Mungku Baru."""
    event = factories.event()
    siti = factories.household()
    rina = factories.household(head_name="Rina Marlina", nik="6271054507800002", kk_number="6271050101090004",
                               phone="0812-3456-7891", location=BUKIT_SUA)
    youth = factories.group()
    andi = factories.volunteer(name="Andi Pratama", group_id=youth.id, skills=["boat", "first_aid"], capacity=3)
    sari = factories.volunteer(name="Sari Wulandari", skills=["cooking"])
    rudi = factories.volunteer(name="Rudi Hartono", skills=["boat", "first_aid"], location={"lat": -1.636, "lon": 113.687})
    evac = factories.need(event, siti, "evacuation", priority=5, priority_reason="rumah terendam")
    food = factories.need(event, rina, "food", priority=2, priority_reason="stok cukup")
    medical = factories.need(event, rina, "medical", priority=4, priority_reason="demam")
    t1 = factories.task(event, evac, andi, offer=True)
    t2 = factories.task(event, food, sari, offer=True)
    _move(t2.id, "accept")
    t3 = factories.task(event, medical, andi, offer=True)
    _move(t3.id, "decline", reason="motor mogok")
    return {"event": event, "t1": t1, "t2": t2, "t3": t3, "andi": andi, "sari": sari, "rudi": rudi,
            "youth": youth, "siti": siti, "rina": rina}


def _kelurahan_id(code: str) -> int:
    from resilience.areas.models import AdminArea
    from resilience.extensions import db

    return db.session.scalar(select(AdminArea.id).where(AdminArea.code == code))


def test_board_lists_every_task_with_its_words_and_no_household_name(web_coordinator, board):
    response = web_coordinator.get(f"/events/{board['event'].id}/board")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    t1, t2, t3 = (board[k].id for k in ("t1", "t2", "t3"))
    assert _codes(html) == [f"T{t3}", f"T{t2}", f"T{t1}"]  # newest first
    assert "3 tugas" in html
    assert "ditawarkan" in html and "diterima" in html and "ditolak" in html
    assert "Mungku Baru" in html and "Bukit Sua" in html and "Karang Taruna Mungku Baru" in html
    assert "“motor mogok”" in html
    assert re.search(r"\d+ menit", html), "time in state in Indonesian"
    assert "Siti Aminah" not in html and "Rina Marlina" not in html and "dekat masjid" not in html
    # the rows endpoint the page polls answers the same table
    rows = web_coordinator.get(f"/events/{board['event'].id}/board/rows").get_data(as_text=True)
    assert _codes(rows) == _codes(html) and "<html" not in rows


def test_board_filters(web_coordinator, board):
    e = board["event"].id
    t1, t2, t3 = (f"T{board[k].id}" for k in ("t1", "t2", "t3"))

    def codes(query):
        response = web_coordinator.get(f"/events/{e}/board?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return _codes(response.get_data(as_text=True))

    assert codes("state=accepted") == [t2]
    assert codes("state=offered&category=evacuation") == [t1]
    assert codes("category=food") == [t2]
    assert codes("priority=4") == [t3]
    assert codes(f"kelurahan={_kelurahan_id('62.71.05.1007')}") == [t3, t2]
    assert codes(f"group={board['youth'].id}") == [t3, t1]
    assert codes(f"volunteer={board['sari'].id}") == [t2]
    assert codes("state=done") == []
    assert codes("state=&category=") == [t3, t2, t1]  # "all" in a select is no filter
    rows = web_coordinator.get(f"/events/{e}/board/rows?volunteer={board['andi'].id}&state=declined")
    assert _codes(rows.get_data(as_text=True)) == [t3]


@pytest.mark.parametrize("query, named", [("colour=red", "colour"), ("state=flying", "Status"),
                                          ("priority=9", "Prioritas"), ("kelurahan=abc", "Kelurahan")])
def test_a_bad_filter_is_an_error_not_ignored(web_coordinator, board, query, named):
    for path in ("board", "board/rows"):
        response = web_coordinator.get(f"/events/{board['event'].id}/{path}?{query}")
        assert response.status_code == 422
        assert _codes(response.get_data(as_text=True)) == []
    page = web_coordinator.get(f"/events/{board['event'].id}/board?{query}").get_data(as_text=True)
    summary = page.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert re.search(rf'<a href="#(f-{query.split("=")[0]}|board-filters)">{named}</a>: \S', summary), summary


def test_board_pages(web_coordinator, app, board):
    import resilience.web.board as board_module

    original = board_module.BOARD_PER_PAGE
    board_module.BOARD_PER_PAGE = 2
    try:
        first = web_coordinator.get(f"/events/{board['event'].id}/board").get_data(as_text=True)
        second = web_coordinator.get(f"/events/{board['event'].id}/board?page=2").get_data(as_text=True)
    finally:
        board_module.BOARD_PER_PAGE = original
    assert len(_codes(first)) == 2 and _codes(second) == [f"T{board['t1'].id}"]
    assert f"/events/{board['event'].id}/board?page=2" in first


def test_officials_are_kept_out(web_official, board):
    e, t = board["event"].id, board["t1"].id
    for path in (f"/events/{e}/board", f"/events/{e}/board/rows", f"/events/{e}/edit", "/board"):
        assert web_official.get(path).status_code == 403
    for action in ("cancel", "reassign", "reoffer", "done"):
        assert web_official.post(f"/events/{e}/board/tasks/{t}/{action}", {"note": "x"}).status_code == 403
    assert _task(t).status == "offered"


def test_the_menu_leads_to_the_newest_active_board(web_coordinator, board):
    response = web_coordinator.get("/board")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{board['event'].id}/board")
    page = web_coordinator.get(f"/events/{board['event'].id}").get_data(as_text=True)
    assert f'href="/events/{board["event"].id}/board"' in page and 'href="/board"' in page


# --------------------------------------------------------------------------- actions
def test_cancel_with_a_reason_tells_the_volunteer(web_coordinator, board):
    e, t1 = board["event"].id, board["t1"].id
    back = f"/events/{e}/board?state=offered"
    response = web_coordinator.post(f"/events/{e}/board/tasks/{t1}/cancel", {"note": " air sudah surut ", "next": back})
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    task = _task(t1)
    assert task.status == "cancelled" and task.coordinator_note == "air sudah surut"
    assert task.need.status == "open"
    assert _sms_kinds(t1) == ["offer", "cancellation"]
    from resilience.audit.models import AuditEntry
    from resilience.extensions import db

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "task", AuditEntry.entity_id == t1)
                                 .order_by(AuditEntry.seq)).all()
    assert entries[-1].action == "task.cancelled"
    # the note is the coordinator's free text: sealed in the hashed payload, open to staff only
    assert set(entries[-1].payload["coordinator_note"]) == {"sealed"}
    assert staff_view(entries[-1])["personal"]["coordinator_note"] == ["", "air sudah surut"]


def test_reassign_to_a_nearest_volunteer_with_the_skill(web_coordinator, board):
    e, t1 = board["event"].id, board["t1"].id
    html = web_coordinator.get(f"/events/{e}/board").get_data(as_text=True)
    form = html.split(f'id="reassign-{t1}"', 1)[1].split("</select>", 1)[0]
    assert "Rudi Hartono" in form and "Sari Wulandari" not in form  # Sari has no boat
    assert re.search(r"Rudi Hartono \(\d+ m\)", form)
    web_coordinator.post(f"/events/{e}/board/tasks/{t1}/reassign", {"volunteer_id": board["rudi"].id})
    old = _task(t1)
    assert old.status == "cancelled"
    from resilience.dispatch.models import Task
    from resilience.extensions import db

    new = db.session.scalars(select(Task).where(Task.need_id == old.need_id, Task.id != t1)).one()
    assert new.volunteer_id == board["rudi"].id and new.status == "offered"
    assert _sms_kinds(t1) == ["offer", "cancellation"] and _sms_kinds(new.id) == ["offer"]


def test_reassign_refused_changes_nothing(web_coordinator, board):
    e, t1 = board["event"].id, board["t1"].id
    response = web_coordinator.post(f"/events/{e}/board/tasks/{t1}/reassign", {"volunteer_id": board["sari"].id})
    assert response.status_code == 302
    assert _task(t1).status == "offered"
    page = web_coordinator.get(f"/events/{e}/board").get_data(as_text=True)
    assert "flash-error" in page and "Sari Wulandari" in page


def test_reoffer_a_declined_task_to_the_next_best_volunteer(web_coordinator, board):
    e, t3 = board["event"].id, board["t3"].id
    html = web_coordinator.get(f"/events/{e}/board").get_data(as_text=True)
    assert f"/board/tasks/{t3}/reoffer" in html and f"/board/tasks/{board['t1'].id}/reoffer" not in html
    web_coordinator.post(f"/events/{e}/board/tasks/{t3}/reoffer")
    from resilience.dispatch.models import Task
    from resilience.extensions import db

    old = _task(t3)
    new = db.session.scalars(select(Task).where(Task.need_id == old.need_id, Task.id != t3)).one()
    assert new.volunteer_id == board["rudi"].id and new.status == "offered"  # Andi declined it
    assert old.need.status == "assigned"
    need_id, new_id = old.need_id, new.id
    assert _sms_kinds(new_id) == ["offer"]
    # twice is refused: the need is no longer open
    web_coordinator.post(f"/events/{e}/board/tasks/{t3}/reoffer")
    db.session.rollback()
    assert db.session.scalar(select(Task.id).where(Task.need_id == need_id).order_by(Task.id.desc())) == new_id


def test_done_on_behalf_needs_a_reason_and_is_audited_and_told(web_coordinator, board):
    from resilience.audit.models import AuditEntry
    from resilience.extensions import db

    e, t2 = board["event"].id, board["t2"].id
    web_coordinator.post(f"/events/{e}/board/tasks/{t2}/done", {"note": "  "})
    assert _task(t2).status == "accepted" and _sms_kinds(t2) == ["offer"]
    web_coordinator.post(f"/events/{e}/board/tasks/{t2}/done", {"note": "relawan lapor lewat telepon, HP mati"})
    task = _task(t2)
    assert task.status == "done" and task.need.status == "done"
    assert task.coordinator_note == "relawan lapor lewat telepon, HP mati"
    assert _sms_kinds(t2) == ["offer", "done_on_behalf"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "task", AuditEntry.entity_id == t2,
                                                        AuditEntry.action == "task.done")).one()
    assert entry.actor == "coordinator:koordinator.web@posko.test"
    assert set(entry.payload["coordinator_note"]) == {"sealed"}
    assert staff_view(entry)["personal"]["coordinator_note"] == ["", "relawan lapor lewat telepon, HP mati"]
    # an offered task cannot be marked done on behalf
    web_coordinator.post(f"/events/{e}/board/tasks/{board['t1'].id}/done", {"note": "x"})
    assert _task(board["t1"].id).status == "offered"


def test_an_action_on_another_events_task_is_not_found(web_coordinator, board):
    other = factories.event(name="Banjir lain")
    assert web_coordinator.post(f"/events/{other.id}/board/tasks/{board['t1'].id}/cancel").status_code == 404
    assert _task(board["t1"].id).status == "offered"


def test_check_in_steps_show_on_the_board(web_coordinator, board):
    from datetime import timedelta

    from resilience.core.db import utcnow
    from resilience.dispatch.models import Task

    with factories.writing() as session:
        task = session.get(Task, board["t2"].id)
        task.checkin_asked_at = utcnow() - timedelta(minutes=20)
        task.checkin_help_at = utcnow() - timedelta(minutes=5)
    html = web_coordinator.get(f"/events/{board['event'].id}/board").get_data(as_text=True)
    row = html.split(f'id="task-{board["t2"].id}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="checkin checkin-help"' in row and "minta bantuan" in row
    other = html.split(f'id="task-{board["t1"].id}"', 1)[1].split("</tr>", 1)[0]
    assert "checkin" not in other
