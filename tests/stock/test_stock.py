"""Aid stock through the API: depots, items, the ledger (receipt, transfer, issue, adjustment),
distributions to households, double aid, households without aid, the minimum-needs shortfall,
bad input, officials, the audit trail and the ledger check; on both databases."""

import json

import pytest
from sqlalchemy import func, select, text

from resilience.audit.chain import verify
from resilience.audit.models import AuditEntry
from resilience.extensions import db
from resilience.stock.models import StockBalance, StockMovement
from tests import factories

MUNGKU_BARU = {"lat": -1.6346, "lon": 113.6858}  # 62.71.05.1004, inside the seed event's area
POSKO_B = {"lat": -1.64, "lon": 113.70}  # inside the seed event's area too
PAHANDUT = {"lat": -2.1997, "lon": 113.9503}  # 62.71.01.1001, outside it (the city)
NIK = "6271054507800001"
ITEMS = (
    ("BERAS", "Beras", "kg", "food"),
    ("MIE_INSTAN", "Mie instan", "pcs", "food"),
    ("AIR_MINUM", "Air minum", "l", "water"),
    ("SELIMUT", "Selimut", "pcs", "clothing"),
    ("FAMILY_KIT", "Family kit", "paket", "hygiene"),
)


# --- helpers --------------------------------------------------------------------------------
def _ok(response, status=201):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _items(client):
    for code, name, unit, category in ITEMS:
        _ok(client.post("/api/v1/items", json={"code": code, "name": name, "unit": unit, "category": category}))


def _depot(client, name, location, kind="posko"):
    return _ok(client.post("/api/v1/depots", json={"name": name, "kind": kind, "location": location}))


def _move(client, **body):
    return client.post("/api/v1/stock/movements", json=body)


def _receive(client, depot_id, quantity, code="BERAS", donor="Dinas Sosial Kota Palangka Raya"):
    return _ok(_move(client, kind="receipt", depot_id=depot_id, item_code=code, quantity=quantity, donor=donor))


def _balance(client, depot_id, code="BERAS"):
    rows = _ok(client.get(f"/api/v1/depots/{depot_id}/stock"), 200)["items"]
    return next((row["quantity"] for row in rows if row["item"]["code"] == code), 0)


def _counts():
    db.session.rollback()  # a fresh snapshot (SQLite keeps the read transaction's)
    return (
        db.session.scalar(select(func.count()).select_from(StockMovement)),
        db.session.scalar(select(func.count()).select_from(StockBalance)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def _fields(response):
    return {e["field"] for e in response.get_json().get("errors", [])}


@pytest.fixture
def stock(seed):
    """An event over Rakumpit, a household with a food need, items, two posko in the event and a
    city gudang with 500 kg of rice (built in-process: tests/factories.py)."""
    event = seed.event()
    household = seed.household(members=5, pregnant_or_lactating=1)
    seed.need(event["id"], household["id"], "food")
    for code, name, unit, category in ITEMS:
        factories.item(code, name, unit, category)
    gudang = factories.depot(name="Gudang Dinas Sosial", location=PAHANDUT, kind="gudang")
    posko_a = factories.depot(name="Posko Kelurahan Mungku Baru", location=MUNGKU_BARU)
    posko_b = factories.depot(name="Posko Bukit Sua", location=POSKO_B)
    factories.movement(gudang, "receipt", "BERAS", 500, donor="Dinas Sosial Kota Palangka Raya")
    return {"event": event, "household": household,
            "gudang": {"id": gudang.id}, "a": {"id": posko_a.id}, "b": {"id": posko_b.id}}


# --- the flow the issue asks for -------------------------------------------------------------
def test_receive_transfer_issue_and_shortfall(coordinator, stock):
    event, household, gudang, a, b = (stock[k] for k in ("event", "household", "gudang", "a", "b"))
    moved = _ok(_move(coordinator, kind="transfer", depot_id=gudang["id"], to_depot_id=a["id"],
                      item_code="BERAS", quantity=100))
    out, into = moved["movements"]
    assert (out["kind"], out["change"], out["depot"]["id"]) == ("transfer_out", -100, gudang["id"])
    assert (into["kind"], into["change"], into["depot"]["id"]) == ("transfer_in", 100, a["id"])
    assert out["transfer_ref"] == into["transfer_ref"] and out["transfer_ref"]
    assert out["counterpart_depot"]["id"] == a["id"] and into["counterpart_depot"]["id"] == gudang["id"]
    assert {(x["depot"]["id"], x["quantity"]) for x in moved["balances"]} == {(gudang["id"], 400), (a["id"], 100)}

    _ok(_move(coordinator, kind="transfer", depot_id=a["id"], to_depot_id=b["id"], item_code="beras", quantity=40.5))
    given = _ok(_move(coordinator, kind="issue", depot_id=a["id"], item_code="BERAS", quantity=14,
                      household_id=household["id"], event_id=event["id"]))
    issue = given["movements"][0]
    assert issue["kind"] == "issue" and issue["quantity"] == 14 and issue["change"] == -14
    assert issue["household"] == {"id": household["id"], "head_name": "Siti Aminah",
                                  "admin_area": {"code": "62.71.05.1004", "name": "Mungku Baru"}}
    assert issue["event_id"] == event["id"]
    assert issue["actor"] == "coordinator:koordinator@posko.test"
    assert given["warnings"] == []
    assert given["balances"][0]["quantity"] == 45.5

    assert (_balance(coordinator, gudang["id"]), _balance(coordinator, a["id"]), _balance(coordinator, b["id"])) == (400, 45.5, 40.5)

    estimate = _ok(coordinator.get(f"/api/v1/events/{event['id']}/needs-estimate"), 200)
    assert (estimate["days"], estimate["households"], estimate["people"], estimate["pregnant_or_lactating"]) == (7, 1, 5, 1)
    assert [d["id"] for d in estimate["depots"]] == [a["id"], b["id"]]  # the city gudang does not serve it
    bnpb = next(p for p in estimate["profiles"] if p["key"] == "bnpb")
    lines = {line["key"]: line for line in bnpb["lines"]}
    # 5 people x 2.8 kg + 0.98 kg for one pregnant woman = 14.98 → 15 kg; stock 45.5 + 40.5.
    assert lines["rice"]["needed"] == 15 and lines["rice"]["needed_for_pregnant_or_lactating"] == 0.98
    assert lines["rice"]["available"] == 86 and lines["rice"]["shortfall"] == 0
    assert (lines["drinking_water"]["needed"], lines["drinking_water"]["available"], lines["drinking_water"]["shortfall"]) == (88, 0, 88)
    assert lines["clean_water"]["needed"] == 335
    assert lines["family_kit"]["needed"] == 1
    assert lines["toilet"]["needed"] == 1 and lines["toilet"]["available"] is None and lines["toilet"]["shortfall"] is None
    assert "Perka BNPB" in bnpb["name"] and "7 Tahun 2008" in bnpb["source"]

    longer = _ok(coordinator.get(f"/api/v1/events/{event['id']}/needs-estimate?days=30&profile=sphere"), 200)
    assert [p["key"] for p in longer["profiles"]] == ["sphere"]
    water = longer["profiles"][0]["lines"][0]
    assert (water["needed"], water["item_codes"]) == (15 * 5 * 30, ["AIR_MINUM", "AIR_BERSIH"])
    rice_30 = _ok(coordinator.get(f"/api/v1/events/{event['id']}/needs-estimate?days=30&profile=bnpb"), 200)
    rice = rice_30["profiles"][0]["lines"][0]
    assert rice["needed"] == 65 and rice["shortfall"] == 0  # (14 + 0.98) x 30 / 7 = 64.2 → 65
    big = _ok(coordinator.get(f"/api/v1/events/{event['id']}/needs-estimate?days=90&profile=bnpb"), 200)
    assert big["profiles"][0]["lines"][0]["shortfall"] == 193 - 86

    assert _ok(coordinator.get("/api/v1/stock/check"), 200) == {
        "ok": True, "balances": 3, "movements": 6, "mismatches": [], "unpaired_transfers": []}


def test_decimals_follow_the_unit(coordinator, stock):
    depot = stock["a"]["id"]
    assert _receive(coordinator, depot, 2.125)["movements"][0]["quantity"] == 2.125
    assert _receive(coordinator, depot, "0.1")["balances"][0]["quantity"] == 2.225
    assert _receive(coordinator, depot, 3, code="AIR_MINUM")["movements"][0]["quantity"] == 3
    assert _receive(coordinator, depot, 12.0, code="SELIMUT")["movements"][0]["quantity"] == 12
    assert _balance(coordinator, depot) == 2.225


# --- bad input: a clear problem, nothing stored ---------------------------------------------
BAD = [
    ("zero", dict(kind="receipt", quantity=0, donor="PMI"), 422, "quantity"),
    ("negative", dict(kind="receipt", quantity=-5, donor="PMI"), 422, "quantity"),
    ("negative issue", dict(kind="issue", quantity=-1, reason="dapur umum"), 422, "quantity"),
    ("zero adjustment", dict(kind="adjustment", quantity=0, reason="hitung ulang"), 422, "quantity"),
    ("too many decimals for kg", dict(kind="receipt", quantity=1.0005, donor="PMI"), 422, "quantity"),
    ("decimals for pcs", dict(kind="receipt", item_code="SELIMUT", quantity=1.5, donor="PMI"), 422, "quantity"),
    ("decimal comma", dict(kind="receipt", quantity="1,5", donor="PMI"), 422, "quantity"),
    ("not a number", dict(kind="receipt", quantity="banyak", donor="PMI"), 422, "quantity"),
    ("boolean", dict(kind="receipt", quantity=True, donor="PMI"), 422, "quantity"),
    ("huge", dict(kind="receipt", quantity=1e12, donor="PMI"), 422, "quantity"),
    ("unknown item", dict(kind="receipt", item_code="KOPI", quantity=1, donor="PMI"), 422, "item_code"),
    ("unknown depot", dict(kind="receipt", depot_id=9999, quantity=1, donor="PMI"), 422, "depot_id"),
    ("unit mismatch", dict(kind="receipt", quantity=1, unit="l", donor="PMI"), 422, "unit"),
    ("transfer to itself", dict(kind="transfer", to_depot_id="SAME", quantity=1), 422, "to_depot_id"),
    ("transfer nowhere", dict(kind="transfer", quantity=1), 422, "to_depot_id"),
    ("transfer to unknown", dict(kind="transfer", to_depot_id=9999, quantity=1), 422, "to_depot_id"),
    ("receipt without donor", dict(kind="receipt", quantity=1, donor="  "), 422, "donor"),
    ("adjustment without reason", dict(kind="adjustment", quantity=-1), 422, "reason"),
    ("issue to no one", dict(kind="issue", quantity=1), 422, "household_id"),
    ("donor on an issue", dict(kind="issue", quantity=1, reason="dapur umum", donor="PMI"), 422, "donor"),
    ("household on a receipt", dict(kind="receipt", quantity=1, donor="PMI", household_id="HH"), 422, "household_id"),
    ("ledger kind", dict(kind="transfer_out", quantity=1), 422, "kind"),
    ("unknown field", dict(kind="receipt", quantity=1, donor="PMI", colour="red"), 422, "colour"),
    ("household without event", dict(kind="issue", quantity=1, household_id="HH"), 422, "event_id"),
    ("unknown household", dict(kind="issue", quantity=1, household_id=9999, event_id="EV"), 422, "household_id"),
    ("unknown event", dict(kind="issue", quantity=1, household_id="HH", event_id=9999), 422, "event_id"),
    ("unknown task", dict(kind="issue", quantity=1, task_id=9999), 422, "task_id"),
    ("household outside the event", dict(kind="issue", quantity=1, household_id="FAR", event_id="EV"), 422, "household_id"),
    ("more than the balance", dict(kind="issue", quantity=60, reason="dapur umum"), 409, "quantity"),
    ("more than the balance, transfer", dict(kind="transfer", to_depot_id="OTHER", quantity=50.001), 409, "quantity"),
    ("adjustment below zero", dict(kind="adjustment", quantity=-51, reason="hilang"), 409, "quantity"),
]


@pytest.mark.parametrize("case, body, status, field", BAD, ids=[b[0] for b in BAD])
def test_bad_movement_is_rejected_and_stores_nothing(coordinator, seed, stock, case, body, status, field):
    far = seed.household(nik=None, head_name="Warga Kota", location=PAHANDUT)  # no need, outside the area
    depot = stock["a"]["id"]
    _receive(coordinator, depot, 50)
    refs = {"HH": stock["household"]["id"], "FAR": far["id"], "EV": stock["event"]["id"],
            "SAME": depot, "OTHER": stock["b"]["id"]}
    payload = {"depot_id": depot, "item_code": "BERAS", **body}
    payload = {k: refs.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    before = _counts()
    response = _move(coordinator, **payload)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert field in _fields(response), problem
    assert _counts() == before
    assert _balance(coordinator, depot) == 50
    if status == 409:
        assert problem["balance"] == 50 and problem["unit"] == "kg" and problem["item_code"] == "BERAS"


def test_issue_from_an_empty_depot_is_409_with_balance_zero(coordinator, stock):
    before = _counts()
    response = _move(coordinator, kind="issue", depot_id=stock["b"]["id"], item_code="SELIMUT", quantity=1,
                     reason="dapur umum")
    assert response.status_code == 409
    assert response.get_json()["balance"] == 0 and response.get_json()["requested"] == 1
    assert _counts() == before  # not even an empty balance row is left behind


def test_adjustments_correct_the_stock_with_a_reason(coordinator, stock):
    depot = stock["gudang"]["id"]
    down = _ok(_move(coordinator, kind="adjustment", depot_id=depot, item_code="BERAS", quantity=-2, reason="karung sobek"))
    assert down["movements"][0]["quantity"] == -2 and down["movements"][0]["reason"] == "karung sobek"
    up = _ok(_move(coordinator, kind="adjustment", depot_id=depot, item_code="BERAS", quantity=0.5, reason="hitung ulang"))
    assert up["balances"][0]["quantity"] == 498.5
    kinds = [m["kind"] for m in _ok(coordinator.get(f"/api/v1/stock/movements?depot={depot}"), 200)["items"]]
    assert kinds == ["receipt", "adjustment", "adjustment"]


def test_movements_are_never_changed_or_deleted(coordinator, stock):
    movement = _ok(coordinator.get("/api/v1/stock/movements"), 200)["items"][0]
    path = f"/api/v1/stock/movements/{movement['id']}"
    assert coordinator.patch(path, json={"quantity": 1}).status_code == 405
    assert coordinator.client.delete(path, headers={"Authorization": f"Bearer {coordinator.token}"}).status_code == 405
    row = db.session.get(StockMovement, movement["id"])
    row.quantity_milli = 1
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert _ok(coordinator.get(path), 200)["quantity"] == 500


# --- distributions ---------------------------------------------------------------------------
def test_double_aid_is_a_warning_within_the_window(coordinator, stock):
    a, household, event = stock["a"]["id"], stock["household"]["id"], stock["event"]["id"]
    _receive(coordinator, a, 100)
    _receive(coordinator, a, 100, code="MIE_INSTAN")
    _receive(coordinator, a, 100, code="AIR_MINUM")
    to_household = dict(kind="issue", depot_id=a, household_id=household, event_id=event)
    first = _ok(_move(coordinator, **to_household, item_code="BERAS", quantity=14))
    assert first["warnings"] == []
    water = _ok(_move(coordinator, **to_household, item_code="AIR_MINUM", quantity=17.5))
    assert water["warnings"] == []  # another category
    noodles = _ok(_move(coordinator, **to_household, item_code="MIE_INSTAN", quantity=10))
    [warning] = noodles["warnings"]
    assert warning["code"] == "double_aid" and warning["category"] == "food" and warning["window_hours"] == 72
    assert warning["movement_ids"] == [first["movements"][0]["id"]]
    assert "BERAS 14 kg" in warning["message"]
    off = _ok(_move(coordinator, **to_household, item_code="BERAS", quantity=1, double_aid_window_hours=0))
    assert off["warnings"] == []
    # The warning does not refuse: all four were recorded.
    assert _balance(coordinator, a) == 85 and _balance(coordinator, a, "MIE_INSTAN") == 90


def test_distributions_and_households_without_aid(coordinator, seed, stock):
    event, a = stock["event"]["id"], stock["a"]["id"]
    fed = stock["household"]
    waiting = seed.household(nik=None, head_name="Yohanes Dehen", members=3)
    seed.need(event, waiting["id"], "water")
    cancelled = seed.household(nik=None, head_name="Masnah")
    need = seed.need(event, cancelled["id"], "food")
    assert coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "cancelled"}).status_code == 200
    inside_no_need = seed.household(nik=None, head_name="Agus Santoso")  # in the area, reported no need
    _receive(coordinator, a, 100)
    _ok(_move(coordinator, kind="issue", depot_id=a, item_code="BERAS", quantity=14, household_id=fed["id"], event_id=event))
    _ok(_move(coordinator, kind="issue", depot_id=a, item_code="BERAS", quantity=7, household_id=inside_no_need["id"], event_id=event))
    _ok(_move(coordinator, kind="issue", depot_id=a, item_code="BERAS", quantity=5, reason="dapur umum"))

    listed = _ok(coordinator.get(f"/api/v1/events/{event}/distributions"), 200)
    assert [m["household"]["id"] for m in listed["items"]] == [fed["id"], inside_no_need["id"]]
    assert listed["total"] == 2
    only = _ok(coordinator.get(f"/api/v1/events/{event}/distributions?household={fed['id']}&item=beras"), 200)
    assert only["total"] == 1

    without = _ok(coordinator.get(f"/api/v1/events/{event}/households-without-aid"), 200)
    assert [h["id"] for h in without["items"]] == [waiting["id"]]
    assert without["items"][0] == {"id": waiting["id"], "head_name": "Yohanes Dehen", "members": 3,
                                    "vulnerable": 2, "admin_area": {"code": "62.71.05.1004", "name": "Mungku Baru"}}
    no_water = _ok(coordinator.get(f"/api/v1/events/{event}/households-without-aid?category=water"), 200)
    assert [h["id"] for h in no_water["items"]] == [fed["id"], waiting["id"]]
    assert coordinator.get("/api/v1/events/9999/households-without-aid").status_code == 404


def _task(event_id, need_id, volunteer_id, status):
    from resilience.dispatch.models import Task

    task = Task(event_id=event_id, need_id=need_id, volunteer_id=volunteer_id, status=status, distance_m=120.0)
    db.session.add(task)
    db.session.commit()
    return task.id


def test_distribution_on_a_task_takes_household_and_event_from_it(coordinator, seed, stock):
    event, household = stock["event"]["id"], stock["household"]["id"]
    need = seed.need(event, household, "water")
    other = seed.household(nik=None, head_name="Hairil")
    volunteer = seed.volunteer()
    done = _task(event, need["id"], volunteer["id"], "done")
    _receive(coordinator, stock["a"]["id"], 100, code="AIR_MINUM")
    given = _ok(_move(coordinator, kind="issue", depot_id=stock["a"]["id"], item_code="AIR_MINUM", quantity=17.5, task_id=done))
    movement = given["movements"][0]
    assert (movement["task_id"], movement["household"]["id"], movement["event_id"]) == (done, household, event)

    wrong = _move(coordinator, kind="issue", depot_id=stock["a"]["id"], item_code="AIR_MINUM", quantity=1,
                  task_id=done, household_id=other["id"])
    assert wrong.status_code == 422 and "household_id" in _fields(wrong)
    cancelled = _task(event, seed.need(event, other["id"], "food")["id"], volunteer["id"], "cancelled")
    before = _counts()
    refused = _move(coordinator, kind="issue", depot_id=stock["a"]["id"], item_code="AIR_MINUM", quantity=1, task_id=cancelled)
    assert refused.status_code == 422 and "task_id" in _fields(refused)
    assert "cancelled" in refused.get_json()["detail"]
    assert _counts() == before


# --- depots and items ------------------------------------------------------------------------
def test_depots_derive_kelurahan_and_filter_by_event(coordinator, stock):
    posko = _ok(coordinator.get(f"/api/v1/depots/{stock['a']['id']}"), 200)
    assert posko["admin_area"] == {"code": "62.71.05.1004", "name": "Mungku Baru"}
    assert posko["location"] == MUNGKU_BARU and posko["kind"] == "posko"
    serving = _ok(coordinator.get(f"/api/v1/depots?event={stock['event']['id']}"), 200)
    assert [d["id"] for d in serving["items"]] == [stock["a"]["id"], stock["b"]["id"]]
    gudang = _ok(coordinator.get("/api/v1/depots?kind=gudang"), 200)
    assert [d["name"] for d in gudang["items"]] == ["Gudang Dinas Sosial"]
    assert _ok(coordinator.get("/api/v1/depots?area=62.71.05"), 200)["total"] == 2
    duplicate = coordinator.post("/api/v1/depots", json={"name": "posko kelurahan mungku baru", "kind": "posko", "location": MUNGKU_BARU})
    assert duplicate.status_code == 409 and duplicate.get_json()["existing_id"] == stock["a"]["id"]
    # A name SQLite's lower() does not fold (non-ASCII capitals) sent twice: a 409, never a 500.
    first = _ok(coordinator.post("/api/v1/depots", json={"name": "GUDANG ÉLANG", "kind": "gudang",
                                                          "location": MUNGKU_BARU}))
    again = coordinator.post("/api/v1/depots", json={"name": "GUDANG ÉLANG", "kind": "gudang", "location": MUNGKU_BARU})
    assert again.status_code == 409 and again.get_json()["existing_id"] == first["id"]
    bad = coordinator.post("/api/v1/depots", json={"name": "Posko X", "kind": "tenda", "location": {"lat": 99, "lon": 113.7}})
    assert bad.status_code == 422 and {"kind", "location.lat"} <= _fields(bad)
    assert coordinator.get("/api/v1/depots/9999").status_code == 404
    assert coordinator.get("/api/v1/depots/9999/stock").status_code == 404


def test_items_have_a_code_unit_and_category(coordinator):
    created = _ok(coordinator.post("/api/v1/items", json={"code": " terpal ", "name": "Terpal", "unit": "pcs", "category": "shelter"}))
    assert (created["code"], created["unit"], created["category"]) == ("TERPAL", "pcs", "shelter")
    again = coordinator.post("/api/v1/items", json={"code": "TERPAL", "name": "Terpal lagi", "unit": "pcs", "category": "shelter"})
    assert again.status_code == 409
    bad = coordinator.post("/api/v1/items", json={"code": "air minum!", "name": "", "unit": "liter", "category": "drinks"})
    assert bad.status_code == 422 and {"name", "unit", "category"} <= _fields(bad)
    assert _fields(coordinator.post("/api/v1/items", json={"code": "9X", "name": "x", "unit": "kg", "category": "food"})) == {"code"}
    listed = _ok(coordinator.get("/api/v1/items?category=shelter"), 200)
    assert [i["code"] for i in listed["items"]] == ["TERPAL"]


# --- officials, personal data, audit -------------------------------------------------------
def test_official_reads_everything_without_personal_data(coordinator, official, stock):
    event, household = stock["event"]["id"], stock["household"]["id"]
    _ok(_move(coordinator, kind="transfer", depot_id=stock["gudang"]["id"], to_depot_id=stock["a"]["id"], item_code="BERAS", quantity=50))
    _ok(_move(coordinator, kind="issue", depot_id=stock["a"]["id"], item_code="BERAS", quantity=14, household_id=household, event_id=event))
    paths = ["/api/v1/depots", f"/api/v1/depots/{stock['a']['id']}/stock", "/api/v1/items", "/api/v1/stock/movements",
             f"/api/v1/events/{event}/distributions", f"/api/v1/events/{event}/households-without-aid",
             f"/api/v1/events/{event}/needs-estimate", "/api/v1/stock/check"]
    for path in paths:
        body = _ok(official.get(path), 200)
        text_ = json.dumps(body)
        for secret in (NIK, "6271050101090003", "+6281234567890", "81234567890", "Jl. Mungku Baru", "dekat masjid"):
            assert secret not in text_, (path, secret)
    movements = _ok(official.get(f"/api/v1/stock/movements?household={household}"), 200)["items"]
    assert set(movements[0]["household"]) == {"id", "head_name", "admin_area"}

    before = _counts()
    refused = official.post("/api/v1/stock/movements", json={"kind": "receipt", "depot_id": stock["a"]["id"],
                                                            "item_code": "BERAS", "quantity": 5, "donor": "PMI"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert official.post("/api/v1/depots", json={"name": "x", "kind": "posko", "location": MUNGKU_BARU}).status_code == 403
    assert official.post("/api/v1/items", json={"code": "X", "name": "x", "unit": "kg", "category": "food"}).status_code == 403
    assert _counts() == before


def test_every_movement_writes_an_audit_entry(coordinator, stock):
    db.session.rollback()
    seq = db.session.scalar(select(func.max(AuditEntry.seq)))
    _ok(_move(coordinator, kind="transfer", depot_id=stock["gudang"]["id"], to_depot_id=stock["a"]["id"], item_code="BERAS", quantity=30))
    _ok(_move(coordinator, kind="issue", depot_id=stock["a"]["id"], item_code="BERAS", quantity=14,
              household_id=stock["household"]["id"], event_id=stock["event"]["id"]))
    db.session.rollback()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["stock_movement.created"] * 3
    assert [e.payload["kind"] for e in entries] == ["transfer_out", "transfer_in", "issue"]
    assert [e.payload["quantity_milli"] for e in entries] == [-30000, 30000, -14000]
    assert entries[2].payload["household_id"] == stock["household"]["id"]
    assert {e.actor for e in entries} == {"coordinator:koordinator@posko.test"}
    assert entries[0].payload["transfer_ref"] == entries[1].payload["transfer_ref"]
    receipts = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "stock_movement.created", AuditEntry.seq <= seq))
    assert receipts == 1
    assert verify(db.session).ok


# --- the proof that balances equal the ledger -----------------------------------------------
def _tamper(sql, **params):
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_ledger_check_catches_an_edited_balance_and_a_broken_transfer(coordinator, stock):
    moved = _ok(_move(coordinator, kind="transfer", depot_id=stock["gudang"]["id"], to_depot_id=stock["a"]["id"], item_code="BERAS", quantity=30))
    assert _ok(coordinator.get("/api/v1/stock/check"), 200)["ok"] is True

    _tamper("UPDATE stock_balances SET quantity_milli = quantity_milli + 1000 WHERE depot_id = :d", d=stock["a"]["id"])
    check = _ok(coordinator.get("/api/v1/stock/check"), 200)
    assert check["ok"] is False
    assert check["mismatches"] == [{"depot_id": stock["a"]["id"], "item_code": "BERAS", "balance": 31, "ledger": 30}]
    _tamper("UPDATE stock_balances SET quantity_milli = quantity_milli - 1000 WHERE depot_id = :d", d=stock["a"]["id"])

    _tamper("DELETE FROM stock_movements WHERE id = :m", m=moved["movements"][1]["id"])
    check = _ok(coordinator.get("/api/v1/stock/check"), 200)
    assert check["ok"] is False
    assert check["unpaired_transfers"] == [{"transfer_ref": moved["movements"][0]["transfer_ref"], "movements": 1, "sum": -30}]
    assert check["mismatches"] == [{"depot_id": stock["a"]["id"], "item_code": "BERAS", "balance": 30, "ledger": 0}]


def test_the_database_refuses_a_negative_balance(stock):
    from sqlalchemy.exc import IntegrityError

    db.session.rollback()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE stock_balances SET quantity_milli = -1"))
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO stock_movements (kind, depot_id, item_id, quantity_milli, donor, reason, notes, "
                              "actor, created_at) SELECT 'issue', depot_id, item_id, 5, '', '', '', 'x', updated_at "
                              "FROM stock_balances"))


# --- needs-estimate details -----------------------------------------------------------------
def test_needs_estimate_counts_live_needs_only_and_checks_its_query(coordinator, seed, stock):
    event = stock["event"]["id"]
    other = seed.household(nik=None, head_name="Rusdi", members=4, pregnant_or_lactating=0, elderly=0, children_under5=0)
    need = seed.need(event, other["id"], "evacuation")
    second_need = seed.need(event, stock["household"]["id"], "water")  # the same household counts once
    assert second_need["household_id"] == stock["household"]["id"]
    assert _ok(coordinator.get(f"/api/v1/events/{event}/needs-estimate"), 200)["people"] == 9
    coordinator.patch(f"/api/v1/needs/{need['id']}", json={"status": "done"})
    body = _ok(coordinator.get(f"/api/v1/events/{event}/needs-estimate"), 200)
    assert (body["households"], body["people"]) == (1, 5)
    assert "open, assigned or in-progress" in body["people_rule"]

    for query, field in (("days=0", "days"), ("days=91", "days"), ("profile=who", "profile"), ("days=x", "days")):
        response = coordinator.get(f"/api/v1/events/{event}/needs-estimate?{query}")
        assert response.status_code == 422 and field in _fields(response), query
    assert coordinator.get("/api/v1/events/9999/needs-estimate").status_code == 404


def test_needs_profiles_are_data_an_operator_can_replace(app, coordinator, stock):
    from pathlib import Path

    override = Path(app.instance_path) / "minimum_needs.json"
    override.write_text(json.dumps({"profiles": [{
        "key": "posko", "name": "Aturan posko", "source": "rapat koordinasi",
        "lines": [{"key": "rice", "label": "Beras", "unit": "kg", "item_codes": ["BERAS"], "amount": 0.5, "period": "day"}],
    }]}))
    try:
        body = _ok(coordinator.get(f"/api/v1/events/{stock['event']['id']}/needs-estimate?days=2"), 200)
        assert [p["key"] for p in body["profiles"]] == ["posko"]
        assert body["profiles"][0]["lines"][0]["needed"] == 5  # 0.5 kg x 5 people x 2 days
        override.write_text('{"profiles": []}')
        broken = coordinator.get(f"/api/v1/events/{stock['event']['id']}/needs-estimate")
        assert broken.status_code == 500 and broken.mimetype == "application/problem+json"
        assert "profiles" in broken.get_json()["detail"]
    finally:
        override.unlink()


# --- the demo ----------------------------------------------------------------------------------
def test_demo_stock_is_deterministic_and_never_negative():
    from collections import Counter
    from decimal import Decimal

    from resilience.demo.generate import generate, generate_stock

    data = generate(2024)
    stock = generate_stock(data, 2024)
    assert stock == generate_stock(generate(2024), 2024)
    assert json.dumps(stock) == json.dumps(generate_stock(data, 2024))
    assert {i["code"] for i in stock["items"]} >= {"BERAS", "AIR_MINUM", "AIR_BERSIH", "MIE_INSTAN", "SELIMUT",
                                                   "PAKAIAN", "OBAT_OBATAN", "FAMILY_KIT", "TERPAL"}
    kinds = Counter(d["kind"] for d in stock["depots"])
    assert kinds["gudang"] == 1 and kinds["posko"] >= 3
    donors = {m["donor"] for m in stock["movements"] if m["kind"] == "receipt"}
    assert {"Dinas Sosial Kota Palangka Raya", "BPBD Provinsi Kalimantan Tengah"} <= donors
    balance = Counter()
    for m in stock["movements"]:
        q = Decimal(str(m["quantity"]))
        balance[(m["depot"], m["item_code"])] += -q if m["kind"] in ("issue", "transfer") else q
        if m["kind"] == "transfer":
            balance[(m["to_depot"], m["item_code"])] += q
        assert balance[(m["depot"], m["item_code"])] >= 0, m
    assert Counter(m["kind"] for m in stock["movements"])["issue"] >= 50


def test_demo_loads_its_stock_through_the_ledger(app, coordinator):
    from resilience.demo.generate import generate, generate_stock
    from resilience.core.transaction import unit_of_work
    from resilience.demo.load import load_demo

    stock = generate_stock(generate(2024), 2024)
    with unit_of_work():
        summary = load_demo(2024)
    assert f"{len(stock['movements'])} stock movements" in summary
    check = _ok(coordinator.get("/api/v1/stock/check"), 200)
    transfers = sum(m["kind"] == "transfer" for m in stock["movements"])
    assert check["ok"] is True and check["movements"] == len(stock["movements"]) + transfers
    event = _ok(coordinator.get("/api/v1/events"), 200)["items"][0]["id"]
    estimate = _ok(coordinator.get(f"/api/v1/events/{event}/needs-estimate?profile=bnpb"), 200)
    assert len(estimate["depots"]) == 5 and estimate["people"] > 1000
    rice = estimate["profiles"][0]["lines"][0]
    assert rice["available"] > 0 and rice["shortfall"] > 0  # the posko hold less than a week's rice
    assert _ok(coordinator.get(f"/api/v1/events/{event}/households-without-aid"), 200)["total"] > 0
    assert _ok(coordinator.get(f"/api/v1/events/{event}/distributions"), 200)["total"] == sum(
        m["kind"] == "issue" for m in stock["movements"])
