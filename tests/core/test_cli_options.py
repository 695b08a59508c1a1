"""The console script's own options: --version, and -e/--env-file."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

from resilience.cli import cli

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_version_is_the_projects_not_flasks():
    expected = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    result = CliRunner().invoke(cli, ["--version"], prog_name="resilience")
    assert result.exit_code == 0, result.output
    assert result.output == f"resilience {expected}\n"


def _resilience(tmp_path, *args, **env):
    """The console script in a child process (what -e loads stays in its environment)."""
    pythonpath = {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}
    return subprocess.run([sys.executable, "-m", "resilience.cli", *args], cwd=tmp_path,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **pythonpath, **env},
                          capture_output=True, text=True, timeout=120)


def test_env_file_supplies_the_settings(tmp_path):
    # Flask's -e needs python-dotenv: a fresh install must bring it
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("python-dotenv>=") for d in dependencies)
    env_file = tmp_path / "posko.env"
    env_file.write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'from-file.db'}\n"
                        f"RESILIENCE_INSTANCE_PATH={tmp_path / 'from-file'}\n")
    result = _resilience(tmp_path, "-e", str(env_file), "init-db")
    assert result.returncode == 0, result.stderr
    assert "database ready" in result.stdout
    assert (tmp_path / "from-file.db").is_file() and (tmp_path / "from-file").is_dir()
    assert not (tmp_path / "instance").exists()  # the default place was not used

    # a variable set in the environment wins over the file
    result = _resilience(tmp_path, "-e", str(env_file), "init-db",
                         DATABASE_URL=f"sqlite:///{tmp_path / 'from-environment.db'}")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-environment.db").is_file()


def test_a_dot_env_file_is_not_read_unless_given(tmp_path):
    # docker compose's .env holds production settings; the command line must not pick it up.
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'compose.db'}\n")
    result = _resilience(tmp_path, "init-db", RESILIENCE_INSTANCE_PATH=str(tmp_path / "instance"))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "compose.db").exists()
    assert list((tmp_path / "instance").glob("*.db"))
