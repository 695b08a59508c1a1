"""UU PDP rights of a household: the export holds everything about it and nothing about anyone
else; the erasure leaves none of its personal values readable anywhere (every table, decrypted;
the API; the log's openings; a new export) while the report's aggregates, the chain and an
exported log's standalone verification stay as they were."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import select

import resilience.models  # noqa: F401  (every table in the metadata)
from resilience.audit.models import AuditEntry
from resilience.extensions import db
from resilience.households.models import Household
from resilience.sms.inbox import receive
from tests import factories

VERIFIER = Path(__file__).resolve().parents[2] / "resilience" / "audit" / "verify_export.py"
RESIDENT = "+6281299997777"
POINT = {"lat": -1.6342, "lon": 113.6861}
SITI = dict(head_name="Siti Nurhayati Wulandari", phone="0812-7777-6543", nik="6271054507801234",
            kk_number="6271050101095678", address="Jl. Melati Ujung Nomor 17", street="Gang Kenanga Sari",
            landmark="samping warung Pak Darto", rt="7", rw="4", location=POINT, members=6, elderly=2,
            children_under5=1)
NEED_NOTES = "nenek Wulandari butuh insulin"
ISSUE_NOTES = "diterima oleh menantu Wulandari"
TOLONG = "TOLONG 6 orang Gang Kenanga Sari, nenek Wulandari sakit"
# Every value that identifies the family: none may be readable after the erasure.
SECRETS = ("Nurhayati", "Wulandari", "6271054507801234", "6271050101095678", "7777-6543", "81277776543",
           "Melati Ujung", "Kenanga Sari", "warung Pak Darto", "113.6861", "1.6342", "9999777")
OTHER = dict(head_name="Yohanes Batubara", phone="0813-5555-2468", nik="6271050101700009",
             kk_number="6271050101700010", address="Jl. Tjilik Riwut Km 12", landmark="depan gereja",
             location={"lat": -1.6350, "lon": 113.6850})
OTHER_SECRETS = ("Batubara", "6271050101700009", "5555-2468", "Tjilik Riwut", "depan gereja")


@pytest.fixture
def family(app, coordinator):
    """Siti's household with a need (notes), an offered task (offer SMS), stock issued, and her own
    TOLONG attached to it; another family with a need beside it."""
    event = factories.event()
    siti = factories.household(**SITI)
    other = factories.household(**OTHER)
    need = factories.need(event, siti, "food", notes=NEED_NOTES)
    factories.need(event, other, "food", notes="Batubara minta beras")
    volunteer = factories.volunteer(name="Budi Relawan", phone="+6281345600001", skills=["boat"])
    task = factories.task(event, need, volunteer, offer=True)
    depot = factories.depot()
    factories.item()
    factories.movement(depot, "receipt", "BERAS", 100, donor="Dinas Sosial")
    factories.movement(depot, "issue", "BERAS", 14, household_id=siti.id, event_id=event.id, notes=ISSUE_NOTES)
    factories.movement(depot, "issue", "BERAS", 7, household_id=other.id, event_id=event.id)
    with factories.writing() as session:
        receive(session, RESIDENT, TOLONG)
    db.session.rollback()
    [request] = coordinator.get("/api/v1/help-requests").get_json()["items"]
    verified = coordinator.post(f"/api/v1/help-requests/{request['id']}/verify", json={
        "household_id": siti.id, "need": {"event_id": event.id, "category": "water"}})
    assert verified.status_code == 200, verified.get_json()
    db.session.rollback()
    return {"event": event, "siti": siti, "other": other, "task": task, "need": need}


def _plain(value):
    if isinstance(value, (WKBElement, WKTElement)):
        return to_shape(value).wkt
    return str(value)


def _database_text() -> str:
    """Every row of every table, decrypted (encrypted columns read through their type), as text."""
    db.session.rollback()
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            parts.append(" | ".join(_plain(v) for v in row))
    db.session.rollback()
    return "\n".join(parts)


def _found(text: str, secrets=SECRETS) -> list[str]:
    return [s for s in secrets if s in text]


def test_export_holds_the_household_and_its_log_and_nothing_of_others(family, coordinator, admin):
    siti, task = family["siti"], family["task"]
    response = coordinator.get(f"/api/v1/households/{siti.id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="household-{siti.id}.json"'
    assert response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    doc = json.loads(body)
    household = doc["household"]
    assert (household["head_name"], household["nik"], household["kk_number"]) == (
        SITI["head_name"], SITI["nik"], SITI["kk_number"])
    assert household["phone"].endswith("81277776543") and household["rt"] == "007"
    assert household["location"] == POINT and household["erased_at"] is None
    [food, water] = doc["needs"]
    assert food["notes"] == NEED_NOTES and water["category"] == "water"
    [exported_task] = food["tasks"]
    assert exported_task["code"] == f"T{task.id}" and exported_task["status"] == "offered"
    assert exported_task["offered_at"] is not None and "volunteer_id" not in exported_task
    offers = [m for m in doc["sms"] if m["kind"] == "offer"]
    assert offers and offers[0]["task_code"] == f"T{task.id}" and "phone" not in offers[0]
    own = [m for m in doc["sms"] if "phone" in m]
    assert {m["direction"] for m in own} == {"inbound", "outbound"}
    assert any(m["body"] == TOLONG for m in own)
    [issued] = doc["stock_issued"]
    assert (issued["quantity"], issued["item"]["code"], issued["notes"]) == (14, "BERAS", ISSUE_NOTES)
    [request] = doc["help_requests"]
    assert request["body"] == TOLONG and request["phone"] == RESIDENT
    # the log: entries about the household, its needs, its task, with the openings
    about = {(e["entity_type"], e["entity_id"]) for e in doc["audit"]}
    assert ("household", siti.id) in about and ("need", family["need"].id) in about and ("task", task.id) in about
    created = next(e for e in doc["audit"] if e["action"] == "household.created" and e["entity_id"] == siti.id)
    assert created["personal"]["head_name"] == SITI["head_name"]
    assert created["payload"]["head_name"]["sealed"]
    need_created = next(e for e in doc["audit"] if e["action"] == "need.created" and e["entity_id"] == family["need"].id)
    assert need_created["personal"]["notes"] == NEED_NOTES
    # nothing of the other family, nor the volunteer's phone or name
    assert _found(body, OTHER_SECRETS + ("+6281345600001", "Budi Relawan")) == []
    assert ("household", family["other"].id) not in about
    assert admin.get(f"/api/v1/households/{siti.id}/export").status_code == 200


def test_only_admins_erase_and_officials_get_neither(family, coordinator, official):
    siti = family["siti"]
    assert official.get(f"/api/v1/households/{siti.id}/export").status_code == 403
    assert official.post(f"/api/v1/households/{siti.id}/erase", json={"reason": "subject_request"}).status_code == 403
    assert coordinator.post(f"/api/v1/households/{siti.id}/erase",
                            json={"reason": "subject_request"}).status_code == 403
    db.session.rollback()
    assert db.session.get(Household, siti.id).erased_at is None


def test_erase_needs_a_known_reason_and_a_household(family, admin):
    siti = family["siti"]
    for body in ({}, {"reason": "karena diminta Ibu Siti"}, {"reason": "subject_request", "extra": 1}):
        response = admin.post(f"/api/v1/households/{siti.id}/erase", json=body)
        assert response.status_code == 422, body
    assert admin.post("/api/v1/households/999999/erase", json={"reason": "subject_request"}).status_code == 404
    assert admin.get("/api/v1/households/999999/export").status_code == 404
    db.session.rollback()
    assert db.session.get(Household, siti.id).erased_at is None


def _report(client, event_id):
    report = client.get(f"/api/v1/events/{event_id}/report").get_json()
    for name in ("generated_at", "audit", "waiting"):
        report.pop(name)
    return report


def test_erasure_leaves_no_personal_value_and_keeps_aggregates_and_chain(family, admin, coordinator, official,
                                                                         tmp_path):
    siti, other, event = family["siti"], family["other"], family["event"]
    before_db = _database_text()
    assert set(_found(before_db)) >= {"Nurhayati", "6271054507801234", "Melati Ujung", "113.6861"}
    report_before, official_before = _report(coordinator, event.id), _report(official, event.id)
    area_before = coordinator.get(f"/api/v1/households/{siti.id}").get_json()["admin_area"]

    response = admin.post(f"/api/v1/households/{siti.id}/erase", json={"reason": "subject_request"})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["households"] == [siti.id] and result["needs"] == 2 and result["help_requests"] == 1
    assert result["audit_openings_deleted"] > 0 and result["audit_entries_in_clear"] == 0

    # nothing personal left anywhere in the database, decrypted or not; the other family intact
    after_db = _database_text()
    assert _found(after_db) == []
    assert set(_found(after_db, OTHER_SECRETS)) == set(OTHER_SECRETS) - {"5555-2468"}
    # nor through the API, the log (with openings), or a new export
    shown = coordinator.get(f"/api/v1/households/{siti.id}").get_json()
    assert shown["head_name"] == "[dihapus]" and shown["nik"] is None and shown["phone"] is None
    assert shown["address"] == "" and shown["rt"] is None and shown["location_precision"] == "kelurahan"
    assert shown["admin_area"] == area_before and shown["erased_at"] is not None
    assert (shown["members"], shown["elderly"]) == (6, 2)
    pages = [coordinator.get(f"/api/v1/households/{siti.id}/export").get_data(as_text=True),
             coordinator.get("/api/v1/audit?per_page=500").get_data(as_text=True),
             coordinator.get("/api/v1/audit/export").get_data(as_text=True),
             coordinator.get("/api/v1/sms?per_page=500").get_data(as_text=True),
             coordinator.get("/api/v1/help-requests").get_data(as_text=True),
             coordinator.get(f"/api/v1/events/{event.id}/needs").get_data(as_text=True),
             coordinator.get("/api/v1/households?per_page=500").get_data(as_text=True)]
    for page in pages:
        assert _found(page) == [], page[:300]
    # the reports' aggregates did not change, for staff or officials
    assert _report(coordinator, event.id) == report_before
    assert _report(official, event.id) == official_before
    # the erasure itself is in the log, with no personal value
    db.session.rollback()
    erased = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "household.erased")).one()
    assert erased.entity_id == siti.id and erased.payload["reason"] == "subject_request" and erased.private is None
    # the chain still verifies, on the server and from an export on an official's laptop
    verdict = official.get("/api/v1/audit/verify?full=true").get_json()
    assert verdict["ok"] is True, verdict
    exported = official.get("/api/v1/audit/export").get_data(as_text=True)
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    (laptop / "verify_export.py").write_bytes(VERIFIER.read_bytes())
    (laptop / "audit.jsonl").write_text(exported, encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "-S", str(laptop / "verify_export.py"), str(laptop / "audit.jsonl")],
                          capture_output=True, text=True, cwd=laptop)
    assert done.returncode == 0 and done.stdout.startswith("OK"), done.stdout + done.stderr
    staff_export = laptop / "staff.jsonl"
    staff_export.write_text(coordinator.get("/api/v1/audit/export").get_data(as_text=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "-S", str(laptop / "verify_export.py"), str(staff_export)],
                          capture_output=True, text=True, cwd=laptop)
    assert done.returncode == 0, done.stdout + done.stderr
    assert other.id != siti.id


def test_an_erased_household_stays_erased(family, admin, coordinator):
    siti, other = family["siti"], family["other"]
    assert admin.post(f"/api/v1/households/{siti.id}/erase", json={"reason": "consent_withdrawn"}).status_code == 200
    again = admin.post(f"/api/v1/households/{siti.id}/erase", json={"reason": "subject_request"})
    assert again.status_code == 409
    patched = coordinator.patch(f"/api/v1/households/{siti.id}", json={"head_name": "Siti Nurhayati"})
    assert patched.status_code == 409
    merged = coordinator.post(f"/api/v1/households/{other.id}/merge", json={"into": siti.id})
    assert merged.status_code == 409
    assert coordinator.get(f"/api/v1/households/{siti.id}").get_json()["head_name"] == "[dihapus]"
    db.session.rollback()
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "household.erased")).all().__len__() == 1


def test_erasing_a_household_erases_the_duplicates_merged_into_it(app, admin, coordinator):
    kept = factories.household(**SITI)
    duplicate = factories.household(**{**SITI, "nik": None, "kk_number": None, "head_name": "Ibu Siti Nurhayati W.",
                                       "address": "Jl Melati Ujung 17"})
    assert coordinator.post(f"/api/v1/households/{duplicate.id}/merge", json={"into": kept.id}).status_code == 200
    doc = coordinator.get(f"/api/v1/households/{kept.id}/export").get_json()
    assert [h["id"] for h in doc["merged_households"]] == [duplicate.id]
    result = admin.post(f"/api/v1/households/{kept.id}/erase", json={"reason": "subject_request"}).get_json()
    assert result["households"] == [kept.id, duplicate.id]
    assert _found(_database_text()) == []


def _make_legacy(seq: int, head_name: str) -> None:
    """Rewrite entry ``seq`` (and the chain after it) as written before seals: the name in clear
    inside the hash, no openings."""
    from sqlalchemy import update

    from resilience.audit.canonical import entry_body, entry_hash
    from resilience.audit.models import AuditHead

    db.session.rollback()
    prev = "0" * 64
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all():
        payload = entry.payload
        if entry.seq == seq:
            payload = {**entry.payload, "head_name": head_name}
        digest = entry_hash(prev, entry_body(entry.seq, entry.created_at, entry.actor, entry.action,
                                             entry.entity_type, entry.entity_id, payload))
        values = dict(prev_hash=prev, hash=digest)
        if entry.seq == seq:
            values.update(payload=payload, private=None)
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq).values(**values))
        prev = digest
    db.session.execute(update(AuditHead).values(hash=prev))
    db.session.commit()
    db.session.expire_all()


def test_entries_from_before_seals_are_counted_and_withheld_from_the_export(app, admin, coordinator):
    siti = factories.household(**SITI)
    db.session.rollback()
    seq = db.session.scalar(select(AuditEntry.seq).where(AuditEntry.action == "household.created",
                                                         AuditEntry.entity_id == siti.id))
    _make_legacy(seq, SITI["head_name"])
    before = coordinator.get(f"/api/v1/households/{siti.id}/export").get_json()
    assert any(e["payload"].get("head_name") == SITI["head_name"] for e in before["audit"])
    result = admin.post(f"/api/v1/households/{siti.id}/erase", json={"reason": "subject_request"}).get_json()
    assert result["audit_entries_in_clear"] == 1
    after = coordinator.get(f"/api/v1/households/{siti.id}/export")
    assert _found(after.get_data(as_text=True)) == []
    [legacy] = [e for e in after.get_json()["audit"] if e["seq"] == seq]
    assert legacy["withheld"] is True and legacy["payload"]["head_name"] == "<withheld>"
    assert coordinator.get("/api/v1/audit/verify?full=true").get_json()["ok"] is True
    # Nor do staff read it anywhere else: the log's API, its export, its page (admin and coordinator).
    for client in (coordinator, admin):
        listing = client.get("/api/v1/audit?per_page=500")
        [entry] = [e for e in listing.get_json()["items"] if e["seq"] == seq]
        assert entry["withheld"] is True and entry["payload"]["head_name"] == "<withheld>"
        exported = client.get("/api/v1/audit/export")
        assert exported.status_code == 200
        assert _found(listing.get_data(as_text=True) + exported.get_data(as_text=True)) == []
    assert '"withheld": true' in exported.get_data(as_text=True).replace('":true', '": true')


def test_nothing_new_is_attached_to_an_erased_household(family, admin, coordinator):
    siti, event = family["siti"], family["event"]
    assert admin.post(f"/api/v1/households/{siti.id}/erase", json={"reason": "subject_request"}).status_code == 200
    need = coordinator.post(f"/api/v1/events/{event.id}/needs", json={
        "household_id": siti.id, "category": "medical", "notes": "Wulandari lagi"})
    assert need.status_code == 409, need.get_json()
    with factories.writing() as session:
        receive(session, RESIDENT, "TOLONG lagi, Wulandari")
    db.session.rollback()
    pending = coordinator.get("/api/v1/help-requests?status=pending").get_json()["items"]
    [request] = pending
    verified = coordinator.post(f"/api/v1/help-requests/{request['id']}/verify", json={
        "household_id": siti.id, "need": {"event_id": event.id, "category": "medical"}})
    assert verified.status_code == 409
    assert coordinator.get(f"/api/v1/help-requests/{request['id']}").get_json()["status"] == "pending"
