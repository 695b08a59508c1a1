"""resilience/vocabulary.py is the one definition of the domain's words.

Pure tests: no application, no database connection.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from resilience import vocabulary as v

ROOT = Path(__file__).resolve().parents[1]

# Copies left in packages that other work owns (issue 11: web strings, SMS and dispatch are
# being rewritten in parallel). Each entry is a file and the vocabulary it still spells out;
# remove the entry when the file imports from resilience.vocabulary.
KNOWN_COPIES: set[tuple[str, str]] = set()  # (file, vocabulary) pairs allowed to spell one out


def _vocabularies() -> dict[str, frozenset]:
    words = {}
    for name in dir(v):
        value = getattr(v, name)
        if name.isupper() and isinstance(value, (tuple, dict)) and len(value) >= 3:
            words[name] = frozenset(value)
    del words["REQUIRED_SKILL"]  # its keys are NEED_CATEGORIES
    return words


def test_importing_it_loads_no_database_and_no_flask():
    code = ("import sys, resilience.vocabulary; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'geoalchemy2', 'marshmallow') or "
            "(m.startswith('resilience.') and m != 'resilience.vocabulary')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_category_names_its_skill_and_every_skill_exists():
    assert set(v.REQUIRED_SKILL) == set(v.NEED_CATEGORIES)
    assert {s for s in v.REQUIRED_SKILL.values() if s is not None} <= set(v.SKILLS)
    assert set(v.LIVE_NEED_STATUSES) <= set(v.NEED_STATUSES)
    assert set(v.MANUAL_NEED_STATUSES) <= set(v.NEED_STATUSES)
    assert set(v.WRITE_ROLES) <= set(v.ROLES)


@pytest.mark.parametrize("vocabulary", sorted(_vocabularies()))
def test_no_vocabulary_has_duplicates(vocabulary):
    value = getattr(v, vocabulary)
    assert len(set(value)) == len(value)


def test_the_domain_modules_use_the_same_objects():
    from resilience.accounts import models as accounts
    from resilience.events import models as events
    from resilience.households import models as households
    from resilience.needs import models as needs
    from resilience.needs.priority import BASE_PRIORITY
    from resilience.stock import models as stock, units
    from resilience.volunteers import models as volunteers

    assert accounts.ROLES is v.ROLES
    assert events.EVENT_STATUSES is v.EVENT_STATUSES
    assert households.VULNERABILITY_FIELDS is v.VULNERABILITY_FIELDS
    assert needs.CATEGORIES is v.NEED_CATEGORIES and needs.REQUIRED_SKILL is v.REQUIRED_SKILL
    assert needs.NEED_STATUSES is v.NEED_STATUSES and needs.LIVE_NEED_STATUSES is v.LIVE_NEED_STATUSES
    assert (stock.DEPOT_KINDS, stock.ITEM_CATEGORIES, stock.MOVEMENT_KINDS) == (
        v.DEPOT_KINDS, v.ITEM_CATEGORIES, v.MOVEMENT_KINDS)
    assert stock.UNITS is v.UNITS and units.UNITS is v.UNITS
    assert (volunteers.SKILLS, volunteers.AVAILABILITY, volunteers.GROUP_KINDS) == (
        v.SKILLS, v.AVAILABILITY, v.GROUP_KINDS)
    assert set(BASE_PRIORITY) == set(v.NEED_CATEGORIES)  # a base priority for every category


def test_database_checks_allow_exactly_the_vocabulary():
    """The models' CHECK constraints spell the lists in SQL (as the migrations do); they must
    allow exactly the vocabulary."""
    import resilience.models  # noqa: F401  (registers every table)
    from resilience.extensions import db

    expected = {
        ("needs", "status"): v.NEED_STATUSES,
        ("flood_events", "status"): v.EVENT_STATUSES,
        ("volunteers", "availability"): v.AVAILABILITY,
        ("depots", "kind"): v.DEPOT_KINDS,
        ("items", "unit"): tuple(v.UNITS),
        ("items", "category"): v.ITEM_CATEGORIES,
        ("stock_movements", "kind"): v.MOVEMENT_KINDS,
    }
    found = {}
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            sql = str(getattr(constraint, "sqltext", ""))
            match = re.fullmatch(r"(\w+) IN \(([^()]*)\)", sql.strip())
            if match and (table.name, match[1]) in expected:
                found[(table.name, match[1])] = tuple(re.findall(r"'([^']*)'", match[2]))
    assert found == expected


def _literal_lists(path: Path):
    """Every tuple, list or set of 3+ string literals in a file, except the values of a dict
    (a table keyed by the words, such as the need transitions, may list a few of them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_dict = {id(value) for node in ast.walk(tree) if isinstance(node, ast.Dict) for value in node.values}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or id(node) in in_dict:
            continue
        items = node.elts
        if len(items) >= 3 and all(isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items):
            yield node.lineno, frozenset(i.value for i in items)


def test_no_module_spells_out_a_vocabulary_again():
    """Outside vocabulary.py (and the migrations, which are history) no module writes one of
    the vocabularies out as a literal: it imports it."""
    words = _vocabularies()
    found = set()
    where = {}
    for path in sorted((ROOT / "resilience").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "resilience/vocabulary.py":
            continue
        for line, values in _literal_lists(path):
            for name, vocabulary in words.items():
                if values == vocabulary:
                    found.add((rel, name))
                    where.setdefault((rel, name), line)
    new = {f"{rel}:{where[(rel, name)]} spells out {name}" for rel, name in found - KNOWN_COPIES}
    assert not new, "import these from resilience.vocabulary instead: " + "; ".join(sorted(new))
