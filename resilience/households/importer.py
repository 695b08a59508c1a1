"""CSV import of households (and optionally their needs in an event): all or nothing.

Every row is validated with the same schema as ``POST /households``; when any row is bad,
nothing is stored and the report names each bad row and field. Spreadsheets exported with a
comma or a semicolon (Indonesian locale Excel) and with or without a UTF-8 BOM are accepted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from sqlalchemy.orm import Session

from resilience.core.errors import ValidationFailed
from resilience.events.models import FloodEvent
from resilience.households.operations import create_household
from resilience.households.schemas import HouseholdCreateSchema
from resilience.needs.operations import create_need
from resilience.areas.models import AdminArea
from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES
from sqlalchemy import select

COLUMNS = (
    "head_name", "phone", "nik", "kk_number", "address", "landmark", "lat", "lon", "members",
    "elderly", "children_under5", "pregnant_or_lactating", "disabled", "chronically_ill",
    "kelurahan_code", "needs",
)
REQUIRED = ("head_name", "lat", "lon")
MAX_ROWS = 20000


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    needs_created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "field": column, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "needs_created": self.needs_created,
                "errors": self.errors}

    def lines(self) -> list[str]:
        return [f"row {e['row']}, field {e['field']}: {e['message']}" for e in self.errors]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows Excel's cp1252 as a fallback."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read(text: str) -> csv.DictReader:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.DictReader(io.StringIO(text), delimiter=delimiter)


def _location_errors(messages: Any) -> list[tuple[str, str]]:
    """Map errors of the nested location back to the CSV's lat/lon columns."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            column = key if key in ("lat", "lon") else "lat/lon"
            for message in value if isinstance(value, list) else [str(value)]:
                out.append((column, message))
        return out
    return [("lat/lon", m) for m in (messages if isinstance(messages, list) else [str(messages)])]


def import_households(session: Session, text: str, event: FloodEvent | None = None) -> ImportReport:
    report = ImportReport()
    reader = _read(text)
    headers = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in headers if h not in COLUMNS]
    missing = [h for h in REQUIRED if h not in headers]
    if unknown or missing:
        for name in unknown:
            report.add(1, name, f"unknown column; known columns: {', '.join(COLUMNS)}")
        for name in missing:
            report.add(1, name, "required column is missing")
        return report

    schema = HouseholdCreateSchema()
    parsed: list[tuple[int, dict[str, Any], list[str], str | None]] = []
    seen_nik: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = index + 2  # the header is line 1
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.add(line, "(file)", f"more than {MAX_ROWS} rows; split the file")
            break
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            report.add(line, "(row)", "more values than columns")
            continue
        body: dict[str, Any] = {k: v for k, v in row.items()
                                if v != "" and k not in ("lat", "lon", "kelurahan_code", "needs")}
        if row.get("lat") and row.get("lon"):
            body["location"] = {"lat": _number(row["lat"]), "lon": _number(row["lon"])}
        data = None
        try:
            data = schema.load(body)
        except ma.ValidationError as exc:
            for key, value in exc.messages.items():
                if key == "location":
                    for column, message in _location_errors(value):
                        report.add(line, column, message)
                    continue
                for message in value if isinstance(value, list) else [str(value)]:
                    report.add(line, key, str(message))
        categories = [c.strip().lower() for c in row.get("needs", "").replace(",", ";").split(";") if c.strip()]
        for category in categories:
            if category not in CATEGORIES:
                report.add(line, "needs", f"unknown category {category!r}; use {', '.join(CATEGORIES)}")
        if categories and event is None:
            report.add(line, "needs", "needs can only be imported into an event (add ?event=ID)")
        if len(set(categories)) != len(categories):
            report.add(line, "needs", "a category is listed twice")
        if data is None:
            continue
        if data.get("nik"):
            if data["nik"] in seen_nik:
                report.add(line, "nik", f"the same NIK is on row {seen_nik[data['nik']]}")
            seen_nik[data["nik"]] = line
        parsed.append((line, data, categories, row.get("kelurahan_code") or None))

    if report.errors:
        return report

    # Validate against the database and store, row by row, inside one transaction: the
    # caller rolls it back when any row fails, so nothing is stored.
    for line, data, categories, code in parsed:
        try:
            household = create_household(session, data)
            if code is not None:
                _check_kelurahan(session, household, code)
            for category in categories:
                create_need(session, event, {"household_id": household.id, "category": category,
                                             "reporter": "import"})
                report.needs_created += 1
            report.created += 1
        except ValidationFailed as exc:
            for error in exc.errors or [{"field": "(row)", "message": exc.detail}]:
                report.add(line, error["field"], error["message"])
        except Exception as exc:  # domain conflicts (duplicate NIK, closed event, …)
            detail = getattr(exc, "detail", None)
            if detail is None:
                raise
            report.add(line, "nik" if "NIK" in detail else "(row)", detail)
    return report


def _number(text: str) -> Any:
    try:
        return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    except ValueError:
        return text


def _check_kelurahan(session: Session, household, code: str) -> None:
    area = session.scalar(select(AdminArea).where(AdminArea.code == code))
    if area is None:
        raise ValidationFailed.field("kelurahan_code", f"unknown kelurahan code {code!r}")
    if household.admin_area is not None and household.admin_area.code != code:
        raise ValidationFailed.field(
            "kelurahan_code",
            f"the point lies in {household.admin_area.name} ({household.admin_area.code}), not {area.name} ({code})",
        )
    if household.admin_area is None:
        household.admin_area = area

