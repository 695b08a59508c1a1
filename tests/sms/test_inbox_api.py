"""The inbox's actions in the API: mark handled, answer, resend, a free SMS to a volunteer, and
applying a reply to a task; problem+json errors, nothing stored on a refusal, officials refused."""

from __future__ import annotations

from tests import factories
from tests.web.test_inbox_pages import _inbound, _message, _offered, _outbound, _sms, _task_status

PROBLEM = "application/problem+json"


def test_mark_handled_once(coordinator):
    message = _inbound(None, "halo pak")
    response = coordinator.post(f"/api/v1/sms/{message}/handled")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["handled_at"] and body["handled_by"] == "coordinator:koordinator@posko.test"
    again = coordinator.post(f"/api/v1/sms/{message}/handled")
    assert again.status_code == 409 and again.mimetype == PROBLEM
    assert coordinator.post("/api/v1/sms/999/handled").status_code == 404


def test_answer_checks_the_length_and_sends_once(coordinator):
    _event, volunteer, _task = _offered()
    message = _inbound(volunteer, "jalan putus pak")
    too_long = coordinator.post(f"/api/v1/sms/{message}/answer", json={"body": "y" * 307})
    assert too_long.status_code == 422 and too_long.mimetype == PROBLEM
    assert [e["field"] for e in too_long.get_json()["errors"]] == ["body"]
    assert _outbound(volunteer.phone, "coordinator") == []
    sent = coordinator.post(f"/api/v1/sms/{message}/answer", json={"body": "Baik, lewat jalan lain."})
    assert sent.status_code == 201 and sent.get_json()["body"] == "Baik, lewat jalan lain."
    assert coordinator.post(f"/api/v1/sms/{message}/answer", json={"body": "lagi"}).status_code == 409
    assert len(_outbound(volunteer.phone, "coordinator")) == 1


def test_free_sms_to_a_volunteer(coordinator):
    volunteer = factories.volunteer(name="Sari")
    sent = coordinator.post("/api/v1/sms", json={"to": volunteer.id, "body": "Rapat relawan jam 7 di posko."})
    assert sent.status_code == 201 and sent.get_json()["kind"] == "coordinator"
    missing = coordinator.post("/api/v1/sms", json={"to": 9999, "body": "halo"})
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "to"
    extra = coordinator.post("/api/v1/sms", json={"to": volunteer.id, "body": "halo", "priority": 1})
    assert extra.status_code == 422
    assert len(_outbound(volunteer.phone, "coordinator")) == 1


def test_resend_makes_one_new_message(coordinator):
    _event, volunteer, task = _offered()
    failed = _sms(direction="outbound", phone=volunteer.phone, body="tes", kind="offer", status="undelivered",
                  error_code=30003, task_id=task.id, volunteer_id=volunteer.id)
    copy = coordinator.post(f"/api/v1/sms/{failed}/resend")
    assert copy.status_code == 201
    assert copy.get_json()["id"] != failed and copy.get_json()["task_id"] == task.id
    assert coordinator.post(f"/api/v1/sms/{failed}/resend").status_code == 409
    assert [m.body for m in _outbound(volunteer.phone) if m.body == "tes"] == ["tes", "tes"]  # the failed one + one copy


def test_apply_reply_to_a_task_once(coordinator):
    _event, volunteer, task = _offered()
    message = _inbound(volunteer, "oke siap meluncur")
    bad = coordinator.post(f"/api/v1/tasks/{task.id}/apply-reply", json={"sms_id": message, "command": "maybe"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "command"
    wrong = coordinator.post(f"/api/v1/tasks/{task.id}/apply-reply", json={"sms_id": message, "command": "done"})
    assert wrong.status_code == 409 and _task_status(task.id) == "offered"
    done = coordinator.post(f"/api/v1/tasks/{task.id}/apply-reply", json={"sms_id": message, "command": "accept"})
    assert done.status_code == 200 and done.get_json()["status"] == "accepted"
    again = coordinator.post(f"/api/v1/tasks/{task.id}/apply-reply", json={"sms_id": message, "command": "accept"})
    assert again.status_code == 409
    assert len(_outbound(volunteer.phone, "confirmation")) == 1 and _message(message).handled_at is not None


def test_officials_may_not_act(official, coordinator):
    _event, volunteer, task = _offered()
    message = _inbound(volunteer, "oke siap meluncur")
    for path, body in ((f"/api/v1/sms/{message}/handled", None), (f"/api/v1/sms/{message}/answer", {"body": "x"}),
                       (f"/api/v1/sms/{message}/resend", None), ("/api/v1/sms", {"to": volunteer.id, "body": "x"}),
                       (f"/api/v1/tasks/{task.id}/apply-reply", {"sms_id": message, "command": "accept"})):
        assert official.post(path, json=body).status_code == 403, path
    assert _message(message).handled_at is None and _task_status(task.id) == "offered"


def test_officials_never_read_sms(official, coordinator):
    _event, volunteer, _task = _offered()
    _inbound(volunteer, "rumah saya di gang 3, istri sedang hamil")
    refused = official.get("/api/v1/sms")
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    assert "hamil" not in refused.get_data(as_text=True)
    assert coordinator.get("/api/v1/sms").status_code == 200


def test_the_inbox_actions_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/v1/sms/{message_id}/handled", "/api/v1/sms/{message_id}/answer",
                 "/api/v1/sms/{message_id}/resend", "/api/v1/tasks/{task_id}/apply-reply"):
        assert "post" in paths[path], path
    assert "post" in paths["/api/v1/sms"] and "get" in paths["/api/v1/sms"]


def test_two_coordinators_applying_and_resending_at_once_act_once(app, coordinator):
    """Six requests at once on the same reply (apply) and the same failed SMS (resend): one of
    each succeeds, the others are 409; one confirmation SMS, one copy."""
    import threading

    _event, volunteer, task = _offered()
    message = _inbound(volunteer, "baik pak, saya berangkat")
    failed = _sms(direction="outbound", phone=volunteer.phone, body="ulang", kind="offer", status="failed",
                  error_code=30008, task_id=task.id, volunteer_id=volunteer.id)
    start = threading.Barrier(6)
    statuses: list[tuple[str, int]] = []

    def act(kind):
        client = app.test_client()
        headers = {"Authorization": f"Bearer {coordinator.token}"}
        start.wait()
        if kind == "apply":
            response = client.post(f"/api/v1/tasks/{task.id}/apply-reply", json={"sms_id": message, "command": "accept"},
                                   headers=headers)
        else:
            response = client.post(f"/api/v1/sms/{failed}/resend", headers=headers)
        statuses.append((kind, response.status_code))

    threads = [threading.Thread(target=act, args=(kind,)) for kind in ("apply", "resend") * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [("apply", 200), ("apply", 409), ("apply", 409),
                                ("resend", 201), ("resend", 409), ("resend", 409)]
    assert _task_status(task.id) == "accepted"
    assert len(_outbound(volunteer.phone, "confirmation")) == 1
    assert [m.body for m in _outbound(volunteer.phone, "offer")].count("ulang") == 2  # the failed one + one copy
