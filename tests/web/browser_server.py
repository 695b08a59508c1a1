"""What the Chromium tests share: the browser's path and flags, and ``resilience serve`` on a
free port against a fresh SQLite file with the users a test asks for."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "a-long-password"


# A page at phone width scrolls only downwards (evaluated with page.evaluate).
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def api(base: str, token: str, method: str, path: str, body=None, timeout: float = 30.0):
    """A JSON call to the served API as the token's user (the data a browser test starts from)."""
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None,
                                     method=method, headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env, *args) -> str:
    exe = Path(sys.executable).with_name("resilience")
    out = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


_COMMANDS = (
    "import json, sys\n"
    "from resilience.cli import cli\n"
    "for args in json.loads(sys.argv[1]):\n"
    "    cli.main(args, prog_name='resilience', standalone_mode=False)\n"
)


def cli_commands(env, *commands: list[str]) -> str:
    """Console-script commands run one after the other in one process, each as ``resilience
    ARGS`` runs it (its own app); their output. One start-up (about 1 s of imports) for all."""
    out = subprocess.run([sys.executable, "-c", _COMMANDS, json.dumps(commands)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@contextlib.contextmanager
def serve(tmp_path, users=(("koordinator@posko.test", "coordinator"),)):
    """Yield (base URL, API token of the first user) of a running ``resilience serve``."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'browser.db'}", RESILIENCE_INSTANCE_PATH=str(tmp_path),
               SECRET_KEY="browser-test-secret-0123456789", RESILIENCE_ENV="test", SMS_BACKEND="outbox")
    setup = [["init-db"], *(["users", "create", email, "--role", role, "--password", PASSWORD]
                            for email, role in users), ["tokens", "create", users[0][0]]]
    token = cli_commands(env, *setup).strip().splitlines()[-1]
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("resilience")), "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("resilience serve did not start")
        yield base, token
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def watch_errors(page) -> list[str]:
    """JavaScript errors and Content-Security-Policy refusals on ``page``, as they happen: a
    test asserts the list stays empty (the CSP forbids inline script and style)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    return errors


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until ``expression`` is true in the page. Playwright's ``wait_for_function`` polls by
    evaluating a string inside the page, which the Content-Security-Policy (no ``unsafe-eval``)
    refuses; ``page.evaluate`` goes through the DevTools protocol, which the policy allows."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            pytest.fail(f"the page never got to: {expression}")
        page.wait_for_timeout(100)
