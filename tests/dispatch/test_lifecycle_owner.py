"""``dispatch.lifecycle`` is the only code that changes a task's or a need's status.

Every module of ``resilience/`` is parsed (no import, no database) and searched for what
would change one: an assignment to ``<something>.status``, ``setattr(x, "status", …)``, a
``.transition(…)`` call, a ``Task(…)`` or ``Need(…)`` built with a ``status``, and a Core
``update(Task | Need).values(status=…)``. Other state machines have statuses too (SMS messages,
flood events): their assignments are listed in ``OTHER_STATE_MACHINES`` by module and object,
and an entry that no longer matches anything fails as well, so the list cannot go stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "resilience"
OWNER = "resilience/dispatch/lifecycle.py"
# (module, the object whose .status is assigned): statuses that are not a task's or a need's.
OTHER_STATE_MACHINES = {
    ("resilience/sms/models.py", "self"),        # SmsMessage.advance: provider status updates
    ("resilience/sms/sender.py", "message"),     # an SmsMessage being sent or reconciled
    ("resilience/events/operations.py", "event"),  # a FloodEvent opened or closed
    ("resilience/helprequests/operations.py", "request"),  # a help request verified or rejected
}
OWNED_MODELS = {"Task", "Need"}


def _targets(node: ast.AST):
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def status_changes(source: str, module: str) -> tuple[list[str], set[tuple[str, str]]]:
    """What in ``source`` changes a status: (findings outside the allowed list, allowed entries used)."""
    found, used = [], set()
    for node in ast.walk(ast.parse(source)):
        where = f"{module}:{getattr(node, 'lineno', '?')}"
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _targets(target)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = list(_targets(node.target))
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                owner = ast.unparse(target.value)
                if (module, owner) in OTHER_STATE_MACHINES:
                    used.add((module, owner))
                else:
                    found.append(f"{where}: {owner}.status = …")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        keywords = {k.arg for k in node.keywords}
        if isinstance(func, ast.Attribute) and func.attr == "transition":
            found.append(f"{where}: {ast.unparse(func)}(…)")
        elif isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
            found.append(f"{where}: setattr(…, 'status', …)")
        elif _name(func) in OWNED_MODELS and "status" in keywords:
            found.append(f"{where}: {_name(func)}(status=…)")
        elif isinstance(func, ast.Attribute) and func.attr == "values" and "status" in keywords:
            for inner in ast.walk(func.value):
                if isinstance(inner, ast.Call) and _name(inner.func) == "update" and inner.args \
                        and _name(inner.args[0]) in OWNED_MODELS:
                    found.append(f"{where}: update({_name(inner.args[0])}).values(status=…)")
    return found, used


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_only_the_lifecycle_changes_task_and_need_statuses():
    findings, used = [], set()
    for module, source in _modules():
        if module == OWNER:
            continue
        found, seen = status_changes(source, module)
        findings += found
        used |= seen
    assert findings == [], "status changes outside dispatch/lifecycle.py:\n" + "\n".join(findings)
    assert used == OTHER_STATE_MACHINES, f"stale entries: {sorted(OTHER_STATE_MACHINES - used)}"


def test_the_lifecycle_does_change_them():
    found, _ = status_changes((ROOT / OWNER).read_text(encoding="utf-8"), OWNER)
    assert any("task.status" in f for f in found) and any("need.status" in f for f in found)


def test_the_check_catches_each_kind_of_change():
    source = """
task.status = "done"
self.need.status, other = "open", 1
task.transition("accepted")
setattr(need, "status", "done")
Task(need_id=1, status="proposed")
models.Need(status="open")
session.execute(update(Task).where(Task.id == 1).values(status="failed"))
message.status = "sent"
Task(need_id=1)
session.execute(update(SmsMessage).values(status="queued"))
"""
    found, used = status_changes(source, "resilience/sms/sender.py")
    assert [f.split(": ", 1)[1] for f in found] == [
        "task.status = …", "self.need.status = …", "task.transition(…)", "setattr(…, 'status', …)",
        "Task(status=…)", "Need(status=…)", "update(Task).values(status=…)",
    ]
    assert used == {("resilience/sms/sender.py", "message")}
    found, _ = status_changes("message.status = 'sent'\n", "resilience/dispatch/offers.py")
    assert found == ["resilience/dispatch/offers.py:1: message.status = …"]
