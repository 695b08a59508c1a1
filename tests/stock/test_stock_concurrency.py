"""Stock under real concurrency, on both databases: simultaneous requests from threads, each
with its own app context and database session (as test_audit's concurrent writers).

- 50 issues of 1 unit against a balance of 10: exactly 10 succeed, 40 get a clear 409, the
  balance ends at 0 and so does the ledger.
- Transfers in both directions between two depots at once: no deadlock, no 500, no unit lost.
"""

import threading
from collections import Counter

from sqlalchemy import func, select

from resilience.audit.chain import verify
from resilience.extensions import db
from resilience.stock.models import StockBalance, StockMovement
from tests import factories

MUNGKU_BARU = {"lat": -1.6346, "lon": 113.6858}
BUKIT_SUA = {"lat": -1.64, "lon": 113.70}


def _ok(response, status=201):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _setup(*stock):
    """Rice, and a posko per quantity holding that much of it (built in-process)."""
    factories.item("BERAS", "Beras", "kg", "food")
    depots = []
    for (name, location), quantity in zip((("Posko Mungku Baru", MUNGKU_BARU), ("Posko Bukit Sua", BUKIT_SUA)), stock):
        depot = factories.depot(name=name, kind="posko", location=location)
        factories.movement(depot, "receipt", "BERAS", quantity, donor="BPBD Provinsi Kalimantan Tengah")
        depots.append(depot.id)
    return depots


def _run_at_once(app, token, bodies):
    """POST every body from its own thread, all released together; return the responses."""
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def worker(index, body):
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/stock/movements", json=body, headers={"Authorization": f"Bearer {token}"})
        results[index] = (response.status_code, response.get_json(), response.mimetype)

    threads = [threading.Thread(target=worker, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    return results


def _ledger_and_balance(depot_id):
    db.session.rollback()  # see what the threads committed
    ledger = db.session.scalar(select(func.coalesce(func.sum(StockMovement.quantity_milli), 0))
                               .where(StockMovement.depot_id == depot_id))
    balance = db.session.scalar(select(StockBalance.quantity_milli).where(StockBalance.depot_id == depot_id))
    return int(ledger), balance


def test_fifty_issues_against_a_balance_of_ten(app, coordinator):
    [depot] = _setup(10)
    body = {"kind": "issue", "depot_id": depot, "item_code": "BERAS", "quantity": 1, "reason": "dapur umum"}
    results = _run_at_once(app, coordinator.token, [body] * 50)

    statuses = Counter(status for status, _, _ in results)
    assert statuses == {201: 10, 409: 40}, [r[1] for r in results if r[0] not in (201, 409)]
    for status, problem, mimetype in results:
        if status == 409:
            assert mimetype == "application/problem+json"
            assert problem["balance"] == 0 and problem["requested"] == 1 and problem["unit"] == "kg"
            assert "cannot be taken out" in problem["detail"]
    remaining = sorted(body["balances"][0]["quantity"] for status, body, _ in results if status == 201)
    assert remaining == list(range(10))  # each success saw the one before it

    assert _ledger_and_balance(depot) == (0, 0)
    issues = db.session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.kind == "issue"))
    assert issues == 10
    assert _ok(coordinator.get("/api/v1/stock/check"), 200)["ok"] is True
    assert verify(db.session).ok


def test_opposite_transfers_never_deadlock_or_lose_a_unit(app, coordinator):
    a, b = _setup(100, 100)
    there = {"kind": "transfer", "depot_id": a, "to_depot_id": b, "item_code": "BERAS", "quantity": 3}
    back = {"kind": "transfer", "depot_id": b, "to_depot_id": a, "item_code": "BERAS", "quantity": 2.5}
    results = _run_at_once(app, coordinator.token, [there, back] * 20)

    assert Counter(status for status, _, _ in results) == {201: 40}, [r[1] for r in results if r[0] != 201]
    assert _ledger_and_balance(a) == (100_000 - 20 * 3000 + 20 * 2500,) * 2
    assert _ledger_and_balance(b) == (100_000 + 20 * 3000 - 20 * 2500,) * 2
    check = _ok(coordinator.get("/api/v1/stock/check"), 200)
    assert check["ok"] is True and check["movements"] == 2 + 80
    assert verify(db.session).ok


def test_tight_opposite_transfers_refuse_cleanly_and_conserve_the_total(app, coordinator):
    """Little stock on each side: some transfers must be refused (409), none may fail another
    way, and whatever the interleaving, the two depots still hold 6 kg together."""
    a, b = _setup(3, 3)
    there = {"kind": "transfer", "depot_id": a, "to_depot_id": b, "item_code": "BERAS", "quantity": 2}
    back = {"kind": "transfer", "depot_id": b, "to_depot_id": a, "item_code": "BERAS", "quantity": 2}
    results = _run_at_once(app, coordinator.token, [there, back] * 20)

    statuses = Counter(status for status, _, _ in results)
    assert set(statuses) <= {201, 409}, [r[1] for r in results if r[0] not in (201, 409)]
    assert statuses[201] >= 1
    moved_there = sum(1 for (status, _, _), body in zip(results, [there, back] * 20) if status == 201 and body is there)
    moved_back = statuses[201] - moved_there
    ledger_a, balance_a = _ledger_and_balance(a)
    ledger_b, balance_b = _ledger_and_balance(b)
    assert ledger_a == balance_a == 3000 - 2000 * moved_there + 2000 * moved_back
    assert ledger_b == balance_b == 3000 + 2000 * moved_there - 2000 * moved_back
    assert balance_a + balance_b == 6000 and min(balance_a, balance_b) >= 0
    assert _ok(coordinator.get("/api/v1/stock/check"), 200)["ok"] is True
