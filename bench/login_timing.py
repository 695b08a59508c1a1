"""How long a failed web login takes, by why it failed: a known email with a wrong password, an
unknown email, a deactivated user; and a successful login. Real password hashes (Werkzeug's
default, scrypt), a throw-away SQLite database, the Flask test client; the login limiter is
reset before each attempt so every one reaches the password check.

    .venv/bin/python bench/login_timing.py [--runs 30]

Prints the median and p90 of each case in ms. If the failures differ by more than the noise,
the time tells an attacker which emails have accounts.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from resilience.accounts.operations import create_user, set_active
    from resilience.app import create_app
    from resilience.cli import upgrade_database
    from resilience.core.settings import Settings
    from resilience.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="login-bench-"))
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SECRET_KEY": "bench-secret-0123456789",
                                  "RESILIENCE_INSTANCE_PATH": str(tmp), "RESILIENCE_ENV": "test"})
    app = create_app(settings)
    with app.app_context():
        upgrade_database()
        create_user(db.session, "budi@posko.test", "coordinator", "a-long-password")
        create_user(db.session, "lama@posko.test", "coordinator", "a-long-password")
        set_active(db.session, "lama@posko.test", False)
        db.session.commit()

    cases = {
        "known email, wrong password": ("budi@posko.test", "wrong-password!", 401),
        "unknown email": ("nobody@posko.test", "wrong-password!", 401),
        "deactivated user, right password": ("lama@posko.test", "a-long-password", 401),
        "known email, right password": ("budi@posko.test", "a-long-password", 302),
    }
    limiters = (app.extensions["web_login_limiter"], app.extensions["web_login_ip_limiter"])
    print(f"login time by outcome, {args.runs} runs each (ms)")
    print(f"{'case':<36} {'median':>8} {'p90':>8}")
    for name, (email, password, status) in cases.items():
        times = []
        for _ in range(args.runs + 1):
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            for limiter in limiters:
                limiter.reset()
            t0 = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == status, (name, response.status_code)
        times = sorted(times[1:])
        p90 = times[min(len(times) - 1, int(round(0.9 * len(times))) - 1)]
        print(f"{name:<36} {statistics.median(times):8.1f} {p90:8.1f}")


if __name__ == "__main__":
    main()
