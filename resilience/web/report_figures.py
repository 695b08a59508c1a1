"""The report's first-page figures (:mod:`resilience.reports.figures`) worded in the page's
language: day and time-span labels of the chart axes, the map legend. The web page draws them
as SVG (``_report_figures.html``), the PDF with fpdf2's primitives (``reports/pdf.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from sqlalchemy.orm import Session

from resilience.reports.figures import boundaries, kelurahan_map, response_chart, timeline_chart
from resilience.web.i18n import number


def day_label(value: str) -> str:
    """An ISO date as a chart axis says it: "5 Des"."""
    return format_date(date.fromisoformat(value), "d MMM")


def _short(minutes: int) -> str:
    if minutes < 60:
        return gettext("%(n)s min", n=minutes)
    if minutes < 1440:
        return gettext("%(n)s h", n=minutes // 60)
    return gettext("%(n)s d", n=minutes // 1440)


def span_label(low: int, high: int | None) -> str:
    """A span of minutes: "< 30 mnt", "1 j–2 j", "≥ 2 hr"."""
    if high is None:
        return "≥ " + _short(low)
    if low == 0:
        return "< " + _short(high)
    return _short(low) + "–" + _short(high)


def legend_label(low: int, high: int | None) -> str:
    if high is None:
        return "≥ " + number(low, 0)
    if low == high:
        return number(low, 0)
    return number(low, 0) + "–" + number(high, 0)


def report_shapes(session: Session, report: dict[str, Any]) -> dict[str, Any]:
    """The boundaries of the report's kelurahan (what the map needs from the database)."""
    return boundaries(session, [row["code"] for row in report["kelurahan"] if row["code"]])


def first_page(session: Session | None, report: dict[str, Any], shapes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The map and the two charts of the report's first page, worded in the current locale."""
    if shapes is None:
        shapes = report_shapes(session, report)
    figure = kelurahan_map(report, shapes)
    if figure is not None:
        for entry in figure["legend"]:
            entry["text"] = legend_label(entry["from"], entry["to"])
    return {"map": figure, "timeline": timeline_chart(report, day_label),
            "response": response_chart(report, span_label)}
