"""Every web page in Bahasa Indonesia, as a coordinator and as an official, on the demo data
(households, needs, proposed and offered tasks, SMS, stock, report) and with forms rejected
for bad input: no English may appear.

English is recognised two ways: any phrase of the English catalogue (message ids and `en`
translations, split at their placeholders) whose Indonesian wording differs, and common English
words that never occur in Indonesian text."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.catalogues import catalogue

ENGLISH_WORDS = re.compile(
    r"\b(the|The|Not a valid|Missing data|must be|Must be|is not|cannot|already|should|please|Please|"
    r"required|Required|invalid|Invalid|Unknown|unknown|Error|Not found|Forbidden)\b"
)
# A decimal point before a unit is English number formatting (Indonesian writes 0,6 km; a point
# before three digits is Indonesian grouping: 5.428 kg).
POINT_DECIMALS = re.compile(r"\b\d+\.(?:\d{1,2}|\d{4,}) ?(?:km|kg|m|l)\b")
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
ATTRIBUTES = re.compile(r'\s(?:title|aria-label|placeholder|alt|data-none|data-short)="([^"]*)"')


def _english_phrases() -> list[str]:
    indonesian, english = catalogue("id"), catalogue("en")
    phrases = set()
    for entry in english:
        if not entry.id:
            continue
        translated = indonesian.get(entry.id, context=entry.context)
        for text in (entry.id, entry.string):
            if not text or (translated is not None and translated.string == text):
                continue
            for fragment in re.split(r"%\(\w+\)[sdrf]|%%", text):
                fragment = fragment.strip(" .,:;()—-")
                if len(fragment) >= 12 and " " in fragment and fragment not in (translated.string if translated else ""):
                    phrases.add(fragment)
    return sorted(phrases, key=len, reverse=True)


PHRASES = _english_phrases()


def visible_text(page: str) -> str:
    body = page.split("<body", 1)[-1]
    attributes = " | ".join(ATTRIBUTES.findall(body))
    return html.unescape(TAGS.sub(" ", body) + " | " + attributes)


def english_in(page: str, data: tuple[str, ...] = ()) -> list[str]:
    text = visible_text(page)
    for value in data:  # operator-provided text (the minimum-needs profiles' sources) is data
        text = text.replace(value, " ")
    found = [p for p in PHRASES if p in text] + POINT_DECIMALS.findall(text)
    found += [m.group(0) + " …" + text[max(0, m.start() - 40):m.end() + 40].strip() + "…"
              for m in ENGLISH_WORDS.finditer(text)]
    return found


@pytest.fixture
def demo(app):
    from sqlalchemy import select

    from resilience.core.transaction import unit_of_work
    from resilience.demo.load import load_demo
    from resilience.events.models import FloodEvent
    from resilience.extensions import db
    from resilience.households.models import Household
    from resilience.needs.models import Need
    from resilience.stock.models import Depot, Item
    from resilience.volunteers.models import Volunteer, VolunteerGroup

    with unit_of_work():
        load_demo(2024)
    event = db.session.scalar(select(FloodEvent))
    need = db.session.scalar(select(Need).where(Need.event_id == event.id).order_by(Need.id))
    volunteer = db.session.scalar(select(Volunteer).order_by(Volunteer.id))
    return {
        "event": event.id, "household": need.household_id, "need": need.id, "volunteer": volunteer.id,
        "group": db.session.scalar(select(VolunteerGroup.id)), "phone": volunteer.phone,
        "households": db.session.scalar(select(Household.id).order_by(Household.id.desc())),
        "depot": db.session.scalar(select(Depot.id)), "item": db.session.scalar(select(Item.code)),
    }


def _pages(d: dict) -> list[str]:
    e, h, n, v, g = d["event"], d["household"], d["need"], d["volunteer"], d["group"]
    return [
        "/events", "/events/new", f"/events/{e}", "/households", f"/households?event={e}&sort=priority",
        f"/households/{h}", f"/households/{h}/edit", f"/needs/{n}/edit", f"/events/{e}/households/new",
        f"/events/{e}/match", "/reports", f"/events/{e}/report", "/volunteers", "/volunteers/new",
        f"/volunteers/{v}/edit", "/groups", f"/groups/{g}/edit", f"/volunteers/{v}/sms", "/stock",
        "/stock/ledger", f"/events/{e}/stock", "/stock/receive", "/stock/transfer", "/stock/distribute",
        "/stock/adjust", "/stock/depots/new", "/stock/items/new", "/households/999999", "/alerts",
        "/alerts?state=all", "/login",
        f"/events/{e}/board", f"/events/{e}/board?state=offered", f"/events/{e}/board/rows",
        f"/events/{e}/board?colour=red&priority=9", f"/events/{e}/edit",
    ]


def _rejected_forms(d: dict) -> list[tuple[str, dict]]:
    e, h, n, v = d["event"], d["household"], d["need"], d["volunteer"]
    return [
        ("/events/new", {"name": "", "started_at": "kemarin", "offer_timeout_minutes": "x"}),
        (f"/events/{e}/area", {"affected_area": '{"type": "Point", "coordinates": [1, 2]}'}),
        (f"/events/{e}/households/new", {"head_name": "", "phone": "12", "nik": "12ab", "kk_number": "0000000000000000",
                                          "lat": "113.7", "lon": "-1.6", "members": "2", "elderly": "9",
                                          "category": "candy"}),
        (f"/households/{h}/edit", {"head_name": " ", "phone": "+999 1", "lat": "95", "lon": "200", "members": "x"}),
        (f"/needs/{n}/edit", {"status": "assigned", "priority": "5", "priority_reason": ""}),
        (f"/households/{h}/needs", {"category": "", "notes": "x" * 3000}),
        ("/volunteers/new", {"name": "", "phone": "021 555 1234", "capacity": "-1", "skills": ["boat", "boat"]}),
        (f"/volunteers/{v}/edit", {"name": "A", "phone": "0812", "lat": "-1.6"}),
        ("/groups", {"name": "", "kind": "club", "lat": "-1.6"}),
        ("/stock/receive", {"depot_id": "", "item_code": "", "quantity": "1,5.0"}),
        ("/stock/adjust", {"depot_id": str(d["depot"]), "item_code": d["item"], "quantity": "-999999"}),
        ("/stock/depots/new", {"name": "", "kind": "", "lat": "x"}),
        ("/stock/items/new", {"code": "beras!", "name": "", "unit": "kg", "category": "food"}),
        (f"/events/{e}/match", {"max_distance_km": "jauh"}),
        (f"/events/{e}/edit", {"name": " ", "status": "gone", "offer_timeout_minutes": "0", "long_wait_minutes": "x",
                               "checkin_after_minutes": "99999", "checkin_escalate_minutes": "",
                               "duty_phone": "021 555 1234"}),
    ]


def _raise_every_alert_kind(d: dict) -> None:
    """One alert of each kind, so the alerts page words them all."""
    from resilience.alerts.operations import raise_alert
    from resilience.core.db import reset_read_only, set_read_only
    from resilience.extensions import db

    e, n, v = d["event"], d["need"], d["volunteer"]
    db.session.rollback()
    token = set_read_only(False)
    try:
        need = {"event_id": e, "need_id": n, "params": {"category": "food", "priority": 5, "minutes": 45,
                                                         "threshold": 30, "expiries": 2}}
        raise_alert(db.session, "no_candidate", f"need:{n}", **need)
        raise_alert(db.session, "long_wait", f"need:{n}", **need)
        raise_alert(db.session, "repeated_expiry", f"need:{n}", **need)
        raise_alert(db.session, "sms_failed", "sms:1", event_id=e, volunteer_id=v,
                    params={"sms_kind": "offer", "error_code": 30003, "task_code": "T1"})
        raise_alert(db.session, "opted_out_with_tasks", f"volunteer:{v}", event_id=e, volunteer_id=v,
                    params={"tasks": ["T1"], "count": 1})
        raise_alert(db.session, "safety_escalation", "task:1", severity="emergency", event_id=e, volunteer_id=v,
                    params={"category": "evacuation"})
        raise_alert(db.session, "no_candidate", "need:999999", event_id=e, params={"category": "water", "priority": 4})
        db.session.commit()
    finally:
        reset_read_only(token)


def _walk(client, d: dict, data: tuple[str, ...]) -> dict[str, list[str]]:
    problems = {}
    for path in _pages(d):
        response = client.get(path)
        assert response.status_code < 500, path
        if response.mimetype == "text/html" and response.status_code < 300 or response.status_code >= 400:
            found = english_in(response.get_data(as_text=True), data)
            if found:
                problems[f"GET {path}"] = found[:5]
    return problems


def test_no_english_on_any_page_in_indonesian(app, demo, web_coordinator, web_official):
    from resilience.stock.profiles import current_profiles

    profiles = current_profiles()
    data = tuple(sorted({text for p in profiles for text in (p.source, p.name)} |
                        {line.source for p in profiles for line in p.lines if line.source}, key=len, reverse=True))
    e = demo["event"]
    # a proposal and offers, so the matching page and the SMS page have tasks and messages
    assert web_coordinator.post(f"/events/{e}/match", {"max_distance_km": "5"}).status_code == 302
    assert web_coordinator.post(f"/events/{e}/dispatch", {}).status_code == 302

    _raise_every_alert_kind(demo)
    problems = _walk(web_coordinator, demo, data)
    statuses = {}
    for path, form in _rejected_forms(demo):
        web_coordinator.get("/events")
        response = web_coordinator.post(path, form)
        statuses[path] = response.status_code
        if response.status_code == 302:
            response = web_coordinator.get(response.headers["Location"])
        found = english_in(response.get_data(as_text=True), data)
        if found:
            problems[f"POST {path}"] = found[:5]
    # every form was refused (422/409/400), so its messages are on the page being checked
    assert {path: status for path, status in statuses.items() if not 400 <= status < 500} == {}
    problems.update({f"official {k}": v for k, v in _walk(web_official, demo, data).items()})
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_the_check_finds_english():
    page = "<body><p>Nama</p><p title='x'>Must be greater than or equal to 1.</p></body>"
    assert english_in(page)
    assert english_in("<body><p>Household list</p></body>") == ["Household list"]
    assert english_in("<body><td>0.6 km</td><td>0,6 km</td></body>") == ["0.6 km"]
    assert english_in('<body><button aria-label="Remove the task">x</button></body>')
    assert english_in("<body><p>Daftar rumah tangga</p><script>var the = 1;</script></body>") == []
