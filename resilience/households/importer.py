"""Import of households (and their needs in an event) from a CSV or XLSX spreadsheet.

Steps: ``spreadsheet.read`` (refuses a file that cannot be read safely), ``check`` (every row
and field, against each other and the registry; nothing is written) and ``store``.

The report names each problem with its spreadsheet row, the column as written in the file, a
stable ``code`` with ``params`` (for a page to word it in its language), an English ``message``
and a ``suggestion``. ``severity`` is ``error`` (the row cannot be stored) or ``warning`` (the
row is stored; someone should look). Modes of the real run:

- ``all_or_nothing`` (default): any error stores nothing;
- ``valid_rows``: the rows without errors are stored, the others are reported and skipped.

A dry run checks exactly as the real run does and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from resilience.events.models import FloodEvent
from resilience.households import rows as rowcheck
from resilience.households.places import VillageIndex
from resilience.households.spreadsheet import FileRefused, Sheet, decode, read  # noqa: F401  (decode re-exported)

MODES = ("all_or_nothing", "valid_rows")
BATCH = 1000
COLUMNS = tuple(rowcheck.HEADERS)  # the canonical English headers


@dataclass
class ImportReport:
    sheet: str | None = None
    rows: int = 0
    valid_rows: int = 0
    created: int = 0
    needs_created: int = 0
    dry_run: bool = False
    mode: str = "all_or_nothing"
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p["severity"] == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "rows": self.rows, "valid_rows": self.valid_rows,
                "invalid_rows": self.rows - self.valid_rows, "created": self.created,
                "needs_created": self.needs_created, "dry_run": self.dry_run, "mode": self.mode,
                "errors": self.errors, "warnings": self.warnings}

    def lines(self) -> list[str]:
        return [(f"row {p['row']}, field {p['field']}: " if p["row"] else f"field {p['field']}: ")
                + p["message"] + (f" ({p['suggestion']})" if p.get("suggestion") else "")
                for p in self.problems]


def import_households(session: Session, data: bytes | str, event: FloodEvent | None = None, *,
                      filename: str = "", content_type: str = "", sheet: str | None = None,
                      dry_run: bool = False, mode: str = "all_or_nothing") -> ImportReport:
    """Check the spreadsheet and, unless ``dry_run``, store its households (flushes; the
    caller commits, or rolls back when ``report.created == 0`` and there are errors)."""
    if mode not in MODES:
        raise ValueError(mode)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if event is not None and event.status != "active":
        raise FileRefused(409, "event_closed", f"The event {event.name!r} is closed; needs cannot be imported "
                          "into it.", "Reopen the event, or import without event=.", event_id=event.id)
    table = read(data, filename, content_type, sheet)
    report = ImportReport(sheet=table.name, dry_run=dry_run, mode=mode)
    checked = rowcheck.check(session, table, event, VillageIndex(session), report.problems)
    report.rows = checked.rows
    report.valid_rows = len(checked.good)
    if dry_run or not checked.good or (report.errors and mode == "all_or_nothing"):
        return report
    _store(session, checked.good, event, report)
    return report


def _reserve_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` primary keys for new rows, taken before the INSERT so the ORM can send a batch as
    one executemany (it inserts row by row when it must read each new id back). PostgreSQL: from
    the table's sequence (safe beside concurrent registrations); SQLite: after the largest id, under
    the write lock every writing transaction takes first (BEGIN IMMEDIATE)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(text(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"), {"n": count}))
    first = (session.scalar(text(f"SELECT max(id) FROM {table}")) or 0) + 1
    return list(range(first, first + count))


def _store(session: Session, good: list[rowcheck.GoodRow], event: FloodEvent | None, report: ImportReport) -> None:
    from resilience.core.db import utcnow
    from resilience.dispatch import lifecycle
    from resilience.needs.operations import derive_priority

    now = utcnow()
    for start in range(0, len(good), BATCH):
        batch = good[start:start + BATCH]
        households = [row.household() for row in batch]
        for household, new_id in zip(households, _reserve_ids(session, "households", len(households))):
            household.id = new_id
            household.created_at = household.updated_at = now
        session.add_all(households)
        session.flush()
        needs = []
        for row, household in zip(batch, households):
            for category in row.categories:
                derived = derive_priority(category, household.vulnerable_count)
                needs.append(lifecycle.new_need(
                    event_id=event.id, household_id=household.id, category=category,
                    derived_priority=derived, priority=derived, priority_overridden=False,
                    priority_reason="", notes="", reporter="import", reported_at=now, created_at=now,
                    updated_at=now))
        for need, new_id in zip(needs, _reserve_ids(session, "needs", len(needs))):
            need.id = new_id
        if needs:
            session.add_all(needs)
            session.flush()
        report.created += len(households)
        report.needs_created += len(needs)
