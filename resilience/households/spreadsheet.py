"""Reading a spreadsheet from the kelurahan office (CSV or XLSX) into rows of cells, refusing
what cannot be read safely and marking the cells Excel may have changed.

A file is refused as a whole (``FileRefused``, a 4xx with a stable ``code``) when it cannot be
read honestly: not a spreadsheet, old ``.xls``, CR-only line endings, a cell over
``MAX_CELL_CHARS``, several sheets and no ``sheet`` chosen. Cells that can be read but may hold
a value Excel changed carry a *trap* (``merged``, ``formula``, ``formula_not_calculated``);
dates and numbers keep their Python type so the importer can say "Excel turned this into a
date" or "this NIK was stored as a number".
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree
from dataclasses import dataclass, field
from typing import Any

from resilience.core.errors import DomainError

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024  # an XLSX is a zip: no zip bombs
MAX_CELL_CHARS = 10_000
MAX_ROWS = 60_000
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "text/comma-separated-values",
             "application/vnd.ms-excel")  # Windows labels .csv files with the old Excel type
GENERIC_TYPES = ("application/octet-stream", "")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA = re.compile(rb"<f[ >/]")


class FileRefused(DomainError):
    """The file as a whole cannot be imported; nothing is stored."""

    title = "The file cannot be imported"

    def __init__(self, status: int, code: str, message: str, suggestion: str, **params: Any):
        super().__init__(message, errors=[{"row": None, "field": "file", "code": code, "params": params,
                                           "message": message, "suggestion": suggestion}],
                         problem=code, params=params, suggestion=suggestion)
        self._status = status
        self.code = f"import-{code.replace('_', '-')}"

    @property
    def status(self) -> int:  # per problem: 413, 415 or 422 (not a task's or need's status)
        return self._status


@dataclass
class Sheet:
    """The rows of one sheet as lists of cell values (row 1 first), and the traps found."""

    name: str | None
    rows: list[list[Any]]
    traps: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 1-based
    kind: str = "csv"


def read(data: bytes, filename: str = "", content_type: str = "", sheet: str | None = None) -> Sheet:
    if not data:
        raise FileRefused(422, "file_empty", "The file is empty.", "Attach the CSV or XLSX file itself.")
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(413, "file_too_large", f"The file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.",
                          "Split it into several files.", limit_bytes=MAX_FILE_BYTES)
    if data.startswith(_OLE):
        raise FileRefused(415, "xls_not_supported", "This is an old Excel 97-2003 (.xls) file.",
                          "Open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8.")
    is_zip = data.startswith(_ZIP)
    mimetype = (content_type or "").split(";")[0].strip().lower()
    lower = filename.lower()
    if mimetype and mimetype not in XLSX_TYPES + CSV_TYPES + GENERIC_TYPES:
        raise FileRefused(415, "unsupported_content_type", f"Files of type {mimetype} cannot be imported.",
                          "Send a CSV (text/csv) or an Excel workbook (.xlsx).", content_type=mimetype)
    if is_zip:
        if lower.endswith(".csv") or mimetype in CSV_TYPES[:3]:
            raise FileRefused(415, "content_type_mismatch", "The file is called or labelled CSV but is an "
                              "Excel workbook.", "Rename it to .xlsx, or save it as CSV UTF-8.")
        return _read_xlsx(data, sheet)
    if lower.endswith(".xlsx") or mimetype in XLSX_TYPES:
        raise FileRefused(415, "content_type_mismatch", "The file is called or labelled XLSX but is not an "
                          "Excel workbook.", "Save it again from Excel as .xlsx, or send it as CSV.")
    if sheet is not None:
        raise FileRefused(422, "sheet_not_applicable", "A CSV file has no sheets.", "Leave out sheet=.")
    return _read_csv(data)


# --- CSV ------------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows Excel's cp1252 as a fallback."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _junk(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return True
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t")
    return control > max(2, len(sample) // 200)


def _read_csv(data: bytes) -> Sheet:
    text = decode(data)
    if _junk(text):
        raise FileRefused(422, "not_a_spreadsheet", "The file is not a CSV or XLSX spreadsheet (binary content).",
                          "Export the sheet from Excel as CSV UTF-8 or .xlsx.")
    if "\r" in text and "\n" not in text:
        raise FileRefused(422, "cr_line_endings", "The lines of this CSV end with CR only (old Mac format); "
                          "rows cannot be told apart safely.",
                          "Save it again as \"CSV UTF-8\" (Windows or Unix line endings).")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    try:
        for record in reader:
            rows.append(record)
            if len(rows) > MAX_ROWS + 2:
                raise _too_many()
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise _too_big_cell(len(rows) + 1) from None
        raise FileRefused(422, "csv_malformed", f"Row {len(rows) + 1} cannot be read: {exc}.",
                          "Check the quotes in that row, or save the file again from Excel.",
                          row=len(rows) + 1) from None
    finally:
        csv.field_size_limit(old_limit)
    for index, record in enumerate(rows, start=1):
        if any(len(value) > MAX_CELL_CHARS for value in record):
            raise _too_big_cell(index)
    return Sheet(None, rows)


def _too_big_cell(row: int) -> FileRefused:
    return FileRefused(422, "cell_too_large", f"A cell in row {row} holds more than {MAX_CELL_CHARS} characters.",
                       "A household's fields are short; check that row (a pasted document?).",
                       row=row, limit=MAX_CELL_CHARS)


def _too_many() -> FileRefused:
    return FileRefused(422, "too_many_rows", f"The file has more than {MAX_ROWS} rows.",
                       "Split it into several files.", limit=MAX_ROWS)


# --- XLSX ------------------------------------------------------------------------------------
def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _read_xlsx(data: bytes, wanted: str | None) -> Sheet:
    import openpyxl  # loaded only for Excel files

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise FileRefused(413, "file_too_large", "The workbook unpacks to more than 250 MB.",
                              "Split it into several files.", limit_bytes=MAX_UNZIPPED_BYTES)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 - any unreadable zip/XML is the same answer to the user
        raise FileRefused(422, "not_a_spreadsheet", "The file is not a readable Excel workbook.",
                          "Open it in Excel and save it again as .xlsx, or send a CSV.") from None
    try:
        worksheet = _choose_sheet(book, wanted)
        path = worksheet._worksheet_path
        xml = archive.read(path)
        values = _sheet_values(xml, book)
    finally:
        book.close()
    if len(values) > MAX_ROWS + 2:
        raise _too_many()
    traps: dict[tuple[int, int], str] = {}
    for match in _MERGE.finditer(xml):
        first_col, first_row = _column_number(match.group(1)), int(match.group(2))
        last_col = _column_number(match.group(3)) if match.group(3) else first_col
        last_row = int(match.group(4)) if match.group(4) else first_row
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                traps[(r, c)] = "merged"
    if _FORMULA.search(xml):
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for r, row in enumerate(formulas[worksheet.title].iter_rows(values_only=True), start=1):
                for c, value in enumerate(row, start=1):
                    if isinstance(value, str) and value.startswith("="):
                        cached = values[r - 1][c - 1] if r <= len(values) and c <= len(values[r - 1]) else None
                        traps[(r, c)] = "formula" if cached is not None else "formula_not_calculated"
        finally:
            formulas.close()
    for r, row in enumerate(values, start=1):
        for value in row:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise _too_big_cell(r)
    return Sheet(worksheet.title, values, traps, kind="xlsx")


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN = (_NS + tag for tag in ("row", "c", "v", "is", "t", "r"))


def _column_of(reference: str) -> int:
    number = 0
    for char in reference:
        if not "A" <= char <= "Z":
            break
        number = number * 26 + ord(char) - 64
    return number


def _sheet_values(xml: bytes, book) -> list[list[Any]]:
    """The sheet's values row by row, as openpyxl's read-only ``iter_rows(values_only=True)``
    gives them — shared and inline strings, numbers (int or float), booleans, error codes, and
    dates and times by the cell's number format — parsed with the standard library's
    ElementTree, about four times faster on a 50,000-row sheet (openpyxl builds a dict per
    cell). openpyxl still reads the workbook around it: sheets, shared strings, styles."""
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    strings, epoch = book.shared_strings, book.epoch
    dates, durations = book._date_formats, book._timedelta_formats
    rows: list[list[Any]] = []
    width = 0
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag != _ROW:
            continue
        number = int(element.get("r") or len(rows) + 1)
        while len(rows) < number - 1:
            rows.append([])  # a row the file leaves out
        cells: list[Any] = []
        for cell in element.iter(_CELL):
            reference = cell.get("r")
            column = _column_of(reference) if reference else len(cells) + 1
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                inline = cell.find(_INLINE)
                value = None if inline is None else "".join(
                    t.text or "" for t in (*inline.findall(_TEXT), *inline.findall(f"{_RUN}/{_TEXT}"))) or None
            else:
                value = cell.findtext(_VALUE) or None
                if value is not None:
                    if kind == "n":
                        value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                        style = int(cell.get("s") or 0)
                        if style in dates:
                            try:
                                value = from_excel(value, epoch, timedelta=style in durations)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif kind == "s":
                        value = strings[int(value)]
                    elif kind == "b":
                        value = bool(int(value))
                    elif kind == "d":
                        value = from_ISO8601(value)
            cells.extend([None] * (column - 1 - len(cells)))
            cells.append(value)
        rows.append(cells)
        width = max(width, len(cells))
        element.clear()
    for cells in rows:  # every row as wide as the widest, as openpyxl gives them
        cells.extend([None] * (width - len(cells)))
    return rows


def _has_data(worksheet) -> bool:
    for row in worksheet.iter_rows(min_row=1, max_row=2, values_only=True):
        if any(value not in (None, "") for value in row):
            return True
    return False


def _choose_sheet(book, wanted: str | None):
    names = book.sheetnames
    if wanted is not None:
        if wanted not in names:
            raise FileRefused(422, "sheet_not_found", f"The workbook has no sheet {wanted!r}.",
                              "Choose one of: " + ", ".join(names) + ".", sheet=wanted, sheets=names)
        return book[wanted]
    filled = [name for name in names if book[name].sheet_state == "visible" and _has_data(book[name])]
    if len(filled) > 1:
        raise FileRefused(422, "several_sheets", "The workbook has several sheets with data: "
                          + ", ".join(filled) + ".", "Say which one to read with sheet=NAME.", sheets=filled)
    if not filled:
        raise FileRefused(422, "file_empty", "The workbook has no sheet with data.",
                          "Put the households on the first sheet, one row each, under a header row.")
    return book[filled[0]]
