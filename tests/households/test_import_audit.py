"""The import writes its rows with bulk INSERTs: each household and need still gets the audit
entry the flush hook would have written (same payload as a registration through the API,
secrets redacted), and the chain verifies. On both databases."""

import csv
import io

from sqlalchemy import select

from resilience.audit.chain import verify
from resilience.audit.models import AuditEntry
from resilience.audit.sealing import is_seal, opens, read_openings
from resilience.extensions import db

ROW = {"head_name": "Siti Aminah", "phone": "0812-3456-7890", "nik": "6271054507800001",
       "kk_number": "6271050101090003", "address": "Jl. Mungku Baru", "landmark": "dekat masjid",
       "rt": "2", "rw": "1", "street": "Jl. Tjilik Riwut", "members": 4, "elderly": 1}


def _opened(entry):
    """The payload with each seal replaced by the value it seals (checked against it): salts
    differ from entry to entry, the values must not."""
    openings = read_openings(entry.private) or {}
    payload = dict(entry.payload)
    for key, value in entry.payload.items():
        if is_seal(value):
            assert opens(value, openings[key]), key
            payload[key] = openings[key][1]
    return payload


def _payloads(action):
    db.session.rollback()
    return [_opened(e) for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                   .order_by(AuditEntry.seq))]


def test_imported_rows_are_audited_like_registered_ones(coordinator, seed):
    event = seed.event()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*ROW, "lat", "lon", "kebutuhan", "kelurahan"])
    writer.writerow([*ROW.values(), "-1.6346", "113.6858", "makanan", ""])
    writer.writerow(["Ibu Sumiyati", "", "", "", "", "", "3", "1", "", "2", "0", "", "", "air", "Mungku Baru"])
    text = out.getvalue()
    response = coordinator.client.post(
        f"/api/v1/households/import?event={event['id']}",
        data={"file": (io.BytesIO(text.encode()), "warga.csv", "text/csv")},
        headers={"Authorization": f"Bearer {coordinator.token}"}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    imported = _payloads("household.created")
    assert len(imported) == 2
    registered = coordinator.post("/api/v1/households", json={
        **ROW, "nik": "6271054507800002", "location": {"lat": -1.6346, "lon": 113.6858}})
    assert registered.status_code == 201, registered.get_json()
    by_api = _payloads("household.created")[-1]
    assert imported[0] == by_api
    raw = db.session.scalars(select(AuditEntry.payload).where(AuditEntry.action == "household.created").order_by(AuditEntry.seq)).first()
    assert is_seal(raw["head_name"]) and is_seal(raw["address"])  # sealed in the hashed payload
    assert imported[0]["nik"] == "<redacted>" and imported[0]["rt"] == "<redacted>"
    assert imported[1]["location_precision"] == "kelurahan"

    need = coordinator.post(f"/api/v1/events/{event['id']}/needs",
                            json={"household_id": registered.get_json()["id"], "category": "food"})
    assert need.status_code == 201
    needs = _payloads("need.created")
    imported_need, api_need = needs[0], needs[-1]
    assert set(imported_need) == set(api_need)
    assert {k: v for k, v in imported_need.items() if k not in ("household_id", "reporter", "reported_at")} == {
        k: v for k, v in api_need.items() if k not in ("household_id", "reporter", "reported_at")}
    db.session.rollback()
    assert verify(db.session).ok
