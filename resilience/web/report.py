"""The officials' read-only event overview, built on the official report (no personal data),
with the report's downloads (JSON, HXL-tagged CSV, GeoJSON) for a browser session."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Response, abort, render_template, request
from sqlalchemy import select

from resilience.events.models import FloodEvent
from resilience.events.operations import get_event
from resilience.extensions import db
from resilience.needs.models import CATEGORIES
from resilience.reports.api import filename, render
from resilience.reports.formats import CSV_TABLES
from resilience.reports.operations import FORMATS, PRIORITIES, build_report
from resilience.web import bp, nav_item
from resilience.web.i18n import current_language, extend, translate
from resilience.web.session import login_required

WAITING_SHOWN = 100
WIB = timezone(timedelta(hours=7))

nav_item("web.report_index", "report_menu")


@bp.get("/reports")
@login_required
def report_index():
    events = db.session.scalars(select(FloodEvent).order_by(FloodEvent.status, FloodEvent.started_at.desc(),
                                                             FloodEvent.id.desc())).all()
    return render_template("report_index.html", events=events)


@bp.get("/events/<int:event_id>/report")
@login_required
def report_page(event_id: int):
    event = get_event(db.session, event_id)
    report = build_report(db.session, event)  # detaches the session's objects: read from the dict
    return render_template("report.html", report=report, categories=CATEGORIES, priorities=PRIORITIES,
                           waiting_shown=WAITING_SHOWN)


@bp.get("/events/<int:event_id>/report.<fmt>")
@login_required
def report_download(event_id: int, fmt: str):
    table = request.args.get("table", "kelurahan")
    if fmt not in FORMATS or table not in CSV_TABLES:
        abort(404, description=translate("report_unknown_format", fmt=fmt))
    report = build_report(db.session, get_event(db.session, event_id))
    body, media_type = render(report, fmt, table, db.session)
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(report, fmt, table)}"'
    return response


@bp.app_template_filter("report_wib")
def _wib(value: str | None) -> str:
    if not value:
        return translate("none")
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


@bp.app_template_filter("report_duration")
def _duration(minutes: float | None) -> str:
    """Minutes as a person reads them: "45 mnt", "2 j 05 mnt", "3 hr 4 j"."""
    if minutes is None:
        return translate("none")
    total = int(round(minutes))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return translate("report_days_hours", d=days, h=hours)
    if hours:
        return translate("report_hours_minutes", h=hours, m=f"{mins:02d}")
    return translate("report_minutes", m=mins)


@bp.app_template_filter("report_number")
def _number(value) -> str:
    if value is None:
        return translate("none")
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    if current_language() == "id":
        text = text.replace(",", "·").replace(".", ",").replace("·", ".")
    return text


extend({
    "id": {
        "report_menu": "Laporan",
        "report_index_title": "Laporan resmi per kejadian",
        "report_title": "Laporan kejadian",
        "report_intro": "Ringkasan hanya-baca untuk BPBD, kelurahan dan DPRD: angka gabungan per kelurahan, tanpa "
                        "nama, NIK, nomor KK, telepon, alamat, lokasi rumah atau data kerentanan.",
        "report_generated": "Dibuat {time}.",
        "report_open": "Buka laporan",
        "report_downloads": "Unduh",
        "report_dl_json": "JSON (lengkap)", "report_dl_csv": "CSV per kelurahan (HXL)",
        "report_dl_waiting": "CSV daftar tunggu (HXL)", "report_dl_aid": "CSV bantuan per kelurahan (HXL)",
        "report_dl_geojson": "GeoJSON per kelurahan (peta)",
        "report_unknown_format": "Format laporan tidak dikenal: {fmt}.",
        "report_households_affected": "Rumah tangga terdampak", "report_people": "Jiwa terdampak",
        "report_waiting": "Menunggu", "report_in_progress": "Dalam proses", "report_served": "Terlayani",
        "report_received_aid": "Menerima bantuan", "report_needs_waiting": "Kebutuhan menunggu",
        "report_to_accepted": "Lapor → diterima relawan", "report_to_done": "Lapor → selesai",
        "report_median_p90": "median {median} · p90 {p90} ({n} kebutuhan)",
        "report_volunteers": "Relawan bertugas", "report_volunteers_detail": "{engaged} pernah menerima tugas, {on_task} sedang bertugas, {available} tersedia",
        "report_audit": "Log respons (audit)",
        "report_audit_ok": "Utuh: {entries} entri, tidak ada yang diubah.",
        "report_audit_bad": "RUSAK: entri {seq} diubah, dihapus atau disisipkan. Angka laporan ini tidak dapat dipercaya.",
        "report_audit_head": "Kepala rantai: entri {seq}, hash {hash}",
        "report_kelurahan": "Per kelurahan",
        "report_outside": "(di luar wilayah terdata)",
        "report_waiting_by_category": "Kebutuhan menunggu per jenis",
        "report_oldest": "Menunggu sejak",
        "report_median_accept": "Median ke diterima",
        "report_needs_table": "Kebutuhan per jenis dan prioritas",
        "report_total": "Jumlah",
        "report_state_waiting": "menunggu", "report_state_in_progress": "dalam proses",
        "report_state_served": "terlayani", "report_state_cancelled": "dibatalkan",
        "report_waiting_list": "Kebutuhan yang belum terlayani",
        "report_waiting_help": "Tanpa data pribadi: nomor kebutuhan, kelurahan, jenis, prioritas dan lama menunggu.",
        "report_more_waiting": "… dan {n} lagi: unduh CSV daftar tunggu.",
        "report_need_id": "No.", "report_reported": "Dilaporkan", "report_waited": "Lama menunggu",
        "report_aid": "Bantuan tersalurkan per barang",
        "report_aid_households": "Rumah tangga", "report_no_aid": "Belum ada bantuan tersalurkan.",
        "report_shortfall": "Kekurangan stok terhadap kebutuhan minimum ({days} hari)",
        "report_no_needs": "Belum ada kebutuhan yang dilaporkan.",
        "report_minutes": "{m} mnt", "report_hours_minutes": "{h} j {m} mnt", "report_days_hours": "{d} hr {h} j",
        "report_nothing_waiting": "Tidak ada kebutuhan yang menunggu.",
        "report_col_affected": "RT terdampak", "report_col_affected_long": "Rumah tangga terdampak",
        "report_col_people": "Jiwa", "report_col_people_long": "Jiwa dalam rumah tangga terdampak",
        "report_col_waiting": "RT menunggu", "report_col_waiting_long": "Rumah tangga dengan kebutuhan yang belum ditangani",
        "report_col_in_progress": "RT diproses", "report_col_in_progress_long": "Rumah tangga yang sedang ditangani relawan",
        "report_col_served": "RT terlayani", "report_col_served_long": "Rumah tangga yang semua kebutuhannya selesai",
        "report_col_received_aid": "RT dapat bantuan", "report_col_received_aid_long": "Rumah tangga yang menerima bantuan barang",
    },
    "en": {
        "report_menu": "Reports",
        "report_index_title": "Official report per event",
        "report_title": "Event report",
        "report_intro": "A read-only overview for BPBD, kelurahan and DPRD: totals per kelurahan, without names, NIK, "
                        "KK numbers, phones, addresses, home locations or vulnerability data.",
        "report_generated": "Generated {time}.",
        "report_open": "Open the report",
        "report_downloads": "Download",
        "report_dl_json": "JSON (complete)", "report_dl_csv": "CSV per kelurahan (HXL)",
        "report_dl_waiting": "CSV waiting list (HXL)", "report_dl_aid": "CSV aid per kelurahan (HXL)",
        "report_dl_geojson": "GeoJSON per kelurahan (map)",
        "report_unknown_format": "Unknown report format: {fmt}.",
        "report_households_affected": "Households affected", "report_people": "People affected",
        "report_waiting": "Waiting", "report_in_progress": "In progress", "report_served": "Served",
        "report_received_aid": "Received aid", "report_needs_waiting": "Needs waiting",
        "report_to_accepted": "Reported → accepted", "report_to_done": "Reported → done",
        "report_median_p90": "median {median} · p90 {p90} ({n} needs)",
        "report_volunteers": "Volunteers", "report_volunteers_detail": "{engaged} accepted a task, {on_task} on a task now, {available} available",
        "report_audit": "Response log (audit)",
        "report_audit_ok": "Intact: {entries} entries, none altered.",
        "report_audit_bad": "BROKEN: entry {seq} was altered, removed or inserted. This report's numbers cannot be trusted.",
        "report_audit_head": "Chain head: entry {seq}, hash {hash}",
        "report_kelurahan": "Per kelurahan",
        "report_outside": "(outside the recorded areas)",
        "report_waiting_by_category": "Needs waiting by category",
        "report_oldest": "Waiting since",
        "report_median_accept": "Median to accepted",
        "report_needs_table": "Needs by category and priority",
        "report_total": "Total",
        "report_state_waiting": "waiting", "report_state_in_progress": "in progress",
        "report_state_served": "served", "report_state_cancelled": "cancelled",
        "report_waiting_list": "Needs not yet served",
        "report_waiting_help": "No personal data: need number, kelurahan, category, priority and time waiting.",
        "report_more_waiting": "… and {n} more: download the waiting-list CSV.",
        "report_need_id": "No.", "report_reported": "Reported", "report_waited": "Waiting for",
        "report_aid": "Aid handed out per item",
        "report_aid_households": "Households", "report_no_aid": "No aid handed out yet.",
        "report_shortfall": "Stock shortfall against minimum needs ({days} days)",
        "report_no_needs": "No needs reported yet.",
        "report_minutes": "{m} min", "report_hours_minutes": "{h} h {m} min", "report_days_hours": "{d} d {h} h",
        "report_nothing_waiting": "No need is waiting.",
        "report_col_affected": "HH affected", "report_col_affected_long": "Households affected",
        "report_col_people": "People", "report_col_people_long": "People in the affected households",
        "report_col_waiting": "HH waiting", "report_col_waiting_long": "Households with a need nobody has yet",
        "report_col_in_progress": "HH in progress", "report_col_in_progress_long": "Households a volunteer is handling",
        "report_col_served": "HH served", "report_col_served_long": "Households whose needs are all done",
        "report_col_received_aid": "HH with aid", "report_col_received_aid_long": "Households that received aid items",
    },
})
