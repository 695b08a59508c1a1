"""Accessibility checks that need no browser: colour contrast computed from app.css (WCAG 2.1
relative luminance), and the structure of every page this app renders for staff — the page
language, landmarks, a label for every form control, legends, table headers, unique ids.
Keyboard use and phone widths are driven in Chromium by test_browser.py."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import MUNGKU_BARU

STATIC = Path(__file__).resolve().parents[2] / "resilience" / "web" / "static"


# --------------------------------------------------------------------------- contrast

def _palette() -> dict[str, str]:
    css = (STATIC / "app.css").read_text()
    root = re.search(r":root\s*\{(.*?)\}", css, re.S).group(1)
    return {name: value.lower() for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root)}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near-miss
    assert contrast("#767676", "#ffffff") >= 4.5


PRIORITIES = ("p5", "p4", "p3", "p2", "p1", "done")
SYMBOLS = PRIORITIES + ("available", "busy", "off", "accent")
WHITE, MAP_BACKGROUND = "#ffffff", "#f4f6f8"


def test_text_colours_meet_aa():
    c = _palette()
    pairs = {
        "body text": (c["fg"], c["bg"]), "muted text": (c["muted"], c["bg"]), "links": (c["accent"], c["bg"]),
        "errors": (c["err"], c["bg"]), "header and buttons": (WHITE, c["accent"]),
        "info message": (c["fg"], c["info-bg"]), "error message": (c["fg"], c["err-bg"]),
        "warning message": (c["fg"], c["warn-bg"]), "muted on info": (c["muted"], c["info-bg"]),
        "muted on error": (c["muted"], c["err-bg"]),
    }
    pairs.update({f"priority badge {p}": (WHITE, c[p]) for p in PRIORITIES})
    low = {name: round(contrast(*pair), 2) for name, pair in pairs.items() if contrast(*pair) < 4.5}
    assert low == {}, f"below 4.5:1: {low}"


def test_map_symbols_and_focus_ring_meet_non_text_contrast():
    c = _palette()
    low = {}
    for name in SYMBOLS:
        for background in (WHITE, MAP_BACKGROUND):
            ratio = contrast(c[name], background)
            if ratio < 3:
                low[f"{name} on {background}"] = round(ratio, 2)
    # the focus ring: yellow next to the blue header, dark ring next to white pages
    for name, pair in {"focus on header": (c["focus"], c["accent"]), "ring on page": (c["fg"], c["bg"])}.items():
        if contrast(*pair) < 3:
            low[name] = round(contrast(*pair), 2)
    assert low == {}, f"below 3:1: {low}"


def test_priority_colours_are_distinct_from_each_other():
    c = _palette()
    colours = [c[p] for p in PRIORITIES]
    assert len(set(colours)) == len(colours)


def test_map_scripts_use_only_colours_defined_in_app_css():
    names = set(_palette())
    used = set(re.findall(r'color\("([\w-]+)"\)', (STATIC / "maps.js").read_text()))
    assert used and used <= names, used - names
    for script in ("dashboard.js", "match.js", "draw.js", "board.js"):
        text = (STATIC / script).read_text()
        hard_coded = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", text)) - {"#fff"}  # white fills only
        assert hard_coded == set(), (script, hard_coded)


# --------------------------------------------------------------------------- page structure

class Page(HTMLParser):
    """Collects what the checks need from one HTML page."""

    CONTROLS = ("input", "select", "textarea")

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.tags = Counter()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.fieldsets = 0
        self.legends = 0
        self.header_cells: list[dict] = []
        self.buttons: list[dict] = []
        self.skip_links: list[str] = []
        self._button = None
        self._label_depth = 0
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in self.CONTROLS and a.get("type") != "hidden":
            self.controls.append({**a, "_tag": tag, "_wrapped": self._label_depth > 0})
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1
        elif tag == "thead":
            self._in_thead = True
        elif tag == "th":
            self.header_cells.append({**a, "_in_thead": self._in_thead})
        elif tag == "button":
            self._button = {**a, "_text": ""}
        elif tag == "a" and (a.get("class") or "") == "skip":
            self.skip_links.append(a.get("href"))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1
        elif tag == "thead":
            self._in_thead = False
        elif tag == "button" and self._button is not None:
            self.buttons.append(self._button)
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["_text"] += data.strip()


def check_page(html: str, lang: str = "id", logged_in: bool = True) -> Page:
    page = Page()
    page.feed(html)
    assert page.html_lang == lang
    assert page.tags["main"] == 1 and page.tags["header"] == 1 and page.skip_links == ["#main"]
    assert "main" in page.ids
    if logged_in:
        assert page.tags["nav"] >= 1
    assert page.tags["h1"] == 1
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert duplicates == [], f"ids used twice: {duplicates}"
    unlabelled = [
        c.get("id") or c.get("name") for c in page.controls
        if not (c.get("id") in page.label_for or c["_wrapped"] or c.get("aria-label") or c.get("aria-labelledby"))
    ]
    assert unlabelled == [], f"form controls without a label: {unlabelled}"
    assert page.fieldsets == page.legends
    assert all(th.get("scope") in ("col", "row") for th in page.header_cells)
    nameless = [b for b in page.buttons if not (b["_text"] or b.get("aria-label"))]
    assert nameless == [], f"buttons without a name: {nameless}"
    return page


def _event_with_proposal(seed) -> dict:
    event = seed.event()
    household = seed.household()
    seed.need(event["id"], household["id"], "evacuation")
    seed.volunteer(name="Budi Santoso", skills=["boat"], location={"lat": MUNGKU_BARU["lat"] - 0.01,
                                                                  "lon": MUNGKU_BARU["lon"]})
    response = seed.client.post(f"/api/v1/events/{event['id']}/match", json={})
    assert response.status_code in (200, 201) and response.get_json()["tasks"]
    return event


def test_login_page_structure(web):
    page = check_page(web.get("/login").get_data(as_text=True), logged_in=False)
    assert {"email", "password"} <= page.label_for


def test_staff_pages_structure_in_both_languages(web_coordinator, seed):
    event = _event_with_proposal(seed)
    paths = ["/events", "/events/new", f"/events/{event['id']}", f"/events/{event['id']}/match",
             f"/events/{event['id']}/board", f"/events/{event['id']}/edit"]
    for lang in ("id", "en"):
        web_coordinator.get(f"/lang/{lang}?next=/events")
        for path in paths:
            response = web_coordinator.get(path)
            assert response.status_code == 200, path
            page = check_page(response.get_data(as_text=True), lang=lang)
            if path == "/events/new":
                assert page.fieldsets == 2 and "f-affected_area" in page.label_for and "geojson-file" in page.label_for
            if path.endswith("/match"):
                assert any(th.get("scope") == "row" for th in page.header_cells)
            if path.endswith("/board"):
                assert {"f-state", "f-category", "f-priority", "f-kelurahan", "f-group", "f-volunteer"} <= page.label_for
            if path.endswith("/edit"):
                assert {"f-name", "f-status", "f-offer_timeout_minutes", "f-duty_phone", "f-public"} <= page.label_for


def test_dashboard_area_form_is_labelled_for_coordinators_and_absent_for_officials(web_coordinator, web_official, seed):
    event = seed.event()
    page = check_page(web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True))
    assert {"f-affected_area", "geojson-file", "f-clear_area"} <= page.label_for
    html = web_official.get(f"/events/{event['id']}").get_data(as_text=True)
    check_page(html)
    assert 'id="area-edit"' not in html and "draw.js" not in html


def test_group_pages_structure_in_both_languages(web_coordinator, seed):
    group = seed.group()
    for lang in ("id", "en"):
        web_coordinator.get(f"/lang/{lang}?next=/groups")
        for path in ("/groups", f"/groups/{group['id']}/edit"):
            response = web_coordinator.get(path)
            assert response.status_code == 200, path
            page = check_page(response.get_data(as_text=True), lang=lang)
            assert {"f-name", "f-kind", "f-leader", "f-lat", "f-lon"} <= set(page.label_for), path
