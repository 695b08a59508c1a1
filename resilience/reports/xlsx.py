"""The report as an XLSX workbook: one sheet per table of the report page.

Sheets: summary (the key figures, the event, the audit anchor), per kelurahan, needs by
category and priority, needs not yet served, aid per item, aid per kelurahan, vulnerable
households not yet reached, safety check-in, SMS, when the report has it the minimum-needs
shortfall, then needs reported and served per day, the response-time distribution and, when
the report has it, aid against the BNPB minimum per kelurahan. Headers are in the request's language (Bahasa Indonesia by default), numbers are
numbers, times are spreadsheet dates in the ``TIMEZONE`` setting's zone (named in the header),
each sheet has its header row frozen and columns wide enough to read. Every text cell goes
through :func:`resilience.core.cells.neutralise`: event, kelurahan and item names are typed by
people and must not become formulas. No personal data: the report has none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from flask_babel import force_locale, gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from resilience.core.cells import neutralise
from resilience.reports.operations import PRIORITIES
from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES
from resilience.web.i18n import local_zone, term, zone_label
from resilience.web.labels import label

DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60
SHEET_TITLE_MAX = 31  # Excel's limit
STATES = ("waiting", "in_progress", "served", "cancelled")


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def parse_time(value: str | None) -> datetime | None:
    """A report time (``2026-01-05T07:30:00Z``) as a naive local time (spreadsheets have no zones)."""
    if not value:
        return None
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return moment.astimezone(local_zone()).replace(tzinfo=None)


def area_name(row: dict[str, Any]) -> str:
    return row.get("name") or str(label("report_outside"))


def kecamatan_name(row: dict[str, Any]) -> str:
    return (row.get("kecamatan") or {}).get("name") or ""


def _zone(text: str) -> str:
    return f"{text} ({zone_label()})"


def summary_rows(report: dict[str, Any]) -> list[list[Any]]:
    """(label, value) pairs: what an official reads first, then what the report rests on."""
    event, totals, audit = report["event"], report["totals"], report["audit"]
    hh, vulnerable = totals["households"], totals["vulnerable_households"]
    minutes = totals["response_minutes"]
    checkin, sms, volunteers = report["safety_checkin"], report["sms"], report["volunteers"]
    return [
        [gettext("Event"), event["name"]],
        [gettext("Event number"), event["id"]],
        [gettext("Status"), str(term(event["status"], "event_status"))],
        [_zone(gettext("Started")), parse_time(event["started_at"])],
        [_zone(gettext("Ended")), parse_time(event["ended_at"])],
        [_zone(gettext("Report generated")), parse_time(report["generated_at"])],
        [gettext("Households affected"), hh["affected"]],
        [gettext("People affected"), hh["people"]],
        [gettext("Households waiting"), hh["waiting"]],
        [gettext("Households in progress"), hh["in_progress"]],
        [gettext("Households served"), hh["served"]],
        [gettext("Households that received aid"), hh["received_aid"]],
        [gettext("Vulnerable households affected"), vulnerable["affected"]],
        [gettext("Vulnerable households not yet reached"), vulnerable["not_reached"]],
        [gettext("Needs reported"), totals["needs"]["total"] - totals["needs"]["cancelled"]],
        [gettext("Needs waiting"), totals["needs"]["waiting"]],
        [gettext("Minutes to accepted (median)"), minutes["to_accepted"]["median_minutes"]],
        [gettext("Minutes to accepted (p90)"), minutes["to_accepted"]["p90_minutes"]],
        [gettext("Minutes to done (median)"), minutes["to_done"]["median_minutes"]],
        [gettext("Minutes to done (p90)"), minutes["to_done"]["p90_minutes"]],
        [gettext("Volunteers who accepted a task"), volunteers["engaged"]],
        [gettext("Volunteers on a task now"), volunteers["on_task"]],
        [gettext("Volunteers available"), volunteers["available"]],
        [gettext("Safety check-ins asked"), checkin["asked"]],
        [gettext("Safety escalations"), checkin["escalated"]],
        [gettext("SMS sent"), sms["outbound"]],
        [gettext("SMS failed"), sum(sms["failed_by_code"].values())],
        [gettext("SMS replies received"), sms["inbound"]],
        [gettext("Volunteers who opted out of SMS"), sms["opted_out_volunteers"]],
        [gettext("Response log intact"), gettext("yes") if audit["ok"] else gettext("NO")],
        [gettext("Response log entries"), audit["entries"]],
        [gettext("Chain head: entry"), audit.get("head_seq")],
        [gettext("Chain head: hash"), audit.get("head_hash") or ""],
    ]


def kelurahan_sheet(report: dict[str, Any]) -> Sheet:
    headers = [gettext("Kelurahan code"), gettext("Kelurahan"), gettext("Kecamatan"),
               gettext("Households affected"), gettext("People affected"), gettext("Households waiting"),
               gettext("Households in progress"), gettext("Households served"),
               gettext("Households that received aid"), gettext("Vulnerable households affected"),
               gettext("Vulnerable households not yet reached"), gettext("Needs reported"),
               gettext("Needs waiting"), gettext("Needs in progress"), gettext("Needs served"),
               gettext("Minutes to accepted (median)"), gettext("Minutes to done (median)"),
               _zone(gettext("Waiting since"))]
    rows = []
    for k in report["kelurahan"]:
        hh, needs = k["households"], k["needs"]
        rows.append([k["code"] or "", area_name(k), kecamatan_name(k), hh["affected"], hh["people"], hh["waiting"],
                     hh["in_progress"], hh["served"], hh["received_aid"], k["vulnerable_households"]["affected"],
                     k["vulnerable_households"]["not_reached"], needs["total"] - needs["cancelled"],
                     needs["waiting"], needs["in_progress"], needs["served"],
                     k["response_minutes"]["to_accepted"]["median_minutes"],
                     k["response_minutes"]["to_done"]["median_minutes"], parse_time(k["oldest_waiting_since"])])
    return Sheet(gettext("Per kelurahan"), headers, rows)


def needs_sheet(report: dict[str, Any]) -> Sheet:
    totals = report["totals"]
    headers = [gettext("Need category"), *(str(label(f"report_state_{s}")) for s in STATES), gettext("Total")]
    rows = [[str(label(f"cat_{c}")), *(totals["needs_by_category"][c][s] for s in STATES),
             totals["needs_by_category"][c]["total"]] for c in CATEGORIES]
    rows += [[gettext("Priority %(p)s", p=p), *(totals["needs_by_priority"][str(p)][s] for s in STATES),
              totals["needs_by_priority"][str(p)]["total"]] for p in PRIORITIES]
    return Sheet(gettext("Needs"), headers, rows)


def waiting_sheet(report: dict[str, Any]) -> Sheet:
    headers = [gettext("Need number"), gettext("Kelurahan code"), gettext("Kelurahan"), gettext("Need category"),
               gettext("Priority"), gettext("Status"), _zone(gettext("Reported")), gettext("Minutes waiting")]
    rows = [[w["need_id"], w["kelurahan"]["code"] or "", area_name(w["kelurahan"]), str(label(f"cat_{w['category']}")),
             w["priority"], str(label(f"report_state_{w['state']}")), parse_time(w["reported_at"]), w["waiting_minutes"]]
            for w in report["waiting"]]
    return Sheet(gettext("Waiting"), headers, rows)


def aid_sheet(report: dict[str, Any]) -> Sheet:
    headers = [gettext("Item code"), gettext("Item"), gettext("Unit"), gettext("Quantity handed out"),
               gettext("Households"), gettext("Hand-outs")]
    rows = [[a["item_code"], a["item_name"], a["unit"], a["quantity"], a["households"], a["movements"]]
            for a in report["aid"]]
    return Sheet(gettext("Aid"), headers, rows)


def aid_kelurahan_sheet(report: dict[str, Any]) -> Sheet:
    headers = [gettext("Kelurahan code"), gettext("Kelurahan"), gettext("Item code"), gettext("Item"),
               gettext("Unit"), gettext("Quantity handed out"), gettext("Households")]
    rows = [[k["code"] or "", area_name(k), a["item_code"], a["item_name"], a["unit"], a["quantity"],
             a.get("households")] for k in report["kelurahan"] for a in k["aid"]]
    return Sheet(gettext("Aid per kelurahan"), headers, rows)


def vulnerable_sheet(report: dict[str, Any]) -> Sheet:
    headers = [gettext("Kelurahan code"), gettext("Kelurahan"), gettext("Vulnerable households affected"),
               gettext("Vulnerable households not yet reached")]
    rows = [[k["code"] or "", area_name(k), k["vulnerable_households"]["affected"],
             k["vulnerable_households"]["not_reached"]] for k in report["kelurahan"]]
    return Sheet(gettext("Vulnerable"), headers, rows)


def checkin_sheet(report: dict[str, Any]) -> Sheet:
    c = report["safety_checkin"]
    rows = [[gettext("Tasks with a safety check-in"), c["with_checkin"]], [gettext("Check-ins asked"), c["asked"]],
            [gettext("Answered safe (AMAN)"), c["safe"]], [gettext("Asked for help (BANTU)"), c["help"]],
            [gettext("Escalated to the coordinator"), c["escalated"]]]
    return Sheet(gettext("Safety check-in"), [gettext("Figure"), gettext("Tasks")], rows)


def sms_sheet(report: dict[str, Any]) -> Sheet:
    sms = report["sms"]
    rows = [[gettext("Sent (all outbound)"), "", sms["outbound"]]]
    rows += [[gettext("Outbound by status"), str(term(s, "sms_status")), n]
             for s, n in sms["by_status"].items()]
    rows += [[gettext("Failed, by provider error code"), code, n] for code, n in sms["failed_by_code"].items()]
    rows += [[gettext("Replies received"), "", sms["inbound"]],
             [gettext("Volunteers with a task who opted out"), "", sms["opted_out_volunteers"]]]
    return Sheet(gettext("SMS"), [gettext("Figure"), gettext("Detail"), gettext("Count")], rows)


def minimum_needs_sheet(report: dict[str, Any]) -> Sheet | None:
    minimum = report.get("minimum_needs")
    if not minimum:
        return None
    headers = [gettext("Standard"), gettext("Need"), gettext("Unit"), gettext("Needed (%(days)s days)", days=minimum["days"]),
               gettext("Available"), gettext("Short")]
    rows = [[p["name"], line["label"], line["unit"], line["needed"], line["available"], line["shortfall"]]
            for p in minimum["profiles"] for line in p["lines"]]
    return Sheet(gettext("Minimum needs"), headers, rows)


def timeline_sheet(report: dict[str, Any]) -> Sheet:
    rows = [[datetime.strptime(r["date"], "%Y-%m-%d").date(), r["reported"], r["served"]]
            for r in report.get("timeline", [])]
    return Sheet(gettext("Per day"), [_zone(gettext("Day")), gettext("Needs reported"), gettext("Needs served")], rows)


def response_sheet(report: dict[str, Any]) -> Sheet:
    dist = report.get("response_distribution") or {"bucket_minutes": [], "to_accepted": [], "to_done": []}
    edges = dist["bucket_minutes"]
    rows = [[low, edges[i + 1] if i + 1 < len(edges) else None, dist["to_accepted"][i], dist["to_done"][i]]
            for i, low in enumerate(edges)]
    return Sheet(gettext("Response times"), [gettext("From minute"), gettext("To minute (before)"),
                                            gettext("Needs accepted in this span"), gettext("Needs done in this span")],
                 rows)


def aid_minimum_sheet(report: dict[str, Any]) -> Sheet | None:
    minimum = report.get("aid_vs_minimum")
    if not minimum:
        return None
    headers = [gettext("Kelurahan code"), gettext("Kelurahan"), gettext("People affected"), gettext("Need"),
               gettext("Unit"), gettext("Minimum for %(days)s days", days=minimum["days"]), gettext("Handed out"),
               gettext("Percent of the minimum")]
    rows = []
    for k in [*minimum["kelurahan"], {**minimum["totals"], "code": None, "name": gettext("Total")}]:
        for line in minimum["lines"]:
            cell = k["lines"][line["key"]]
            rows.append([k["code"] or "", k["name"] or str(label("report_outside")), k["people"], line["label"],
                         line["unit"], cell["needed"], cell["delivered"], cell["percent"]])
    return Sheet(gettext("Aid vs minimum"), headers, rows)


def sheets(report: dict[str, Any]) -> list[Sheet]:
    """Every table of the report in the current language (needs an application context)."""
    found = [Sheet(gettext("Summary"), [gettext("Figure"), gettext("Value")], summary_rows(report)),
             kelurahan_sheet(report), needs_sheet(report), waiting_sheet(report), aid_sheet(report),
             aid_kelurahan_sheet(report), vulnerable_sheet(report), checkin_sheet(report), sms_sheet(report),
             minimum_needs_sheet(report), timeline_sheet(report), response_sheet(report), aid_minimum_sheet(report)]
    return [s for s in found if s is not None]


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        # control characters (a need's notes sent with \x10) cannot be written in the file's XML
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if value is None or isinstance(value, (int, float, datetime, date)):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))  # lazy strings and labels


def _width(value: Any) -> int:
    if isinstance(value, (datetime, date)):
        return 16
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len(str(value)) if value is not None else 0


def to_xlsx(report: dict[str, Any], lang: str = "id") -> bytes:
    """The workbook's bytes, worded in ``lang`` (``id`` or ``en``). Written in openpyxl's
    write-only mode: rows stream out, a styled cell object is made only for headers and times."""
    with force_locale(lang):
        tables = sheets(report)
        workbook = Workbook(write_only=True)
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDE7F0")
        wrap = Alignment(wrap_text=True, vertical="top")
        for table in tables:
            ws = workbook.create_sheet(table.title[:SHEET_TITLE_MAX])
            rows = [[_cell_value(v) for v in row] for row in table.rows]
            widths = [min(MAX_WIDTH, max(10, len(str(h)) // 2 + 2)) for h in table.headers]
            dates: set[int] = set()
            for row in rows:
                for i, value in enumerate(row):
                    widths[i] = max(widths[i], _width(value) + 2)
                    if isinstance(value, datetime):
                        dates.add(i)
            for column, width in enumerate(widths, start=1):
                ws.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, width)
            ws.freeze_panes = "A2"
            if rows:
                ws.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(rows) + 1}"
            header = []
            for text in table.headers:
                cell = WriteOnlyCell(ws, _cell_value(text))
                cell.font, cell.fill, cell.alignment = bold, fill, wrap
                header.append(cell)
            ws.append(header)
            for row in rows:
                for i in dates:
                    if isinstance(row[i], datetime):
                        cell = WriteOnlyCell(ws, row[i])
                        cell.number_format = DATE_FORMAT
                        row[i] = cell
                ws.append(row)
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()
