"""The SMS inbox page: listing and filters, the quick actions (apply a reply as a command,
answer, mark handled, resend a failed SMS), on both databases; officials are refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from resilience.audit.models import AuditEntry
from resilience.dispatch.models import Task
from resilience.extensions import db
from resilience.sms.models import SmsMessage
from tests import factories

UNKNOWN_PHONE = "+6281299990123"


def _sms(**columns) -> int:
    """A stored SMS (as the inbox or the sender would have left it)."""
    columns.setdefault("kind", "reply")
    columns.setdefault("encoding", "GSM-7")
    columns.setdefault("segments", 1)
    with factories.writing() as session:
        message = SmsMessage(**columns)
        session.add(message)
        session.flush()
        return message.id


def _inbound(volunteer, body, attention=True) -> int:
    return _sms(direction="inbound", phone=volunteer.phone if volunteer else UNKNOWN_PHONE, body=body,
                status="received", needs_attention=attention, volunteer_id=volunteer.id if volunteer else None)


def _offered(event=None, name="Budi Santoso"):
    event = event or factories.event()
    household = factories.household(nik=None, landmark="dekat masjid")
    need = factories.need(event, household, "food")
    volunteer = factories.volunteer(name=name, skills=["cooking"])
    task = factories.task(event, need, volunteer, offer=True)
    return event, volunteer, task


def _message(message_id) -> SmsMessage:
    db.session.rollback()
    message = db.session.get(SmsMessage, message_id)
    db.session.refresh(message)
    return message


def _task_status(task_id) -> str:
    db.session.rollback()
    return db.session.scalar(select(Task.status).where(Task.id == task_id))


def _outbound(phone, kind=None) -> list[SmsMessage]:
    db.session.rollback()
    query = select(SmsMessage).where(SmsMessage.direction == "outbound", SmsMessage.phone_is(phone))
    if kind:
        query = query.where(SmsMessage.kind == kind)
    return list(db.session.scalars(query.order_by(SmsMessage.id)))


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="sms-(\d+)"', page)]


def test_inbox_lists_what_needs_attention_newest_first_with_the_sender(web_coordinator):
    _event, volunteer, task = _offered()
    plain = _inbound(volunteer, f"YA {task.code}", attention=False)
    free = _inbound(volunteer, "oke siap meluncur")
    stranger = _inbound(None, "tolong pak air sudah masuk rumah")
    page = web_coordinator.get("/inbox").get_data(as_text=True)
    assert "Kotak masuk SMS" in page
    assert _ids(page) == [stranger, free]  # newest first; a reply the system acted on is not waiting
    assert "oke siap meluncur" in page and "Budi Santoso" in page
    assert "nomor tidak dikenal" in page and "+62812*****123" in page and UNKNOWN_PHONE not in page
    assert "Perlu ditindaklanjuti" in page
    everything = web_coordinator.get("/inbox?show=all").get_data(as_text=True)
    assert _ids(everything) == [stranger, free, plain]
    assert not any(m.kind == "offer" and m.id in _ids(everything) for m in _outbound(volunteer.phone))
    # the navigation counts what waits
    assert re.search(r'class="nav-count"[^>]*>2<', page)


def test_event_filter_keeps_its_volunteers_and_unknown_numbers(web_coordinator):
    first, volunteer_a, _ = _offered(name="Andi")
    _second, volunteer_b, _ = _offered(name="Bayu")
    a = _inbound(volunteer_a, "motor mogok pak")
    b = _inbound(volunteer_b, "perahu bocor")
    stranger = _inbound(None, "halo")
    page = web_coordinator.get(f"/inbox?event={first.id}").get_data(as_text=True)
    assert _ids(page) == [stranger, a] and b not in _ids(page)


def test_unknown_or_bad_query_parameters_are_refused(web_coordinator):
    for query, field in (("sort=name", "sort"), ("show=everything", "show"), ("event=abc", "event")):
        response = web_coordinator.get(f"/inbox?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Periksa isian" in page and field in page, query
        assert 'id="sms-' not in page


def test_officials_never_see_the_inbox(web_official, web_coordinator):
    _event, volunteer, task = _offered()
    message = _inbound(volunteer, "oke siap meluncur")
    assert web_official.get("/inbox").status_code == 403
    for action, data in (("handled", {}), ("resend", {}), ("answer", {"body": "baik"}),
                         ("apply", {"task_id": str(task.id), "command": "accept"})):
        assert web_official.post(f"/inbox/{message}/{action}", data).status_code == 403
    page = web_official.get("/events").get_data(as_text=True)
    assert "/inbox" not in page and "oke siap meluncur" not in page
    assert _message(message).handled_at is None and _task_status(task.id) == "offered"


def test_apply_a_free_text_reply_as_accept_changes_the_task_once(web_coordinator):
    _event, volunteer, task = _offered()
    message = _inbound(volunteer, "oke siap meluncur")
    web_coordinator.get("/inbox")
    response = web_coordinator.post(f"/inbox/{message}/apply?show=attention",
                                    {"task_id": str(task.id), "command": "accept"})
    assert response.status_code == 302 and "/inbox?show=attention" in response.headers["Location"]
    assert _task_status(task.id) == "accepted"
    confirmations = _outbound(volunteer.phone, "confirmation")
    assert len(confirmations) == 1 and f"SELESAI {task.code}" in confirmations[0].body  # as if they replied YA
    handled = _message(message)
    assert handled.handled_at is not None and handled.handled_by == "coordinator:koordinator.web@posko.test"
    accepted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "task.accepted")).all()
    assert [e.actor for e in accepted] == ["coordinator:koordinator.web@posko.test"]

    again = web_coordinator.post(f"/inbox/{message}/apply", {"task_id": str(task.id), "command": "accept"})
    assert again.status_code == 302
    assert "sudah ditangani" in web_coordinator.get("/inbox").get_data(as_text=True)
    assert _task_status(task.id) == "accepted" and len(_outbound(volunteer.phone, "confirmation")) == 1
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "task.accepted")).all()) == 1


def test_apply_refuses_a_command_the_task_cannot_take_and_changes_nothing(web_coordinator):
    _event, volunteer, task = _offered()
    _other_event, _other, foreign = _offered(name="Bayu")
    message = _inbound(volunteer, "sudah sampai, rumahnya kosong")
    web_coordinator.get("/inbox")
    web_coordinator.post(f"/inbox/{message}/apply", {"task_id": str(task.id), "command": "done"})
    page = web_coordinator.get("/inbox").get_data(as_text=True)
    assert f"{task.code} berstatus ditawarkan" in page
    web_coordinator.post(f"/inbox/{message}/apply", {"task_id": str(foreign.id), "command": "accept"})
    web_coordinator.post(f"/inbox/{message}/apply", {"task_id": str(task.id), "command": "shrug"})
    assert _task_status(task.id) == "offered" and _task_status(foreign.id) == "offered"
    assert _message(message).handled_at is None and _outbound(volunteer.phone, "confirmation") == []


def test_decline_applied_reoffers_like_a_reply(web_coordinator):
    event, volunteer, task = _offered()
    message = _inbound(volunteer, "Saya tidak bisa pak, perahu bocor")
    web_coordinator.get("/inbox")
    web_coordinator.post(f"/inbox/{message}/apply", {"task_id": str(task.id), "command": "decline"})
    assert _task_status(task.id) == "declined"
    [confirmation] = _outbound(volunteer.phone, "confirmation")
    assert task.code in confirmation.body


def test_answer_is_queued_within_two_segments_and_marks_the_message_handled(web_coordinator):
    _event, volunteer, _task = _offered()
    message = _inbound(volunteer, "pak, jalan ke sana banjir setinggi dada")
    page = web_coordinator.get("/inbox").get_data(as_text=True)
    assert 'maxlength="306"' in page
    too_long = web_coordinator.post(f"/inbox/{message}/answer", {"body": "x" * 307})
    assert too_long.status_code == 422
    page = too_long.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "segmen" in page
    assert _outbound(volunteer.phone, "coordinator") == [] and _message(message).handled_at is None
    web_coordinator.post(f"/inbox/{message}/answer", {"body": "Baik, tunggu di posko. Perahu datang 10 menit."})
    [sent] = _outbound(volunteer.phone, "coordinator")
    assert sent.body == "Baik, tunggu di posko. Perahu datang 10 menit." and sent.volunteer_id == volunteer.id
    assert _message(message).handled_at is not None
    web_coordinator.post(f"/inbox/{message}/answer", {"body": "lagi"})
    assert len(_outbound(volunteer.phone, "coordinator")) == 1


def test_mark_handled_takes_it_off_the_attention_list(web_coordinator):
    message = _inbound(None, "siapa ini?")
    web_coordinator.get("/inbox")
    assert web_coordinator.post(f"/inbox/{message}/handled", {}).status_code == 302
    page = web_coordinator.get("/inbox").get_data(as_text=True)
    assert message not in _ids(page) and "Tidak ada yang perlu ditindaklanjuti" in page
    assert message in _ids(web_coordinator.get("/inbox?show=all").get_data(as_text=True))
    inbox_link = re.search(r'<a href="/inbox"[^>]*>.*?</a>', page).group()
    assert "nav-count" not in inbox_link  # nothing waits: the menu shows no count


@pytest.mark.parametrize("code, words", [
    (30003, "tidak dapat dihubungi"), (30005, "tidak dikenal operator"), (21610, "MULAI"),
    (12345, "kesalahan 12345"),
])
def test_failed_sms_shows_the_reason_in_indonesian_and_is_resent_once(web_coordinator, code, words):
    _event, volunteer, task = _offered()
    [offer] = _outbound(volunteer.phone, "offer")
    offer_id, offer_body = offer.id, offer.body
    failed = _sms(direction="outbound", phone=volunteer.phone, body=offer_body, kind="offer", status="failed",
                  error_code=code, error_message=f"Twilio refused the message ({code})", attempts=1,
                  task_id=task.id, volunteer_id=volunteer.id)
    page = web_coordinator.get("/inbox?show=failed").get_data(as_text=True)
    assert _ids(page) == [failed] and words in page and "Tidak terkirim" in page
    response = web_coordinator.post(f"/inbox/{failed}/resend", {})
    assert response.status_code == 302
    page = web_coordinator.get("/inbox?show=failed").get_data(as_text=True)
    assert "dikirim ulang sebagai SMS baru" in page
    web_coordinator.post(f"/inbox/{failed}/resend", {})  # a second click sends nothing more
    copies = [(m.body, m.task_id, m.volunteer_id, m.status) for m in _outbound(volunteer.phone, "offer")
              if m.id not in (offer_id, failed)]
    # one copy, sent (the outbox "sends" at once when no worker thread runs)
    assert copies == [(offer_body, task.id, volunteer.id, "sent")]
    original = _message(failed)
    assert original.handled_at is not None and original.status == "failed"


def test_resend_is_refused_for_a_message_that_did_not_fail(web_coordinator):
    _event, volunteer, _task = _offered()
    [offer] = _outbound(volunteer.phone, "offer")
    offer_id = offer.id
    web_coordinator.get("/inbox")
    web_coordinator.post(f"/inbox/{offer_id}/resend", {})
    assert len(_outbound(volunteer.phone, "offer")) == 1
    assert "hanya SMS yang gagal" in web_coordinator.get("/inbox").get_data(as_text=True)


def test_match_page_shows_the_task_sms_going_out(web_coordinator, web_official):
    event, volunteer, task = _offered()
    progress = web_coordinator.get(f"/events/{event.id}/sms-progress.json").get_json()
    assert progress["sent"] == 1 and progress["queued"] == 0  # no worker thread: sent at once
    _sms(direction="outbound", phone=volunteer.phone, body="x", kind="offer", status="queued", task_id=task.id,
         volunteer_id=volunteer.id)
    progress = web_coordinator.get(f"/events/{event.id}/sms-progress.json").get_json()
    assert progress["queued"] == 1 and progress["sent"] == 1
    page = web_coordinator.get(f"/events/{event.id}/match").get_data(as_text=True)
    assert 'id="sms-progress"' in page and "SMS tugas" in page and "sms_progress.js" in page
    assert web_official.get(f"/events/{event.id}/sms-progress.json").status_code == 403
