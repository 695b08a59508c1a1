"""Field-encryption keys apart from SECRET_KEY, on both databases: data encrypted under the
old SECRET_KEY-derived key still reads and is found by its old digests; ``keys rotate``
re-encrypts it (and its digests) under the newest key in resumable, idempotent batches; a
value no key decrypts reads as "<unreadable>" (logged without data, counted), never null."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from resilience.core import crypto, keys
from resilience.audit.models import AuditEntry
from resilience.core.commands import keys_rotate
from resilience.extensions import db
from tests import factories
from tests.conftest import SECRET

NIK, KK, PHONE = "6271054507800001", "6271050101090003", "+6281234567890"
LEGACY = Fernet(crypto.legacy_key(SECRET))


@pytest.fixture
def restore_keys():
    saved = (crypto._Keys.primary, crypto._Keys.fernet, crypto._Keys.digest_keys)
    yield
    crypto._Keys.primary, crypto._Keys.fernet, crypto._Keys.digest_keys = saved


def _legacy_digest(value):
    import hashlib
    import hmac

    return hmac.new(crypto._derive(SECRET.encode(), b"field-digest"), value.encode(), hashlib.sha256).hexdigest()


def _raw(household_id):
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT nik, kk_number, phone, nik_digest, kk_digest FROM households WHERE id = :i"),
                            {"i": household_id}).one()


def _set_raw(household_id, **values):
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE households SET {sets} WHERE id = :id"), {"id": household_id, **values})


def _as_legacy(household_id):
    """What a deployment from before FIELD_ENCRYPTION_KEYS stored."""
    _set_raw(household_id, nik=LEGACY.encrypt(NIK.encode()).decode(), kk_number=LEGACY.encrypt(KK.encode()).decode(),
             phone=LEGACY.encrypt(PHONE.encode()).decode(), nik_digest=_legacy_digest(NIK), kk_digest=_legacy_digest(KK))


def test_the_field_keys_are_not_derived_from_secret_key(app):
    household = factories.household()
    nik, *_ = _raw(household.id)
    with pytest.raises(Exception):
        LEGACY.decrypt(nik.encode())
    # (the keys are per process: the last app created configured them)
    assert crypto._Keys.primary.decrypt(nik.encode()).decode() == NIK


def test_legacy_data_reads_is_found_then_rotates_idempotently(app, coordinator):
    household = factories.household()
    _as_legacy(household.id)

    shown = coordinator.get(f"/api/v1/households/{household.id}").get_json()
    assert (shown["nik"], shown["kk_number"], shown["phone"]) == (NIK, KK, PHONE)
    again = coordinator.post("/api/v1/households", json={"head_name": "Lain", "nik": NIK,
                                                         "location": {"lat": -1.6346, "lon": 113.6858}})
    assert again.status_code == 409 and again.get_json()["existing_id"] == household.id

    result = app.test_cli_runner().invoke(keys_rotate, [])
    assert result.exit_code == 0, result.output
    assert '"rotated": 3' in result.output and '"digests": 2' in result.output
    nik, kk, phone, nik_digest, kk_digest = _raw(household.id)
    for token in (nik, kk, phone):
        assert crypto.is_current(token)
    assert (nik_digest, kk_digest) == (crypto.digest(NIK), crypto.digest(KK))
    assert coordinator.get(f"/api/v1/households/{household.id}").get_json()["nik"] == NIK

    second = keys.rotate(db.engine, db.metadata)
    openings = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.private.is_not(None)))
    db.session.rollback()
    assert openings >= 1  # the household's creation: its sealed name and address, encrypted too
    assert (second.rotated, second.digests, second.current) == (0, 0, 3 + openings)
    assert _raw(household.id) == (nik, kk, phone, nik_digest, kk_digest)  # nothing rewritten


def test_rotation_to_a_new_key_is_resumable_and_old_keys_can_then_go(app, coordinator, restore_keys, monkeypatch):
    old = Fernet.generate_key().decode()
    crypto.configure([old], SECRET)
    ids = [factories.household(nik=f"62710545078000{i:02d}", phone=None, kk_number=None).id for i in range(1, 6)]
    new = Fernet.generate_key().decode()
    crypto.configure([new, old], SECRET)

    real, calls = keys._rotate_row, []

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(*args)

    monkeypatch.setattr(keys, "_rotate_row", interrupted)
    with pytest.raises(RuntimeError) as info:
        keys.rotate(db.engine, db.metadata, batch_size=2)
    assert str(info.value) == "killed", info.value
    monkeypatch.setattr(keys, "_rotate_row", real)
    done = [crypto.is_current(_raw(i)[0]) for i in ids]
    assert done == [True, True, False, False, False]  # the first batch committed, the rest untouched
    assert coordinator.get(f"/api/v1/households?q=", ).status_code == 200

    report = keys.rotate(db.engine, db.metadata, batch_size=2)
    # 3 NIKs, and the 5 households' audit openings (rotated last, so none in the first run)
    assert (report.rotated, report.current, report.ok) == (3 + 5, 2, True)

    crypto.configure([new], "another-secret-key-entirely-0123")  # the old key and SECRET_KEY both gone
    for i, household_id in enumerate(ids, 1):
        body = coordinator.get(f"/api/v1/households/{household_id}").get_json()
        assert body["nik"] == f"62710545078000{i:02d}"
    taken = coordinator.post("/api/v1/households", json={"head_name": "Lain", "nik": "6271054507800003",
                                                         "location": {"lat": -1.6346, "lon": 113.6858}})
    assert taken.status_code == 409 and taken.get_json()["field"] == "nik"


def test_an_undecryptable_field_reads_as_unreadable_is_logged_without_data_and_counted(app, coordinator, official,
                                                                                       caplog):
    household = factories.household()
    stranger = Fernet(Fernet.generate_key())
    token = stranger.encrypt(NIK.encode()).decode()
    _set_raw(household.id, nik=token)
    before = crypto.decrypt_failures()

    with caplog.at_level(logging.ERROR, logger="resilience.crypto"):
        as_coordinator = coordinator.get(f"/api/v1/households/{household.id}")
        as_official = official.get(f"/api/v1/households/{household.id}")
    assert as_coordinator.status_code == 200 and as_official.status_code == 200
    assert as_coordinator.get_json()["nik"] == "<unreadable>" and as_official.get_json()["nik"] == "<unreadable>"
    assert as_coordinator.get_json()["kk_number"] == KK  # the other fields are fine
    assert crypto.decrypt_failures() >= before + 2
    messages = [r.getMessage() for r in caplog.records if r.name == "resilience.crypto"]
    assert messages and all(NIK not in m and token not in m for m in messages)
    assert "could not be decrypted" in messages[0]

    # Editing something else keeps the stored value; rotation reports the row and exits 1.
    assert coordinator.patch(f"/api/v1/households/{household.id}", json={"members": 6}).status_code == 200
    assert _raw(household.id)[0] == token
    result = app.test_cli_runner().invoke(keys_rotate, [])
    assert result.exit_code == 1 and f'"households.nik": [{household.id}]' in result.output
    assert NIK not in result.output


def test_every_encrypted_column_has_its_digest_mapped_when_it_has_one():
    import resilience.app  # noqa: F401  (all models)

    columns = keys.encrypted_columns(db.metadata)
    assert columns == {"households": ["kk_number", "nik", "phone"], "help_requests": ["phone", "body"],
                       "volunteers": ["phone"], "sms_messages": ["phone"], "flood_events": ["duty_phone"],
                       "volunteer_groups": ["leader_phone"], "audit_entries": ["private"]}
    assert list(columns)[-1] == "audit_entries"  # rotated last
    digests = {c.name for t in db.metadata.sorted_tables for c in t.columns if c.name.endswith("_digest")
               and t.name in columns}
    assert digests == set(keys.DIGEST_COLUMNS.values())


# --- the setting ------------------------------------------------------------------------------
def test_field_keys_are_generated_into_the_instance_once(tmp_path):
    from resilience.core.settings import Settings

    env = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": SECRET}
    first = Settings.from_env(env).field_encryption_keys
    path = tmp_path / "field_encryption_keys"
    assert len(first) == 1 and Fernet(first[0]) and oct(path.stat().st_mode & 0o777) == "0o600"
    assert Settings.from_env(env).field_encryption_keys == first


def test_field_keys_newest_first_and_required_in_production(tmp_path):
    from resilience.core.settings import Settings, SettingsError

    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    base = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": SECRET}
    assert Settings.from_env({**base, "FIELD_ENCRYPTION_KEYS": f"{new}, {old}"}).field_encryption_keys == (new, old)
    with pytest.raises(SettingsError, match="FIELD_ENCRYPTION_KEYS is required"):
        Settings.from_env({**base, "RESILIENCE_ENV": "production"})
    assert not (tmp_path / "field_encryption_keys").exists()
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**base, "FIELD_ENCRYPTION_KEYS": f"{new},not-a-key-{old[:20]}"})
    assert "key 2 is not a Fernet key" in str(info.value) and old[:20] not in str(info.value)
    production = Settings.from_env({**base, "RESILIENCE_ENV": "production", "FIELD_ENCRYPTION_KEYS": new})
    assert production.field_encryption_keys == (new,)
