"""What a PostgreSQL pool checkout costs with ``pool_pre_ping`` (a ``SELECT 1`` round trip at
every checkout) and with the app's engine options (resilience/core/db.py: a ping only for a
connection idle IDLE_PING_SECONDS or more), each as a request uses it: check out, run one
small statement, check in. Loopback to the local server; interleaved rounds, so the machine's
other load falls on both alike.

    PYTHONPATH=$PWD python bench/pool_bench.py [--rounds 10] [--per-round 2000]

Prints the median over the rounds of the microseconds per checkout, wall and CPU of this process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load import admin_url  # noqa: E402
from resilience.core.db import engine_options, install_engine_events  # noqa: E402


def _engines(url: str) -> dict[str, sa.Engine]:
    options = engine_options(url)
    pre_ping = sa.create_engine(url, **{**options, "pool_pre_ping": True})
    idle_ping = sa.create_engine(url, **options)
    install_engine_events(idle_ping)
    return {"pool_pre_ping=True": pre_ping, "ping when idle (the app)": idle_ping}


def _round(engine: sa.Engine, n: int) -> tuple[float, float]:
    statement = sa.text("SELECT 1")
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        with engine.connect() as conn:
            conn.execute(statement)
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=2000)
    args = parser.parse_args()
    url = admin_url().replace("postgresql://", "postgresql+psycopg://")
    engines = _engines(url)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for engine in engines.values():
        _round(engine, 200)  # connect and warm up
    for _ in range(args.rounds):
        for name, engine in engines.items():
            results[name].append(_round(engine, args.per_round))
    for name, rows in results.items():
        print(f"{name:<28} {statistics.median(r[0] for r in rows):7.1f} µs wall "
              f"{statistics.median(r[1] for r in rows):7.1f} µs CPU per checkout + SELECT 1 "
              f"({args.rounds} × {args.per_round})")
    for engine in engines.values():
        engine.dispose()


if __name__ == "__main__":
    main()
