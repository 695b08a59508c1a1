"""The spreadsheet import page: a coordinator uploads the kelurahan office's CSV or XLSX, sees the
dry run's report row by row (row, column, problem in the page language, probable duplicates)
and then imports it for real, all rows or only the valid ones.

The same importer as ``POST /api/v1/households/import``. Between the dry run and the real run
the file waits in the instance folder under a random name that only this session knows; the
real run deletes it, and files older than an hour are removed on the next upload. Coordinators
and admins only: every row is a named family.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext

from resilience.core.errors import DomainError, Message
from resilience.events import queries as event_queries
from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.core.transaction import commit, read_phase
from resilience.households.importer import MODES, check_import, store_import
from resilience.households.spreadsheet import MAX_FILE_BYTES
from resilience.web.blueprint import bp
from resilience.web.i18n import message_text
from resilience.web.labels import label
from resilience.web.session import write_required
from resilience.web.query import Query, accepts

SESSION_KEY = "household_import"
KEEP_SECONDS = 3600

# The importer's stable problem codes, worded for the page (its ``message`` is English).
PROBLEMS = {
    "unknown_column": lazy_gettext("Unknown column. Rename it to one of the known headers, or delete it."),
    "duplicate_column": lazy_gettext("Two columns mean the same field. Keep one of them."),
    "missing_column": lazy_gettext("A needed column is missing: the head of household's name "
                                   "(nama_kepala_keluarga), and lintang/bujur or kelurahan."),
    "merged_cell": lazy_gettext("This cell is part of merged cells. Unmerge them and fill in the value on every row."),
    "formula_not_calculated": lazy_gettext("This cell holds a formula that was never calculated. Open the file in "
                                           "Excel, let it calculate and save it again, or paste the values only."),
    "formula_value_used": lazy_gettext("This cell holds a formula; its last calculated value is used."),
    "excel_date": lazy_gettext("Excel turned this cell into a date (%(date)s). Format the column as Text and type "
                               "the value again."),
    "number_lost_precision": lazy_gettext("This number was stored as a number and Excel keeps only 15 digits "
                                          "(e.g. 6,27105E+15). Format the column as Text and type it again."),
    "leading_zero_lost": lazy_gettext("The phone number lost its leading 0. Format the column as Text and write "
                                      "it as 0812…"),
    "required": lazy_gettext("The head of household's name is missing."),
    "invalid": lazy_gettext("This value is not accepted; check it and try again."),
    "invalid_location": lazy_gettext("The coordinates are not valid (decimal degrees, e.g. -1.6346 and 113.6858)."),
    "lat_lon_incomplete": lazy_gettext("Only one of latitude and longitude is given. Give both, or neither and "
                                       "the kelurahan."),
    "no_location": lazy_gettext("The row has neither coordinates nor a kelurahan. Give at least the kelurahan "
                                "(an approximate point is used)."),
    "unknown_kelurahan": lazy_gettext("Unknown kelurahan “%(value)s”."),
    "kelurahan_ambiguous": lazy_gettext("Several kelurahan have this name: %(candidates)s. Write the kelurahan "
                                        "code instead."),
    "kelurahan_mismatch": lazy_gettext("The point does not lie in the kelurahan given (%(given)s). Correct the "
                                       "coordinates or the kelurahan."),
    "unknown_category": lazy_gettext("Unknown need category “%(value)s”."),
    "duplicate_category": lazy_gettext("A need category is listed twice."),
    "needs_without_event": lazy_gettext("Needs can only be imported into a flood event: choose the event, or "
                                        "leave the needs column empty."),
    "duplicate_row_in_file": lazy_gettext("This row repeats row %(first_row)s."),
    "duplicate_nik_in_file": lazy_gettext("The same NIK is on row %(first_row)s."),
    "duplicate_kk_in_file": lazy_gettext("The same KK number is on row %(first_row)s: one family card is one "
                                         "household."),
    "nik_exists": lazy_gettext("A household with this NIK is already registered (no. %(existing_id)s)."),
    "already_registered": lazy_gettext("This household is already registered (no. %(existing_id)s): %(reasons)s. "
                                       "The row is not stored."),
    "duplicate_household_in_file": lazy_gettext("The same household as row %(first_row)s: %(reasons)s."),
    "probable_duplicate": lazy_gettext("Perhaps the same family as %(other)s (%(reasons)s). It is stored; check it "
                                       "in the duplicates list."),
}
FILE_PROBLEMS = {
    "file_empty": lazy_gettext("The file is empty, or has no sheet with data."),
    "file_too_large": lazy_gettext("The file is too large. Split it into several files."),
    "xls_not_supported": lazy_gettext("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx or CSV UTF-8."),
    "unsupported_content_type": lazy_gettext("This kind of file cannot be imported. Choose a CSV or XLSX file."),
    "content_type_mismatch": lazy_gettext("The file's name does not match its content (CSV or XLSX)."),
    "sheet_not_applicable": lazy_gettext("A CSV file has no sheets: leave the sheet empty."),
    "not_a_spreadsheet": lazy_gettext("The file is not a CSV or XLSX spreadsheet."),
    "cr_line_endings": lazy_gettext("The lines of this CSV end with CR only (old Mac format). Save it again as "
                                    "CSV UTF-8."),
    "csv_malformed": lazy_gettext("A row of the CSV cannot be read. Save it again as CSV UTF-8."),
    "cell_too_large": lazy_gettext("A cell holds more than 10,000 characters."),
    "too_many_rows": lazy_gettext("The file has too many rows. Split it into several files."),
    "sheet_not_found": lazy_gettext("The workbook has no sheet with this name."),
    "event_closed": lazy_gettext("The event is closed; needs cannot be imported into it. Reopen it, or import "
                                 "without an event."),
    "several_sheets": lazy_gettext("The workbook has several sheets with data: type the name of the sheet to "
                                   "import."),
}


def _reasons(codes) -> str:
    return ", ".join(label("dup_reason_" + code) for code in codes or ())


def problem_text(problem: dict) -> str:
    """One problem of the report in the page language."""
    code, params = problem.get("code"), dict(problem.get("params") or {})
    if code == "invalid" and isinstance(problem.get("message"), Message):
        return message_text(problem["message"])
    if code == "invalid_location" and isinstance(problem.get("message"), Message):
        return message_text(problem["message"])
    text = PROBLEMS.get(code) or FILE_PROBLEMS.get(code) or PROBLEMS["invalid"]
    params["reasons"] = _reasons(params.get("reasons"))
    params["candidates"] = ", ".join(params.get("candidates") or ())
    if code == "probable_duplicate":
        params["other"] = (gettext("household no. %(id)s", id=params["existing_id"]) if "existing_id" in params
                           else gettext("row %(row)s", row=params.get("first_row")))
    if code == "missing_column" and params.get("meaning") == "head_name":
        text = lazy_gettext("There is no column with the head of household's name (nama_kepala_keluarga).")
    elif code == "missing_column":
        text = lazy_gettext("There is neither lintang and bujur (lat, lon) nor a kelurahan column.")
    try:
        return str(text) % params
    except (KeyError, TypeError, ValueError):
        return str(text).split("%(")[0].strip()


# --------------------------------------------------------------------------- the waiting file
def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _tidy(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.upload"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def _keep(data: bytes, filename: str, content_type: str) -> None:
    folder = _folder()
    _tidy(folder)
    _forget()
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.upload"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    session[SESSION_KEY] = {"token": token, "name": filename[:200], "type": content_type[:100]}


def _kept() -> tuple[bytes, str, str] | None:
    saved = session.get(SESSION_KEY)
    if not isinstance(saved, dict) or not str(saved.get("token", "")).replace("-", "").replace("_", "").isalnum():
        return None
    try:
        data = (_folder() / f"{saved['token']}.upload").read_bytes()
    except OSError:
        return None
    return data, saved.get("name", ""), saved.get("type", "")


def _forget() -> None:
    saved = session.pop(SESSION_KEY, None)
    if isinstance(saved, dict) and str(saved.get("token", "")).replace("-", "").replace("_", "").isalnum():
        try:
            (_folder() / f"{saved['token']}.upload").unlink()
        except OSError:
            pass


# --------------------------------------------------------------------------- the page
def _options() -> dict:
    if request.method == "GET":  # the page opened from a link: what it may preselect, checked
        q = Query()
        options = {"event": str(q.integer("event") or ""), "mode": q.choice("mode", MODES, MODES[0]),
                   "sheet": q.text("sheet", 100)}
        q.done()
        return options
    form = request.form
    event_raw = (form.get("event") or "").strip()
    mode = form.get("mode") if form.get("mode") in MODES else MODES[0]
    return {"event": event_raw if event_raw.isdigit() else "", "mode": mode,
            "sheet": (form.get("sheet") or "").strip()[:100]}


def _render(options: dict, report=None, refused=None, waiting=None, status=200):
    events = event_queries.events(db.session, "active")
    rows = []
    if report is not None:
        for problem in report.problems:
            rows.append({**problem, "text": problem_text(problem)})
    return render_template("household_import.html", options=options, events=events, modes=MODES, report=report,
                           problems=rows, refused=refused, waiting=waiting,
                           max_mb=MAX_FILE_BYTES // 1024 // 1024), status


@bp.route("/households/import", methods=["GET", "POST"], endpoint="household_import")
@write_required
@accepts("event", "mode", "sheet")
def household_import():
    options = _options()
    if request.method == "GET":
        _forget()
        return _render(options)
    # the body limit for this upload is raised before the CSRF check reads the form (session.UPLOAD_ENDPOINTS)
    action = request.form.get("action")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data, filename, content_type = upload.read(MAX_FILE_BYTES + 1), upload.filename, upload.mimetype or ""
    elif action == "import" and _kept() is not None:
        data, filename, content_type = _kept()
    else:
        return _render(options, refused=[gettext("Choose the CSV or XLSX file first.")], status=422)
    dry_run = action != "import"
    try:
        with read_phase(db.session):  # the long part holds no write lock (SQLite: registrations go on)
            event = db.session.get(FloodEvent, int(options["event"])) if options["event"] else None
            report, checked = check_import(db.session, data, event, filename=filename, content_type=content_type,
                                           sheet=options["sheet"] or None, dry_run=dry_run, mode=options["mode"])
        store_import(db.session, checked, event, report, commit=commit)  # valid_rows: batch by batch
    except DomainError as exc:
        db.session.rollback()
        texts = [problem_text(e) for e in (exc.errors or []) if isinstance(e, dict) and e.get("code")]
        if not texts:
            texts = [message_text(exc.message) if exc.message is not None else
                     gettext("This value is not accepted; check it and try again.")]
        _forget()
        return _render(options, refused=texts, status=exc.status)
    if dry_run:
        db.session.rollback()
        _keep(data, filename, content_type)
        return _render(options, report=report, waiting=filename)
    if report.created == 0 and report.errors:
        db.session.rollback()
        _keep(data, filename, content_type)  # correct the choice (e.g. only the valid rows) and try again
        return _render(options, report=report, waiting=filename, status=422)
    _forget()
    flash(gettext("%(count)s households imported (%(needs)s needs).", count=report.created,
                  needs=report.needs_created), "info")
    return redirect(url_for("web.households", event=event.id) if event else url_for("web.households"))
