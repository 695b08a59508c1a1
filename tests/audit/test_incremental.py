"""Verification on the server remembers the verified prefix and checks only what was added;
a full check and anchors still catch what only they can."""

from __future__ import annotations

from sqlalchemy import select, text

from resilience.audit.canonical import body_of, entry_hash
from resilience.audit.models import AuditEntry, AuditVerified
from resilience.audit.verification import remember, verify
from resilience.extensions import db


def _remembered():
    db.session.rollback()
    row = db.session.execute(select(AuditVerified.seq, AuditVerified.hash)).one_or_none()
    return tuple(row) if row else None


def _head():
    db.session.rollback()
    return db.session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).one()


def _tamper(sql, **params):
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _households(seed, n, start=0):
    for i in range(n):
        seed.household(nik=None, kk_number=None, phone=None, head_name=f"Warga {start + i}")


def test_a_new_call_checks_only_what_was_added(anonymous, seed):
    seed.event()
    _households(seed, 5)
    first = verify(db.session)
    assert first.ok and first.full and first.checked == first.entries
    assert anonymous.get("/api/v1/audit/verify").get_json() == {"ok": True, "entries": first.entries}
    assert _remembered() == tuple(_head())
    _households(seed, 2, start=5)
    db.session.rollback()
    again = verify(db.session)
    added = again.entries - first.entries
    assert again.ok and not again.full and added == 2
    assert again.checked == added + 1  # the remembered entry, recomputed, and the new ones
    remember(db.engine, again)
    assert _remembered() == tuple(_head())
    full = verify(db.session, full=True)
    assert full.ok and full.checked == full.entries


def test_an_edit_inside_the_prefix_needs_the_full_check_then_every_call_reports_it(coordinator, anonymous, seed):
    seed.event()
    _households(seed, 4)
    assert anonymous.get("/api/v1/audit/verify").get_json()["ok"] is True
    _tamper("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2")
    # hashes untouched: the remembered entry still matches, an incremental call cannot see it
    assert anonymous.get("/api/v1/audit/verify").get_json()["ok"] is True
    full = coordinator.get("/api/v1/audit/verify?full=true").get_json()
    assert full == {"ok": False, "first_bad_seq": 2, "entries": 1}
    assert _remembered()[0] == 1  # moved back to before the break
    assert anonymous.get("/api/v1/audit/verify").get_json()["first_bad_seq"] == 2


def test_a_rewrite_up_to_the_remembered_entry_is_caught_without_full(anonymous, seed):
    seed.event()
    _households(seed, 3)
    assert anonymous.get("/api/v1/audit/verify").get_json()["ok"] is True
    remembered_seq = _remembered()[0]
    # rewrite entry 2 and recompute every hash after it and the head: the chain verifies alone
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev, rows = entries[0].hash, []
    for e in entries[1:]:
        actor = "forger" if e.seq == 2 else e.actor
        body = body_of(e)
        body["actor"] = actor
        digest = entry_hash(prev, body)
        rows.append({"s": e.seq, "a": actor, "p": prev, "h": digest})
        prev = digest
    db.session.rollback()
    with db.engine.begin() as conn:
        for row in rows:
            conn.execute(text("UPDATE audit_entries SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"), row)
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    result = anonymous.get("/api/v1/audit/verify").get_json()
    assert result["ok"] is False and result["first_bad_seq"] == remembered_seq
    assert anonymous.get("/api/v1/audit/verify?full=true").get_json()["first_bad_seq"] == remembered_seq
    assert _remembered()[0] == remembered_seq  # the evidence is kept


def test_anchors_inside_the_prefix_are_always_checked(anonymous, seed):
    seed.event()
    _households(seed, 4)
    assert anonymous.get("/api/v1/audit/verify").get_json()["ok"] is True
    third = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == 3))
    ok = anonymous.get(f"/api/v1/audit/verify?anchor=3:{third}").get_json()
    assert ok["ok"] is True
    wrong = anonymous.get(f"/api/v1/audit/verify?anchor=3:{'b' * 64}").get_json()
    assert wrong["ok"] is False and wrong["first_bad_seq"] == 3
    # entry 3 edited in place (hashes untouched): walking from the anchor recomputes it
    _tamper("UPDATE audit_entries SET action = 'household.erased' WHERE seq = 3")
    caught = anonymous.get(f"/api/v1/audit/verify?anchor=3:{third}").get_json()
    assert caught["ok"] is False and caught["first_bad_seq"] == 3
    assert _remembered()[0] > 3  # an anchor never moves the remembered prefix


def test_a_rolled_back_verification_is_never_remembered(app, seed):
    seed.event()
    committed = _head()[0]
    from resilience.audit.chain import record

    record(db.session, "test.note", "test", None, {"n": 1})  # not committed
    result = verify(db.session)
    assert result.ok and result.good_seq == committed + 1
    db.session.rollback()
    remember(db.engine, result)
    assert _remembered() is None  # that entry was never committed with that hash
    record(db.session, "test.note", "test", None, {"n": 2})
    db.session.commit()
    assert verify(db.session).ok
