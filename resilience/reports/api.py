"""``GET /events/{id}/report``: the official report as JSON, HXL-tagged CSV, GeoJSON, an XLSX
workbook (every table) or a printable PDF.

Every role may read it (admin, coordinator, official): it holds aggregates only."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint

from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.reports.formats import CSV_TABLES, to_csv, to_geojson
from resilience.reports.operations import FORMATS, build_report

blp = Blueprint("reports", __name__, url_prefix="", description="The official report of a flood event")

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MEDIA_TYPE = "application/pdf"
LANGUAGES = ("id", "en")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "geojson": "application/geo+json",
               "xlsx": XLSX_MEDIA_TYPE, "pdf": PDF_MEDIA_TYPE}


class ReportQuery(ma.Schema):
    format = ma.fields.String(load_default="json", validate=ma.validate.OneOf(FORMATS),
                              metadata={"description": "json (default), csv (HXL-tagged), geojson, xlsx or pdf"})
    table = ma.fields.String(load_default="kelurahan", validate=ma.validate.OneOf(CSV_TABLES),
                             metadata={"description": "csv only: kelurahan (default), waiting or aid"})
    lang = ma.fields.String(load_default="id", validate=ma.validate.OneOf(LANGUAGES),
                            metadata={"description": "xlsx and pdf: the language of their words, id "
                                                     "(Bahasa Indonesia, default) or en"})


def render(report: dict, fmt: str, table: str = "kelurahan", session=None, lang: str = "id") -> tuple[str | bytes, str]:
    """(body, media type) of the report in ``fmt``; shared by the API, the CLI and the web page.
    XLSX and PDF are bytes, worded in ``lang``."""
    # Imported here: they word the report with the web pages' labels, and the web package
    # imports this module when it loads.
    if fmt == "xlsx":
        from resilience.reports.xlsx import to_xlsx

        return to_xlsx(report, lang), MEDIA_TYPES["xlsx"]
    if fmt == "pdf":
        from resilience.reports.pdf import to_pdf
        from resilience.web.report_figures import report_shapes

        return to_pdf(report, lang, report_shapes(session or db.session, report)), MEDIA_TYPES["pdf"]
    if fmt == "csv":
        return to_csv(report, table), MEDIA_TYPES["csv"] + "; charset=utf-8"
    if fmt == "geojson":
        return json.dumps(to_geojson(session or db.session, report), ensure_ascii=False), MEDIA_TYPES["geojson"]
    return json.dumps(report, ensure_ascii=False), MEDIA_TYPES["json"]


def filename(report: dict, fmt: str, table: str = "kelurahan") -> str:
    suffix = f"-{table}" if fmt == "csv" and table != "kelurahan" else ""
    extension = {"json": "json", "csv": "csv", "geojson": "geojson", "xlsx": "xlsx", "pdf": "pdf"}[fmt]
    return f"laporan-kejadian-{report['event']['id']}{suffix}.{extension}"


@blp.get("/events/<int:event_id>/report")
@blp.arguments(ReportQuery, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.doc(
    description="Per kelurahan: households affected, waiting, in progress and served; needs by "
    "category and priority; the oldest waiting need; minutes from report to accepted and to done "
    "(median, p90); aid handed out per item; volunteers; the minimum-needs shortfall; and the "
    "audit chain's state (`audit.ok`, `audit.entries`, `audit.head_hash`). No personal data. "
    "`format=csv` answers an HXL-tagged table (`table=kelurahan|waiting|aid`), `format=geojson` "
    "one feature per kelurahan boundary, `format=xlsx` a workbook with a sheet per table, `format=pdf` "
    "a printable report (key figures, the kelurahan map, charts of needs over time and response "
    "times and aid against the BNPB minimum on page one, then the tables); both "
    "in Bahasa Indonesia unless `lang=en`, text cells that start like a formula neutralised.",
    responses={"200": {"description": "the report", "content": {
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/geo+json": {"schema": {"type": "object"}},
        XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
    }}},
)
def event_report(event_id, format, table, lang):
    event = get_event(db.session, event_id)
    report = build_report(db.session, event)
    body, media_type = render(report, format, table, lang=lang)
    response = Response(body, mimetype=media_type.split(";")[0], content_type=media_type)
    if format != "json":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename(report, format, table)}"'
    return response
