"""Volunteer groups and the volunteer roster: create, duplicates, validation, PATCH, filters and
phone masking per role; on both databases."""

import pytest
from sqlalchemy import func, select

from resilience.extensions import db
from resilience.volunteers.models import Volunteer, VolunteerGroup

SPEC_VOLUNTEER = {
    "name": "Budi Santoso", "phone": "+6281345678901",
    "skills": ["boat", "first_aid"], "trainings": ["pelatihan kebencanaan 2025"],
    "location": {"lat": -1.64, "lon": 113.69}, "availability": "available", "capacity": 3,
}
PAHANDUT = {"lat": -2.1997, "lon": 113.9503}


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _fields(response):
    return {e["field"] for e in response.get_json().get("errors", [])}


def _volunteer_body(**overrides):
    body = dict(SPEC_VOLUNTEER)
    body.update(overrides)
    return body


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return {v["id"] for v in response.get_json()["items"]}


# --- groups ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["youth", "women", "community", "ngo", "government"])
def test_create_group_of_each_kind(coordinator, kind):
    response = coordinator.post("/api/v1/groups", json={
        "name": f"Kelompok {kind}", "kind": kind, "leader": "Pak Rahmat",
        "base_location": {"lat": -1.635, "lon": 113.686},
    })
    assert response.status_code == 201, response.get_json()
    group = response.get_json()
    assert group["kind"] == kind and group["name"] == f"Kelompok {kind}"
    assert group["leader"] == "Pak Rahmat"
    assert group["base_location"] == {"lat": -1.635, "lon": 113.686}
    listed = coordinator.get("/api/v1/groups").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == group["id"]


def test_group_from_spec_example(seed):
    group = seed.group()
    assert group["name"] == "Karang Taruna Mungku Baru" and group["kind"] == "youth"
    assert isinstance(group["id"], int)


@pytest.mark.parametrize("kind", ["pkk", "Youth", "", None])
def test_unknown_group_kind_is_422(coordinator, kind):
    response = coordinator.post("/api/v1/groups", json={"name": "Kelompok X", "kind": kind})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "kind" in _fields(response)
    assert _count(VolunteerGroup) == 0


def test_group_without_name_is_422(coordinator):
    response = coordinator.post("/api/v1/groups", json={"kind": "youth"})
    assert response.status_code == 422
    assert "name" in _fields(response)


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_group_name_is_422(coordinator, name):
    response = coordinator.post("/api/v1/groups", json={"name": name, "kind": "youth"})
    assert response.status_code == 422, response.get_json()
    assert "name" in _fields(response)
    assert _count(VolunteerGroup) == 0


@pytest.mark.parametrize("name", ["Karang Taruna Mungku Baru", "karang taruna mungku baru", "  Karang Taruna Mungku Baru "])
def test_duplicate_group_name_is_409(seed, coordinator, name):
    seed.group()
    response = coordinator.post("/api/v1/groups", json={"name": name, "kind": "community"})
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert _count(VolunteerGroup) == 1


def test_patch_group_changes_only_what_is_sent_and_is_audited(seed, coordinator, official):
    group = seed.group(leader="Pak Rahmat", base_location={"lat": -1.635, "lon": 113.686})
    other = seed.group(name="PKK Tangkiling", kind="women")
    url = f"/api/v1/groups/{group['id']}"
    response = coordinator.patch(url, json={"leader": "Bu Sari", "base_location": None})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["leader"] == "Bu Sari" and changed["base_location"] is None
    assert (changed["name"], changed["kind"]) == (group["name"], group["kind"])
    assert coordinator.get(url).get_json() == changed
    # another group's name (any case) is a conflict, an unknown kind or a blank name a 422: nothing changes
    for body, status, field in (({"name": " pkk tangkiling "}, 409, None), ({"kind": "pkk"}, 422, "kind"),
                                ({"name": "  "}, 422, "name")):
        response = coordinator.patch(url, json=body)
        assert response.status_code == status, response.get_json()
        assert response.mimetype == "application/problem+json"
        if field:
            assert field in _fields(response)
    assert coordinator.get(url).get_json() == changed
    assert coordinator.patch(url, json={"name": "Karang Taruna Bukit Sua"}).get_json()["name"] == "Karang Taruna Bukit Sua"
    assert coordinator.get(f"/api/v1/groups/{other['id']}").get_json()["name"] == "PKK Tangkiling"
    assert coordinator.patch("/api/v1/groups/9999", json={"leader": "X"}).status_code == 404
    assert official.patch(url, json={"leader": "X"}).status_code == 403
    actions = [e["action"] for e in coordinator.get(
        f"/api/v1/audit?entity_type=volunteer_group&entity_id={group['id']}").get_json()["items"]]
    assert actions.count("volunteer_group.updated") == 2, actions


# --- volunteers: create -----------------------------------------------------------------------
def test_create_volunteer_from_spec_example(seed, coordinator):
    group = seed.group()
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(group_id=group["id"]))
    assert response.status_code == 201, response.get_json()
    volunteer = response.get_json()
    assert volunteer["name"] == "Budi Santoso"
    assert volunteer["phone"] == "+6281345678901"
    assert volunteer["group_id"] == group["id"]
    assert sorted(volunteer["skills"]) == ["boat", "first_aid"]
    assert volunteer["trainings"] == ["pelatihan kebencanaan 2025"]
    assert volunteer["location"] == {"lat": -1.64, "lon": 113.69}
    assert volunteer["availability"] == "available"
    assert volunteer["capacity"] == 3
    assert volunteer["sms_opt_out"] is False
    fetched = coordinator.get(f"/api/v1/volunteers/{volunteer['id']}").get_json()
    assert fetched["phone"] == "+6281345678901" and fetched["group_id"] == group["id"]


def test_phone_is_normalised_to_e164(coordinator):
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(phone="0813-4567-8901"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["phone"] == "+6281345678901"


def test_duplicate_phone_written_differently_is_409(coordinator):
    assert coordinator.post("/api/v1/volunteers", json=_volunteer_body(phone="0813-4567-8901")).status_code == 201
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(name="Andi", phone="+6281345678901"))
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == "application/problem+json"
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(name="Andi", phone="62 813 4567 8901"))
    assert response.status_code == 409
    assert _count(Volunteer) == 1


def test_patch_to_a_taken_phone_is_409(seed, coordinator):
    first = seed.volunteer()
    second = seed.volunteer(name="Andi")
    response = coordinator.patch(f"/api/v1/volunteers/{second['id']}", json={"phone": first["phone"]})
    assert response.status_code == 409
    assert coordinator.get(f"/api/v1/volunteers/{second['id']}").get_json()["phone"] == second["phone"]
    # keeping one's own number is not a conflict
    same = coordinator.patch(f"/api/v1/volunteers/{first['id']}", json={"phone": first["phone"]})
    assert same.status_code == 200


@pytest.mark.parametrize("skills", [["boat", "swimming"], ["Boat"], ["boat", "first_aid", "boat"]])
def test_bad_skills_are_422(coordinator, skills):
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(skills=skills))
    assert response.status_code == 422, response.get_json()
    assert any(f.startswith("skills") for f in _fields(response)), response.get_json()
    assert _count(Volunteer) == 0


def test_unknown_group_is_422(coordinator):
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(group_id=4242))
    assert response.status_code == 422
    assert "group_id" in _fields(response)
    assert _count(Volunteer) == 0


@pytest.mark.parametrize("capacity", [-1, 51, 1000, "tiga"])
def test_capacity_out_of_range_is_422(coordinator, capacity):
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(capacity=capacity))
    assert response.status_code == 422
    assert "capacity" in _fields(response)
    assert _count(Volunteer) == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "nomor saya"}, "phone"),
        ({"availability": "sleeping"}, "availability"),
        ({"location": {"lat": 113.69, "lon": -1.64}}, "location"),
        ({"location": {"lat": 48.85, "lon": 2.35}}, "location"),
        ({"shoe_size": 42}, "shoe_size"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
    ],
)
def test_other_invalid_fields_are_422(coordinator, overrides, field):
    response = coordinator.post("/api/v1/volunteers", json=_volunteer_body(**overrides))
    assert response.status_code == 422
    assert any(f == field or f.startswith(field + ".") for f in _fields(response)), response.get_json()
    assert _count(Volunteer) == 0


def test_missing_phone_and_location_are_422(coordinator):
    response = coordinator.post("/api/v1/volunteers", json={"name": "Budi"})
    assert response.status_code == 422
    assert {"phone", "location"} <= _fields(response)


# --- PATCH ------------------------------------------------------------------------------------
def test_patch_availability_and_sms_opt_out(seed, coordinator):
    volunteer = seed.volunteer()
    url = f"/api/v1/volunteers/{volunteer['id']}"
    patched = coordinator.patch(url, json={"availability": "busy"})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["availability"] == "busy"
    patched = coordinator.patch(url, json={"sms_opt_out": True, "availability": "off", "capacity": 0})
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["sms_opt_out"] is True and body["availability"] == "off" and body["capacity"] == 0
    fetched = coordinator.get(url).get_json()
    assert fetched["sms_opt_out"] is True and fetched["availability"] == "off"
    assert fetched["name"] == volunteer["name"] and fetched["skills"] == volunteer["skills"]
    assert coordinator.patch(url, json={"sms_opt_out": False}).get_json()["sms_opt_out"] is False


def test_patch_rejects_bad_values_and_changes_nothing(seed, coordinator):
    volunteer = seed.volunteer()
    url = f"/api/v1/volunteers/{volunteer['id']}"
    response = coordinator.patch(url, json={"availability": "asleep"})
    assert response.status_code == 422 and "availability" in _fields(response)
    response = coordinator.patch(url, json={"group_id": 4242, "capacity": 5})
    assert response.status_code == 422 and "group_id" in _fields(response)
    fetched = coordinator.get(url).get_json()
    assert fetched["availability"] == "available" and fetched["capacity"] == volunteer["capacity"]


def test_patch_skills_and_group(seed, coordinator):
    group = seed.group()
    volunteer = seed.volunteer()
    patched = coordinator.patch(f"/api/v1/volunteers/{volunteer['id']}",
                                json={"skills": ["cooking", "driving"], "group_id": group["id"]}).get_json()
    assert sorted(patched["skills"]) == ["cooking", "driving"]
    assert patched["group_id"] == group["id"]
    assert patched["group"]["name"] == "Karang Taruna Mungku Baru"


def test_missing_volunteer_is_404(coordinator):
    assert coordinator.get("/api/v1/volunteers/999999").status_code == 404
    response = coordinator.patch("/api/v1/volunteers/999999", json={"availability": "busy"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


# --- list filters -----------------------------------------------------------------------------
def test_list_filters(seed, coordinator):
    karang_taruna = seed.group()
    pkk = seed.group(name="PKK Pahandut", kind="women")
    boat = seed.volunteer(skills=["boat", "first_aid"], group_id=karang_taruna["id"])
    cook = seed.volunteer(name="Sari", skills=["cooking"], group_id=pkk["id"], location=PAHANDUT)
    busy_boat = seed.volunteer(name="Joko", skills=["boat"], availability="busy")
    driver = seed.volunteer(name="Rina", skills=["driving", "logistics"], availability="off", location=PAHANDUT)

    everyone = coordinator.get("/api/v1/volunteers").get_json()
    assert everyone["total"] == 4

    assert _ids(coordinator.get("/api/v1/volunteers?availability=available")) == {boat["id"], cook["id"]}
    assert _ids(coordinator.get("/api/v1/volunteers?availability=busy")) == {busy_boat["id"]}
    assert _ids(coordinator.get("/api/v1/volunteers?skill=boat")) == {boat["id"], busy_boat["id"]}
    assert _ids(coordinator.get("/api/v1/volunteers?skill=logistics")) == {driver["id"]}
    assert _ids(coordinator.get("/api/v1/volunteers?skill=counseling")) == set()
    assert _ids(coordinator.get("/api/v1/volunteers?skill=boat&availability=available")) == {boat["id"]}
    assert _ids(coordinator.get(f"/api/v1/volunteers?group={pkk['id']}")) == {cook["id"]}
    assert _ids(coordinator.get(f"/api/v1/volunteers?group={karang_taruna['id']}")) == {boat["id"]}
    assert _ids(coordinator.get("/api/v1/volunteers?bbox=113.6,-1.8,113.8,-1.6")) == {boat["id"], busy_boat["id"]}
    assert _ids(coordinator.get("/api/v1/volunteers?bbox=113.9,-2.25,114.0,-2.15")) == {cook["id"], driver["id"]}

    for bad in ("skill=swimming", "availability=asleep", "bbox=1,2,3", "bbox=-1.8,113.6,-1.6,113.8"):
        response = coordinator.get(f"/api/v1/volunteers?{bad}")
        assert response.status_code == 422, bad
        assert bad.split("=")[0] in {f.split(".")[0] for f in _fields(response)}, response.get_json()


def test_pagination(seed, coordinator):
    created = [seed.volunteer(name=f"Relawan {i}")["id"] for i in range(3)]
    page2 = coordinator.get("/api/v1/volunteers?per_page=2&page=2").get_json()
    assert page2["total"] == 3 and page2["page"] == 2 and page2["per_page"] == 2
    assert len(page2["items"]) == 1
    page1 = coordinator.get("/api/v1/volunteers?per_page=2").get_json()
    assert {v["id"] for v in page1["items"]} | {v["id"] for v in page2["items"]} == set(created)


# --- roles ------------------------------------------------------------------------------------
def test_official_sees_phones_masked(seed, coordinator, official):
    volunteer = seed.volunteer(phone="0813-4567-8901")
    assert coordinator.get(f"/api/v1/volunteers/{volunteer['id']}").get_json()["phone"] == "+6281345678901"
    assert coordinator.get("/api/v1/volunteers").get_json()["items"][0]["phone"] == "+6281345678901"
    for body in (
        official.get(f"/api/v1/volunteers/{volunteer['id']}").get_json(),
        official.get("/api/v1/volunteers").get_json()["items"][0],
    ):
        phone = body["phone"]
        assert phone is None or ("*" in phone and phone != "+6281345678901" and "4567" not in phone), phone
        assert body["name"] is None and body["location"] is None  # personal: the roster's staff only


def test_official_cannot_write_the_roster(seed, official):
    volunteer = seed.volunteer()
    assert official.post("/api/v1/volunteers", json=_volunteer_body()).status_code == 403
    assert official.post("/api/v1/groups", json={"name": "X", "kind": "youth"}).status_code == 403
    assert official.patch(f"/api/v1/volunteers/{volunteer['id']}", json={"availability": "off"}).status_code == 403
    assert _count(Volunteer) == 1 and _count(VolunteerGroup) == 0


# --- audit ------------------------------------------------------------------------------------
def test_create_is_audited_without_phone(coordinator):
    volunteer = coordinator.post("/api/v1/volunteers", json=SPEC_VOLUNTEER).get_json()
    log = coordinator.get("/api/v1/audit?entity_type=volunteer&per_page=500").get_json()
    created = [e for e in log["items"] if e["action"] == "volunteer.created"]
    assert len(created) == 1
    assert created[0]["entity_id"] == volunteer["id"]
    assert created[0]["payload"]["phone"] == "<redacted>"
    assert set(created[0]["payload"]["name"]) == {"sealed"}
    assert created[0]["personal"]["name"] == "Budi Santoso"
    assert "81345678901" not in str(log)

    total = coordinator.get("/api/v1/audit").get_json()["total"]
    assert coordinator.post("/api/v1/volunteers", json=_volunteer_body(name="Andi")).status_code == 409
    assert coordinator.post("/api/v1/volunteers", json=_volunteer_body(phone="+6281399990000", skills=["x"])).status_code == 422
    assert coordinator.post("/api/v1/volunteers", json=_volunteer_body(phone="+6281399990000", group_id=77)).status_code == 422
    assert coordinator.patch(f"/api/v1/volunteers/{volunteer['id']}", json={"group_id": 77}).status_code == 422
    assert coordinator.get("/api/v1/audit").get_json()["total"] == total

    coordinator.patch(f"/api/v1/volunteers/{volunteer['id']}", json={"phone": "+6281399990000"})
    updated = coordinator.get("/api/v1/audit?action=volunteer.updated").get_json()["items"]
    assert len(updated) == 1 and updated[0]["payload"]["phone"] == "<redacted>"
    assert "81399990000" not in str(updated)


def test_preferred_channel_is_sms_unless_set_and_only_sms_or_whatsapp(seed, coordinator):
    created = coordinator.post("/api/v1/volunteers", json=_volunteer_body(phone="+6281377770001"))
    assert created.status_code == 201 and created.get_json()["preferred_channel"] == "sms"
    chosen = coordinator.post("/api/v1/volunteers", json=_volunteer_body(phone="+6281377770002",
                                                                       preferred_channel="whatsapp"))
    assert chosen.status_code == 201 and chosen.get_json()["preferred_channel"] == "whatsapp"
    url = f"/api/v1/volunteers/{created.get_json()['id']}"
    refused = coordinator.patch(url, json={"preferred_channel": "telegram"})
    assert refused.status_code == 422 and _fields(refused) == {"preferred_channel"}
    assert coordinator.patch(url, json={"preferred_channel": "whatsapp"}).get_json()["preferred_channel"] == "whatsapp"
    assert coordinator.get(url).get_json()["preferred_channel"] == "whatsapp"


def test_phones_are_stored_encrypted_and_found_through_their_digest(coordinator, seed):
    """The volunteer's and the SMS's phones are ciphertexts in the database; an SMS from the
    number still finds its volunteer, and after a change of number the new one does."""
    from sqlalchemy import text

    from resilience.sms.models import SmsMessage

    group = seed.group()
    created = coordinator.post("/api/v1/volunteers", json=_volunteer_body(group_id=group["id"]))
    assert created.status_code == 201
    assert coordinator.patch(f"/api/v1/groups/{group['id']}", json={"leader_phone": "0813-4567-0000"}).status_code == 200
    reply = coordinator.post("/api/v1/sms/simulate", json={"from": "+6281345678901", "body": "STATUS"})
    assert reply.status_code == 200, reply.get_json()
    db.session.rollback()
    raw = [str(v) for v in db.session.execute(text(
        "SELECT v.phone, g.leader_phone FROM volunteers v JOIN volunteer_groups g ON g.id = v.group_id")).one()]
    raw += [str(p) for p in db.session.scalars(text("SELECT phone FROM sms_messages"))]
    assert len(raw) >= 4 and not any("81345678901" in p or "81345670000" in p for p in raw)
    [inbound] = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "inbound")).all()
    assert inbound.volunteer_id == created.get_json()["id"] and inbound.phone == "+6281345678901"

    volunteer_id = created.get_json()["id"]
    assert coordinator.patch(f"/api/v1/volunteers/{volunteer_id}", json={"phone": "0813-4567-8902"}).status_code == 200
    db.session.rollback()
    assert Volunteer.by_phone(db.session, "+6281345678902").id == volunteer_id
    assert Volunteer.by_phone(db.session, "+6281345678901") is None
    # the old number is free again, the new one taken
    assert coordinator.post("/api/v1/volunteers", json=_volunteer_body(name="Andi")).status_code == 201
    taken = coordinator.post("/api/v1/volunteers", json=_volunteer_body(name="Dedi", phone="+6281345678902"))
    assert taken.status_code == 409 and taken.get_json()["field"] == "phone"
