"""The report as an XLSX workbook and a printable PDF on both databases: the workbook's sheets
and totals against the JSON report, numbers as numbers and times as dates, formula-like names
neutralised; the PDF's pages, key figures and audit anchor; both in Bahasa Indonesia unless
``lang=en``; no personal data in either (cells and extracted text scanned); downloads from the
API, the web page and the CLI."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from resilience.cli import cli
from resilience.core.cells import FORMULA_STARTS
from tests.reports.test_csv_injection import EVENT, ITEM, poisoned  # noqa: F401  (fixture)
from tests.reports.test_report import PERSONAL, _report, build_scenario

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def scenario(coordinator, seed):
    return build_scenario(coordinator, seed)


def _workbook(body: bytes):
    return load_workbook(io.BytesIO(body))


def _cells(workbook) -> list:
    return [cell.value for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
            if cell.value is not None]


def _pdf_text(body: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_xlsx_sheets_and_totals_match_the_json(official, scenario):
    event_id = scenario["event"]["id"]
    report = _report(official, event_id).get_json()
    response = _report(official, event_id, format="xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert f'filename="laporan-kejadian-{event_id}.xlsx"' in response.headers["Content-Disposition"]
    wb = _workbook(response.data)
    assert wb.sheetnames == ["Ringkasan", "Per kelurahan", "Kebutuhan", "Menunggu", "Bantuan",
                             "Bantuan per kelurahan", "Rentan", "Cek keselamatan", "SMS", "Kebutuhan minimum",
                             "Per hari", "Waktu respons", "Bantuan vs minimum"]
    summary = {row[0]: row[1] for row in wb["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    hh = report["totals"]["households"]
    assert summary["Kejadian"] == report["event"]["name"]
    assert summary["Rumah tangga terdampak"] == hh["affected"] == 3
    assert summary["Rumah tangga menunggu"] == hh["waiting"] and summary["Rumah tangga terlayani"] == hh["served"]
    assert summary["Kepala rantai: hash"] == report["audit"]["head_hash"]
    assert isinstance(summary["Kepala rantai: entri"], int)
    started = next(v for k, v in summary.items() if k.startswith("Mulai ("))
    assert isinstance(started, datetime)
    assert "WIB" in next(k for k in summary if k.startswith("Mulai ("))

    ws = wb["Per kelurahan"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= len("Mungku Baru")
    rows = {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    by_code = {k["code"] or "": k for k in report["kelurahan"]}
    assert set(rows) == set(by_code)
    for code, row in rows.items():
        assert row["Rumah tangga terdampak"] == by_code[code]["households"]["affected"]
        assert row["Rumah tangga menunggu"] == by_code[code]["households"]["waiting"]
        assert row["Rumah tangga terlayani"] == by_code[code]["households"]["served"]
    assert sum(row["Rumah tangga terdampak"] for row in rows.values()) == hh["affected"]

    waiting = list(wb["Menunggu"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in waiting] == [w["need_id"] for w in report["waiting"]]
    assert all(isinstance(row[6], datetime) and isinstance(row[7], (int, float)) for row in waiting)
    aid = {row[0]: row for row in wb["Bantuan"].iter_rows(min_row=2, values_only=True)}
    assert aid["BERAS"][3] == 17.5 and aid["BERAS"][4] == 2  # numbers, not text
    needs = {row[0]: row for row in wb["Kebutuhan"].iter_rows(min_row=2, values_only=True)}
    assert needs["evakuasi"][-1] == report["totals"]["needs_by_category"]["evacuation"]["total"]
    sms = list(wb["SMS"].iter_rows(min_row=2, values_only=True))
    assert sms[0][2] == report["sms"]["outbound"] > 0

    english = _workbook(_report(official, event_id, format="xlsx", lang="en").data)
    assert english.sheetnames[:3] == ["Summary", "Per kelurahan", "Needs"]
    assert {row[0]: row[1] for row in english["Summary"].iter_rows(values_only=True)}["Households affected"] == 3


def test_xlsx_neutralises_formula_like_names(official, poisoned):  # noqa: F811
    wb = _workbook(_report(official, poisoned, format="xlsx").data)
    texts = [value for value in _cells(wb) if isinstance(value, str)]
    assert f"'{EVENT}" in texts and f"'{ITEM}" in texts
    assert not [text for text in texts if text.startswith(FORMULA_STARTS)]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_pdf_first_page_has_the_key_figures(official, scenario):
    event_id = scenario["event"]["id"]
    report = _report(official, event_id).get_json()
    response = _report(official, event_id, format="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert f'filename="laporan-kejadian-{event_id}.pdf"' in response.headers["Content-Disposition"]
    pages, texts = _pdf_text(response.data)
    assert pages >= 2
    first = _flat(texts[0])
    assert report["event"]["name"] in first
    assert "Laporan kejadian" in first
    hh = report["totals"]["households"]
    for figure in (f"{hh['affected']} Rumah tangga terdampak", f"{hh['served']} Rumah tangga terbantu",
                   f"{hh['waiting']} Rumah tangga menunggu", "Median waktu sampai terbantu",
                   f"{report['totals']['vulnerable_households']['not_reached']} Rumah tangga rentan yang belum terlayani",
                   f"{report['safety_checkin']['escalated']} Eskalasi keselamatan"):
        assert figure in first, figure
    assert "Mungku Baru" in first  # the chart's bars are labelled
    assert "WIB" in first
    audit = report["audit"]
    assert f"entri {audit['head_seq']}, hash {audit['head_hash']}" in first
    for number, text in enumerate(texts, start=1):
        assert f"Halaman {number} dari {pages}" in _flat(text)
    rest = _flat(" ".join(texts[1:]))
    assert "Per kelurahan" in rest and "Beras" in rest and "Kebutuhan yang belum terlayani" in rest

    english = _flat(_pdf_text(_report(official, event_id, format="pdf", lang="en").data)[1][0])
    assert "Households affected" in english and "Page 1 of" in english


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_no_personal_data_in_xlsx_or_pdf(official, coordinator, scenario, fmt):
    event_id = scenario["event"]["id"]
    for client in (official, coordinator):
        response = _report(client, event_id, format=fmt)
        assert response.status_code == 200
        if fmt == "xlsx":
            text = "\n".join(str(value) for value in _cells(_workbook(response.data)))
        else:
            text = "\n".join(_pdf_text(response.data)[1])
        assert len(text) > 200  # something was read
        for secret in PERSONAL:
            assert secret not in text, (fmt, secret)


def test_unknown_format_and_parameters_are_422(official, scenario):
    event_id = scenario["event"]["id"]
    for query in ({"format": "docx"}, {"format": "pdf", "lang": "fr"}, {"format": "xlsx", "sheet": "1"}):
        response = _report(official, event_id, **query)
        assert response.status_code == 422 and response.mimetype == "application/problem+json", query


def test_cli_writes_xlsx_and_pdf(app, coordinator, seed):
    event_id = build_scenario(coordinator, seed)["event"]["id"]
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["report", str(event_id), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    assert _workbook(result.stdout_bytes)["Ringkasan"]["A1"].value == "Angka"
    result = runner.invoke(cli, ["report", str(event_id), "--format", "pdf", "--lang", "en"])
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"%PDF-")
    assert "Households affected" in _flat(_pdf_text(result.stdout_bytes)[1][0])


def test_pdf_prints_any_place_name_and_falls_back_without_dejavu(app, official, seed, monkeypatch):
    """DejaVu Sans prints names outside Latin-1; without the font the PDF is still made with a
    core font, such characters written as '?'."""
    from resilience.reports import pdf

    name = "Banjir Sungai Kahayan – Đông ☔"
    event = seed.event(name=name)
    report = _report(official, event["id"]).get_json()
    with app.test_request_context():
        assert pdf._font_files() is not None  # fonts-dejavu-core (.ci/setup installs it)
        with_font = _flat(_pdf_text(pdf.to_pdf(report))[1][0])
        assert name in with_font
        monkeypatch.setattr(pdf, "FONT_DIRS", ())
        body = pdf.to_pdf(report)
    assert body.startswith(b"%PDF-") and b"Helvetica" in body
    without = _flat(_pdf_text(body)[1][0])
    assert "Banjir Sungai Kahayan - ?ông ?" in without and "Laporan kejadian" in without
