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
