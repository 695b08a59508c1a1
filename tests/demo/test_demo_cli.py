"""`resilience demo`: it prints web logins that work after every run, and refuses to load
invented phone numbers where SMS would really be sent."""

import sqlite3
import subprocess
import sys

from tests.conftest import pythonpath


def test_demo_refuses_real_sms(console, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "resilience.cli", "demo"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
             "RESILIENCE_INSTANCE_PATH": str(tmp_path / "instance"), "SMS_BACKEND": "twilio",
             "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "x", "TWILIO_FROM": "+6281100000000",
             "PUBLIC_BASE_URL": "https://posko.example.org", **pythonpath()},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2 and "SMS_BACKEND=outbox" in result.stderr


def test_demo_prints_web_logins_that_work_after_every_run(console, tmp_path):
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

    first = console("demo")
    assert first.returncode == 0, first.stderr
    assert "token: rsl_" in first.stdout
    first_logins = logins(first.stdout)
    assert set(first_logins) == {"koordinator@demo.resilience.id", "pejabat@demo.resilience.id"}
    for email, password in first_logins.items():
        assert check_password_hash(stored_hash(email), password)

    again = console("demo")  # the demo is not loaded twice, but the logins printed work again
    assert again.returncode == 0, again.stderr
    assert "demo already loaded" in again.stdout
    for email, password in logins(again.stdout).items():
        assert check_password_hash(stored_hash(email), password)
        assert not check_password_hash(stored_hash(email), first_logins[email])
