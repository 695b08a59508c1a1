"""The officials' event overview (built on the official report) and its downloads, on both
databases: the numbers of the API report, no personal data, the audit state, languages."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from resilience.extensions import db
from tests.reports.test_report import PERSONAL, build_scenario


@pytest.fixture
def scenario(coordinator, seed):
    return build_scenario(coordinator, seed)


def _page(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _cell(page: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-code="{re.escape(code)}">(.*?)</tr>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', row)]


def test_official_overview_shows_the_report(web_official, coordinator, scenario):
    event_id = scenario["event"]["id"]
    report = coordinator.get(f"/api/v1/events/{event_id}/report").get_json()
    page = _page(web_official.get(f"/events/{event_id}/report"))
    assert "Laporan kejadian: Banjir Rungan" in page
    totals = report["totals"]["households"]
    assert f'id="r-affected">{totals["affected"]}<' in page
    assert f'id="r-waiting">{totals["waiting"]}<' in page and f'id="r-served">{totals["served"]}<' in page
    for row in report["kelurahan"]:
        households = row["households"]
        assert _cell(page, row["code"] or "") == [str(households[k]) for k in
                                                  ("affected", "people", "waiting", "in_progress", "served", "received_aid")]
    # Waiting list: need numbers in the report's order, with kelurahan and category, no names.
    listed = re.findall(r'<tr class="state-[a-z_]+"><td>(\d+)</td>', page)
    assert [int(n) for n in listed] == [w["need_id"] for w in report["waiting"]]
    assert f"Utuh: {report['audit']['entries']} entri" in page
    assert "Beras" in page and "17,5 kg" in page  # aid handed out
    for secret in PERSONAL:
        assert secret not in page, secret


def test_downloads_are_the_report_formats(web_official, scenario):
    event_id = scenario["event"]["id"]
    page = _page(web_official.get(f"/events/{event_id}/report"))
    for fmt in ("csv", "geojson", "json"):
        assert f'href="/events/{event_id}/report.{fmt}"' in page
    response = web_official.get(f"/events/{event_id}/report.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="laporan-kejadian-{event_id}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert "#adm4+code" in rows[1] and "#affected+hh" in rows[1]
    waiting = web_official.get(f"/events/{event_id}/report.csv?table=waiting")
    assert "laporan-kejadian-%d-waiting.csv" % event_id in waiting.headers["Content-Disposition"]
    geo = json.loads(web_official.get(f"/events/{event_id}/report.geojson").get_data(as_text=True))
    assert geo["type"] == "FeatureCollection" and geo["features"]
    full = json.loads(web_official.get(f"/events/{event_id}/report.json").get_data(as_text=True))
    assert full["event"]["id"] == event_id
    for fmt in ("csv", "geojson", "json"):
        body = web_official.get(f"/events/{event_id}/report.{fmt}").get_data(as_text=True)
        assert not [secret for secret in PERSONAL if secret in body]
    assert web_official.get(f"/events/{event_id}/report.docx").status_code == 404
    assert web_official.get(f"/events/{event_id}/report.csv?table=households").status_code == 404
    assert web_official.get("/events/9999/report").status_code == 404


def test_reports_menu_and_access(web, web_official, web_coordinator, scenario):
    event_id = scenario["event"]["id"]
    listing = _page(web_official.get("/reports"))
    assert 'href="/reports"' in listing and "Laporan" in listing  # the menu entry
    assert f'href="/events/{event_id}/report"' in listing
    coordinator_page = _page(web_coordinator.get(f"/events/{event_id}/report"))
    assert "Siti Aminah" not in coordinator_page  # the report has no personal data for anyone
    anonymous = web.get(f"/events/{event_id}/report")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert web.get(f"/events/{event_id}/report.csv").status_code == 302


def test_english_and_a_broken_chain(web_official, scenario):
    event_id = scenario["event"]["id"]
    page = _page(web_official.get(f"/events/{event_id}/report?lang=en"))
    assert "Households affected" in page and "Needs not yet served" in page and "Rumah tangga terdampak" not in page
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3"))
    page = _page(web_official.get(f"/events/{event_id}/report?lang=id"))
    assert "RUSAK: entri 3 diubah" in page and 'class="audit-bad" role="alert"' in page


def test_empty_event_page(web_official, seed):
    event = seed.event(name="Banjir Kosong")
    page = _page(web_official.get(f"/events/{event['id']}/report"))
    assert "Belum ada kebutuhan yang dilaporkan." in page and "Tidak ada kebutuhan yang menunggu." in page
    assert "Belum ada bantuan tersalurkan." in page


def test_the_overview_counts_safety_check_ins(app, web_official, coordinator, seed):
    from datetime import timedelta

    from tests.dispatch.test_checkin import _accepted, _due_now, _reply, _sweep

    event, tasks = _accepted(coordinator, seed, ("evacuation", "medical", "food"))
    due = max(_due_now(app, tasks["evacuation"]), _due_now(app, tasks["medical"]))
    _sweep(due)
    _reply(coordinator, tasks["evacuation"]["phone"], "AMAN")
    _sweep(due + timedelta(minutes=15))
    page = _page(web_official.get(f"/events/{event['id']}/report"))
    counter = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'id="r-checkin">(.*?)</p>', page, re.S).group(1)))
    assert counter.strip() == "2 Cek keselamatan dikirim 1 menjawab aman, 0 meminta bantuan, 1 dieskalasi"


def test_the_report_page_shows_vulnerable_households_and_sms(coordinator, seed, web_official):
    from tests.reports.test_report import build_scenario

    built = build_scenario(coordinator, seed)
    page = web_official.get(f"/events/{built['event']['id']}/report").get_data(as_text=True)
    assert 'id="report-vulnerable"' in page and 'id="report-sms"' in page
    vulnerable = page.split('id="report-vulnerable"')[1].split("</section>")[0]
    assert "Mungku Baru" in vulnerable and "Bukit Sua" in vulnerable
    assert "Siti" not in page and "Maria" not in page


def test_official_downloads_from_the_web_page(web_official, scenario):
    event_id = scenario["event"]["id"]
    page = web_official.get(f"/events/{event_id}/report").get_data(as_text=True)
    for fmt in ("pdf", "xlsx"):
        assert f"/events/{event_id}/report.{fmt}" in page
        response = web_official.get(f"/events/{event_id}/report.{fmt}")
        assert response.status_code == 200, fmt
        assert f"laporan-kejadian-{event_id}.{fmt}" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(web_official.get(f"/events/{event_id}/report.xlsx").data)).sheetnames[0] == "Ringkasan"
    assert web_official.get(f"/events/{event_id}/report.docx").status_code == 404
