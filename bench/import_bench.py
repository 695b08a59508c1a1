"""Household import: a 50,000-row spreadsheet into a registry of 50,000 households, with the
import's duplicate checks (NIK and KK within the file, NIK against the registry).

Builds a fresh database — SQLite/SpatiaLite in a temporary directory, or a throw-away
PostgreSQL/PostGIS database with ``--postgis`` — with the Palangka Raya kelurahan, fills the
registry by importing a first CSV of ``--rows`` households (timed too), then imports a second
file of ``--rows`` rows (XLSX by default, ``--csv`` for CSV; 1 % of its NIKs already registered,
0.5 % repeated within the file, a third of the rows placed only by kelurahan, one or two needs
per row into an event): first as a dry run, then for real with ``mode=valid_rows``. In-process
(``import_households``, as the API and the CLI call it), commit included; not the HTTP upload.

    PYTHONPATH=$PWD .venv/bin/python bench/import_bench.py [--rows 50000] [--postgis] [--csv]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import postgis_database  # noqa: E402

HEADER = ["nama_kepala_keluarga", "nik", "no_kk", "telepon", "alamat", "rt", "rw", "kelurahan", "patokan",
          "lintang", "bujur", "jumlah_jiwa", "lansia", "balita", "kebutuhan"]
KELURAHAN = [("62.71.05.1004", -1.6346, 113.6858), ("Pahandut", -2.1997, 113.9503)]
NEEDS = ["makanan", "air; evakuasi", "pakaian", "kesehatan", "logistik, makanan"]


def _nik(serial: int) -> str:
    # district 62.71.05, born 01-01-80 + serial: enough distinct valid NIKs for 2 x 60,000 rows
    day = 1 + serial // 10000 % 28
    return f"627105{day:02d}0180{serial % 10000:04d}" if serial % 10000 else f"627105{day:02d}01809999"


def _rows(start: int, count: int, registered: int = 0, needs: bool = True):
    for k in range(count):
        i = start + k
        serial = i
        if registered and k % 100 == 0:
            serial = 100_000 + k  # already in the registry (its k-th household)
        elif k % 200 == 1 and k > 1:
            serial = start + k - 1  # the row before, again
        code, lat, lon = KELURAHAN[i % 2]
        by_point = i % 3 != 0
        yield [f"Warga {i}", _nik(serial), "", f"0812{i:08d}", "Jl. Contoh", str(i % 20 + 1), str(i % 5 + 1),
               code, "dekat masjid", f"{lat + (i % 70) * 0.00005:.6f}" if by_point else "",
               f"{lon + (i % 60) * 0.00005:.6f}" if by_point else "", str(i % 7 + 1), str(i % 2), "0",
               NEEDS[i % len(NEEDS)] if needs else ""]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Pendataan")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(rows: int, as_csv: bool, label: str) -> None:
    from sqlalchemy import func, select

    from resilience.audit.chain import set_actor
    from resilience.cli import upgrade_database
    from resilience.events.operations import create_event
    from resilience.extensions import db
    from resilience.households.importer import import_households
    from resilience.households.models import Household

    upgrade_database()
    set_actor("bench")
    event = create_event(db.session, {"name": "Banjir bench", "started_at": __import__("datetime").datetime.now(
        __import__("datetime").timezone.utc)})
    db.session.commit()

    registry = _csv(_rows(100_000, rows, needs=False))
    started, cpu = time.perf_counter(), time.process_time()
    report = import_households(db.session, registry, None, filename="registry.csv", mode="valid_rows")
    db.session.commit()
    print(f"{label}: registry of {report.created} households imported from CSV in "
          f"{time.perf_counter() - started:.1f} s (CPU {time.process_time() - cpu:.1f} s; {len(report.errors)} rows "
          "refused: repeated NIKs)")

    started = time.perf_counter()
    data = _csv(_rows(1, rows, registered=1)) if as_csv else _xlsx(_rows(1, rows, registered=1))
    kind = "CSV" if as_csv else "XLSX"
    print(f"{label}: {kind} of {rows} rows written in {time.perf_counter() - started:.1f} s "
          f"({len(data) / 1e6:.1f} MB)")
    from resilience.households.spreadsheet import read

    started = time.perf_counter()
    read(data, f"warga.{kind.lower()}")
    print(f"{label}: reading the {kind} alone: {time.perf_counter() - started:.1f} s")
    for dry_run in (True, False):
        started, cpu = time.perf_counter(), time.process_time()
        report = import_households(db.session, data, event, filename=f"warga.{kind.lower()}", dry_run=dry_run,
                                   mode="valid_rows")
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        codes = {}
        for problem in report.errors:
            codes[problem["code"]] = codes.get(problem["code"], 0) + 1
        print(f"{label}: {'dry run' if dry_run else 'import'} of {report.rows} rows in {seconds:.1f} s (CPU of this process {cpu:.1f} s): "
              f"{report.valid_rows} valid, {report.created} households and {report.needs_created} needs stored, "
              f"problems {codes}")
    total = db.session.scalar(select(func.count()).select_from(Household))
    print(f"{label}: registry now holds {total} households")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--postgis", action="store_true", help="PostgreSQL + PostGIS instead of SQLite")
    parser.add_argument("--csv", action="store_true", help="import a CSV instead of an XLSX")
    args = parser.parse_args()

    from resilience.app import create_app
    from resilience.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix="resilience-import-") as tmp:
        drop = None
        url = f"sqlite:///{tmp}/bench.db"
        if args.postgis:
            url, drop = postgis_database("import")
        app = create_app(Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-0123456789abcdef",
                                            "RESILIENCE_ENV": "development", "RESILIENCE_INSTANCE_PATH": tmp}))
        try:
            with app.app_context():
                run(args.rows, args.csv, "postgis" if args.postgis else "sqlite")
        finally:
            from resilience.extensions import db

            with app.app_context():
                db.engine.dispose()
            if drop is not None:
                drop()


if __name__ == "__main__":
    main()
