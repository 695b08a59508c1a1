"""The duplicates review page (pairs side by side with their reasons; merge and "not the same
family" buttons) and the help-request page (verify a TOLONG into a household and a need), in
Bahasa Indonesia by default; officials are kept away."""

from __future__ import annotations

from sqlalchemy import select

from resilience.extensions import db
from resilience.helprequests.models import HelpRequest
from resilience.households.models import Household, NotDuplicate
from resilience.needs.models import Need
from resilience.sms.inbox import receive
from tests import factories

HERE = {"lat": -1.6346, "lon": 113.6858}
TEN_M_AWAY = {"lat": -1.63469, "lon": 113.6858}


def _pair():
    a = factories.household(head_name="Ibu Sumiyati", nik=None, kk_number=None, location=HERE)
    b = factories.household(head_name="Sumiati", nik=None, kk_number=None, location=TEN_M_AWAY)
    return a, b


def test_duplicates_page_shows_pairs_side_by_side_in_indonesian(web_coordinator):
    a, b = _pair()
    page = web_coordinator.get("/households/duplicates").get_data(as_text=True)
    assert f'id="pair-{a.id}-{b.id}"' in page
    assert "Ibu Sumiyati" in page and "Sumiati" in page
    assert "telepon sama" in page and "nama mirip" in page  # the reasons, in Bahasa Indonesia
    assert "Bukan keluarga yang sama" in page


def test_merge_from_the_page(web_coordinator):
    a, b = _pair()
    web_coordinator.get("/households/duplicates")
    response = web_coordinator.post("/households/duplicates/merge", {"household": str(b.id), "into": str(a.id)})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Household, b.id).merged_into_id == a.id
    page = web_coordinator.get("/households/duplicates").get_data(as_text=True)
    assert f'id="pair-{a.id}-{b.id}"' not in page
    again = web_coordinator.post("/households/duplicates/merge", {"household": str(b.id), "into": str(a.id)})
    assert again.status_code == 302  # refused with a message, nothing changed
    assert "sudah digabungkan" in web_coordinator.get("/households/duplicates").get_data(as_text=True)


def test_not_the_same_family_from_the_page(web_coordinator):
    a, b = _pair()
    web_coordinator.get("/households/duplicates")
    assert web_coordinator.post("/households/duplicates/different",
                                {"household": str(b.id), "of": str(a.id)}).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(NotDuplicate.low_id)) == a.id
    assert f'id="pair-{a.id}-{b.id}"' not in web_coordinator.get("/households/duplicates").get_data(as_text=True)


def test_officials_get_403(web_official):
    assert web_official.get("/households/duplicates").status_code == 403
    assert web_official.get("/help-requests").status_code == 403


def test_verify_a_help_request_from_the_page(web_coordinator):
    event = factories.event()
    with factories.writing() as session:
        receive(session, "+6281299990001", "TOLONG 4 orang RT 03 Mungku Baru dekat masjid, ada nenek")
    page = web_coordinator.get("/help-requests").get_data(as_text=True)
    assert "Permintaan bantuan" in page and "dekat masjid" in page
    request_id = db.session.scalar(select(HelpRequest.id))
    bad = web_coordinator.post(f"/help-requests/{request_id}/verify", {
        "head_name": "", "admin_area": "62.71.05.1004", "event_id": str(event.id), "category": "evacuation"})
    assert bad.status_code == 422
    db.session.rollback()
    assert db.session.scalar(select(Need.id)) is None
    response = web_coordinator.post(f"/help-requests/{request_id}/verify", {
        "head_name": "Ibu Sumiati", "admin_area": "62.71.05.1004", "rt": "3", "landmark": "dekat masjid",
        "members": "4", "event_id": str(event.id), "category": "evacuation"})
    assert response.status_code == 302
    db.session.rollback()
    request = db.session.get(HelpRequest, request_id)
    assert request.status == "verified" and db.session.get(Need, request.need_id).category == "evacuation"
    assert "dekat masjid, ada nenek" not in web_coordinator.get("/help-requests").get_data(as_text=True)
