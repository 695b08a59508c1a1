"""`resilience demo` refuses to load invented phone numbers where SMS would really be sent."""

import subprocess
import sys


def test_demo_refuses_real_sms(console, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "resilience.cli", "demo"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
             "RESILIENCE_INSTANCE_PATH": str(tmp_path / "instance"), "SMS_BACKEND": "twilio",
             "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "x", "TWILIO_FROM": "+6281100000000",
             "PUBLIC_BASE_URL": "https://posko.example.org"},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2 and "SMS_BACKEND=outbox" in result.stderr
