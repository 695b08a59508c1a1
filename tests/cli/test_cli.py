"""The console script against a fresh SQLite database, as a user would run it."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest


def _pythonpath() -> dict[str, str]:
    """The code under test, not whatever copy is installed (a git worktree sets PYTHONPATH)."""
    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}


@pytest.fixture
def run(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "RESILIENCE_INSTANCE_PATH": str(tmp_path / "instance"),
        **_pythonpath(),
    }

    def _run(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "resilience.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, input=stdin, timeout=120)

    assert _run("init-db").returncode == 0
    return _run


def test_users_and_tokens(run):
    created = run("users", "create", "Budi@Posko.ID", "--role", "coordinator", stdin="")
    assert created.returncode == 0, created.stderr
    lines = created.stdout.strip().splitlines()
    assert lines[0].startswith("created coordinator budi@posko.id")
    assert lines[1].startswith("password: ") and len(lines[1].split(": ")[1]) >= 12

    duplicate = run("users", "create", "budi@posko.id", "--role", "official", stdin="")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr

    bad_role = run("users", "create", "x@posko.id", "--role", "king", stdin="")
    assert bad_role.returncode != 0

    given = run("users", "create", "sri@posko.id", "--role", "official", "--password", "correct horse battery")
    assert given.returncode == 0 and "password:" not in given.stdout

    token = run("tokens", "create", "budi@posko.id")
    assert token.returncode == 0
    assert token.stdout.strip().splitlines()[-1].startswith("rsl_")

    missing = run("tokens", "create", "nobody@posko.id")
    assert missing.returncode == 2 and "no user" in missing.stderr


def test_areas_are_seeded_and_importable(run, tmp_path):
    extra = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"code": "62.03.01.2001", "name": "Desa Contoh", "level": "desa"},
            "geometry": {"type": "Polygon", "coordinates": [[[114.0, -3.0], [114.1, -3.0], [114.1, -2.9], [114.0, -2.9], [114.0, -3.0]]]},
        }],
    }
    path = tmp_path / "extra.geojson"
    path.write_text(json.dumps(extra))
    result = run("import", "areas", str(path))
    assert result.returncode == 0, result.stderr
    assert "3 areas imported" in result.stdout  # kota, kecamatan and the desa
    verify = run("audit", "verify")
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True

    # anchors: an entry that must still have the hash written down elsewhere
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        seq, digest = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    assert seq >= 1
    good = run("audit", "verify", "--anchor", f"{seq}:{digest}")
    assert good.returncode == 0 and json.loads(good.stdout)["ok"] is True
    wrong = run("audit", "verify", "--anchor", f"{seq}:{'0' * 64}")
    assert wrong.returncode == 1 and json.loads(wrong.stdout) == {"ok": False, "first_bad_seq": seq, "entries": seq - 1}
    malformed = run("audit", "verify", "--anchor", "12")
    assert malformed.returncode == 2 and "--anchor" in malformed.stderr and "SEQ:HASH" in malformed.stderr


def test_demo_prints_web_logins_that_work_after_every_run(run, tmp_path):
    from werkzeug.security import check_password_hash

    def logins(stdout: str) -> dict[str, str]:
        lines = stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Web logins:"))
        assert "http://127.0.0.1:5000/login" in lines[start]
        found = {}
        for line in lines[start + 1:start + 3]:
            role, email, label, password = line.split()
            assert label == "password:"
            found[email] = password
        return found

    def stored_hash(email: str) -> str:
        with sqlite3.connect(tmp_path / "cli.db") as conn:
            return conn.execute("SELECT password_hash FROM users WHERE email = ?", (email,)).fetchone()[0]

    first = run("demo")
    assert first.returncode == 0, first.stderr
    assert "token: rsl_" in first.stdout
    first_logins = logins(first.stdout)
    assert set(first_logins) == {"koordinator@demo.resilience.id", "pejabat@demo.resilience.id"}
    for email, password in first_logins.items():
        assert check_password_hash(stored_hash(email), password)

    again = run("demo")  # the demo is not loaded twice, but the logins printed work again
    assert again.returncode == 0, again.stderr
    assert "demo already loaded" in again.stdout
    for email, password in logins(again.stdout).items():
        assert check_password_hash(stored_hash(email), password)
        assert not check_password_hash(stored_hash(email), first_logins[email])


def test_demo_refuses_real_sms(run, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "resilience.cli", "demo"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
             "RESILIENCE_INSTANCE_PATH": str(tmp_path / "instance"), "SMS_BACKEND": "twilio",
             "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "x", "TWILIO_FROM": "+6281100000000",
             "PUBLIC_BASE_URL": "https://posko.example.org", **_pythonpath()},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2 and "SMS_BACKEND=outbox" in result.stderr


def test_import_households_names_row_and_field(run, tmp_path):
    bad = tmp_path / "warga.csv"
    bad.write_text("head_name,phone,lat,lon,members\nSiti,0812-3456-7890,-1.6346,113.6858,3\nBudi,12ab,-1.63,113.68,x\n")
    result = run("import", "households", str(bad))
    assert result.returncode == 1
    assert "warga.csv: row 3, field phone:" in result.stderr
    assert "warga.csv: row 3, field members:" in result.stderr
    assert "nothing was imported" in result.stderr

    good = tmp_path / "ok.csv"
    good.write_text("head_name,phone,lat,lon,members\nSiti,0812-3456-7890,-1.6346,113.6858,3\n")
    result = run("import", "households", str(good))
    assert result.returncode == 0, result.stderr
    assert "1 households and 0 needs imported from 1 rows" in result.stdout
