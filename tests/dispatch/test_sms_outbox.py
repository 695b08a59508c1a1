"""The SMS loop in the embedded default (outbox backend, tasks run in-process): offers go to
the outbox, volunteers' replies come through the simulator, on both databases."""

import re

from sqlalchemy import text as sql

from resilience.extensions import db
from resilience.sms.models import SmsMessage

NEAR = {"lat": -1.6346, "lon": 113.6858}
NIK = "6271054507800001"


def _dispatched(coordinator, seed, *, volunteers=1, category="evacuation", **household):
    event = seed.event()
    h = seed.household(location=NEAR, landmark="dekat masjid Al-Ikhlas", elderly=1, children_under5=1, **household)
    need = seed.need(event["id"], h["id"], category)
    vols = [seed.volunteer(name=f"Relawan {i}", skills=["boat", "first_aid"],
                           location={"lat": -1.64 - 0.01 * i, "lon": 113.69}, capacity=2)
            for i in range(volunteers)]
    coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 20000})
    offered = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    return event, need, vols, offered


def _outbox(client, phone=None, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    items = client.get(f"/api/v1/sms?per_page=500&{query}").get_json()["items"]
    return [m for m in items if phone is None or m["phone"] == phone]


def _reply(client, phone, body):
    response = client.post("/api/v1/sms/simulate", json={"from": phone, "body": body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_offer_is_queued_in_indonesian_without_personal_data(coordinator, seed):
    _event, need, vols, offered = _dispatched(coordinator, seed)
    task = offered[0]
    offers = _outbox(coordinator, kind="offer")
    assert len(offers) == 1
    offer = offers[0]
    assert offer["phone"] == vols[0]["phone"] and offer["task_id"] == task["id"]
    assert task["code"] in offer["body"]
    assert f"YA {task['code']}" in offer["body"] and f"TIDAK {task['code']}" in offer["body"]
    assert "masjid" in offer["body"] and "Mungku Baru" in offer["body"]
    assert NIK not in offer["body"] and "6271050101090003" not in offer["body"]
    assert "3456" not in offer["body"]  # the household's phone digits
    assert offer["encoding"] == "GSM-7" and offer["segments"] <= 2
    assert offer["status"] == "sent"  # the outbox "sends" at once


def test_accept_then_done_by_sms(coordinator, seed):
    _event, need, vols, offered = _dispatched(coordinator, seed)
    code, phone = offered[0]["code"], vols[0]["phone"]
    result = _reply(coordinator, phone, f"  ya {code.lower()}!! ")
    assert result["inbound"]["status"] == "received"
    assert result["replies"] and "SELESAI" in result["replies"][0]["body"]
    task = coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()
    assert task["status"] == "accepted" and task["accepted_at"]
    assert coordinator.get(f"/api/v1/needs/{need['id']}").get_json()["status"] == "in_progress"

    again = _reply(coordinator, phone, f"YA {code}")  # idempotent: answered, nothing changes
    assert again["replies"] and coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "accepted"

    _reply(coordinator, phone, "SELESAI")  # the code may be omitted with one open task
    task = coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()
    assert task["status"] == "done" and task["done_at"]
    assert coordinator.get(f"/api/v1/needs/{need['id']}").get_json()["status"] == "done"
    actions = [e["action"] for e in coordinator.get("/api/v1/audit?per_page=500").get_json()["items"]]
    assert "task.accepted" in actions and "task.done" in actions and "sms_message.created" in actions


def test_decline_reoffers_to_the_next_best(coordinator, seed):
    _event, need, vols, offered = _dispatched(coordinator, seed, volunteers=2)
    first = offered[0]
    assert first["volunteer_id"] == vols[0]["id"]  # the nearer one
    _reply(coordinator, vols[0]["phone"], f"TIDAK {first['code']}")
    assert coordinator.get(f"/api/v1/tasks/{first['id']}").get_json()["status"] == "declined"
    tasks = coordinator.get(f"/api/v1/tasks?status=offered").get_json()["items"]
    assert [t["volunteer_id"] for t in tasks] == [vols[1]["id"]]
    assert [m["task_id"] for m in _outbox(coordinator, vols[1]["phone"], kind="offer")] == [tasks[0]["id"]]
    # The one who declined is never asked again for this need.
    _reply(coordinator, vols[1]["phone"], "tolak")
    assert coordinator.get("/api/v1/tasks?status=offered").get_json()["total"] == 0
    assert coordinator.get(f"/api/v1/needs/{need['id']}").get_json()["status"] == "open"
    actions = [e["action"] for e in coordinator.get("/api/v1/audit?per_page=500").get_json()["items"]]
    assert "need.no_candidates" in actions


def test_status_stop_start_and_unknown(coordinator, seed):
    _event, _need, vols, offered = _dispatched(coordinator, seed)
    phone = vols[0]["phone"]
    status = _reply(coordinator, phone, "status")
    assert offered[0]["code"] in status["replies"][0]["body"]
    # free text goes to the coordinator's inbox; the answer says so and what to send (issue 13;
    # it used to be the help text)
    unknown = _reply(coordinator, phone, "halo, bagaimana?")
    db.session.rollback()
    assert db.session.get(SmsMessage, unknown["inbound"]["id"]).needs_attention is True
    code = offered[0]["code"]
    assert [r["body"] for r in unknown["replies"]] == [
        f"Pesan Anda sudah kami teruskan ke koordinator. {code} belum Anda terima; balas YA {code} untuk "
        f"menerima atau TIDAK {code} untuk menolak."]
    assert coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "offered"
    for word in ("CANCEL", "QUIT", "YES", "END "):
        assert word not in unknown["replies"][0]["body"].upper()
    stop = _reply(coordinator, phone, "BERHENTI")
    assert stop["replies"] and "MULAI" in stop["replies"][0]["body"]
    volunteer = coordinator.get(f"/api/v1/volunteers/{vols[0]['id']}").get_json()
    assert volunteer["sms_opt_out"] is True
    # The open offer went back to the pool when the volunteer opted out.
    assert coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "declined"
    silent = _reply(coordinator, phone, "status")
    assert silent["replies"] == []  # nothing is sent to an opted-out volunteer
    start = _reply(coordinator, phone, "mulai")
    assert start["replies"] and coordinator.get(f"/api/v1/volunteers/{vols[0]['id']}").get_json()["sms_opt_out"] is False


def test_someone_elses_code_and_unknown_sender(coordinator, seed):
    _event, _need, vols, offered = _dispatched(coordinator, seed, volunteers=2)
    other = seed.volunteer(name="Orang Lain", skills=["cooking"], location=NEAR)
    answer = _reply(coordinator, other["phone"], f"YA {offered[0]['code']}")
    assert answer["replies"] and coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "offered"
    # a stranger's YA changes nothing and gets no answer (no SMS loops with strangers); it waits
    # in the coordinator's inbox
    stranger = coordinator.post("/api/v1/sms/simulate", json={"from": "+6281999999999", "body": "YA"})
    assert stranger.status_code == 200 and stranger.get_json()["replies"] == []
    assert stranger.get_json()["inbound"]["needs_attention"] is True
    assert coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "offered"


def test_official_reads_no_sms(official, coordinator, seed):
    _event, _need, vols, _offered = _dispatched(coordinator, seed)
    refused = official.get("/api/v1/sms")  # SPEC: SMS bodies and phones are never shown to officials
    assert refused.status_code == 403 and vols[0]["phone"] not in refused.get_data(as_text=True)
    assert official.post("/api/v1/sms/simulate", json={"from": vols[0]["phone"], "body": "YA"}).status_code == 403


def test_expired_offer_goes_to_the_next_volunteer(app, coordinator, seed):
    from resilience.dispatch.offers import expire_offers

    _event, need, vols, offered = _dispatched(coordinator, seed, volunteers=2)
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(sql("UPDATE tasks SET offered_at = :t WHERE id = :id"),
                     {"t": "2026-01-01 00:00:00" if app.config["SETTINGS"].is_sqlite else "2026-01-01T00:00:00Z",
                      "id": offered[0]["id"]})
    assert expire_offers(db.session) == 1
    db.session.commit()
    assert coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "expired"
    live = coordinator.get("/api/v1/tasks?status=offered").get_json()["items"]
    assert [t["volunteer_id"] for t in live] == [vols[1]["id"]]
    expiry = _outbox(coordinator, vols[0]["phone"], kind="expiry")
    assert expiry and offered[0]["code"] in expiry[0]["body"]
    late = _reply(coordinator, vols[0]["phone"], f"YA {offered[0]['code']}")
    assert late["replies"] and coordinator.get(f"/api/v1/tasks/{offered[0]['id']}").get_json()["status"] == "expired"


def test_cancel_tells_the_volunteer(coordinator, seed):
    _event, _need, vols, offered = _dispatched(coordinator, seed)
    coordinator.patch(f"/api/v1/tasks/{offered[0]['id']}", json={"status": "cancelled"})
    cancelled = _outbox(coordinator, vols[0]["phone"], kind="cancellation")
    assert cancelled and re.search(offered[0]["code"], cancelled[0]["body"])
