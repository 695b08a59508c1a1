"""The Content-Security-Policy allows no inline script or style (resilience/core/security.py), so
no template may hold any: a ``<script>`` without ``src`` runs only as a JSON data block, and no
element has a ``style`` attribute, an ``on…`` handler or a ``javascript:`` link. The scripts
must not build such markup either. Chromium's refusals are caught by the browser tests; this
catches them in every template, including pages no browser test opens."""

from __future__ import annotations

import re
from pathlib import Path

import resilience.web

WEB = Path(resilience.web.__file__).parent
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"""[\s"']style\s*=""", re.I)
HANDLER = re.compile(r"""\s on[a-z]+\s*=\s*["']""", re.I | re.X)
JS_URL = re.compile(r"javascript:", re.I)


def _templates():
    return sorted((WEB / "templates").glob("*.html"))


def test_templates_hold_no_inline_script_or_style():
    assert _templates(), "no templates found"
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in SCRIPT.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and 'type="application/json"' not in attributes:
                problems.append(f"{path.name}: inline <script{attributes}>")
        for name, pattern in (("<style>", STYLE_ELEMENT), ("style=", STYLE_ATTRIBUTE), ("on…= handler", HANDLER),
                              ("javascript: URL", JS_URL)):
            if pattern.search(text):
                problems.append(f"{path.name}: {name}")
    assert problems == []


def test_our_scripts_build_no_inline_style_or_handler():
    problems = []
    for path in sorted((WEB / "static").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        for name, pattern in (("style=", STYLE_ATTRIBUTE), ("on…= handler", HANDLER),
                              ("setAttribute('style')", re.compile(r"setAttribute\(\s*['\"]style")),
                              ("eval", re.compile(r"\beval\(|new Function\("))):
            if pattern.search(text):
                problems.append(f"{path.name}: {name}")
    assert problems == []


def test_the_check_sees_what_it_looks_for():
    assert STYLE_ATTRIBUTE.search('<span class="dot" style="background: #fff">')
    assert HANDLER.search('<button onclick="go()">')
    assert not HANDLER.search('<p class="mono">') and not STYLE_ATTRIBUTE.search('<link rel="stylesheet">')
    assert SCRIPT.search("<script>alert(1)</script>").group(1) == ""
