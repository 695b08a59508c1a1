"""TOLONG: a resident's SMS from a number that is not a volunteer's becomes a help request
(phone and text encrypted), answered by SMS in Bahasa Indonesia; a volunteer's TOLONG is not
one; a coordinator verifies a request into a household and a need, or attaches it to a
registered household."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from resilience.extensions import db
from resilience.helprequests import parse
from resilience.helprequests.models import HelpRequest
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.sms.inbox import receive
from resilience.sms.models import SmsMessage
from tests import factories

RESIDENT = "+6281299990001"
SMS = "TOLONG 4 orang, RT 03 Mungku Baru dekat masjid, ada nenek sakit, air sudah naik atap"


def _sms(phone, body):
    with factories.writing() as session:
        receive(session, phone, body)
    db.session.rollback()


def _outbound(phone):
    return [m.body for m in db.session.scalars(select(SmsMessage).where(
        SmsMessage.direction == "outbound", SmsMessage.phone_is(phone)).order_by(SmsMessage.id))]


@pytest.mark.parametrize("body", ["TOLONG banjir", "tolong, banjir", "  Tolong!! rumah terendam", "TOLONG"])
def test_tolong_is_recognised(body):
    assert parse.is_help_request(body)


@pytest.mark.parametrize("body", ["YA T12", "minta tolong", "TOLONGAN", "", None])
def test_other_texts_are_not_help_requests(body):
    assert not parse.is_help_request(body)


def test_what_can_be_read_from_the_sms():
    hints = parse.read(SMS)
    assert (hints.people, hints.rt, hints.landmark) == (4, "003", "dekat masjid")
    assert hints.vulnerable == ["elderly", "chronically_ill"] and hints.category == "evacuation"


def test_tolong_from_an_unknown_number_is_a_help_request_answered_in_indonesian(app, coordinator):
    _sms(RESIDENT, SMS)
    [request] = db.session.scalars(select(HelpRequest)).all()
    assert request.status == "pending" and request.phone == RESIDENT and request.body == SMS
    assert request.household_id is None and request.need_id is None
    [answer] = _outbound(RESIDENT)
    assert "bantuan" in answer.lower() and "koordinator" in answer.lower() and len(answer) <= 160
    raw = db.session.execute(text("SELECT phone, body FROM help_requests")).one()
    assert RESIDENT not in raw.phone and "nenek" not in raw.body  # encrypted at rest
    listed = coordinator.get("/api/v1/help-requests?status=pending").get_json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["phone"] == RESIDENT and item["hints"]["people"] == 4
    assert item["hints"]["kelurahan"]["code"] == "62.71.05.1004"
    assert db.session.scalar(select(Need.id)) is None  # nothing to match before a coordinator verifies


def test_tolong_from_a_volunteer_is_not_a_help_request(app, seed):
    volunteer = seed.volunteer()
    _sms(volunteer["phone"], "TOLONG saya terjebak")
    assert db.session.scalars(select(HelpRequest)).all() == []
    [answer] = _outbound(volunteer["phone"])
    assert "koordinator" in answer  # free text from a volunteer: passed to the coordinator's inbox
    assert db.session.scalar(select(SmsMessage.needs_attention).where(SmsMessage.direction == "inbound")) is True


def test_other_sms_from_strangers_get_no_answer(app):
    _sms(RESIDENT, "halo pak")
    assert db.session.scalars(select(HelpRequest)).all() == [] and _outbound(RESIDENT) == []


def test_the_list_is_for_coordinators(app, official, coordinator):
    assert official.get("/api/v1/help-requests").status_code == 403
    assert coordinator.get("/api/v1/help-requests?foo=1").status_code == 422


def test_verify_registers_the_household_and_its_need(app, coordinator):
    event = factories.event()
    _sms(RESIDENT, SMS)
    request_id = db.session.scalar(select(HelpRequest.id))
    body = {"household": {"head_name": "Ibu Sumiati", "admin_area": "62.71.05.1004", "rt": "3",
                          "landmark": "dekat masjid", "members": 4, "elderly": 1},
            "need": {"event_id": event.id, "category": "evacuation"}}
    response = coordinator.post(f"/api/v1/help-requests/{request_id}/verify", json=body)
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["status"] == "verified" and shown["decided_by"].startswith("coordinator:")
    db.session.rollback()
    household = db.session.get(Household, shown["household_id"])
    need = db.session.get(Need, shown["need_id"])
    assert household.phone == RESIDENT and household.location_precision == "kelurahan"
    assert need.household_id == household.id and need.status == "open" and need.reporter == "SMS TOLONG"
    assert len(_outbound(RESIDENT)) == 2  # received, then verified
    again = coordinator.post(f"/api/v1/help-requests/{request_id}/verify", json=body)
    assert again.status_code == 409


def test_verify_can_attach_to_a_registered_household(app, coordinator):
    event = factories.event()
    registered = factories.household(phone="0812-9999-0001")
    _sms(RESIDENT, "TOLONG kami kehabisan makanan")
    [request] = coordinator.get("/api/v1/help-requests").get_json()["items"]
    assert request["hints"]["households_with_this_phone"] == [registered.id]
    assert request["hints"]["category"] == "food"
    response = coordinator.post(f"/api/v1/help-requests/{request['id']}/verify", json={
        "household_id": registered.id, "need": {"event_id": event.id, "category": "food"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["household_id"] == registered.id
    db.session.rollback()
    assert db.session.scalar(select(Need.household_id)) == registered.id


def test_verify_refuses_bad_bodies_and_stores_nothing(app, coordinator):
    event = factories.event()
    _sms(RESIDENT, SMS)
    request_id = db.session.scalar(select(HelpRequest.id))
    path = f"/api/v1/help-requests/{request_id}/verify"
    need = {"event_id": event.id, "category": "evacuation"}
    assert coordinator.post(path, json={"need": need}).status_code == 422  # no household at all
    assert coordinator.post(path, json={"household_id": 1, "household": {"head_name": "X"}, "need": need}
                            ).status_code == 422
    assert coordinator.post(path, json={"household": {"head_name": "X", "admin_area": "62.71.05.1004"},
                                        "need": need | {"category": "boats"}}).status_code == 422
    assert coordinator.post(path, json={"household_id": 999, "need": need}).status_code == 404
    db.session.rollback()
    assert db.session.get(HelpRequest, request_id).status == "pending"
    assert db.session.scalar(select(Household.id)) is None


def test_reject(app, coordinator):
    _sms(RESIDENT, "TOLONG tes")
    request_id = db.session.scalar(select(HelpRequest.id))
    assert coordinator.post(f"/api/v1/help-requests/{request_id}/reject").get_json()["status"] == "rejected"
    assert coordinator.post(f"/api/v1/help-requests/{request_id}/reject").status_code == 409
    assert len(_outbound(RESIDENT)) == 1
