"""The event settings page: rename, close/reopen, offer timeout, long-wait alert, duty phone
(normalised like a volunteer's, never shown to officials), check-in intervals and the public
flag, validated by the API's schema with the message beside the field; nothing stored on error."""

from __future__ import annotations

import re

from tests import factories


def _event(event_id: int):
    from resilience.events.models import FloodEvent
    from resilience.extensions import db

    db.session.rollback()
    return db.session.get(FloodEvent, event_id)


def _form(**overrides) -> dict:
    form = {"name": "Banjir Rungan Maret", "status": "active", "offer_timeout_minutes": "20",
            "long_wait_minutes": "30", "checkin_after_minutes": "60", "checkin_escalate_minutes": "15",
            "duty_phone": ""}
    form.update(overrides)
    return form


def test_the_form_shows_the_event_as_it_is(web_coordinator, app):
    event = factories.event(offer_timeout_minutes=25)
    html = web_coordinator.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'id="f-offer_timeout_minutes"' in html and 'value="25"' in html
    assert 'id="f-long_wait_minutes"' in html and 'id="f-duty_phone"' in html and 'id="f-public"' in html
    assert 'id="f-checkin_after_minutes"' in html and 'value="60"' in html
    assert "Batas waktu penawaran (menit)" in html and "Nomor ponsel koordinator piket" in html
    dashboard = web_coordinator.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/edit"' in dashboard


def test_saving_renames_closes_and_normalises_the_duty_phone(web_coordinator, official, app):
    event = factories.event()
    response = web_coordinator.post(f"/events/{event.id}/edit", _form(
        name="  Banjir Rungan Maret  ", status="closed", offer_timeout_minutes="30", long_wait_minutes="45",
        checkin_after_minutes="90", checkin_escalate_minutes="10", duty_phone="0812-3456-7000", public="1"))
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = _event(event.id)
    assert saved.name == "Banjir Rungan Maret" and saved.status == "closed" and saved.ended_at is not None
    assert (saved.offer_timeout_minutes, saved.long_wait_minutes) == (30, 45)
    assert (saved.checkin_after_minutes, saved.checkin_escalate_minutes) == (90, 10)
    assert saved.duty_phone == "+6281234567000" and saved.public is True
    # reopen, stop the duty phone, not public any more
    response = web_coordinator.post(f"/events/{event.id}/edit", _form(status="active"))
    assert response.status_code == 302
    saved = _event(event.id)
    assert saved.status == "active" and saved.ended_at is None and saved.duty_phone is None and saved.public is False
    # the duty phone is personal: masked for an official in the API, redacted in the audit log
    web_coordinator.post(f"/events/{event.id}/edit", _form(duty_phone="+6281234567000"))
    shown = official.get(f"/api/v1/events/{event.id}").get_json()
    assert shown["duty_phone"] is None
    entries = official.get(f"/api/v1/audit?entity_type=flood_event&entity_id={event.id}").get_json()["items"]
    assert "+6281234567000" not in str(entries) and any("duty_phone" in str(e["payload"]) for e in entries)


def test_bad_values_stand_beside_their_fields_and_nothing_is_stored(web_coordinator, app):
    event = factories.event()
    response = web_coordinator.post(f"/events/{event.id}/edit", _form(
        name="Baru", offer_timeout_minutes="0", long_wait_minutes="abc", duty_phone="12345", checkin_after_minutes="2000"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("offer_timeout_minutes", "long_wait_minutes", "duty_phone", "checkin_after_minutes"):
        assert re.search(rf'<span class="field-error" id="e-{field}">[^<]+</span>', html), field
        assert f'id="f-{field}"' in html
    assert 'id="e-name"' not in html
    assert 'value="Baru"' in html  # what was typed is kept
    saved = _event(event.id)
    assert saved.name == "Banjir Rungan" and saved.offer_timeout_minutes == 20 and saved.duty_phone is None


def test_an_empty_name_is_refused(web_coordinator, app):
    event = factories.event()
    response = web_coordinator.post(f"/events/{event.id}/edit", _form(name="   "))
    assert response.status_code == 422 and 'id="e-name"' in response.get_data(as_text=True)
    assert _event(event.id).name == "Banjir Rungan"


def test_the_api_takes_the_new_settings(coordinator, app):
    event = factories.event()
    response = coordinator.patch(f"/api/v1/events/{event.id}", json={
        "long_wait_minutes": 60, "duty_phone": "0813 4567 8900", "public": True})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["long_wait_minutes"] == 60 and body["duty_phone"] == "+6281345678900" and body["public"] is True
    bad = coordinator.patch(f"/api/v1/events/{event.id}", json={"long_wait_minutes": 0, "duty_phone": "abc"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {e["field"] for e in bad.get_json()["errors"]} == {"long_wait_minutes", "duty_phone"}
    assert _event(event.id).long_wait_minutes == 60
