"""GET /api/v1/audit: the SPEC's filters, unknown parameters refused, paging, and every entry
in exactly the form that was hashed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from resilience.audit.models import AuditEntry
from resilience.extensions import db
from tests.audit import scenario

GENESIS = "0" * 64


def _all(client, query=""):
    body = client.get(f"/api/v1/audit?per_page=500{query}")
    assert body.status_code == 200, body.get_json()
    return body.get_json()


def test_hashes_recompute_from_the_api_output_alone(coordinator, seed):
    scenario.build(coordinator, seed)
    items = _all(coordinator)["items"]
    assert len(items) > 30
    prev = GENESIS
    for item in items:
        body = {k: item[k] for k in ("seq", "time", "actor", "action", "entity_type", "entity_id", "payload")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert item["prev_hash"] == prev
        assert hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest() == item["hash"], item["seq"]
        prev = item["hash"]
    # times carry the microseconds the hash covers
    assert all(len(i["time"]) == len("2026-03-10T07:30:00.123456Z") and i["time"].endswith("Z") for i in items)
    assert any(i["time"][20:26] != "000000" for i in items)
    stored = db.session.scalar(select(AuditEntry.created_at).where(AuditEntry.seq == items[0]["seq"]))
    assert items[0]["time"] == stored.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the 5.5 kg handed out is in the log (as thousandths)
    assert any(i["entity_type"] == "stock_movement" and i["payload"].get("quantity_milli") == -5500 for i in items)


def test_the_event_filter_covers_the_event_and_what_is_in_it(coordinator, official, seed):
    built = scenario.build(coordinator, seed)
    event_id, other_id = built["event"]["id"], built["other"]["id"]
    everything = _all(coordinator)["items"]
    mine = _all(official, f"&event={event_id}")
    kinds = {i["entity_type"] for i in mine["items"]}
    assert {"flood_event", "need", "task", "sms_message", "stock_movement"} <= kinds
    assert {"household", "volunteer", "item", "depot"}.isdisjoint(kinds)
    assert all(i["event_id"] == event_id for i in mine["items"])
    need_ids = {n["id"] for n in built["needs"]}
    task_ids = {t["id"] for t in built["tasks"]}
    assert {i["entity_id"] for i in mine["items"] if i["entity_type"] == "need"} == need_ids
    assert {i["entity_id"] for i in mine["items"] if i["entity_type"] == "task"} == task_ids
    # every entry about one of these needs or tasks is in, and nothing of the other event
    expected = {i["seq"] for i in everything if (i["entity_type"] == "need" and i["entity_id"] in need_ids)
                or (i["entity_type"] == "task" and i["entity_id"] in task_ids)
                or (i["entity_type"] == "flood_event" and i["entity_id"] == event_id)}
    assert expected <= {i["seq"] for i in mine["items"]}
    assert built["elsewhere"]["id"] not in {i["entity_id"] for i in mine["items"] if i["entity_type"] == "need"}
    theirs = _all(official, f"&event={other_id}")["items"]
    assert {i["entity_id"] for i in theirs if i["entity_type"] == "need"} == {built["elsewhere"]["id"]}
    assert mine["total"] == len(mine["items"])


def test_actor_action_entity_and_time_filters(coordinator, admin, seed):
    scenario.build(coordinator, seed)
    seed_admin = admin.post("/api/v1/groups", json={"name": "PMI Palangka Raya", "kind": "ngo",
                                                    "base_location": {"lat": -1.635, "lon": 113.686}})
    assert seed_admin.status_code == 201
    everything = _all(coordinator)["items"]
    by_admin = _all(coordinator, "&actor=admin:admin@posko.test")["items"]
    assert by_admin and {i["actor"] for i in by_admin} == {"admin:admin@posko.test"}
    assert len(by_admin) == sum(1 for i in everything if i["actor"] == "admin:admin@posko.test")
    done = _all(coordinator, "&action=need.created&entity_type=need")["items"]
    assert len(done) == 3 and {i["action"] for i in done} == {"need.created"}
    one = _all(coordinator, f"&entity_type=need&entity_id={done[0]['entity_id']}")["items"]
    assert {(i["entity_type"], i["entity_id"]) for i in one} == {("need", done[0]["entity_id"])}

    # since/until: the half-open interval [since, until) on the hashed times
    middle = everything[len(everything) // 2]
    since, until = middle["time"], everything[-3]["time"]
    window = _all(coordinator, f"&since={since}&until={until}")["items"]
    assert window and window[0]["time"] >= since and all(since <= i["time"] < until for i in window)
    assert len(window) == sum(1 for i in everything if since <= i["time"] < until)
    # an offset written unencoded in the URL (+ arrives as a space) still reads as an offset
    local = datetime.fromisoformat(since.replace("Z", "+00:00")).astimezone(timezone(timedelta(hours=7)))
    shifted = _all(coordinator, "&since=" + local.isoformat().replace("+", " "))["items"]
    assert [i["seq"] for i in shifted] == [i["seq"] for i in everything if i["time"] >= since]
    assert _all(coordinator, "&since=2100-01-01T00:00:00Z")["items"] == []


@pytest.mark.parametrize("query, field", [
    ("colour=red", "colour"), ("since=yesterday", "since"), ("event=x", "event"),
    ("per_page=501", "per_page"), ("page=0", "page"),
    ("since=2026-03-10T08:00:00Z&until=2026-03-10T07:00:00Z", "until"),
])
def test_bad_or_unknown_parameters_are_a_422_naming_them(official, query, field):
    response = official.get(f"/api/v1/audit?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("path", ["/api/v1/audit/verify?actor=x", "/api/v1/audit/export?since=x"])
def test_verify_and_export_refuse_unknown_parameters_too(coordinator, path):
    response = coordinator.get(path)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] in ("actor", "since")


def test_paging_with_filters(coordinator, seed):
    scenario.build(coordinator, seed)
    total = _all(coordinator, "&entity_type=need")["total"]
    pages = [coordinator.get(f"/api/v1/audit?entity_type=need&per_page=2&page={p}").get_json()
             for p in range(1, total // 2 + 2)]
    assert all(p["total"] == total and p["per_page"] == 2 for p in pages)
    seqs = [i["seq"] for p in pages for i in p["items"]]
    assert len(seqs) == total and seqs == sorted(seqs)


def test_the_event_filter_uses_its_index(coordinator, seed):
    """On both databases the filter is an index range, not a scan of the whole log."""
    built = scenario.build(coordinator, seed)
    db.session.rollback()
    sql = "SELECT seq FROM audit_entries WHERE event_id = :e ORDER BY seq LIMIT 50"
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(r[0] for r in db.session.execute(text("EXPLAIN " + sql), {"e": built["event"]["id"]}))
    else:
        plan = "\n".join(str(r) for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql),
                                                             {"e": built["event"]["id"]}))
    db.session.rollback()
    assert "ix_audit_entries_event_id_seq" in plan, plan
