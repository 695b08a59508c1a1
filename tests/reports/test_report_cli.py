"""``resilience report EVENT_ID --format json|csv|geojson`` on both databases (the Flask CLI
runner against the test app), plus the console script itself on a fresh SQLite file for the
exit code a shell sees."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from resilience.cli import cli
from tests.reports.test_report import PERSONAL, build_scenario


def _run(app, *args):
    """Click 8.2+ keeps stdout and stderr apart (``output`` has both, interleaved)."""
    return app.test_cli_runner().invoke(cli, list(args))


def test_report_formats_match_the_api(app, coordinator, seed):
    scenario = build_scenario(coordinator, seed)
    event_id = scenario["event"]["id"]
    api = coordinator.get(f"/api/v1/events/{event_id}/report").get_json()

    result = _run(app, "report", str(event_id))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    # Same numbers as the API (the report time and waiting minutes move on; the rest may not).
    for key in ("event", "totals", "kelurahan", "aid", "volunteers", "minimum_needs"):
        assert printed[key] == api[key], key
    assert [w["need_id"] for w in printed["waiting"]] == [w["need_id"] for w in api["waiting"]]
    assert printed["audit"]["ok"] is True and printed["audit"]["entries"] == api["audit"]["entries"]

    result = _run(app, "report", str(event_id), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][rows[0].index("Kode kelurahan")] == "#adm4+code"
    tags = rows[1]
    by_code = {row[tags.index("#adm4+code")]: row for row in rows[2:]}
    mungku = next(k for k in api["kelurahan"] if k["code"] == "62.71.05.1004")
    assert int(by_code["62.71.05.1004"][tags.index("#affected+hh")]) == mungku["households"]["affected"]

    result = _run(app, "report", str(event_id), "--format", "csv", "--table", "waiting")
    assert result.exit_code == 0 and len(list(csv.reader(io.StringIO(result.stdout)))) == 2 + len(api["waiting"])

    result = _run(app, "report", str(event_id), "--format", "geojson")
    assert result.exit_code == 0, result.output
    geo = json.loads(result.stdout)
    assert geo["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in geo["features"]} == {k["code"] for k in api["kelurahan"] if k["code"]}
    for output in (printed, rows, geo):
        text = json.dumps(output, ensure_ascii=False)
        assert not [secret for secret in PERSONAL if secret in text]


def test_bad_event_and_format(app):
    result = _run(app, "report", "4242")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no flood event with id 4242"
    assert result.stdout == ""
    result = _run(app, "report", "1", "--format", "docx")
    assert result.exit_code == 2 and "docx" in result.output
    result = _run(app, "report", "abc")
    assert result.exit_code == 2 and "abc" in result.output


def test_console_script_exit_codes(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "RESILIENCE_INSTANCE_PATH": str(tmp_path / "instance")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "resilience.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    assert run("init-db").returncode == 0
    missing = run("report", "7", "--format", "csv")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip() == "error: no flood event with id 7"
