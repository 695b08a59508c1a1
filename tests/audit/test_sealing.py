"""Personal values in the log are sealed: officials read and verify every entry without seeing a
name, an address, a point, a note or an SMS body; staff read them in clear; entries from before
seals are withheld from officials and still verified by their links."""

from __future__ import annotations

import json
import re

from sqlalchemy import select, update

from resilience.audit.canonical import body_of, entry_hash
from resilience.audit.models import AuditEntry
from resilience.audit.sealing import opens, read_openings
from resilience.extensions import db
from tests.audit import scenario
from tests.audit.test_export_and_verifier import _cli_export, _verify

SECRETS = ("Siti Aminah", "Yohanes Dehen", "Maria Ulfa", "Mungku Baru RT", "dekat masjid",
           "nenek tidak bisa jalan", "Pak Perahu", "Bu Dapur", "+628")
# Phone numbers in any spelling: a local 08… number as a word, not four digits inside a hash.
PHONE = re.compile(r"(?<![0-9a-f])0812\d{6,}")
# The households' and volunteers' points (the scenario's depot stands on one of them: a depot's
# place is public, so points are looked for in the entries about people only).
POINTS = ("113.6858", "-1.6346", "113.69", "-1.64", "113.67", "-1.6794")


def _no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret
    assert not PHONE.search(text), PHONE.search(text)
    for line in text.splitlines():
        for entry in (json.loads(line).get("items") or [json.loads(line)]):
            if entry.get("entity_type") in ("household", "volunteer"):
                assert not any(p in json.dumps(entry) for p in POINTS), entry


def test_officials_get_every_entry_sealed_and_still_recomputable(coordinator, official, seed):
    scenario.build(coordinator, seed)
    body = official.get("/api/v1/audit?per_page=500")
    assert body.status_code == 200
    _no_secret(body.get_data(as_text=True))
    items = body.get_json()["items"]
    household = next(i for i in items if i["action"] == "household.created")
    assert set(household["payload"]["head_name"]) == {"sealed"} and "personal" not in household
    assert not any(i.get("withheld") for i in items)
    sms = [i for i in items if i["entity_type"] == "sms_message" and "body" in i["payload"]]
    assert sms and all(set(i["payload"]["body"]) == {"sealed"} for i in sms)
    # the official recomputes every hash from what they were given
    prev = "0" * 64
    for item in items:
        assert entry_hash(prev, {k: item[k] for k in ("seq", "time", "actor", "action", "entity_type",
                                                      "entity_id", "payload")}) == item["hash"]
        prev = item["hash"]


def test_staff_read_the_values_and_each_opening_matches_its_seal(coordinator, seed):
    scenario.build(coordinator, seed)
    items = coordinator.get("/api/v1/audit?per_page=500").get_json()["items"]
    created = next(i for i in items if i["action"] == "household.created")
    assert created["personal"]["head_name"] == "Siti Aminah"
    assert created["personal"]["location"] == "POINT (113.6858 -1.6346)"
    need = next(i for i in items if i["action"] == "need.created" and "notes" in i.get("personal", {}))
    assert need["personal"]["notes"] == "nenek tidak bisa jalan"
    entry = db.session.get(AuditEntry, created["seq"])
    openings = read_openings(entry.private)
    assert all(opens(entry.payload[key], opening) for key, opening in openings.items())
    assert not opens(entry.payload["head_name"], [openings["head_name"][0], "Siti Aminah "])
    # the openings are stored encrypted
    raw = db.session.connection().exec_driver_sql(
        f"SELECT private FROM audit_entries WHERE seq = {created['seq']}").scalar()
    assert raw and "Siti" not in raw


def test_the_seal_hides_low_entropy_values(coordinator, seed):
    """Two households with the same name get different seals: no dictionary of names helps."""
    seed.household(head_name="Ahmad", nik=None, kk_number=None, phone=None)
    seed.household(head_name="Ahmad", nik=None, kk_number=None, phone=None)
    items = coordinator.get("/api/v1/audit?action=household.created").get_json()["items"]
    seals = [i["payload"]["head_name"]["sealed"] for i in items]
    assert len(seals) == 2 and seals[0] != seals[1]


def _make_legacy(seq: int, head_name: str) -> None:
    """Rewrite one entry (and the chain after it) as written before seals: the name in clear."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = "0" * 64
    for entry in entries:
        payload = dict(entry.payload)
        if entry.seq == seq:
            payload["head_name"] = head_name
            db.session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(payload=payload, private=None))
            entry.payload = payload
        digest = entry_hash(prev, body_of(entry))
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq)
                           .values(prev_hash=prev, hash=digest))
        prev = digest
    from resilience.audit.models import AuditHead
    db.session.execute(update(AuditHead).values(hash=prev))
    db.session.commit()
    db.session.expire_all()


def test_an_entry_from_before_seals_is_withheld_from_officials_and_linked(
        app, tmp_path, coordinator, official, seed):
    scenario.build(coordinator, seed)
    created = coordinator.get("/api/v1/audit?action=household.created").get_json()["items"][0]
    _make_legacy(created["seq"], "Siti Aminah")
    assert coordinator.get("/api/v1/audit/verify?full=true").get_json()["ok"] is True

    listed = official.get(f"/api/v1/audit?entity_type=household&entity_id={created['entity_id']}")
    _no_secret(listed.get_data(as_text=True))
    entry = listed.get_json()["items"][0]
    assert entry["withheld"] is True and entry["payload"]["head_name"] == "<withheld>"

    lines = official.get("/api/v1/audit/export").get_data(as_text=True)
    _no_secret(lines)
    assert lines == _cli_export(app)
    code, verdict = _verify(tmp_path, lines.splitlines(keepends=True))
    assert code == 0 and "1 withheld entries" in verdict, verdict
    # a withheld entry edited or given another hash is still caught by its link
    edited = lines.splitlines(keepends=True)
    index = created["seq"] - 1
    record = json.loads(edited[index])
    record["hash"] = "b" * 64
    edited[index] = json.dumps(record, ensure_ascii=False) + "\n"
    code, verdict = _verify(tmp_path, edited)
    assert code == 1 and verdict.startswith(f"BROKEN at seq {created['seq'] + 1}:"), verdict
    # an ordinary entry edited is caught by its hash
    sealed = lines.splitlines(keepends=True)
    record = json.loads(sealed[index + 1])
    record["payload"] = {**record["payload"], "edited": True}
    sealed[index + 1] = json.dumps(record, ensure_ascii=False) + "\n"
    code, verdict = _verify(tmp_path, sealed)
    assert code == 1 and verdict.startswith(f"BROKEN at seq {created['seq'] + 1}:"), verdict


def test_an_imported_spreadsheet_is_sealed_too(coordinator, official, seed):
    """The importer writes its audit entries itself (record_many): they are sealed the same way."""
    from tests.households.test_import import GOOD, _upload

    event = seed.event()
    assert _upload(coordinator, GOOD, f"?event={event['id']}").status_code == 201
    body = official.get("/api/v1/audit?entity_type=household&per_page=500")
    assert "Siti Aminah" not in body.get_data(as_text=True) and "Yohanes" not in body.get_data(as_text=True)
    items = body.get_json()["items"]
    assert len(items) == 2 and all(set(i["payload"]["head_name"]) == {"sealed"} for i in items)
    staff = coordinator.get("/api/v1/audit?entity_type=household&per_page=500").get_json()["items"]
    assert {i["personal"]["head_name"] for i in staff} == {"Siti Aminah", "Yohanes Dehen"}
