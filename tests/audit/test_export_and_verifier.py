"""The export (CLI and API) and the standalone verifier an official runs on their own laptop."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import resilience.audit.verify_export as verifier_module
from resilience.audit.canonical import canonical_json
from resilience.cli import cli
from resilience.core import crypto
from resilience.extensions import db
from tests.audit import scenario

VERIFIER = Path(verifier_module.__file__)


def _env(app):
    settings = app.config["SETTINGS"]
    env = dict(os.environ)
    env.update(DATABASE_URL=settings.database_url, SECRET_KEY=settings.secret_key,
               RESILIENCE_INSTANCE_PATH=str(settings.instance_path))
    env.pop("REDIS_URL", None)
    return env


def _console_export(app, *args) -> str:
    """``resilience audit export`` as an operator runs it: the console script in its own process."""
    db.session.rollback()
    done = subprocess.run([sys.executable, "-m", "resilience.cli", "audit", "export", *args], env=_env(app),
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return done.stdout


def _cli_export(app, *args) -> str:
    """``resilience audit export`` run in this process on the test's app (the command's own
    code and output; a process costs ~1 s, so the console script itself is tested once, in
    test_the_console_script_exports_the_same_lines)."""
    db.session.rollback()
    done = app.test_cli_runner().invoke(cli, ["audit", "export", *args])
    assert done.exit_code == 0, done.output
    return done.stdout


def _verify(tmp_path, lines, *anchors, name="audit.jsonl"):
    """Run the verifier as an official would: a copy of the one file, a bare interpreter with no
    site-packages (-I -S) and the file on disk."""
    laptop = tmp_path / "laptop"
    laptop.mkdir(exist_ok=True)
    (laptop / "verify_export.py").write_bytes(VERIFIER.read_bytes())
    export = laptop / name
    export.write_text("".join(lines), encoding="utf-8")
    args = [sys.executable, "-I", "-S", str(laptop / "verify_export.py"), str(export)]
    for anchor in anchors:
        args += ["--anchor", anchor]
    done = subprocess.run(args, capture_output=True, text=True, cwd=laptop)
    assert done.stdout.count("\n") == 1, done.stdout + done.stderr  # one verdict line
    return done.returncode, done.stdout.strip()


def use_app_keys(app):
    """Encrypt under this app's own keys (the process-wide keys are those of the app created
    last), so that a CLI run on this app's instance reads the openings."""
    settings = app.config["SETTINGS"]
    crypto.configure(settings.field_encryption_keys, settings.secret_key)


@pytest.fixture
def exported(app, coordinator, seed):
    use_app_keys(app)
    scenario.build(coordinator, seed)
    text = _cli_export(app)
    return text.splitlines(keepends=True)


def test_cli_and_api_export_the_same_lines_as_hashed(app, official, coordinator, anonymous, exported):
    entries, trailer = [json.loads(line) for line in exported[:-1]], json.loads(exported[-1])
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert trailer == {"head": {"seq": len(entries), "hash": entries[-1]["hash"]}, "from_seq": 1,
                       "to_seq": len(entries)}
    # each line is the canonical JSON of the entry, the hashed fields plus its two links
    assert all(line == canonical_json(json.loads(line)) + "\n" for line in exported)
    assert set(entries[0]) == {"seq", "time", "actor", "action", "entity_type", "entity_id", "payload",
                               "prev_hash", "hash"}
    listed = official.get("/api/v1/audit?per_page=500").get_json()["items"]
    assert [{k: v for k, v in i.items() if k != "event_id"} for i in listed] == entries
    # staff get the same entries plus the sealed values in clear (outside the hash)
    staff = coordinator.get("/api/v1/audit?per_page=500").get_json()["items"]
    assert [{k: v for k, v in i.items() if k not in ("event_id", "personal")} for i in staff] == entries
    assert any(i.get("personal", {}).get("head_name") for i in staff)

    response = official.get("/api/v1/audit/export")
    assert response.status_code == 200 and response.mimetype == "application/jsonl"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == "".join(exported)
    assert anonymous.get("/api/v1/audit/export").status_code == 401


def test_the_console_script_exports_the_same_lines(app, exported):
    assert _console_export(app).splitlines(keepends=True) == exported
    assert _console_export(app, "--from-seq", "3", "--to-seq", "7", "--with-personal") == \
        _cli_export(app, "--from-seq", "3", "--to-seq", "7", "--with-personal")


def test_a_range_export(app, exported, coordinator, official):
    part = _cli_export(app, "--from-seq", "3", "--to-seq", "7").splitlines(keepends=True)
    assert [json.loads(line)["seq"] for line in part[:-1]] == [3, 4, 5, 6, 7]
    assert json.loads(part[-1])["from_seq"] == 3 and json.loads(part[-1])["to_seq"] == 7
    assert part[:-1] == exported[2:7]
    api = official.get("/api/v1/audit/export?from_seq=3&to_seq=7").get_data(as_text=True)
    assert api == "".join(part)
    staff = _cli_export(app, "--from-seq", "3", "--to-seq", "7", "--with-personal")
    assert coordinator.get("/api/v1/audit/export?from_seq=3&to_seq=7").get_data(as_text=True) == staff
    assert "Siti Aminah" in staff and "Siti Aminah" not in api
    assert coordinator.get("/api/v1/audit/export?from_seq=7&to_seq=3").status_code == 422


def test_the_verifier_passes_an_intact_export_and_a_range(tmp_path, app, exported):
    code, verdict = _verify(tmp_path, exported)
    assert code == 0 and verdict.startswith(f"OK: {len(exported) - 1} entries"), verdict
    head = json.loads(exported[-1])["head"]
    code, verdict = _verify(tmp_path, exported, f"{head['seq']}:{head['hash']}",
                            f"3:{json.loads(exported[2])['hash']}")
    assert code == 0, verdict
    part = _cli_export(app, "--from-seq", "4", "--to-seq", "9").splitlines(keepends=True)
    code, verdict = _verify(tmp_path, part, f"3:{json.loads(exported[2])['hash']}")
    assert code == 0 and "seq 4..9" in verdict, verdict
    code, verdict = _verify(tmp_path, part, f"3:{'a' * 64}")  # the link into the range is anchored
    assert code == 1 and verdict.startswith("BROKEN at seq 4:"), verdict


def _edit(lines, index, change):
    record = json.loads(lines[index])
    change(record)
    copy = list(lines)
    copy[index] = json.dumps(record, ensure_ascii=False) + "\n"
    return copy


def _another_last_digit(time: str) -> str:
    """The same time one microsecond digit off (never the digit it already has)."""
    digit = time[-2]
    return time[:-2] + str((int(digit) + 1) % 10) + time[-1]


def test_the_verifier_catches_each_kind_of_tampering(tmp_path, exported):
    n = len(exported) - 1
    payload_at = next(i for i, line in enumerate(exported[:-1]) if json.loads(line)["payload"])
    seq = payload_at + 1

    def edit_payload(record):
        key = sorted(record["payload"])[0]
        record["payload"][key] = "something else"

    cases = {
        "payload edited": (_edit(exported, payload_at, edit_payload), seq),
        "time edited by a microsecond": (_edit(exported, 4, lambda r: r.update(time=_another_last_digit(r["time"]))), 5),
        "line deleted": (exported[:5] + exported[6:], 6),
        "lines swapped": (exported[:5] + [exported[6], exported[5]] + exported[7:], 6),
        "last entry deleted": (exported[:-2] + exported[-1:], n),
        "head line missing (cut short)": (exported[:-1], n + 1),
        "head hash changed": (_edit(exported, n, lambda r: r["head"].update(hash="f" * 64)), n),
        "hash recomputed for an edited entry": (_rehashed(exported, 2), 4),
        "not JSON": (exported[:3] + ['{"seq": 4, "act\n'] + exported[4:], 4),
    }
    for name, (lines, bad) in cases.items():
        code, verdict = _verify(tmp_path, lines, name=name.replace(" ", "_") + ".jsonl")
        assert code == 1, (name, verdict)
        assert verdict.startswith(f"BROKEN at seq {bad}:"), (name, verdict)


def _rehashed(lines, index):
    """Entry ``index`` edited and its own hash recomputed: the next entry's link breaks."""
    import hashlib

    record = json.loads(lines[index])
    record["actor"] = "forger"
    body = {k: record[k] for k in ("seq", "time", "actor", "action", "entity_type", "entity_id", "payload")}
    record["hash"] = hashlib.sha256((record["prev_hash"] + canonical_json(body)).encode()).hexdigest()
    copy = list(lines)
    copy[index] = canonical_json(record) + "\n"
    return copy


def test_an_anchor_catches_a_consistently_rewritten_export(tmp_path, exported):
    """Someone rewrites entry 3 and every hash after it, and the head line: the chain alone is
    fooled, an anchor printed on an earlier report is not."""
    import hashlib

    anchor = json.loads(exported[5])  # seq 6, as a report printed it
    records = [json.loads(line) for line in exported[:-1]]
    prev = records[1]["hash"]
    for record in records[2:]:
        if record["seq"] == 3:
            record["actor"] = "forger"
        record["prev_hash"] = prev
        body = {k: record[k] for k in ("seq", "time", "actor", "action", "entity_type", "entity_id", "payload")}
        record["hash"] = prev = hashlib.sha256((prev + canonical_json(body)).encode()).hexdigest()
    trailer = json.loads(exported[-1])
    trailer["head"]["hash"] = prev
    forged = [canonical_json(r) + "\n" for r in records] + [canonical_json(trailer) + "\n"]
    assert _verify(tmp_path, forged)[0] == 0
    code, verdict = _verify(tmp_path, forged, f"6:{anchor['hash']}")
    assert code == 1 and verdict.startswith("BROKEN at seq 6:"), verdict
    code, verdict = _verify(tmp_path, exported, f"{len(records) + 3}:{'0' * 64}")  # beyond the export
    assert code == 1 and "not in this export" in verdict


def test_usage_errors_exit_2(tmp_path):
    done = subprocess.run([sys.executable, str(VERIFIER), str(tmp_path / "missing.jsonl")], capture_output=True, text=True)
    assert done.returncode == 2 and "cannot read" in done.stderr
    (tmp_path / "x.jsonl").write_text("")
    done = subprocess.run([sys.executable, str(VERIFIER), str(tmp_path / "x.jsonl"), "--anchor", "12"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "SEQ:HASH" in done.stderr


def test_the_verifier_imports_only_the_standard_library():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import"
            modules.add(node.module.split(".")[0])
    assert modules and modules <= set(sys.stdlib_module_names), modules - set(sys.stdlib_module_names)
    assert not any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "__import__" for n in ast.walk(tree))
