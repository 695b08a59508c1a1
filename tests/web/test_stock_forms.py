"""The stock forms validate with the API's schema and the operation's own field checks, and word
each message by its id: every problem at once, in Indonesian, nothing stored; the decimal comma is
the page's (the API keeps refusing it)."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from resilience.core.errors import Message
from resilience.stock.operations import movement_problems
from resilience.web import stock_forms, stock_setup
from tests.web.test_stock_pages import _counts, _page, stock  # noqa: F401  (the fixture)

CATALOGUE = stock_forms.__file__.rsplit("/web/", 1)[0] + "/translations/en/LC_MESSAGES/messages.po"


def test_every_worded_message_id_exists():
    """A page words the API's messages by id: when an API message changes, this fails instead
    of the page silently showing the general wording."""
    with open(CATALOGUE, "rb") as handle:
        known = {m.id for m in read_po(handle) if m.id}
    wording = {**stock_forms._WORDING, **stock_setup._WORDING}
    assert {msgid for _field, msgid in wording} - known == set()


def test_movement_problems_checks_what_the_schema_let_through():
    problems = movement_problems({"kind": "transfer", "to_depot_id": 3})  # no depot, no quantity
    assert problems == []
    problems = movement_problems({"kind": "transfer", "depot_id": 3, "to_depot_id": 3, "donor": "PMI"})
    assert [p["field"] for p in problems] == ["donor", "to_depot_id"]
    assert all(isinstance(p["message"], Message) for p in problems)


def test_every_problem_at_once_from_schema_and_operation(web_coordinator, stock):  # noqa: F811
    before = _counts()
    web_coordinator.get("/stock/transfer")
    response = web_coordinator.post("/stock/transfer", {
        "depot_id": stock["a"]["id"], "to_depot_id": stock["a"]["id"], "item_code": "BERAS", "quantity": "lima",
        "notes": "x" * 1001})
    page = _page(response)
    assert response.status_code == 422
    assert "Jumlah harus berupa angka" in page  # the schema's quantity field
    assert "Posko tujuan harus berbeda dari posko asal." in page  # the operation's transfer rule
    assert "Terlalu panjang: paling banyak 1000 karakter." in page  # the schema's length
    assert _counts() == before


def test_adjustment_amount_and_task_wording(web_coordinator, stock):  # noqa: F811
    web_coordinator.get("/stock/adjust")
    response = web_coordinator.post("/stock/adjust", {"depot_id": stock["a"]["id"], "item_code": "BERAS",
                                                      "quantity": "0", "direction": "", "reason": ""})
    page = _page(response)
    assert response.status_code == 422
    for text in ("Jumlah harus lebih dari 0.", "Pilih tambah atau kurangi.", "Isi alasan penyesuaian"):
        assert text in page, text


@pytest.mark.parametrize("quantity, status", [("2,5", 302), ("2.5", 302)])
def test_decimal_comma_is_the_page_s(web_coordinator, coordinator, stock, quantity, status):  # noqa: F811
    web_coordinator.get("/stock/receive")
    response = web_coordinator.post("/stock/receive", {"depot_id": stock["a"]["id"], "item_code": "BERAS",
                                                       "quantity": quantity, "donor": "PMI"})
    assert response.status_code == status
    refused = coordinator.post("/api/v1/stock/movements", json={"kind": "receipt", "depot_id": stock["a"]["id"],
                                                                "item_code": "BERAS", "quantity": "2,5", "donor": "PMI"})
    assert refused.status_code == 422
