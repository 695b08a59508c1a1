"""Views never commit: the request's one transaction ends in ``core/transaction.py`` (commit when
a writing request answers below 400, roll back otherwise). Read with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "resilience"


def _view_modules() -> list[Path]:
    return sorted((ROOT / "web").rglob("*.py")) + sorted(ROOT.glob("*/api.py"))


def _commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_the_check_sees_the_modules_it_guards():
    names = {p.relative_to(ROOT).as_posix() for p in _view_modules()}
    assert {"web/stock.py", "web/households.py", "households/api.py", "stock/api.py"} <= names


def test_the_check_finds_a_commit_call(tmp_path):
    sample = tmp_path / "view.py"
    sample.write_text("def view():\n    db.session.commit()\n", encoding="utf-8")
    assert _commit_calls(sample) == [2]


def test_no_view_or_api_module_commits():
    found = {p.relative_to(ROOT).as_posix(): lines for p in _view_modules() if (lines := _commit_calls(p))}
    assert found == {}, f"commit in a view (the transaction boundary commits): {found}"
