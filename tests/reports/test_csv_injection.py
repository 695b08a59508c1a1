"""CSV injection (OWASP): names typed by people that start like a formula reach an official's
spreadsheet as text, in every table of the report's CSV, from the API and the web download."""

from __future__ import annotations

import csv
import io

import pytest

from resilience.core.cells import FORMULA_STARTS, neutralise, neutralise_row
from tests.conftest import MUNGKU_BARU

EVENT = "=HYPERLINK(\"http://evil.test\",\"klik\")"
ITEM = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


def test_other_values_are_left_alone():
    assert neutralise_row(["Banjir Rungan", -2, 3.5, None, "", "Beras 5 kg", "'=quoted"]) == \
        ["Banjir Rungan", -2, 3.5, None, "", "Beras 5 kg", "'=quoted"]
    assert neutralise(" =x") == " =x"  # not at the start: no spreadsheet reads it as a formula


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[2:]  # below the header and the HXL row


@pytest.fixture
def poisoned(coordinator, seed):
    event = seed.event(name=EVENT)
    household = seed.household(location=MUNGKU_BARU)
    seed.need(event["id"], household["id"], "food")
    assert coordinator.post("/api/v1/items", json={"code": "JAHAT", "name": ITEM, "unit": "kg",
                                                   "category": "food"}).status_code == 201
    depot = coordinator.post("/api/v1/depots", json={"name": "+Posko", "kind": "posko",
                                                      "location": MUNGKU_BARU}).get_json()
    for move in ({"kind": "receipt", "quantity": 10, "donor": "-Donatur"},
                 {"kind": "issue", "quantity": 2, "household_id": household["id"], "event_id": event["id"]}):
        response = coordinator.post("/api/v1/stock/movements",
                                    json={"depot_id": depot["id"], "item_code": "JAHAT", **move})
        assert response.status_code == 201, response.get_json()
    return event["id"]


def test_report_csv_tables_carry_formulas_as_text(official, poisoned, app):
    texts = {}
    for table in ("kelurahan", "waiting", "aid"):
        response = official.get(f"/api/v1/events/{poisoned}/report?format=csv&table={table}")
        assert response.status_code == 200
        texts[table] = response.get_data(as_text=True)
        rows = _rows(texts[table])
        assert rows, table
        cells = [cell for row in rows for cell in row]
        assert f"'{EVENT}" in cells, table
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], table
    assert any(f"'{ITEM}" in row for row in _rows(texts["aid"]))


def test_control_characters_in_names_leave_the_workbook_readable(official, seed):
    """XML cannot hold most control characters: they are dropped from the cells, not a 500."""
    from openpyxl import load_workbook

    event = seed.event(name="Banjir\x10 Rungan\x1b")
    response = official.get(f"/api/v1/events/{event['id']}/report?format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    cells = [cell for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for cell in row]
    assert "Banjir Rungan" in cells
