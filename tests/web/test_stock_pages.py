"""The stock pages through the browser's eyes (the Flask test client with session and CSRF), on
both databases: the forms record through the ledger, bad input gets messages in Bahasa
Indonesia (English on request) and stores nothing, CSRF is required, officials read without
personal data and cannot post."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from resilience.audit.models import AuditEntry
from resilience.extensions import db
from resilience.stock.models import StockBalance, StockMovement
from tests.conftest import MUNGKU_BARU

POSKO_B = {"lat": -1.64, "lon": 113.70}
TANGKILING = {"lat": -1.95, "lon": 113.67}  # outside the seed event's area


def _ok(response, status=201):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def stock(coordinator, seed):
    event = seed.event()
    household = seed.household(members=5)
    need = seed.need(event["id"], household["id"], "food")
    for code, name, unit, category in (("BERAS", "Beras", "kg", "food"), ("SELIMUT", "Selimut", "pcs", "clothing")):
        _ok(coordinator.post("/api/v1/items", json={"code": code, "name": name, "unit": unit, "category": category}))
    posko_a = _ok(coordinator.post("/api/v1/depots", json={"name": "Posko Mungku Baru", "kind": "posko", "location": MUNGKU_BARU}))
    posko_b = _ok(coordinator.post("/api/v1/depots", json={"name": "Posko Bukit Sua", "kind": "posko", "location": POSKO_B}))
    return {"event": event, "household": household, "need": need, "a": posko_a, "b": posko_b}


def _counts():
    db.session.rollback()  # a fresh snapshot
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (StockMovement, StockBalance, AuditEntry))


def _balance(client, depot_id, code="BERAS"):
    rows = client.get(f"/api/v1/depots/{depot_id}/stock").get_json()["items"]
    return next((row["quantity"] for row in rows if row["item"]["code"] == code), 0)


def _receive(web, depot_id, quantity="50", code="BERAS", **extra):
    web.get("/stock/receive")
    return web.post("/stock/receive", {"depot_id": depot_id, "item_code": code, "quantity": quantity,
                                       "donor": "Dinas Sosial", **extra})


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_receive_records_and_shows_the_balance(web_coordinator, coordinator, stock):
    page = _page(web_coordinator.get("/stock"))
    assert "Posko Mungku Baru" in page and "Stok kosong." in page and 'href="/stock/receive"' in page
    response = _receive(web_coordinator, stock["a"]["id"], quantity="12,5")  # a decimal comma, as written in Indonesia
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/stock#depot-{stock['a']['id']}")
    assert _balance(coordinator, stock["a"]["id"]) == 12.5
    page = _page(web_coordinator.get("/stock"))
    assert "12,5 kg Beras diterima dari Dinas Sosial di Posko Mungku Baru. Saldo sekarang 12,5 kg." in page
    assert re.search(r'<td class="num">12,5 kg</td>', page)
    assert "penerimaan" in page and "dari Dinas Sosial" in page  # the ledger line
    movements = coordinator.get("/api/v1/stock/movements").get_json()["items"]
    assert [(m["kind"], m["quantity"], m["donor"], m["actor"]) for m in movements] == [
        ("receipt", 12.5, "Dinas Sosial", "coordinator:koordinator.web@posko.test")]


@pytest.mark.parametrize("form, messages", [
    ({"quantity": "", "donor": ""}, ["Isi jumlah.", "Isi siapa yang memberi bantuan ini (donatur)."]),
    ({"quantity": "abc"}, ["Jumlah harus berupa angka, misalnya 14 atau 2,5."]),
    ({"quantity": "-3"}, ["Jumlah harus lebih dari 0."]),
    ({"quantity": "1.000,5"}, ["Tulis angka tanpa pemisah ribuan, misalnya 1500 atau 2,5."]),
    ({"quantity": "1,5", "item_code": "SELIMUT"}, ["Barang ini dihitung per pcs: isi bilangan bulat tanpa desimal."]),
    ({"quantity": "0,0005"}, ["Satuan kg paling banyak 3 angka desimal."]),
    ({"item_code": "", "depot_id": ""}, ["Pilih posko.", "Pilih barang."]),
    ({"item_code": "GULA", "depot_id": "999"}, ["Tidak ditemukan; pilih dari daftar."]),
])
def test_receive_rejects_bad_input_in_indonesian(web_coordinator, stock, form, messages):
    before = _counts()
    body = {"depot_id": str(stock["a"]["id"]), "item_code": "BERAS", "quantity": "5", "donor": "PMI", **form}
    web_coordinator.get("/stock/receive")
    response = web_coordinator.post("/stock/receive", body)
    assert response.status_code == 422
    page = _page(response)
    assert "Periksa isian berikut" in page and 'aria-invalid="true"' in page
    for message in messages:
        assert message in page
    assert _counts() == before
    # What was typed stays in the form.
    if form.get("quantity"):
        assert f'value="{form["quantity"]}"' in page


def test_messages_switch_to_english(web_coordinator, stock):
    web_coordinator.get("/stock?lang=en")
    response = web_coordinator.post("/stock/receive", {"depot_id": stock["a"]["id"], "item_code": "BERAS",
                                                       "quantity": "", "donor": ""})
    page = _page(response)
    assert response.status_code == 422 and "Enter the quantity." in page and "Say who gave this aid" in page
    assert "Isi jumlah." not in page


def test_distribute_to_a_household(web_coordinator, coordinator, stock):
    assert _receive(web_coordinator, stock["a"]["id"], quantity="50").status_code == 302
    page = _page(web_coordinator.get(f"/stock/distribute?event={stock['event']['id']}"))
    assert f'<option value="{stock["household"]["id"]}"' in page and "Siti Aminah — Mungku Baru" in page
    response = web_coordinator.post("/stock/distribute", {
        "event_id": stock["event"]["id"], "depot_id": stock["a"]["id"], "item_code": "BERAS",
        "quantity": "10", "household_id": stock["household"]["id"]})
    assert response.status_code == 302
    assert _balance(coordinator, stock["a"]["id"]) == 40
    given = coordinator.get(f"/api/v1/events/{stock['event']['id']}/distributions").get_json()["items"]
    assert [(d["household"]["id"], d["quantity"], d["item"]["code"]) for d in given] == [(stock["household"]["id"], 10, "BERAS")]
    page = _page(web_coordinator.get("/stock"))
    assert "10 kg Beras disalurkan dari Posko Mungku Baru kepada Siti Aminah. Saldo sekarang 40 kg." in page

    # The same household again within 72 h: recorded, with a warning.
    response = web_coordinator.post("/stock/distribute", {
        "event_id": stock["event"]["id"], "depot_id": stock["a"]["id"], "item_code": "BERAS",
        "quantity": "5", "household_id": stock["household"]["id"]})
    assert response.status_code == 302
    page = _page(web_coordinator.get("/stock"))
    assert "sudah menerima bantuan makanan dalam 72 jam terakhir" in page and "flash-warning" in page

    # More than the posko holds: refused by the ledger, said in Indonesian, nothing stored.
    before = _counts()
    response = web_coordinator.post("/stock/distribute", {
        "event_id": stock["event"]["id"], "depot_id": stock["a"]["id"], "item_code": "BERAS",
        "quantity": "100", "household_id": stock["household"]["id"]})
    assert response.status_code == 409
    assert "Stok BERAS di Posko Mungku Baru hanya 35 kg; 100 kg tidak bisa dikeluarkan." in _page(response)
    assert _counts() == before and _balance(coordinator, stock["a"]["id"]) == 35


def test_distribute_needs_a_recipient_in_the_event(web_coordinator, seed, stock):
    _receive(web_coordinator, stock["a"]["id"], quantity="50")
    stranger = seed.household(nik=None, head_name="Orang Kota", location=TANGKILING)
    before = _counts()
    base = {"event_id": stock["event"]["id"], "depot_id": stock["a"]["id"], "item_code": "BERAS", "quantity": "5"}
    response = web_coordinator.post("/stock/distribute", base)
    assert response.status_code == 422 and "Pilih rumah tangga penerima atau tugasnya" in _page(response)
    response = web_coordinator.post("/stock/distribute", {**base, "household_id": stranger["id"]})
    assert response.status_code == 422 and "tidak terdampak kejadian yang dipilih" in _page(response)
    response = web_coordinator.post("/stock/distribute", {**base, "event_id": ""})
    assert response.status_code == 422 and "Pilih kejadian banjir." in _page(response)
    assert _counts() == before
    # A public kitchen is a recipient too (named in the reason).
    response = web_coordinator.post("/stock/distribute", {**base, "reason": "dapur umum"})
    assert response.status_code == 302


def test_transfer_and_adjust(web_coordinator, coordinator, stock):
    a, b = stock["a"]["id"], stock["b"]["id"]
    _receive(web_coordinator, a, quantity="20")
    web_coordinator.get("/stock/transfer")
    before = _counts()
    same = web_coordinator.post("/stock/transfer", {"depot_id": a, "to_depot_id": a, "item_code": "BERAS", "quantity": "5"})
    assert same.status_code == 422 and "Posko tujuan harus berbeda dari posko asal." in _page(same)
    assert _counts() == before
    moved = web_coordinator.post("/stock/transfer", {"depot_id": a, "to_depot_id": b, "item_code": "BERAS", "quantity": "5"})
    assert moved.status_code == 302
    assert (_balance(coordinator, a), _balance(coordinator, b)) == (15, 5)
    assert "Saldo Posko Mungku Baru: 15 kg; Posko Bukit Sua: 5 kg." in _page(web_coordinator.get("/stock"))

    before = _counts()
    no_reason = web_coordinator.post("/stock/adjust", {"depot_id": b, "item_code": "BERAS", "quantity": "2", "direction": "remove"})
    assert no_reason.status_code == 422 and "Isi alasan penyesuaian" in _page(no_reason)
    too_much = web_coordinator.post("/stock/adjust", {"depot_id": b, "item_code": "BERAS", "quantity": "6",
                                                      "direction": "remove", "reason": "karung sobek"})
    assert too_much.status_code == 409 and "hanya 5 kg" in _page(too_much)
    assert _counts() == before
    done = web_coordinator.post("/stock/adjust", {"depot_id": b, "item_code": "BERAS", "quantity": "2",
                                                  "direction": "remove", "reason": "karung sobek"})
    assert done.status_code == 302 and _balance(coordinator, b) == 3
    assert "Penyesuaian −2 kg Beras di Posko Bukit Sua. Saldo sekarang 3 kg." in _page(web_coordinator.get("/stock"))
    ledger = _page(web_coordinator.get(f"/stock/ledger?depot={b}"))
    assert ledger.count('class="kind-') == 2 and "karung sobek" in ledger and "dari Posko Mungku Baru" in ledger
    check = coordinator.get("/api/v1/stock/check").get_json()
    assert check["ok"] is True


def test_csrf_is_required(web_coordinator, stock):
    before = _counts()
    response = web_coordinator.post("/stock/receive", {"depot_id": stock["a"]["id"], "item_code": "BERAS",
                                                       "quantity": "5", "donor": "PMI"}, csrf=False)
    assert response.status_code == 400 and "CSRF" in _page(response)
    response = web_coordinator.post("/stock/receive", {"depot_id": stock["a"]["id"], "item_code": "BERAS",
                                                       "quantity": "5", "donor": "PMI", "csrf_token": "forged"})
    assert response.status_code == 400
    assert _counts() == before


def test_official_reads_without_personal_data_and_cannot_post(web_official, web_coordinator, stock):
    _receive(web_coordinator, stock["a"]["id"], quantity="30")
    web_coordinator.post("/stock/distribute", {"event_id": stock["event"]["id"], "depot_id": stock["a"]["id"],
                                               "item_code": "BERAS", "quantity": "4", "household_id": stock["household"]["id"]})
    assert "Siti Aminah" in _page(web_coordinator.get("/stock"))
    for path in ("/stock", "/stock/ledger", f"/events/{stock['event']['id']}/stock"):
        response = web_official.get(path)
        assert response.status_code == 200
        page = _page(response)
        assert "Siti Aminah" not in page and "6271054507800001" not in page and "3456" not in page
        assert "/stock/receive" not in page and "/stock/distribute" not in page
    page = _page(web_official.get("/stock"))
    assert "rumah tangga di Mungku Baru" in page and "26 kg" in page and "Hanya-baca" in page
    before = _counts()
    for action in ("receive", "transfer", "distribute", "adjust"):
        assert web_official.get(f"/stock/{action}").status_code == 403
        response = web_official.post(f"/stock/{action}", {"depot_id": stock["a"]["id"], "item_code": "BERAS",
                                                          "quantity": "5", "donor": "PMI", "reason": "x",
                                                          "direction": "add", "event_id": stock["event"]["id"]})
        assert response.status_code == 403
    assert web_official.post("/stock/items/new", {"code": "GULA", "name": "Gula", "unit": "kg", "category": "food"}).status_code == 403
    assert _counts() == before


def test_new_item_and_depot_forms(web_coordinator, coordinator, stock):
    web_coordinator.get("/stock/items/new")
    before = _counts()
    bad = web_coordinator.post("/stock/items/new", {"code": "gula pasir", "name": "", "unit": "ton", "category": "food"})
    assert bad.status_code == 422
    page = _page(bad)
    assert "Kode hanya huruf kapital" in page and "Isi nama." in page and "Pilih salah satu dari daftar." in page
    duplicate = web_coordinator.post("/stock/items/new", {"code": "beras", "name": "Beras lagi", "unit": "kg", "category": "food"})
    assert duplicate.status_code == 409 and "Sudah ada" in _page(duplicate)
    assert _counts() == before
    made = web_coordinator.post("/stock/items/new", {"code": "gula", "name": "Gula pasir", "unit": "kg", "category": "food"})
    assert made.status_code == 302
    assert any(i["code"] == "GULA" for i in coordinator.get("/api/v1/items").get_json()["items"])

    web_coordinator.get("/stock/depots/new")
    bad = web_coordinator.post("/stock/depots/new", {"name": "Posko Baru", "kind": "posko", "lat": "", "lon": "utara"})
    assert bad.status_code == 422
    page = _page(bad)
    assert "Isi koordinat (atau klik peta)." in page and "Koordinat harus berupa angka" in page
    made = web_coordinator.post("/stock/depots/new", {"name": "Posko Baru", "kind": "gudang", "lat": "-1,6346", "lon": "113.6858"})
    assert made.status_code == 302
    depots = {d["name"]: d for d in coordinator.get("/api/v1/depots").get_json()["items"]}
    assert depots["Posko Baru"]["kind"] == "gudang" and depots["Posko Baru"]["admin_area"]["name"] == "Mungku Baru"


def test_event_shortfall_page(web_coordinator, web_official, coordinator, stock):
    _receive(web_coordinator, stock["a"]["id"], quantity="3")
    estimate = coordinator.get(f"/api/v1/events/{stock['event']['id']}/needs-estimate?days=3").get_json()
    rice = next(line for p in estimate["profiles"] if p["key"] == "bnpb" for line in p["lines"] if line["key"] == "rice")
    assert rice["shortfall"] > 0
    for client in (web_coordinator, web_official):
        page = _page(client.get(f"/events/{stock['event']['id']}/stock?days=3"))
        assert f"{estimate['people']} jiwa di {estimate['households']} rumah tangga" in page
        row = re.search(r'<tr class="short">\s*<th scope="row">Beras.*?</tr>', page, re.S).group(0)
        needed = str(rice["needed"]).replace(".", ",")
        assert f"{needed} kg" in row and "3 kg" in row
        assert "Posko Mungku Baru" in page


def test_dashboard_counts_the_stock_shortfall(web_coordinator, web_official, coordinator, stock):
    event_id = stock["event"]["id"]
    _receive(web_coordinator, stock["a"]["id"], quantity="3")
    estimate = coordinator.get(f"/api/v1/events/{event_id}/needs-estimate?days=7").get_json()
    expected = {(p["key"], line["key"]): line["shortfall"] for p in estimate["profiles"] for line in p["lines"]
                if line["shortfall"]}
    for client in (web_coordinator, web_official):
        counters = client.get(f"/events/{event_id}/counters.json").get_json()
        short = counters["stock_shortfall"]
        assert short["days"] == 7 and short["lines"] == len(expected) > 0
        assert {(i["profile"], i["key"]): i["shortfall"] for i in short["items"]} == expected
        assert counters["households_served"] == 0  # the other counters are still there
    page = _page(web_official.get(f"/events/{event_id}"))
    assert 'id="c-stock"' in page and f'href="/events/{event_id}/stock"' in page and f'href="/events/{event_id}/report"' in page
    # Enough rice for everyone: that line leaves the counter.
    _receive(web_coordinator, stock["a"]["id"], quantity="1000")
    items = web_official.get(f"/events/{event_id}/counters.json").get_json()["stock_shortfall"]["items"]
    assert ("bnpb", "rice") in expected and all(i["key"] != "rice" for i in items)
