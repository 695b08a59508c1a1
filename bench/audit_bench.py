"""Verifying, exporting and filtering the response log at about 60,000 entries.

Writes ``--entries`` audit entries (default 60,000; payloads shaped like the real ones: status
changes, created rows with a dozen fields, SMS claims) into a fresh database — SQLite in a
temporary directory, or a throw-away PostGIS database with ``--postgis`` — in commits of 500,
then times, as medians of ``--runs`` counted runs after a warm-up:

- ``GET /api/v1/audit/verify?full=true``: the whole chain recomputed, which is what every call
  did before the verified prefix was remembered (the same walk as the old ``verify``);
- ``GET /api/v1/audit/verify``: incremental, with nothing added since the last call, and with
  100 entries added before each call;
- the JSON Lines export (``export_lines``, as ``resilience audit export`` writes it), and the
  standalone verifier checking that file in a subprocess;
- ``GET /api/v1/audit`` filtered by event (1 entry in 7 belongs to it) and by a time range.

    .venv/bin/python bench/audit_bench.py [--entries 60000] [--runs 5] [--postgis]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import postgis_database  # noqa: E402


def _payload(rng: random.Random, i: int):
    kind = i % 4
    if kind == 0:
        return "need.open", "need", {"status": ["new", "open"], "priority": [None, rng.randint(1, 5)]}
    if kind == 1:
        return "household.created", "household", {
            "head_name": f"Warga {i}", "nik": "<redacted>", "phone": "<redacted>", "address": f"Jl. Sungai {i} RT 0{i % 9}",
            "location": f"POINT ({113.6 + rng.random() / 10:.6f} {-1.6 - rng.random() / 10:.6f})",
            "members": rng.randint(1, 8), "elderly": 0, "children_under5": rng.randint(0, 2), "admin_area_id": 4}
    if kind == 2:
        return "sms_message.sending", "sms_message", {
            "status": ["queued", "sending"], "attempts": [0, 1], "attempt_token": "<redacted>",
            "sending_since": "2026-03-10T07:30:00.123456Z"}
    return "task.accepted", "task", {"status": ["offered", "accepted"], "accepted_at": [None, "2026-03-10T07:31:02.000001Z"],
                                     "distance_m": [None, round(rng.random() * 5000, 1)]}


def _fill(session, count: int, start: int, rng: random.Random) -> None:
    from resilience.audit.chain import record_many

    done = 0
    while done < count:
        batch = min(500, count - done)
        rows = []
        for k in range(batch):
            action, entity_type, payload = _payload(rng, start + done + k)
            rows.append((action, entity_type, None, payload))
        record_many(session, rows)
        session.commit()
        done += batch


def _median(fn, runs: int):
    times, result = [], None
    for i in range(runs + 1):
        t0 = time.perf_counter()
        result = fn()
        if i:
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, result


def run(app, entries: int, runs: int, label: str, tmp: str) -> None:
    from sqlalchemy import text

    from resilience.accounts.operations import create_token, create_user
    from resilience.audit.chain import set_actor
    from resilience.audit.export import export_lines
    from resilience.cli import upgrade_database
    from resilience.extensions import db

    upgrade_database()
    set_actor("bench")
    create_user(db.session, "bench.p@bpbd.test", "official", "a-long-password")
    token = create_token(db.session, "bench.p@bpbd.test")
    db.session.commit()
    rng = random.Random(14)
    t0 = time.perf_counter()
    _fill(db.session, entries, 0, rng)
    with db.engine.begin() as conn:  # one event owns 1 entry in 7, for the filter
        conn.execute(text("UPDATE audit_entries SET event_id = 1 WHERE seq % 7 = 0"))
    total = db.session.execute(text("SELECT max(seq) FROM audit_entries")).scalar()
    db.session.remove()
    print(f"{label}: {total} entries written in {time.perf_counter() - t0:.0f} s")
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}

    def get(path, headers=None):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:200])
        return response.get_json()

    app.config["AUDIT_VERIFY_RATE_LIMIT"] = (10**9, 60)
    app.extensions.pop("audit_verify_limit", None)
    rows = []
    ms, body = _median(lambda: get("/api/v1/audit/verify?full=true"), runs)
    assert body["ok"], body
    rows.append(("verify, full (every call before)", ms))
    ms, body = _median(lambda: get("/api/v1/audit/verify"), runs)
    assert body["ok"] and body["entries"] == total, body
    rows.append(("verify, incremental, nothing added", ms))

    def added():
        _fill(db.session, 100, entries, rng)
        db.session.remove()
        t = time.perf_counter()
        answer = get("/api/v1/audit/verify")
        return time.perf_counter() - t, answer

    times = []
    for i in range(runs + 1):
        elapsed, answer = added()
        assert answer["ok"], answer
        if i:
            times.append(elapsed)
    rows.append(("verify, incremental, 100 added", statistics.median(times) * 1000))

    path = Path(tmp) / "audit.jsonl"

    def export():
        with path.open("w", encoding="utf-8") as out:
            for line in export_lines(db.session):
                out.write(line)
        db.session.remove()

    ms, _ = _median(export, runs)
    rows.append((f"export to JSON Lines ({path.stat().st_size / 2**20:.1f} MiB)", ms))
    verifier = Path(__file__).resolve().parents[1] / "resilience" / "audit" / "verify_export.py"

    def check():
        done = subprocess.run([sys.executable, "-I", "-S", str(verifier), str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout
        return done.stdout

    ms, verdict = _median(check, runs)
    rows.append(("standalone verifier on the export", ms))
    ms, body = _median(lambda: get("/api/v1/audit?event=1&per_page=500", bearer), runs)
    rows.append((f"list, event filter, 500 of {body['total']}", ms))
    middle = get(f"/api/v1/audit?after_seq={total // 2}&per_page=1", bearer)["items"][0]["time"]
    ms, body = _median(lambda: get(f"/api/v1/audit?since={middle}&actor=bench&per_page=500", bearer), runs)
    rows.append((f"list, since + actor, 500 of {body['total']}", ms))
    print(verdict.strip())
    print(f"{'what':44} {'median ms':>10}")
    for name, ms in rows:
        print(f"{name:44} {ms:10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgis", action="store_true")
    args = parser.parse_args()

    from resilience.app import create_app
    from resilience.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix="resilience-audit-") as tmp:
        drop = None
        url = f"sqlite:///{tmp}/bench.db"
        if args.postgis:
            url, drop = postgis_database("audit")
        try:
            settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-0123456789abcdef",
                                          "RESILIENCE_ENV": "development", "RESILIENCE_INSTANCE_PATH": tmp,
                                          "SMS_BACKEND": "outbox"})
            app = create_app(settings)
            with app.app_context():
                run(app, args.entries, args.runs, "postgis" if args.postgis else "sqlite", tmp)
        finally:
            if drop is not None:
                from resilience.extensions import db

                with app.app_context():
                    db.engine.dispose()
                drop()


if __name__ == "__main__":
    main()
