"""The report's first page on both databases: the kelurahan map's shading, the chart data
(needs reported vs served per local day, the response-time distribution) and aid against the
BNPB minimum per kelurahan, in the JSON, on the officials' page (SVG) and in the PDF."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

from resilience.reports.figures import MAP_COLOURS, map_class, map_classes
from tests.reports.test_report import _ok, _report, _task_times, build_scenario

EDGES = [0, 30, 60, 120, 240, 480, 1440, 2880]
JAKARTA = ZoneInfo("Asia/Jakarta")  # the tests' TIMEZONE (the default)


def _parse(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _bucket(minutes: float) -> int:
    return max(i for i, edge in enumerate(EDGES) if minutes >= edge)


def test_map_classes_are_round_steps():
    assert map_classes(37) == [(0, 0), (1, 10), (11, 20), (21, 30), (31, None)]
    assert map_classes(0)[1] == (1, 1) and map_classes(3)[1] == (1, 1)
    classes = map_classes(37)
    assert [map_class(n, classes) for n in (0, 1, 10, 11, 30, 31, 500)] == [0, 1, 1, 2, 3, 4, 4]


def test_first_page_figures(coordinator, web_official, seed):
    built = build_scenario(coordinator, seed)
    event_id = built["event"]["id"]
    report = _ok(_report(coordinator, event_id))
    tasks = _task_times(event_id)
    needs = built["needs"]

    # Needs reported (not cancelled) and served per day in WIB, from the scenario's own times.
    live = [needs[k] for k in ("evac", "water", "medical", "food")]
    reported = Counter(_parse(n["reported_at"]).astimezone(JAKARTA).date().isoformat() for n in live)
    served = Counter({tasks[needs["water"]["id"]].done_at.astimezone(JAKARTA).date().isoformat(): 1})
    timeline = {row["date"]: (row["reported"], row["served"]) for row in report["timeline"]}
    assert {d: v for d, v in timeline.items() if v != (0, 0)} == {
        d: (reported.get(d, 0), served.get(d, 0)) for d in set(reported) | set(served)}

    # Response times: two needs accepted (evacuation, water), one done (water).
    to_accepted = [0] * len(EDGES)
    to_done = [0] * len(EDGES)
    for need in live:
        task = tasks.get(need["id"])
        start = _parse(need["reported_at"])
        if task and task.accepted_at:
            to_accepted[_bucket((task.accepted_at - start).total_seconds() / 60)] += 1
        if task and task.done_at:
            to_done[_bucket((task.done_at - start).total_seconds() / 60)] += 1
    assert sum(to_accepted) == 2 and sum(to_done) == 1
    assert report["response_distribution"] == {"bucket_minutes": EDGES, "to_accepted": to_accepted, "to_done": to_done}

    # Aid against BNPB (2.8 kg rice per person per week, +0.98 kg per pregnant or lactating
    # woman; 17.5 l drinking water; 1 family kit per 5 people): Mungku Baru's 8 people got 15.5 kg.
    minimum = report["aid_vs_minimum"]
    started, generated = _parse(report["event"]["started_at"]), _parse(report["generated_at"])
    days = minimum["days"]
    assert days in (math.ceil((generated - started).total_seconds() / 86400),
                    math.ceil((generated - started).total_seconds() / 86400) + 1)
    assert [line["key"] for line in minimum["lines"]] == ["rice", "drinking_water", "clean_water", "family_kit"]
    rows = {row["code"]: row for row in minimum["kelurahan"]}
    mungku = rows["62.71.05.1004"]
    rice_needed = math.ceil(Fraction("2.8") * 8 * Fraction(days, 7))
    assert mungku["people"] == 8
    assert mungku["lines"]["rice"] == {"needed": rice_needed, "delivered": 15.5,
                                       "percent": round(100 * 15.5 / rice_needed, 1)}
    assert mungku["lines"]["family_kit"] == {"needed": math.ceil(Fraction(8, 5) * Fraction(days, 7)),
                                             "delivered": 0, "percent": 0.0}
    assert rows["62.71.05.1007"]["lines"]["rice"]["delivered"] == 0  # blankets only: not a BNPB line
    # The event's total counts the 2 kg for the public kitchen too (no household, no kelurahan).
    assert minimum["totals"]["people"] == 12 and minimum["totals"]["lines"]["rice"]["delivered"] == 17.5
    # Kelurahan: the aid per item carries its households (Mungku Baru: rice to two).
    kelurahan = {row["code"]: row for row in report["kelurahan"]}
    assert [(a["item_code"], a["households"]) for a in kelurahan["62.71.05.1004"]["aid"]] == [("BERAS", 2)]

    # The page: the map shades Mungku Baru (1 waiting) in the first colour above none, the
    # others as none; the charts carry the same data points.
    page = web_official.get(f"/events/{event_id}/report").get_data(as_text=True)
    shaded = {code: (int(waiting), int(cls), fill) for fill, code, waiting, cls in re.findall(
        r'<path d="[^"]+" fill="(#[0-9a-f]{6})" [^>]*data-code="([^"]+)" data-waiting="(\d+)" data-class="(\d)"', page)}
    assert shaded["62.71.05.1004"] == (1, 1, MAP_COLOURS[1])
    assert shaded["62.71.05.1007"] == (0, 0, MAP_COLOURS[0]) and shaded["62.71.05.1003"] == (0, 0, MAP_COLOURS[0])
    assert ">Mungku Baru</text>" in page
    bars = re.findall(r'<rect [^>]*data-series="(\w+)" data-index="(\d+)" data-value="(\d+)"', page)
    assert [int(v) for s, _i, v in bars if s == "to_accepted"] == to_accepted
    assert [int(v) for s, _i, v in bars if s == "reported"] == [row["reported"] for row in report["timeline"]]
    assert re.search(rf'data-line="rice" data-percent="{mungku["lines"]["rice"]["percent"]}"', page)
    assert "Rumah tangga yang masih menunggu per kelurahan" in page

    # The PDF's first page draws the same: the map's names, the charts' titles, the percentages.
    from tests.reports.test_report_xlsx_pdf import _flat, _pdf_text

    first = _flat(_pdf_text(web_official.get(f"/events/{event_id}/report.pdf").data)[1][0])
    assert "Mungku Baru" in first and "Kebutuhan dilaporkan dan terlayani per hari" in first
    assert "Waktu respons" in first and "Beras (%)" in first

    # The officials' dashboard map: counts per kelurahan (no point) with the class its JS fills by.
    data = web_official.get(f"/events/{event_id}/map.json").get_json()
    assert data["households"] == []
    shading = {row["kelurahan"]: (row["waiting"], row["class"]) for row in data["by_kelurahan"]}
    assert shading["Mungku Baru"] == (1, 1) and shading["Bukit Sua"] == (1, 1)
    assert [s["colour"] for s in data["shading"]] == list(MAP_COLOURS) and data["shading"][1]["text"] == "1"

    # The XLSX carries the same as tables: per day, response-time spans, aid against the minimum.
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(web_official.get(f"/events/{event_id}/report.xlsx").data))
    per_day = [row for row in wb["Per hari"].iter_rows(min_row=2, values_only=True)]
    assert [(d.date().isoformat(), r, s) for d, r, s in per_day] == [
        (row["date"], row["reported"], row["served"]) for row in report["timeline"]]
    assert [row[2] for row in wb["Waktu respons"].iter_rows(min_row=2, values_only=True)] == to_accepted
    rice = [row for row in wb["Bantuan vs minimum"].iter_rows(min_row=2, values_only=True)
            if row[0] == "62.71.05.1004" and row[3] == "Beras"]
    assert rice == [("62.71.05.1004", "Mungku Baru", 8, "Beras", "kg", rice_needed, 15.5,
                     mungku["lines"]["rice"]["percent"])]
