"""SMS_LANGUAGE chooses the language of every SMS a volunteer gets, from the offer to the
replies, on both databases; the keywords stay Indonesian."""

from dataclasses import replace

import pytest

NEAR = {"lat": -1.6346, "lon": 113.6858}


@pytest.fixture
def english_sms(app, monkeypatch):
    monkeypatch.setitem(app.config, "SETTINGS", replace(app.config["SETTINGS"], sms_language="en"))


def _offer(coordinator, seed):
    event = seed.event()
    household = seed.household(location=NEAR, landmark="dekat masjid Al-Ikhlas", elderly=1)
    seed.need(event["id"], household["id"], "food")
    volunteer = seed.volunteer(name="Relawan", location={"lat": -1.64, "lon": 113.69}, capacity=2)
    coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 20000})
    [task] = coordinator.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]
    return task, volunteer["phone"]


def _bodies(coordinator, kind):
    return [m["body"] for m in coordinator.get(f"/api/v1/sms?per_page=500&kind={kind}").get_json()["items"]]


def _reply(coordinator, phone, body):
    response = coordinator.post("/api/v1/sms/simulate", json={"from": phone, "body": body})
    assert response.status_code == 200, response.get_json()
    return [r["body"] for r in response.get_json()["replies"]]


def test_english_deployment_sends_english_sms_with_indonesian_keywords(english_sms, coordinator, seed):
    task, phone = _offer(coordinator, seed)
    code = task["code"]
    [offer] = _bodies(coordinator, "offer")
    assert offer.startswith(f"Task {code}: food for ") and f"Reply YA {code} to accept or TIDAK {code}" in offer
    assert "Kel. " in offer and " km from you)." in offer
    assert _reply(coordinator, phone, "STATUS") == [f"Your tasks: {code} food: awaiting your answer. "
                                                    "Reply SELESAI and the task code when a task is done."]
    [accepted] = _reply(coordinator, phone, f"YA {code}")
    assert accepted.startswith(f"Thank you, task {code} is now recorded as yours.")
    assert accepted.endswith(f"When it is done, reply SELESAI {code}.")
    assert _reply(coordinator, phone, f"SELESAI {code}") == [
        f"Thank you, task {code} is recorded as done. Your work means a lot."]


def test_default_deployment_sends_todays_indonesian(coordinator, seed):
    task, phone = _offer(coordinator, seed)
    code = task["code"]
    [offer] = _bodies(coordinator, "offer")
    assert offer.startswith(f"Tugas {code}: makanan untuk ") and f"Balas YA {code} untuk menerima" in offer
    assert _reply(coordinator, phone, "status") == [f"Tugas Anda: {code} makanan: menunggu jawaban. "
                                                    "Balas SELESAI dan kode tugas setelah selesai."]


def test_english_deployment_answers_free_text_and_mismatches_in_english(english_sms, coordinator, seed):
    task, phone = _offer(coordinator, seed)
    code = task["code"]
    assert _reply(coordinator, phone, "oke siap meluncur") == [
        f"Your message has been passed to the coordinator. You have not accepted {code} yet; reply YA {code} "
        f"to accept or TIDAK {code} to decline."]
    assert _reply(coordinator, phone, "selesai ya") == [
        f"You have not accepted {code} yet; reply YA {code} to accept or TIDAK {code} to decline."]
    _reply(coordinator, phone, "ya")
    assert _reply(coordinator, phone, "siap") == [f"You have accepted {code}; reply SELESAI {code} when it is done."]
    assert _reply(coordinator, phone, "tidak bisa, perahu bocor") == [
        f"You have accepted {code}. If you cannot carry it out, reply TIDAK {code}."]
    assert _reply(coordinator, phone, f"TIDAK {code} perahu bocor") == [
        f"Thank you, task {code} is called off for you. The coordinator will look for another volunteer."]
