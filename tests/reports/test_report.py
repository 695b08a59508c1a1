"""The official report (GET /events/{id}/report) on both databases: its numbers against the data
the test builds, the HXL-tagged CSV, the GeoJSON, the audit anchor, errors, and no personal data
for anyone (the official included)."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from resilience.dispatch.models import Task
from resilience.extensions import db
from tests import factories
from tests.conftest import MUNGKU_BARU

MUNGKU_2 = {"lat": -1.64, "lon": 113.69}      # Mungku Baru too
BUKIT_SUA = {"lat": -1.6794, "lon": 113.67}   # 62.71.05.1007
TANGKILING = {"lat": -1.95, "lon": 113.67}    # outside the event's area
PERSONAL = ("Siti Aminah", "Yohanes Dehen", "Maria Ulfa", "Jauh Sekali", "6271054507800001",
            "6271050101090003", "3456-7890", "81234567890", "Jl. Mungku Baru", "dekat masjid",
            "Pak Perahu", "Bu Medis", "Bu Dapur", "+62813456")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def build_scenario(coordinator, seed) -> dict:
    """Three kelurahan: Mungku Baru (one household waiting, one served), Bukit Sua (one in
    progress), Tangkiling outside the area (a cancelled need only), Petuk Barunai affected but
    empty; three tasks (accepted, done, offered); rice handed out; a stock receipt.

    Rows are created in-process (``seed``, tests/factories.py); what moves them — cancelling a
    need, matching, dispatch, the volunteers' SMS replies — goes through the API as it would
    in the field."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    event = seed.event()
    siti = seed.household(location=MUNGKU_BARU, members=5)
    yohanes = seed.household(nik=None, kk_number=None, phone="0812-1111-2222", head_name="Yohanes Dehen",
                             location=MUNGKU_2, members=3, elderly=0, children_under5=0)
    maria = seed.household(nik=None, kk_number=None, phone="0812-3333-4444", head_name="Maria Ulfa",
                           location=BUKIT_SUA, members=4, elderly=0, children_under5=0, chronically_ill=1)
    far = seed.household(nik=None, kk_number=None, phone=None, head_name="Jauh Sekali", location=TANGKILING,
                         members=2, elderly=0, children_under5=0)
    reported = {"evac": now - timedelta(minutes=120), "water": now - timedelta(minutes=90),
                "medical": now - timedelta(minutes=60), "far": now - timedelta(minutes=30)}
    evac = seed.need(event["id"], siti["id"], "evacuation", reported_at=_iso(reported["evac"]))
    water = seed.need(event["id"], yohanes["id"], "water", reported_at=_iso(reported["water"]))
    medical = seed.need(event["id"], maria["id"], "medical", reported_at=_iso(reported["medical"]))
    cancelled = seed.need(event["id"], far["id"], "food", reported_at=_iso(reported["far"]))
    _ok(coordinator.patch(f"/api/v1/needs/{cancelled['id']}", json={"status": "cancelled"}))
    volunteers = {
        "boat": seed.volunteer(name="Pak Perahu", skills=["boat"], location=MUNGKU_2, capacity=1),
        "medic": seed.volunteer(name="Bu Medis", skills=["first_aid"], location=BUKIT_SUA, capacity=1),
        "cook": seed.volunteer(name="Bu Dapur", skills=["cooking"], location=MUNGKU_BARU, capacity=1),
    }
    _ok(coordinator.post(f"/api/v1/events/{event['id']}/match", json={"max_distance_m": 50000}))
    offered = _ok(coordinator.post(f"/api/v1/events/{event['id']}/dispatch"))["offered"]
    tasks = {t["need_id"]: t for t in offered}
    assert set(tasks) == {evac["id"], water["id"], medical["id"]}
    phone = {v["id"]: v["phone"] for v in volunteers.values()}

    def reply(need, body):
        task = tasks[need["id"]]
        _ok(coordinator.post("/api/v1/sms/simulate", json={"from": phone[task["volunteer_id"]],
                                                           "body": f"{body} {task['code']}"}))

    reply(evac, "YA")
    reply(water, "YA")
    reply(water, "SELESAI")
    # A need reported after the round: nobody has it yet.
    reported["food"] = now - timedelta(minutes=45)
    food = seed.need(event["id"], siti["id"], "food", reported_at=_iso(reported["food"]))

    factories.item("BERAS", "Beras", "kg", "food")
    factories.item("SELIMUT", "Selimut", "pcs", "clothing")
    depot = factories.depot(name="Posko Mungku Baru", kind="posko", location=MUNGKU_BARU)
    moves = [
        {"kind": "receipt", "item_code": "BERAS", "quantity": 100, "donor": "Dinas Sosial"},
        {"kind": "receipt", "item_code": "SELIMUT", "quantity": 20, "donor": "PMI"},
        {"kind": "issue", "item_code": "BERAS", "quantity": 10, "household_id": siti["id"], "event_id": event["id"]},
        {"kind": "issue", "item_code": "BERAS", "quantity": 5.5, "household_id": yohanes["id"], "event_id": event["id"]},
        {"kind": "issue", "item_code": "SELIMUT", "quantity": 2, "household_id": maria["id"], "event_id": event["id"]},
        {"kind": "issue", "item_code": "BERAS", "quantity": 2, "reason": "dapur umum", "event_id": event["id"]},
    ]
    for move in moves:
        factories.movement(depot, **move)
    return {"event": event, "households": {"siti": siti, "yohanes": yohanes, "maria": maria, "far": far},
            "needs": {"evac": evac, "water": water, "medical": medical, "cancelled": cancelled, "food": food},
            "reported": reported, "tasks": tasks, "volunteers": volunteers}


@pytest.fixture
def scenario(coordinator, seed):
    return build_scenario(coordinator, seed)


def _task_times(event_id: int) -> dict[int, Task]:
    db.session.rollback()  # a fresh snapshot
    return {t.need_id: t for t in db.session.scalars(select(Task).where(Task.event_id == event_id))}


def _nearest_rank_p90(values):
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _report(client, event_id, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return client.get(f"/api/v1/events/{event_id}/report" + (f"?{params}" if params else ""))


def test_json_report_counts_match_the_data(coordinator, scenario):
    event_id = scenario["event"]["id"]
    report = _ok(_report(coordinator, event_id))
    assert report["event"]["id"] == event_id and report["event"]["name"] == "Banjir Rungan"
    assert {a["code"] for a in report["event"]["affected_kelurahan"]} == {"62.71.05.1003", "62.71.05.1004", "62.71.05.1007"}
    rows = {row["code"]: row for row in report["kelurahan"]}
    hh = scenario["households"]
    mungku, bukit, petuk = rows["62.71.05.1004"], rows["62.71.05.1007"], rows["62.71.05.1003"]
    assert mungku["name"] == "Mungku Baru" and mungku["kecamatan"]["code"] == "62.71.05"
    # Siti: evacuation accepted (in progress) + food open → waiting. Yohanes: water done → served.
    assert mungku["households"] == {"affected": 2, "people": hh["siti"]["members"] + hh["yohanes"]["members"],
                                    "waiting": 1, "in_progress": 0, "served": 1, "received_aid": 2}
    assert mungku["needs"] == {"total": 3, "waiting": 1, "in_progress": 1, "served": 1, "cancelled": 0}
    assert mungku["needs_by_category"]["food"]["waiting"] == 1
    assert mungku["needs_by_category"]["evacuation"]["in_progress"] == 1
    assert mungku["needs_by_category"]["water"]["served"] == 1
    food_priority = str(scenario["needs"]["food"]["priority"])
    assert mungku["needs_by_priority"][food_priority]["waiting"] == 1
    assert sum(p["waiting"] for p in mungku["needs_by_priority"].values()) == 1
    assert mungku["oldest_waiting_since"] == _iso(scenario["reported"]["food"])
    assert bukit["households"]["affected"] == 1 and bukit["households"]["in_progress"] == 1
    assert bukit["households"]["people"] == hh["maria"]["members"]
    assert bukit["needs"]["in_progress"] == 1 and bukit["oldest_waiting_since"] is None  # offered, not waiting
    assert petuk["households"]["affected"] == 0 and petuk["needs"]["total"] == 0  # affected area, no reports
    far = next(row for row in report["kelurahan"] if row["name"] == "Tangkiling")
    assert far["needs"]["cancelled"] == 1 and far["households"]["affected"] == 0

    totals = report["totals"]
    assert totals["households"]["affected"] == 3
    assert totals["households"]["people"] == sum(hh[k]["members"] for k in ("siti", "yohanes", "maria"))
    assert (totals["households"]["waiting"], totals["households"]["in_progress"], totals["households"]["served"]) == (1, 1, 1)
    assert totals["needs"] == {"total": 5, "waiting": 1, "in_progress": 2, "served": 1, "cancelled": 1}

    # Response times against the stored task times (full precision).
    tasks = _task_times(event_id)
    needs = scenario["needs"]
    accepted = [(tasks[needs[k]["id"]].accepted_at - scenario["reported"][k]).total_seconds() / 60 for k in ("evac", "water")]
    done = [(tasks[needs["water"]["id"]].done_at - scenario["reported"]["water"]).total_seconds() / 60]
    times = totals["response_minutes"]
    assert times["to_accepted"]["count"] == 2 and times["to_done"]["count"] == 1
    assert times["to_accepted"]["median_minutes"] == round(statistics.median(accepted), 1)
    assert times["to_accepted"]["p90_minutes"] == round(_nearest_rank_p90(accepted), 1)
    assert times["to_done"]["median_minutes"] == round(done[0], 1) == times["to_done"]["p90_minutes"]
    assert bukit["response_minutes"]["to_accepted"]["count"] == 0

    # Waiting list: live needs only, highest priority first, then the oldest.
    waiting = report["waiting"]
    live = [needs[k] for k in ("evac", "medical", "food")]
    assert {w["need_id"] for w in waiting} == {n["id"] for n in live}
    assert [w["need_id"] for w in waiting] == [
        n["id"] for n in sorted(live, key=lambda n: (-n["priority"], n["reported_at"], n["id"]))]
    food_row = next(w for w in waiting if w["need_id"] == needs["food"]["id"])
    assert food_row["state"] == "waiting" and food_row["kelurahan"] == {"code": "62.71.05.1004", "name": "Mungku Baru"}
    assert 44.9 <= food_row["waiting_minutes"] <= 60
    assert set(food_row) == {"need_id", "category", "priority", "status", "state", "kelurahan", "reported_at", "waiting_minutes"}

    # Aid: 10 + 5.5 kg to households, 2 kg to the public kitchen; 2 blankets to Maria.
    aid = {row["item_code"]: row for row in report["aid"]}
    assert aid["BERAS"]["quantity"] == 17.5 and aid["BERAS"]["households"] == 2 and aid["BERAS"]["movements"] == 3
    assert aid["SELIMUT"]["quantity"] == 2 and aid["SELIMUT"]["households"] == 1
    assert {a["item_code"]: a["quantity"] for a in mungku["aid"]} == {"BERAS": 15.5}
    assert {a["item_code"]: a["quantity"] for a in bukit["aid"]} == {"SELIMUT": 2}
    assert totals["households"]["received_aid"] == 3

    volunteers = _ok(coordinator.get("/api/v1/volunteers?per_page=500"))["items"]
    available = sum(1 for v in volunteers if v["availability"] == "available" and not v["sms_opt_out"])
    assert report["volunteers"] == {"engaged": 2, "on_task": 1, "offered": 1, "available": available}

    # The minimum-needs part is the needs-estimate of the same moment.
    estimate = _ok(coordinator.get(f"/api/v1/events/{event_id}/needs-estimate"))
    assert report["minimum_needs"]["people"] == estimate["people"] == hh["siti"]["members"] + hh["maria"]["members"]
    rice = next(line for p in estimate["profiles"] if p["key"] == "bnpb" for line in p["lines"] if line["key"] == "rice")
    mine = next(line for p in report["minimum_needs"]["profiles"] if p["key"] == "bnpb"
                for line in p["lines"] if line["key"] == "rice")
    assert mine == {k: rice[k] for k in ("key", "label", "unit", "needed", "available", "shortfall")}


def test_report_is_anchored_to_the_audit_chain(coordinator, official, scenario, app):
    event_id = scenario["event"]["id"]
    verify = _ok(coordinator.get("/api/v1/audit/verify"))
    report = _ok(_report(official, event_id))
    assert report["audit"]["ok"] is True and report["audit"]["entries"] == verify["entries"] > 0
    assert report["audit"]["head_seq"] == verify["entries"]
    last = _ok(coordinator.get(f"/api/v1/audit?after_seq={verify['entries'] - 1}"))["items"]
    assert report["audit"]["head_hash"] == last[-1]["hash"]

    # Tamper with a past entry: once a full check has run (the verification above remembered
    # the prefix, and an in-place edit inside it leaves its hashes alone), the next report says
    # so, and where.
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2"))
    full = _ok(coordinator.get("/api/v1/audit/verify?full=true"))
    assert full["ok"] is False and full["first_bad_seq"] == 2
    broken = _ok(_report(official, event_id))["audit"]
    assert broken["ok"] is False and broken["first_bad_seq"] == 2
    assert "false" in _report(official, event_id, format="csv").get_data(as_text=True).splitlines()[2]


def _csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert len(header) == len(tags) and all(t.startswith("#") for t in tags)
    return [dict(zip(tags, row)) for row in data]


def test_csv_is_hxl_tagged_and_matches_the_json(coordinator, scenario):
    event_id = scenario["event"]["id"]
    report = _ok(_report(coordinator, event_id))
    rows = _csv(_report(coordinator, event_id, format="csv"))
    by_code = {row["#adm4+code"]: row for row in rows}
    assert set(by_code) == {r["code"] or "" for r in report["kelurahan"]}
    for kelurahan in report["kelurahan"]:
        row = by_code[kelurahan["code"]]
        assert row["#adm4+name"] == kelurahan["name"]
        assert int(row["#affected+hh"]) == kelurahan["households"]["affected"]
        assert int(row["#affected+ind"]) == kelurahan["households"]["people"]
        assert int(row["#inneed+hh+waiting"]) == kelurahan["households"]["waiting"]
        assert int(row["#reached+hh"]) == kelurahan["households"]["served"]
        assert int(row["#inneed+num+waiting+food"]) == kelurahan["needs_by_category"]["food"]["waiting"]
        assert row["#meta+audit+entries"] == str(report["audit"]["entries"]) and row["#meta+audit+ok"] == "true"
        assert row["#event+name"] == "Banjir Rungan"
    mungku = by_code["62.71.05.1004"]
    assert mungku["#adm3+code"] == "62.71.05"
    assert float(mungku["#indicator+minutes+to_done+median"]) == \
        report["kelurahan"][[r["code"] for r in report["kelurahan"]].index("62.71.05.1004")]["response_minutes"]["to_done"]["median_minutes"]

    waiting = _csv(_report(coordinator, event_id, format="csv", table="waiting"))
    assert [int(r["#meta+id"]) for r in waiting] == [w["need_id"] for w in report["waiting"]]
    assert {r["#sector+code"] for r in waiting} == {"evacuation", "medical", "food"}

    aid = _csv(_report(coordinator, event_id, format="csv", table="aid"))
    assert {(r["#adm4+code"], r["#item+code"], float(r["#item+num+distributed"])) for r in aid} == {
        ("62.71.05.1004", "BERAS", 15.5), ("62.71.05.1007", "SELIMUT", 2.0)}


def test_geojson_has_kelurahan_features_only(official, scenario):
    event_id = scenario["event"]["id"]
    report = _ok(_report(official, event_id))
    response = _report(official, event_id, format="geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in data["features"]}
    assert set(features) == {row["code"] for row in report["kelurahan"]}
    assert {"62.71.05.1003", "62.71.05.1004", "62.71.05.1007"} < set(features)  # and Tangkiling
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])
    mungku = features["62.71.05.1004"]["properties"]
    assert mungku["households_affected"] == 2 and mungku["households_waiting"] == 1 and mungku["waiting_food"] == 1
    assert data["totals"]["households_affected"] == 3 and data["audit"]["ok"] is True
    assert data["event"]["id"] == event_id
    # No point anywhere: coordinates are rings (lists of positions), never a single position.
    for feature in data["features"]:
        rings = feature["geometry"]["coordinates"]
        assert isinstance(rings[0][0], list)


@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_no_personal_data_for_anyone(official, coordinator, scenario, fmt):
    event_id = scenario["event"]["id"]
    for client in (official, coordinator):
        for table in ("kelurahan", "waiting", "aid"):
            body = _report(client, event_id, format=fmt, table=table).get_data(as_text=True)
            for secret in PERSONAL:
                assert secret not in body, (fmt, table, secret)
            for key in ("head_name", "household_id", "nik", "kk_number", "phone", "elderly", "disabled",
                        "pregnant", "chronically_ill", "landmark", "address", '"lat"', '"lon"'):
                assert key not in body, (fmt, table, key)


def test_errors_are_problems(coordinator, official, admin, anonymous, scenario):
    event_id = scenario["event"]["id"]
    assert _report(admin, event_id).status_code == 200  # every role reads it
    missing = _report(official, 999999)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert "999999" in missing.get_json()["detail"]
    bad = _report(coordinator, event_id, format="docx")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert [e["field"] for e in bad.get_json()["errors"]] == ["format"]
    bad_table = _report(coordinator, event_id, format="csv", table="households")
    assert bad_table.status_code == 422 and bad_table.get_json()["errors"][0]["field"] == "table"
    assert _report(anonymous, event_id).status_code == 401
    assert coordinator.post(f"/api/v1/events/{event_id}/report", json={}).status_code == 405


def test_empty_event_report(coordinator, seed):
    event = seed.event(name="Banjir Kosong", affected_area=None)
    report = _ok(_report(coordinator, event["id"]))
    assert report["kelurahan"] == [] and report["waiting"] == [] and report["aid"] == []
    assert report["totals"]["households"]["affected"] == 0
    assert report["totals"]["response_minutes"]["to_accepted"] == {"count": 0, "median_minutes": None, "p90_minutes": None}
    rows = list(csv.reader(io.StringIO(_report(coordinator, event["id"], format="csv").get_data(as_text=True))))
    assert len(rows) == 2  # the two header rows, no data
    data = json.loads(_report(coordinator, event["id"], format="geojson").get_data(as_text=True))
    assert data["features"] == []
