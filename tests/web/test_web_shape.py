"""The web pages are not a second application: views never commit (the request's one transaction
ends in ``core/transaction.py``: commit when a writing request answers below 400, roll back
otherwise), and they build no queries (those live in the domain packages, shared with the API).
Read with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "resilience"


def _view_modules() -> list[Path]:
    return sorted((ROOT / "web").rglob("*.py")) + sorted(ROOT.glob("*/api.py"))


def _calls(path: Path, name: str) -> list[int]:
    """Lines calling ``….name(`` (a method) or ``name(`` (a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        or (isinstance(node.func, ast.Name) and node.func.id == name))]


def _commit_calls(path: Path) -> list[int]:
    return _calls(path, "commit")


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


def test_the_query_check_finds_a_select(tmp_path):
    sample = tmp_path / "view.py"
    sample.write_text("from sqlalchemy import select\n\ndef view():\n    return select(Household)\n", encoding="utf-8")
    assert _calls(sample, "select") == [4]


def test_web_modules_build_no_queries():
    found = {p.relative_to(ROOT).as_posix(): lines for p in sorted((ROOT / "web").rglob("*.py"))
             if (lines := _calls(p, "select"))}
    assert found == {}, f"a query in a web module (move it to the domain's queries.py): {found}"
