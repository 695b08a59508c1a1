"""Reading the stock as the pages do (stock.queries) on the API's filters: depots by name,
balances that hold something, the ledger newest first with what each line names; and the
field checks the forms share with the operation; on both databases."""

from __future__ import annotations

from decimal import Decimal

from resilience.stock import queries
from resilience.stock.operations import movement_problems
from tests import factories


def test_depots_balances_and_ledger(app, db_session, coordinator):
    a = factories.depot(name="Posko Mungku Baru")
    b = factories.depot(name="Gudang Bukit Sua", kind="gudang", location={"lat": -1.64, "lon": 113.70})
    factories.item()
    factories.item("SELIMUT", "Selimut", "pcs", "clothing")
    factories.movement(a, "receipt", "BERAS", 10, donor="PMI")
    factories.movement(a, "transfer", "BERAS", 4, to_depot_id=b.id)
    factories.movement(b, "receipt", "SELIMUT", 3, donor="Dinas Sosial")
    factories.movement(b, "adjustment", "SELIMUT", -3, reason="basah")

    assert [d.name for d in queries.depots(db_session)] == ["Gudang Bukit Sua", "Posko Mungku Baru"]
    assert [i.code for i in queries.items(db_session)] == ["BERAS", "SELIMUT"]
    held = queries.held_balances(db_session)
    assert {depot: [(r.item.code, r.quantity_milli) for r in rows] for depot, rows in held.items()} == {
        a.id: [("BERAS", 6000)], b.id: [("BERAS", 4000)]}  # the empty SELIMUT balance is left out
    kinds = [m.kind for m in queries.ledger(db_session, 10)]
    assert kinds == ["adjustment", "receipt", "transfer_in", "transfer_out", "receipt"]
    assert [m.kind for m in queries.ledger(db_session, 10, depot=b.id, item="beras")] == ["transfer_in"]
    assert [m.kind for m in queries.ledger(db_session, 2, 1)] == ["receipt", "transfer_in"]
    assert queries.count(db_session, queries.ledger_query(db_session, kind="receipt")) == 2
    api = coordinator.get(f"/api/v1/stock/movements?depot={b.id}&item=beras").get_json()["items"]
    assert [m["kind"] for m in api] == ["transfer_in"]


def test_movement_problems_is_what_the_operation_refuses(app, coordinator):
    problems = movement_problems({"kind": "receipt", "quantity": Decimal("-1"), "to_depot_id": 2})
    assert [p["field"] for p in problems] == ["to_depot_id", "quantity", "donor"]
    refused = coordinator.post("/api/v1/stock/movements", json={"kind": "receipt", "depot_id": 1, "to_depot_id": 2,
                                                                "item_code": "BERAS", "quantity": -1})
    assert refused.status_code == 422
    assert sorted(e["field"] for e in refused.get_json()["errors"]) == ["donor", "quantity", "to_depot_id"]
