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

Duplicates (``households.duplicates``), against the registry and against earlier rows of the
file: a row that is surely a household already registered (the same KK number; the same name,
spelling variants and titles aside, with the same phone, a point within 25 m, the same RT or
the same address in its kelurahan) is an error, ``already_registered`` (or
``duplicate_household_in_file``), and is not stored: the same file imported twice stores
nothing the second time (``valid_rows`` skips those rows, ``all_or_nothing`` stores nothing and
says which rows). A probable duplicate (a similar name nearby, or the same phone with a
similar name) is a warning, ``probable_duplicate``, naming the household or row; the row is
stored and the pair waits in the duplicates review list (GET /households/duplicates), where a
coordinator merges it or marks it as a different family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from resilience.audit.chain import REDACTED, record_many
from resilience.core.errors import Conflict, Message, unique_violation
from resilience.dispatch.lifecycle import NEW_NEED_STATUS
from resilience.events.models import FloodEvent
from resilience.households.models import Household
from resilience.vocabulary import VULNERABILITY_FIELDS
from resilience.households import rows as rowcheck
from resilience.households.places import VillageIndex
from resilience.households.spreadsheet import FileRefused, Sheet, decode, read  # noqa: F401  (decode re-exported)

MODES = ("all_or_nothing", "valid_rows")
BATCH = 1000  # rows per INSERT batch; with valid_rows, per commit (what a registration may wait for)
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
    stored_before_failure: int = 0  # households committed by earlier batches (valid_rows)

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
    caller commits, or rolls back when ``report.created == 0`` and there are errors).

    The API, the page and the CLI run the two steps apart, the check in a read-only transaction
    (``core.transaction.read_phase``): reading and checking 50,000 rows takes tens of seconds,
    and on SQLite other coordinators could not register anyone meanwhile."""
    report, checked = check_import(session, data, event, filename=filename, content_type=content_type,
                                   sheet=sheet, dry_run=dry_run, mode=mode)
    store_import(session, checked, event, report)
    return report


def check_import(session: Session, data: bytes | str, event: FloodEvent | None = None, *,
                 filename: str = "", content_type: str = "", sheet: str | None = None,
                 dry_run: bool = False, mode: str = "all_or_nothing") -> tuple[ImportReport, rowcheck.Checked]:
    """Read and check the spreadsheet; writes nothing. Returns the report and the checked rows
    for :func:`store_import`."""
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
    return report, checked


def store_import(session: Session, checked: rowcheck.Checked, event: FloodEvent | None,
                 report: ImportReport, commit: Callable[[Session], None] | None = None) -> None:
    """Store the rows :func:`check_import` found good, unless the report says not to (a dry run,
    nothing good, or an error with ``all_or_nothing``).

    ``commit``: with ``valid_rows``, the caller's commit, called after each batch of ``BATCH``
    rows, so the write lock (SQLite) and the audit chain's head (PostgreSQL) are held for one
    batch at a time and other coordinators' registrations wait for a batch, not for the file.
    ``all_or_nothing`` stores in one transaction (all or none), whatever is given.

    A NIK registered by someone else between the check and the store is a 409 naming ``nik``:
    nothing of the file is stored, or with ``valid_rows`` only the batches before it (the
    answer says how many); importing the file again stores the rest, the stored rows being
    reported as already registered."""
    if report.dry_run or not checked.good or (report.errors and report.mode == "all_or_nothing"):
        return
    between = (lambda: commit(session)) if commit is not None and report.mode == "valid_rows" else None
    try:
        _store(session, checked.good, event, report, between)
    except IntegrityError as exc:
        if unique_violation(exc, {"households.nik_digest": "nik"}) is None:
            raise
        session.rollback()
        stored = report.stored_before_failure
        if stored:
            raise Conflict(Message("a NIK in the file was registered by someone else while the file was checked; "
                                   "%(stored)s households were stored before it: import the file again for the "
                                   "rest", stored=stored), field="nik", created=stored) from None
        raise Conflict(Message("a NIK in the file was registered by someone else while the file was checked; "
                               "nothing was imported: import the file again"), field="nik") from None


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


def _payload(model, row: dict[str, Any], shapes: dict[str, Any]) -> dict[str, Any]:
    """The audit payload the flush hook would write for this new row (``audit.chain``): every
    column that is not None, secret ones redacted, geometry as WKT, times as UTC text."""
    redact = set(getattr(model, "__audit_redact__", ()))
    payload = {}
    for key, value in row.items():
        if value is None or key in ("id", "created_at", "updated_at"):
            continue
        if key in redact:
            payload[key] = REDACTED
        elif key in shapes:
            payload[key] = shapes[key]
        else:
            payload[key] = value  # record_many makes it plain (times as UTC text)
    return payload


def _store(session: Session, good: list[rowcheck.GoodRow], event: FloodEvent | None, report: ImportReport,
           between: Callable[[], None] | None = None) -> None:
    """Core INSERTs, one executemany per batch and table, and the audit entries the flush hook
    would have written for them (one chain append per batch): the ORM's per-object bookkeeping
    was most of the time of a 50,000-row import."""
    from resilience.core.db import utcnow
    from resilience.needs.models import Need
    from resilience.needs.operations import derive_priority

    now = utcnow()
    for start in range(0, len(good), BATCH):
        batch = good[start:start + BATCH]
        households = []
        entries = []
        for row, new_id in zip(batch, _reserve_ids(session, "households", len(batch))):
            values, wkt = row.values()
            values.update(id=new_id, created_at=now, updated_at=now)
            households.append(values)
            entries.append(("household.created", "household", new_id,
                            _payload(Household, values, {"location": wkt})))
        session.execute(insert(Household.__table__), households)
        needs = []
        for row, values in zip(batch, households):
            vulnerable = sum(values[name] for name in VULNERABILITY_FIELDS)
            for category in row.categories:
                derived = derive_priority(category, vulnerable)
                needs.append(dict(event_id=event.id, household_id=values["id"], category=category,
                                  status=NEW_NEED_STATUS, derived_priority=derived, priority=derived,
                                  priority_overridden=False, priority_reason="", notes="", reporter="import",
                                  reported_at=now, created_at=now, updated_at=now))
        for values, new_id in zip(needs, _reserve_ids(session, "needs", len(needs))):
            values["id"] = new_id
            entries.append(("need.created", "need", new_id, _payload(Need, values, {})))
        if needs:
            session.execute(insert(Need.__table__), needs)
        record_many(session, entries)
        report.created += len(households)
        report.needs_created += len(needs)
        if between is not None:
            between()  # this batch is stored for good
            report.stored_before_failure = report.created
