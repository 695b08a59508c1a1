"""The report as a printable PDF, made on the server without internet (fpdf2, pure Python).

Page one is what an official reads in two minutes: the event and its period, the key figures
(households affected, served, waiting and given aid, median time to help, vulnerable
households not yet reached, safety escalations, SMS), the kelurahan map shaded by households
waiting, the charts of needs reported vs served per day and of response times (the geometry of
``reports/figures.py``, the page's SVG, drawn here with fpdf2's polygons, rectangles and
lines), and per kelurahan the households waiting, the vulnerable not yet reached and the aid
against the BNPB minimum. The tables follow: per kelurahan, needs by category and priority,
aid, vulnerable households, safety check-in, SMS, the minimum-needs shortfall and the needs not
yet served (the first ``WAITING_ROWS``; the XLSX has them all). Every page says its number, when
the report was made (``TIMEZONE`` setting, with the zone's name) and the audit chain head (entry
and hash) it rests on, so a printed copy can be checked against the log later.

Text is set in DejaVu Sans (Debian's fonts-dejavu-core) so any place name prints; without that
font the PDF falls back to a core font and writes what Latin-1 cannot hold as ``?``.
No personal data: the report has none.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask_babel import force_locale, gettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from resilience.reports.operations import PRIORITIES
from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES
from resilience.web.i18n import duration, local_time, number, term, zone_label
from resilience.web.report_figures import first_page
from resilience.web.labels import label

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
WAITING_ROWS = 200
MAP_HEIGHT = 90  # mm: the map beside the two charts on page one
STATES = ("waiting", "in_progress", "served", "cancelled")
INK = (33, 33, 33)
MUTED = (100, 100, 100)
BOX = (238, 243, 248)


def _num(value: Any) -> str:
    if value is None:
        return gettext("—")
    return number(value, 1 if isinstance(value, float) and not value.is_integer() else 0)


def _time(value: str | None) -> str:
    if not value:
        return gettext("—")
    return local_time(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc))


def _area(row: dict[str, Any]) -> str:
    return row.get("name") or str(label("report_outside"))


def _font_files() -> dict[str, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return {"": regular, "B": bold}
    return None


class ReportPDF(FPDF):
    def __init__(self, generated: str, anchor: str, header_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.generated, self.anchor, self.header_text = generated, anchor, header_text
        fonts = _font_files()
        if fonts:
            for style, path in fonts.items():
                self.add_font("DejaVu", style, str(path))
            self.base_font = "DejaVu"
        else:
            self.base_font = "Helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        if self.base_font == "Helvetica":  # core fonts hold Latin-1 only
            text = text.replace("—", "-").replace("–", "-").replace("→", "->").replace("·", "-")
            text = text.encode("latin-1", "replace").decode("latin-1")
        return super().normalize_text(text)

    def header(self):
        if self.page_no() > 1:
            self.set_font(self.base_font, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, self.header_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
            self.set_text_color(*INK)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.base_font, "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.generated)
        self.set_x(self.l_margin)
        self.cell(0, 4, gettext("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"), align="R",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 4, self.anchor)
        self.set_text_color(*INK)

    def heading(self, text: str, size: float = 12):
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(3)
        self.set_font(self.base_font, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font(self.base_font, "", 9)

    def paragraph(self, text: str, size: float = 9, colour=INK):
        self.set_font(self.base_font, "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def grid(self, headers: list[str], rows: list[list[str]], widths: list[float], numeric: set[int] = frozenset(),
             size: float = 8, line_height: float = 4.2, padding: float = 1):
        """A table with its header row repeated on every page it runs over."""
        self.set_font(self.base_font, "", size)
        align = ["RIGHT" if i in numeric else "LEFT" for i in range(len(headers))]
        heading = FontFace(emphasis="BOLD", fill_color=BOX, size_pt=size - 0.5)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=widths, text_align=align, headings_style=heading, line_height=line_height,
                        padding=padding, first_row_as_headings=True, repeat_headings=1) as table:
            for values in [headers, *rows]:
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.ln(1)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _key_figures(pdf: ReportPDF, report: dict[str, Any]) -> None:
    """Eight boxes, four a row: the households, the time to help, the vulnerable not reached,
    safety escalations and the SMS."""
    totals = report["totals"]
    hh = totals["households"]
    minutes = totals["response_minutes"]
    sms = report["sms"]
    failed = sum(n for s, n in sms["by_status"].items() if s in ("failed", "undelivered"))
    figures = [
        (_num(hh["affected"]), gettext("Households affected"),
         gettext("%(people)s people", people=_num(hh["people"]))),
        (_num(hh["served"]), gettext("Households helped"),
         gettext("%(n)s in progress", n=_num(hh["in_progress"]))),
        (_num(hh["waiting"]), gettext("Households waiting"),
         gettext("oldest since %(time)s", time=_time(totals["oldest_waiting_since"])) if hh["waiting"] else ""),
        (_num(hh["received_aid"]), gettext("Households that received aid"), ""),
        (duration(minutes["to_done"]["median_minutes"]), gettext("Median time to help"),
         gettext("to accepted %(time)s", time=duration(minutes["to_accepted"]["median_minutes"]))),
        (_num(totals["vulnerable_households"]["not_reached"]), gettext("Vulnerable households not yet reached"),
         gettext("of %(n)s affected", n=_num(totals["vulnerable_households"]["affected"]))),
        (_num(report["safety_checkin"]["escalated"]), gettext("Safety escalations"),
         gettext("%(n)s check-ins asked", n=_num(report["safety_checkin"]["asked"]))),
        (_num(sms["outbound"]), gettext("SMS sent"),
         gettext("%(delivered)s delivered, %(failed)s failed, %(opted)s opted out",
                 delivered=_num(sms["by_status"].get("delivered", 0)), failed=_num(failed),
                 opted=_num(sms["opted_out_volunteers"]))),
    ]
    columns, gap, height = 4, 3, 19
    width = (pdf.w - pdf.l_margin - pdf.r_margin - (columns - 1) * gap) / columns
    top = pdf.get_y()
    for i, (big, what, detail) in enumerate(figures):
        x = pdf.l_margin + (i % columns) * (width + gap)
        y = top + (i // columns) * (height + gap)
        pdf.set_fill_color(*BOX)
        pdf.rect(x, y, width, height, style="F")
        pdf.set_xy(x + 1.5, y + 1.2)
        pdf.set_font(pdf.base_font, "B", 13)
        pdf.cell(width - 3, 6, big)
        pdf.set_xy(x + 1.5, y + 7.5)
        pdf.set_font(pdf.base_font, "", 7.5)
        pdf.multi_cell(width - 3, 3.2, what, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if detail:
            pdf.set_text_color(*MUTED)
            pdf.set_font(pdf.base_font, "", 6.5)
            pdf.set_x(x + 1.5)
            pdf.multi_cell(width - 3, 2.8, detail, align="L")
            pdf.set_text_color(*INK)
    rows = math.ceil(len(figures) / columns)
    pdf.set_xy(pdf.l_margin, top + rows * (height + gap))


def _caption(pdf: ReportPDF, x: float, y: float, text: str, width: float) -> float:
    """A figure's title; returns the y below it (a long title takes two lines)."""
    pdf.set_xy(x, y)
    pdf.set_font(pdf.base_font, "B", 9)
    pdf.multi_cell(width, 4, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y() + 1.5


def _legend(pdf: ReportPDF, x: float, y: float, entries: list[tuple[str, str]], outline: bool = False) -> float:
    """Swatches with their words in a row (wrapping); returns the y below."""
    pdf.set_font(pdf.base_font, "", 6.5)
    left = x
    for colour, text in entries:
        w = 4 + pdf.get_string_width(text) + 3
        if x + w > left + 90:
            x, y = left, y + 4
        pdf.set_fill_color(*_rgb(colour))
        pdf.set_draw_color(77, 77, 77)
        pdf.rect(x, y + 0.5, 2.8, 2.8, style="DF" if outline else "F")
        pdf.set_xy(x + 3.5, y)
        pdf.cell(w - 3.5, 3.8, text)
        x += w
    return y + 4.5


def _map(pdf: ReportPDF, fig: dict[str, Any] | None, x: float, y: float, width: float, height: float) -> None:
    top = _caption(pdf, x, y, gettext("Households still waiting per kelurahan"), width)
    height -= top - y - 5
    if fig is None:
        pdf.set_xy(x, top)
        pdf.paragraph(gettext("No kelurahan boundary to draw."), 8, MUTED)
        return
    legend_h = 9
    scale = min(width / fig["width"], (height - 5 - legend_h) / fig["height"])
    left = x + (width - fig["width"] * scale) / 2
    pdf.set_draw_color(77, 77, 77)
    pdf.set_line_width(0.15)
    for area in fig["areas"]:
        pdf.set_fill_color(*_rgb(area["colour"]))
        for ring in area["rings"]:
            pdf.polygon([(left + px * scale, top + py * scale) for px, py in ring], style="DF")
    pdf.set_font(pdf.base_font, "B", 5.5)
    for area in fig["areas"]:
        pdf.set_text_color(*((255, 255, 255) if area["dark"] else INK))
        lx, ly = left + area["label"][0] * scale, top + area["label"][1] * scale
        pdf.text(lx - pdf.get_string_width(area["name"]) / 2, ly + 0.8, area["name"])
    pdf.set_text_color(*INK)
    below = top + fig["height"] * scale + 2
    pdf.set_xy(x, below)
    pdf.set_font(pdf.base_font, "", 6.5)
    pdf.cell(width, 3.5, gettext("Households still waiting") + ":")
    _legend(pdf, x, below + 3.8, [(entry["colour"], entry["text"]) for entry in fig["legend"]], outline=True)


def _bars(pdf: ReportPDF, chart: dict[str, Any] | None, title: str, names: dict[str, str], x: float, y: float,
          width: float, height: float, empty: str) -> float:
    """A grouped bar chart of :func:`resilience.reports.figures.bar_chart` scaled into the box;
    returns the y below it."""
    top = _caption(pdf, x, y, title, width)
    height -= top - y - 5
    if chart is None:
        pdf.set_xy(x, top)
        pdf.set_font(pdf.base_font, "", 8)
        pdf.set_text_color(*MUTED)
        pdf.cell(width, 4, empty)
        pdf.set_text_color(*INK)
        return top + 6
    sx, sy = width / chart["width"], (height - 10) / chart["height"]
    pdf.set_line_width(0.1)
    pdf.set_draw_color(213, 217, 222)
    pdf.set_font(pdf.base_font, "", 5.5)
    for tick in chart["ticks"]:
        ty = top + tick["y"] * sy
        pdf.line(x + chart["left"] * sx, ty, x + (chart["left"] + chart["plot_w"]) * sx, ty)
        text = _num(tick["value"])
        pdf.text(x + chart["left"] * sx - 1 - pdf.get_string_width(text), ty + 0.8, text)
    for bar in chart["bars"]:
        if bar["h"] > 0:
            pdf.set_fill_color(*_rgb(bar["colour"]))
            pdf.rect(x + bar["x"] * sx, top + bar["y"] * sy, bar["w"] * sx, bar["h"] * sy, style="F")
    pdf.set_draw_color(85, 85, 85)
    pdf.line(x + chart["left"] * sx, top + chart["bottom_y"] * sy, x + (chart["left"] + chart["plot_w"]) * sx,
             top + chart["bottom_y"] * sy)
    for item in chart["labels"]:
        pdf.text(x + item["x"] * sx - pdf.get_string_width(item["text"]) / 2, top + (chart["bottom_y"] + 5) * sy + 1,
                 item["text"])
    return _legend(pdf, x, top + chart["height"] * sy, [(s["colour"], names[s["key"]]) for s in chart["series"]])


def _first_page_figures(pdf: ReportPDF, report: dict[str, Any], figures: dict[str, Any]) -> None:
    """The map on the left; needs reported vs served per day and the response times on the right."""
    top = pdf.get_y() + 2
    full = pdf.w - pdf.l_margin - pdf.r_margin
    left_w, gap = full * 0.48, 5
    right_x, right_w = pdf.l_margin + left_w + gap, full - left_w - gap
    _map(pdf, figures["map"], pdf.l_margin, top, left_w, MAP_HEIGHT)
    below = _bars(pdf, figures["timeline"], gettext("Needs reported and served per day (%(zone)s)", zone=zone_label()),
                  {"reported": gettext("Reported"), "served": gettext("Served")}, right_x, top, right_w, 44,
                  gettext("No needs reported yet."))
    _bars(pdf, figures["response"], gettext("Response times"),
          {"to_accepted": str(label("report_to_accepted")), "to_done": str(label("report_to_done"))},
          right_x, below + 2, right_w, 44, gettext("No task accepted yet."))
    pdf.set_xy(pdf.l_margin, top + MAP_HEIGHT + 1)


def _per_kelurahan_summary(pdf: ReportPDF, report: dict[str, Any]) -> None:
    """Per kelurahan: households waiting, vulnerable households not yet reached and the aid
    handed out as a share of the BNPB minimum."""
    minimum = report.get("aid_vs_minimum")
    lines = minimum["lines"] if minimum else []
    by_code = {row["code"]: row for row in minimum["kelurahan"]} if minimum else {}
    title = gettext("Per kelurahan: waiting, vulnerable not yet reached, aid against the BNPB minimum")
    pdf.heading(title, 10)
    if minimum:
        pdf.paragraph(gettext("Aid handed out as a share of the minimum of %(standard)s for the people of the "
                              "affected households over %(days)s days.", standard=minimum["name"], days=minimum["days"]),
                      7, MUTED)
    headers = [gettext("Kelurahan"), gettext("Waiting"), gettext("Vulnerable not reached"),
               *(f"{line['label']} (%)" for line in lines)]
    rows = []
    for k in report["kelurahan"]:
        if not k["households"]["affected"]:
            continue
        cells = by_code.get(k["code"], {}).get("lines", {})
        rows.append([_area(k), _num(k["households"]["waiting"]), _num(k["vulnerable_households"]["not_reached"]),
                     *(_num(cells[line["key"]]["percent"]) if cells.get(line["key"]) else gettext("—") for line in lines)])
    if not rows:
        pdf.paragraph(gettext("No household affected yet."))
        return
    rest = len(headers) - 3
    widths = [42, 18, 26, *([(180 - 86) / rest] * rest if rest else [])]
    pdf.grid(headers, rows, widths, numeric=set(range(1, len(headers))), size=7, line_height=3.2, padding=(0.4, 1))


def _tables(pdf: ReportPDF, report: dict[str, Any]) -> None:
    totals = report["totals"]
    pdf.heading(gettext("Per kelurahan"))
    headers = [gettext("Kelurahan"), *(str(label(f"report_col_{key}")) for key in
                                      ("affected", "people", "waiting", "in_progress", "served", "received_aid")),
               gettext("Vulnerable not reached"), gettext("Median to accepted")]
    rows = [[_area(k), *(_num(k["households"][key]) for key in
                         ("affected", "people", "waiting", "in_progress", "served", "received_aid")),
             _num(k["vulnerable_households"]["not_reached"]), duration(k["response_minutes"]["to_accepted"]["median_minutes"])]
            for k in report["kelurahan"]]
    hh = totals["households"]
    rows.append([gettext("Total"), *(_num(hh[key]) for key in
                                     ("affected", "people", "waiting", "in_progress", "served", "received_aid")),
                 _num(totals["vulnerable_households"]["not_reached"]),
                 duration(totals["response_minutes"]["to_accepted"]["median_minutes"])])
    pdf.grid(headers, rows, [31, 19, 14, 19, 17, 17, 17, 25, 21], numeric=set(range(1, 9)))

    pdf.heading(gettext("Needs by category and priority"))
    headers = [gettext("Need category"), *(str(label(f"report_state_{s}")) for s in STATES), gettext("Total")]
    rows = [[str(label(f"cat_{c}")), *(_num(totals["needs_by_category"][c][s]) for s in STATES),
             _num(totals["needs_by_category"][c]["total"])] for c in CATEGORIES]
    rows += [[gettext("Priority %(p)s", p=p), *(_num(totals["needs_by_priority"][str(p)][s]) for s in STATES),
              _num(totals["needs_by_priority"][str(p)]["total"])] for p in PRIORITIES]
    pdf.grid(headers, rows, [50, 26, 26, 26, 26, 26], numeric=set(range(1, 6)))

    pdf.heading(gettext("Aid handed out per item"))
    if report["aid"]:
        pdf.grid([gettext("Item"), gettext("Unit"), gettext("Quantity"), gettext("Households")],
                 [[a["item_name"], a["unit"], _num(a["quantity"]), _num(a["households"])] for a in report["aid"]],
                 [80, 30, 35, 35], numeric={2, 3})
    else:
        pdf.paragraph(gettext("No aid handed out yet."))

    pdf.heading(gettext("SMS"))
    sms = report["sms"]
    rows = [[gettext("Sent (all outbound)"), _num(sms["outbound"])]]
    rows += [[str(term(s, "sms_status")), _num(n)] for s, n in sms["by_status"].items()]
    rows += [[gettext("Failed, provider error code %(code)s", code=code), _num(n)] for code, n in sms["failed_by_code"].items()]
    rows += [[gettext("Replies received"), _num(sms["inbound"])],
             [gettext("Volunteers with a task who opted out"), _num(sms["opted_out_volunteers"])]]
    pdf.grid([gettext("Figure"), gettext("Count")], rows, [130, 50], numeric={1})

    pdf.heading(gettext("Safety check-in"))
    c = report["safety_checkin"]
    pdf.grid([gettext("Figure"), gettext("Tasks")],
             [[gettext("Tasks with a safety check-in"), _num(c["with_checkin"])], [gettext("Check-ins asked"), _num(c["asked"])],
              [gettext("Answered safe (AMAN)"), _num(c["safe"])], [gettext("Asked for help (BANTU)"), _num(c["help"])],
              [gettext("Escalated to the coordinator"), _num(c["escalated"])]], [130, 50], numeric={1})

    minimum = report.get("minimum_needs")
    if minimum:
        pdf.heading(gettext("Stock shortfall against minimum needs (%(days)s days)", days=minimum["days"]))
        rows = [[p["name"], line["label"], line["unit"], _num(line["needed"]),
                 _num(line["available"]) if line["available"] is not None else gettext("no item recorded"),
                 _num(line["shortfall"]) if line["shortfall"] else gettext("—")]
                for p in minimum["profiles"] for line in p["lines"]]
        pdf.grid([gettext("Standard"), gettext("Need"), gettext("Unit"), gettext("Needed"), gettext("Available"),
                  gettext("Short")], rows, [34, 50, 18, 26, 26, 26], numeric={3, 4, 5})

    pdf.heading(gettext("Needs not yet served"))
    waiting = report["waiting"]
    if waiting:
        rows = [[str(w["need_id"]), _area(w["kelurahan"]), str(label(f"cat_{w['category']}")), str(w["priority"]),
                 str(label(f"report_state_{w['state']}")), _time(w["reported_at"]), duration(w["waiting_minutes"])]
                for w in waiting[:WAITING_ROWS]]
        pdf.grid([gettext("No."), gettext("Kelurahan"), gettext("Need category"), gettext("Priority"), gettext("Status"),
                  gettext("Reported"), gettext("Waiting for")], rows, [16, 40, 26, 16, 22, 36, 24], numeric={0, 3})
        if len(waiting) > WAITING_ROWS:
            pdf.paragraph(gettext("… and %(n)s more: the XLSX download lists them all.", n=_num(len(waiting) - WAITING_ROWS)),
                          8, MUTED)
    else:
        pdf.paragraph(gettext("No need is waiting."))


def to_pdf(report: dict[str, Any], lang: str = "id", shapes: dict[str, Any] | None = None) -> bytes:
    """The PDF's bytes, worded in ``lang`` (``id`` or ``en``); ``shapes``: the kelurahan
    boundaries for the map (``web.report_figures.report_shapes``; without them no map is drawn).
    Needs an application context."""
    with force_locale(lang):
        figures = first_page(None, report, shapes or {})
        event, audit = report["event"], report["audit"]
        generated = _time(report["generated_at"])
        head = gettext("Audit chain head: entry %(seq)s, hash %(hash)s",
                       seq=audit.get("head_seq") or 0, hash=audit.get("head_hash") or gettext("—"))
        pdf = ReportPDF(generated=gettext("Generated %(time)s", time=generated), anchor=head,
                        header_text=gettext("Event report") + ": " + event["name"])
        pdf.set_title(gettext("Event report") + ": " + event["name"])
        pdf.set_creator("Resilience")
        pdf.add_page()
        pdf.set_text_color(*INK)
        pdf.set_font(pdf.base_font, "B", 18)
        pdf.multi_cell(0, 8, gettext("Event report") + ": " + event["name"], align="L",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        period = _time(event["started_at"]) + " – " + (_time(event["ended_at"]) if event["ended_at"] else gettext("ongoing"))
        pdf.paragraph(gettext("Event no. %(id)s · %(status)s · period %(period)s",
                              id=event["id"], status=term(event["status"], "event_status"), period=period), 9.5)
        pdf.paragraph(gettext("Generated %(time)s", time=generated) + " · " + head, 8, MUTED)
        if audit["ok"]:
            pdf.paragraph(gettext("Response log intact: %(entries)s entries, none altered.", entries=_num(audit["entries"])),
                          8, MUTED)
        else:
            pdf.paragraph(gettext("BROKEN: entry %(seq)s was altered, removed or inserted. This report's numbers "
                                  "cannot be trusted.", seq=audit.get("first_bad_seq")), 10, (180, 0, 0))
        pdf.paragraph(gettext("No personal data: totals per kelurahan only."), 8, MUTED)
        pdf.ln(2)
        _key_figures(pdf, report)
        _first_page_figures(pdf, report, figures)
        _per_kelurahan_summary(pdf, report)
        pdf.add_page()
        _tables(pdf, report)
        return bytes(pdf.output())
