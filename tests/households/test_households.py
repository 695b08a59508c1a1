"""Household registry: create, validation of identity data and location, derived kelurahan,
masking per role, duplicates, PATCH, list filters, and personal data kept out of logs and
stored encrypted; on both databases."""

import logging

import pytest
from sqlalchemy import func, select, text

from resilience.extensions import db
from resilience.households.models import VULNERABILITY_FIELDS, Household

NIK = "6271054507800001"
KK = "6271050101090003"
PHONE_E164 = "+6281234567890"
MUNGKU_BARU = {"lat": -1.6346, "lon": 113.6858}  # centroid of kelurahan 62.71.05.1004
PAHANDUT = {"lat": -2.1997, "lon": 113.9503}  # inside kelurahan 62.71.01.1001
JAKARTA = {"lat": -6.2, "lon": 106.8167}  # in Indonesia, outside every seeded kelurahan

SPEC_BODY = {
    "head_name": "Siti Aminah", "phone": "0812-3456-7890",
    "nik": NIK, "kk_number": KK,
    "address": "Jl. Mungku Baru RT 02", "landmark": "dekat masjid",
    "location": {"lat": -1.6346, "lon": 113.6858}, "members": 5,
    "elderly": 1, "children_under5": 1, "pregnant_or_lactating": 0,
    "disabled": 0, "chronically_ill": 0,
}


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Household))


def _body(**overrides):
    body = dict(SPEC_BODY)
    body.update(overrides)
    return body


def _nik(serial: int) -> str:
    return f"627105450780{serial:04d}"


def _rejected(coordinator, body, field_check, status=422):
    before = _count()
    response = coordinator.post("/api/v1/households", json=body)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    if status == 422:
        fields = [e["field"] for e in problem["errors"]]
        assert any(field_check(f) for f in fields), problem["errors"]
    assert _count() == before
    return problem


# --- create ------------------------------------------------------------------------------
def test_create_with_spec_example(coordinator):
    response = coordinator.post("/api/v1/households", json=SPEC_BODY)
    assert response.status_code == 201, response.get_json()
    household = response.get_json()
    assert isinstance(household["id"], int)
    assert household["head_name"] == "Siti Aminah"
    assert household["nik"] == NIK and household["kk_number"] == KK
    assert household["phone"] == PHONE_E164
    assert household["location"] == {"lat": -1.6346, "lon": 113.6858}
    assert household["members"] == 5 and household["elderly"] == 1 and household["children_under5"] == 1
    assert household["address"] == "Jl. Mungku Baru RT 02" and household["landmark"] == "dekat masjid"
    assert household["admin_area"] == {"code": "62.71.05.1004", "name": "Mungku Baru"}
    assert household["created_at"].endswith("Z")
    fetched = coordinator.get(f"/api/v1/households/{household['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json()["nik"] == NIK
    assert _count() == 1


@pytest.mark.parametrize("written", ["0812-3456-7890", "+62 812 3456 7890", "62812 3456 7890"])
def test_phone_is_stored_in_e164(coordinator, written):
    household = coordinator.post("/api/v1/households", json=_body(phone=written)).get_json()
    assert household["phone"] == PHONE_E164
    again = coordinator.get(f"/api/v1/households/{household['id']}").get_json()
    assert again["phone"] == PHONE_E164


def test_kelurahan_is_derived_from_the_point(coordinator):
    mungku = coordinator.post("/api/v1/households", json=_body(location=MUNGKU_BARU)).get_json()
    assert mungku["admin_area"]["code"] == "62.71.05.1004"
    assert mungku["admin_area"]["name"] == "Mungku Baru"
    pahandut = coordinator.post("/api/v1/households", json=_body(nik=_nik(2), location=PAHANDUT)).get_json()
    assert pahandut["admin_area"]["code"] == "62.71.01.1001"


def test_point_outside_every_kelurahan_has_no_area(coordinator):
    response = coordinator.post("/api/v1/households", json=_body(location=JAKARTA))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["admin_area"] is None


# --- personal data per role ----------------------------------------------------------------
def test_official_sees_identity_masked(seed, official):
    household = seed.household()
    for body in (
        official.get(f"/api/v1/households/{household['id']}").get_json(),
        official.get("/api/v1/households").get_json()["items"][0],
    ):
        assert body["nik"] == "************0001"
        assert body["kk_number"] == "************0003"
        assert body["phone"] is None or (
            body["phone"] != PHONE_E164 and "*" in body["phone"] and "34567" not in body["phone"]
        ), body["phone"]
        # names, addresses and points are personal data too: officials see households per kelurahan
        assert (body["head_name"], body["address"], body["landmark"], body["location"]) == (None,) * 4
        # who in the family is vulnerable is personal data too: the report has the totals
        assert all(body[field] is None for field in VULNERABILITY_FIELDS), body


def test_coordinator_and_admin_see_identity_in_full(seed, coordinator, admin):
    household = seed.household()
    for client in (coordinator, admin):
        body = client.get(f"/api/v1/households/{household['id']}").get_json()
        assert body["nik"] == NIK and body["kk_number"] == KK and body["phone"] == PHONE_E164
        assert all(isinstance(body[field], int) for field in VULNERABILITY_FIELDS), body
        listed = client.get("/api/v1/households").get_json()["items"][0]
        assert listed["nik"] == NIK and listed["phone"] == PHONE_E164


# --- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "nik",
    [
        "62710545078000AB",  # letters
        "627105450780001",  # 15 digits
        "62710545078000001",  # 17 digits
        "6271053102800001",  # 31-02: no such date
        "6271051313800001",  # month 13
    ],
)
def test_invalid_nik_is_rejected(coordinator, nik):
    problem = _rejected(coordinator, _body(nik=nik), lambda f: f == "nik")
    assert problem["status"] == 422


@pytest.mark.parametrize("kk", ["627105010109000", "62710501010900031"])
def test_kk_of_wrong_length_is_rejected(coordinator, kk):
    _rejected(coordinator, _body(kk_number=kk), lambda f: f == "kk_number")


@pytest.mark.parametrize("phone", ["12", "0812-34", "telepon saya", "0812345678901234567"])
def test_invalid_phone_is_rejected(coordinator, phone):
    _rejected(coordinator, _body(phone=phone), lambda f: f == "phone")


@pytest.mark.parametrize(
    "location",
    [
        {"lat": -95.0, "lon": 113.6858},  # latitude out of range
        {"lat": -1.6346, "lon": 190.0},  # longitude out of range
        {"lat": 48.8566, "lon": 2.3522},  # Paris: outside Indonesia
        {"lat": "-1.6346", "lon": 113.6858},  # a string
        {"latitude": -1.6346, "lon": 113.6858},
    ],
)
def test_bad_location_is_rejected(coordinator, location):
    _rejected(coordinator, _body(location=location), lambda f: f.startswith("location"))


def test_swapped_location_gets_a_hint(coordinator):
    problem = _rejected(
        coordinator, _body(location={"lat": 113.6858, "lon": -1.6346}), lambda f: f.startswith("location")
    )
    messages = [e["message"].lower() for e in problem["errors"] if e["field"].startswith("location")]
    assert any("swapped" in m for m in messages), problem["errors"]


def test_missing_location_is_rejected(coordinator):
    body = _body()
    del body["location"]
    _rejected(coordinator, body, lambda f: f == "location")


def test_unknown_field_is_rejected(coordinator):
    _rejected(coordinator, _body(religion="islam"), lambda f: f == "religion")


@pytest.mark.parametrize("field", ["elderly", "children_under5", "pregnant_or_lactating", "disabled", "chronically_ill"])
def test_vulnerable_count_over_members_is_rejected(coordinator, field):
    counts = {"members": 2, "elderly": 0, "children_under5": 0}
    counts[field] = 3
    _rejected(coordinator, _body(**counts), lambda f: f == field)


def test_duplicate_nik_is_409(seed, coordinator):
    seed.household()
    problem = _rejected(coordinator, _body(head_name="Orang Lain", phone="0813-1111-2222"), None, status=409)
    assert problem["status"] == 409
    assert NIK not in str(problem)
    # the same NIK written with surrounding spaces is still the same NIK
    _rejected(coordinator, _body(head_name="Orang Lain", nik=f" {NIK} "), None, status=409)
    assert _count() == 1


def test_households_without_nik_are_not_duplicates(coordinator):
    for name in ("Tanpa KTP Satu", "Tanpa KTP Dua"):
        response = coordinator.post("/api/v1/households", json=_body(head_name=name, nik=None, kk_number=None, phone=None))
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["nik"] is None and response.get_json()["phone"] is None
    assert _count() == 2


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_head_name_is_rejected(coordinator, name):
    _rejected(coordinator, _body(head_name=name), lambda f: f == "head_name")


# --- PATCH / GET --------------------------------------------------------------------------------
def test_patch_changes_fields_and_rederives_kelurahan(seed, coordinator):
    household = seed.household()
    response = coordinator.patch(
        f"/api/v1/households/{household['id']}",
        json={"head_name": "Siti Aminah Binti Ahmad", "members": 6, "phone": "+62 813 4567 8901",
              "location": PAHANDUT},
    )
    assert response.status_code == 200, response.get_json()
    patched = response.get_json()
    assert patched["head_name"] == "Siti Aminah Binti Ahmad"
    assert patched["members"] == 6
    assert patched["phone"] == "+6281345678901"
    assert patched["location"] == PAHANDUT
    assert patched["admin_area"]["code"] == "62.71.01.1001"
    assert patched["nik"] == NIK  # untouched
    fetched = coordinator.get(f"/api/v1/households/{household['id']}").get_json()
    assert fetched["admin_area"]["code"] == "62.71.01.1001" and fetched["members"] == 6


def test_patch_without_location_keeps_kelurahan(seed, coordinator):
    household = seed.household()
    patched = coordinator.patch(f"/api/v1/households/{household['id']}", json={"landmark": "dekat sekolah"}).get_json()
    assert patched["landmark"] == "dekat sekolah"
    assert patched["admin_area"]["code"] == "62.71.05.1004"


def test_patch_vulnerable_count_is_checked_against_stored_members(seed, coordinator):
    household = seed.household()  # 5 members, 1 elderly, 1 child under 5
    url = f"/api/v1/households/{household['id']}"
    response = coordinator.patch(url, json={"elderly": 3})  # members not sent: 5 still hold
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["elderly"] == 3 and response.get_json()["members"] == 5
    response = coordinator.patch(url, json={"disabled": 6})  # more than the stored 5
    assert response.status_code == 422
    assert any(e["field"] == "disabled" for e in response.get_json()["errors"])
    response = coordinator.patch(url, json={"members": 2})  # fewer than the stored 3 elderly
    assert response.status_code == 422
    assert any(e["field"] == "elderly" for e in response.get_json()["errors"])
    assert coordinator.get(url).get_json()["members"] == 5


def test_patch_rejects_bad_values(seed, coordinator):
    household = seed.household()
    audit_total = coordinator.get("/api/v1/audit").get_json()["total"]
    response = coordinator.patch(f"/api/v1/households/{household['id']}", json={"elderly": 9})
    assert response.status_code == 422
    assert any(e["field"] == "elderly" for e in response.get_json()["errors"])
    response = coordinator.patch(f"/api/v1/households/{household['id']}", json={"nik": "123"})
    assert response.status_code == 422
    assert coordinator.get("/api/v1/audit").get_json()["total"] == audit_total
    assert coordinator.get(f"/api/v1/households/{household['id']}").get_json()["elderly"] == 1
    # and the rejected change does not get in the way of (or ride along with) a valid one
    ok = coordinator.patch(f"/api/v1/households/{household['id']}", json={"landmark": "dekat sekolah"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["elderly"] == 1


def test_patch_to_a_taken_nik_is_409(seed, coordinator):
    seed.household()
    other = seed.household(nik=_nik(2), head_name="Budi")
    response = coordinator.patch(f"/api/v1/households/{other['id']}", json={"nik": NIK})
    assert response.status_code == 409
    assert coordinator.get(f"/api/v1/households/{other['id']}").get_json()["nik"] == _nik(2)


def test_get_missing_household_is_404(coordinator):
    response = coordinator.get("/api/v1/households/424242")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert coordinator.patch("/api/v1/households/424242", json={"members": 2}).status_code == 404


# --- list filters -----------------------------------------------------------------------------
def _ids(response):
    assert response.status_code == 200, response.get_json()
    return {h["id"] for h in response.get_json()["items"]}


def test_filter_by_kelurahan_and_kecamatan(seed, coordinator):
    mungku = seed.household()
    pahandut = seed.household(nik=_nik(2), location=PAHANDUT)
    assert _ids(coordinator.get("/api/v1/households?area=62.71.05.1004")) == {mungku["id"]}
    assert _ids(coordinator.get("/api/v1/households?area=62.71.05")) == {mungku["id"]}
    assert _ids(coordinator.get("/api/v1/households?area=62.71.01.1001")) == {pahandut["id"]}
    assert _ids(coordinator.get("/api/v1/households?area=62.71")) == {mungku["id"], pahandut["id"]}


def test_unknown_area_code_is_422(coordinator):
    response = coordinator.get("/api/v1/households?area=99.99.99.9999")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert any(e["field"] == "area" for e in response.get_json()["errors"])


def test_filter_by_bbox(seed, coordinator):
    mungku = seed.household()
    pahandut = seed.household(nik=_nik(2), location=PAHANDUT)
    assert _ids(coordinator.get("/api/v1/households?bbox=113.6,-1.8,113.8,-1.6")) == {mungku["id"]}
    assert _ids(coordinator.get("/api/v1/households?bbox=113.9,-2.25,114.0,-2.15")) == {pahandut["id"]}
    assert _ids(coordinator.get("/api/v1/households?bbox=110.0,-3.0,111.0,-2.0")) == set()


@pytest.mark.parametrize("bbox", ["abc", "113.6,-1.8,113.8", "113.8,-1.8,113.6,-1.6", "113.6,-1.8,113.8,x"])
def test_malformed_bbox_is_422(coordinator, bbox):
    response = coordinator.get(f"/api/v1/households?bbox={bbox}")
    assert response.status_code == 422
    assert any(e["field"].startswith("bbox") for e in response.get_json()["errors"])


def test_filter_by_event(seed, coordinator):
    event = seed.event()  # affected area: a box around Mungku Baru
    inside = seed.household()
    with_need = seed.household(nik=_nik(2), location=PAHANDUT, head_name="Dengan Kebutuhan")
    elsewhere = seed.household(nik=_nik(3), location=PAHANDUT, head_name="Tanpa Kebutuhan")
    seed.need(event["id"], with_need["id"], "food")
    other_event = seed.event(name="Banjir Kahayan", affected_area=None)
    seed.need(other_event["id"], elsewhere["id"], "water")

    assert _ids(coordinator.get(f"/api/v1/households?event={event['id']}")) == {inside["id"], with_need["id"]}
    assert _ids(coordinator.get(f"/api/v1/households?event={other_event['id']}")) == {elsewhere["id"]}
    response = coordinator.get("/api/v1/households?event=999999")
    assert response.status_code == 422
    assert any(e["field"] == "event" for e in response.get_json()["errors"])


def test_search_by_name(seed, coordinator):
    siti = seed.household()
    seed.household(nik=_nik(2), head_name="Budi Hartono", address="Jl. Tjilik Riwut", landmark="")
    assert _ids(coordinator.get("/api/v1/households?q=siti")) == {siti["id"]}
    assert _ids(coordinator.get("/api/v1/households?q=AMINAH")) == {siti["id"]}
    assert _ids(coordinator.get("/api/v1/households?q=nobody")) == set()


def test_pagination(seed, coordinator):
    created = [seed.household(nik=_nik(i), head_name=f"Kepala {i}")["id"] for i in (1, 2, 3)]
    first = coordinator.get("/api/v1/households?per_page=2").get_json()
    assert first["total"] == 3 and first["page"] == 1 and first["per_page"] == 2
    assert len(first["items"]) == 2
    second = coordinator.get("/api/v1/households?per_page=2&page=2").get_json()
    assert second["total"] == 3 and second["page"] == 2 and second["per_page"] == 2
    assert len(second["items"]) == 1
    assert {h["id"] for h in first["items"]} | {h["id"] for h in second["items"]} == set(created)


# --- personal data: logs and storage ----------------------------------------------------------
def test_personal_data_never_in_logs(coordinator, caplog):
    caplog.set_level(logging.DEBUG)
    # SQLAlchemy keeps its own loggers at WARNING; open them so SQL and parameters are logged
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    response = coordinator.post("/api/v1/households", json=SPEC_BODY)
    assert response.status_code == 201
    household = response.get_json()
    coordinator.get(f"/api/v1/households/{household['id']}")
    coordinator.patch(f"/api/v1/households/{household['id']}", json={"phone": "0812-3456-7891"})
    # a rejected request too: the invalid values must not be echoed into a log either
    coordinator.post("/api/v1/households", json=_body(nik="6271053102800001"))
    coordinator.post("/api/v1/households", json=_body())  # duplicate NIK → 409
    # searching for an identifier puts it into a SQL parameter, which SQLAlchemy logs at INFO
    coordinator.get(f"/api/v1/households?q={NIK}")
    coordinator.get("/api/v1/households?q=081234567890")
    assert any(r.name.startswith("sqlalchemy") for r in caplog.records)  # SQL was logged, scrubbed
    texts = [record.getMessage() for record in caplog.records] + [caplog.text]
    for secret in (NIK, KK, "81234567890", "81234567891", "6271053102800001"):
        for text_ in texts:
            assert secret not in text_, f"{secret} appears in a log record: {text_[:300]}"


def test_nik_is_not_stored_in_plain_text(seed):
    seed.household()
    row = db.session.execute(text("SELECT nik, kk_number, phone FROM households")).one()
    nik, kk, phone = row
    assert nik is not None and nik != NIK and NIK not in nik
    assert kk is not None and kk != KK and KK not in kk
    assert phone is not None and "81234567890" not in phone


# --- audit ------------------------------------------------------------------------------------
def _audit(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/v1/audit?per_page=500&{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_create_is_audited_without_personal_data(coordinator, official):
    household = coordinator.post("/api/v1/households", json=SPEC_BODY).get_json()
    log = _audit(coordinator, entity_type="household")
    created = [e for e in log["items"] if e["action"] == "household.created"]
    assert len(created) == 1
    entry = created[0]
    assert entry["entity_id"] == household["id"]
    assert entry["payload"]["nik"] == "<redacted>"
    assert entry["payload"]["kk_number"] == "<redacted>"
    assert entry["payload"]["phone"] == "<redacted>"
    assert set(entry["payload"]["head_name"]) == {"sealed"}  # the hash covers a salted seal
    assert entry["personal"]["head_name"] == "Siti Aminah"  # staff read the value
    for field in VULNERABILITY_FIELDS:  # who in the family is vulnerable is personal data too
        assert entry["payload"].get(field, "<redacted>") == "<redacted>", field
    raw = str(log)
    for secret in (NIK, KK, "81234567890"):
        assert secret not in raw
    # the official reads the same log
    assert _audit(official, entity_type="household")["total"] == log["total"]

    total = _audit(coordinator)["total"]
    assert coordinator.post("/api/v1/households", json=_body(nik="6271053102800001")).status_code == 422
    assert coordinator.post("/api/v1/households", json=_body()).status_code == 409
    assert _audit(coordinator)["total"] == total
    assert coordinator.get("/api/v1/audit/verify").get_json()["ok"] is True


def test_an_official_cannot_probe_for_a_family_by_name_or_place(seed, coordinator, official):
    seed.household()
    assert coordinator.get("/api/v1/households?q=Siti").get_json()["total"] == 1
    for query in ("q=Siti", "bbox=113.685,-1.635,113.686,-1.634"):
        response = official.get(f"/api/v1/households?{query}")
        assert response.status_code == 422, response.get_json()
        assert query.split("=")[0] in str(response.get_json()["errors"])
    assert official.get("/api/v1/households").get_json()["total"] == 1  # the list itself stays
