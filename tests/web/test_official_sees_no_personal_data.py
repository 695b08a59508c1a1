"""An official walks every GET route of the API and every web page on the demo flood (matched,
offered, answered by SMS, aid handed out) and finds no personal value of any household or
volunteer: names, NIK, KK numbers, phones, addresses and landmarks, exact points, need notes,
priority reasons, SMS bodies.

Routes come from the app's URL map, so a route added later is walked too: give its path
parameter a value in ``_values`` (the test says which one is missing)."""

from __future__ import annotations

import io
import re

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from tests.web.conftest import WebClient, make_user

# Routes that are not about the data (or not GET pages): skipped on purpose.
SKIP_ENDPOINTS = {"static", "web.static", "web.set_language", "api-docs.openapi_json"}
# Listing parameters that show everything at once in the API.
ALL = "per_page=500"


def _written(value: float) -> list[str]:
    """How one coordinate of an exact point can be written: the stored float, or rounded to 5
    or 6 decimals (about 1 m and 10 cm; a kelurahan is kilometres wide)."""
    return sorted({repr(value), f"{value:.6f}", f"{value:.5f}"}, key=len, reverse=True)


def _forms(value: float) -> str:
    """A pattern of ``_written(value)``, not followed by more digits."""
    return "(?:" + "|".join(re.escape(f) for f in _written(value)) + r")(?!\d)"


class _Point:
    """A point's pattern (``search`` like a compiled pattern's), which reads a text only when
    both coordinates are somewhere in it: a substring test is far cheaper than the pattern, and
    the walk tests ~200 points against each of ~200 answers."""

    def __init__(self, shape):
        lon, lat = _forms(shape.x), _forms(shape.y)
        self.pattern = re.compile(f"{lon}.{{0,30}}{lat}|{lat}.{{0,30}}{lon}", re.S)
        self.lon, self.lat = _written(shape.x), _written(shape.y)

    def search(self, text: str):
        if any(f in text for f in self.lon) and any(f in text for f in self.lat):
            return self.pattern.search(text)
        return None


def _point(shape) -> _Point:
    """A point is shown when its longitude and latitude stand together (a kelurahan boundary
    may pass through one of them alone): [lon, lat], {"lat": …, "lon": …}, POINT (lon lat)."""
    return _Point(shape)


def _phone_forms(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    local = "0" + digits[2:] if digits.startswith("62") else digits
    return [phone, digits, local]


def personal_values() -> tuple[set[str], list[_Point]]:
    from resilience.extensions import db
    from resilience.households.models import Household
    from resilience.needs.models import Need
    from resilience.sms.models import SmsMessage
    from resilience.volunteers.models import Volunteer, VolunteerGroup

    values: set[str] = set()
    points: list[_Point] = []
    for h in db.session.scalars(select(Household)):
        values |= {h.head_name, h.nik or "", h.kk_number or "", h.address, h.landmark, h.street or ""}
        if h.phone:
            values |= set(_phone_forms(h.phone))
        if h.location is not None and h.location_precision != "kelurahan":
            points.append(_point(to_shape(h.location)))
    for v in db.session.scalars(select(Volunteer)):
        values |= {v.name, *_phone_forms(v.phone)}
        points.append(_point(to_shape(v.location)))
    for g in db.session.scalars(select(VolunteerGroup)):
        values |= {g.leader or "", *(_phone_forms(g.leader_phone) if g.leader_phone else ())}
    for n in db.session.scalars(select(Need)):
        values |= {n.notes, n.priority_reason}
    for m in db.session.scalars(select(SmsMessage)):
        values |= {m.body[:40], *_phone_forms(m.phone)}
    db.session.rollback()
    # Short values ("-", "RT 1") would match anything; every real value is longer.
    return {v for v in values if v and len(v.strip()) >= 6}, points


@pytest.fixture
def demo_flood(app, coordinator):
    """The demo flood with a matching round offered by SMS, replies and aid handed out."""
    from resilience.core.transaction import unit_of_work
    from resilience.demo.load import load_demo
    from resilience.events.models import FloodEvent
    from resilience.extensions import db

    with unit_of_work():
        load_demo(2024)
    event = db.session.scalar(select(FloodEvent.id))
    db.session.rollback()
    assert coordinator.post(f"/api/v1/events/{event}/match", json={"max_distance_m": 5000}).status_code == 200
    offered = coordinator.post(f"/api/v1/events/{event}/dispatch").get_json()["offered"]
    assert offered
    volunteers = coordinator.get(f"/api/v1/volunteers?{ALL}").get_json()["items"]
    phones = {v["id"]: v["phone"] for v in volunteers}
    first = offered[0]
    assert coordinator.post("/api/v1/sms/simulate", json={"from": phones[first["volunteer_id"]],
                                                          "body": f"YA {first['code']}"}).status_code in (200, 201)
    # a resident's TOLONG: a help request (its phone and words are personal data)
    assert coordinator.post("/api/v1/sms/simulate", json={
        "from": "+6281377770001", "body": "TOLONG 4 orang terjebak di RT 03 Mungku Baru dekat masjid"}
    ).status_code in (200, 201)
    # the public page is on, so the walk reads it too (as the official, and it needs no login)
    assert coordinator.patch(f"/api/v1/events/{event}", json={"public": True}).status_code == 200
    return event


def _values(app) -> dict[str, list[str]]:
    """A value (or several) for every path parameter of the walked routes."""
    from resilience.areas.models import AdminArea
    from resilience.audit.models import AuditEntry
    from resilience.dispatch.models import Task
    from resilience.extensions import db
    from resilience.helprequests.models import HelpRequest
    from resilience.households.models import Household
    from resilience.needs.models import Need
    from resilience.reports.operations import FORMATS
    from resilience.stock.models import Depot, Item, StockMovement
    from resilience.volunteers.models import Volunteer, VolunteerGroup

    def first(column):
        return str(db.session.scalar(select(column).order_by(column)))

    values = {
        "event_id": [first(__import__("resilience.events.models", fromlist=["FloodEvent"]).FloodEvent.id)],
        "household_id": [first(Household.id)], "need_id": [first(Need.id)],
        "volunteer_id": [first(Volunteer.id)], "group_id": [first(VolunteerGroup.id)],
        "depot_id": [first(Depot.id)], "item_id": [first(Item.id)], "movement_id": [first(StockMovement.id)],
        "task_id": [first(Task.id)], "code": [first(AdminArea.code)], "fmt": list(FORMATS),
        "request_id": [first(HelpRequest.id)],
        "action": ["receive", "transfer", "distribute", "adjust"],
        # log entries: the first ones (the demo's households, volunteers) and the latest (SMS)
        "seq": [*(str(s) for s in range(1, 40)), *(str(s) for s in db.session.scalars(
            select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(40)))],
    }
    db.session.rollback()
    return values


def _paths(app) -> list[str]:
    values = _values(app)
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        missing = [name for name in rule.arguments if name not in values]
        assert not missing, f"give {rule.rule} a value for {missing} in _values"
        filled = [rule.rule]
        for name in rule.arguments:
            filled = [re.sub(r"<[^>]*\b" + name + ">", value, path) for path in filled for value in values[name]]
        paths += filled
    return sorted(set(paths))


def _extra(event: int) -> list[str]:
    """Listings with everything on one page, and the variants a page or format takes."""
    return [f"/api/v1/audit?{ALL}", f"/api/v1/sms?{ALL}", f"/api/v1/tasks?{ALL}", f"/api/v1/households?{ALL}",
            f"/api/v1/households?event={event}&{ALL}", f"/api/v1/events/{event}/needs?{ALL}",
            f"/api/v1/volunteers?{ALL}", f"/api/v1/stock/movements?{ALL}",
            f"/api/v1/events/{event}/households-without-aid?{ALL}", f"/api/v1/events/{event}/distributions?{ALL}",
            f"/households?event={event}", f"/households?event={event}&sort=priority",
            f"/audit?event={event}", "/audit?page=2", "/audit?entity_type=household", "/audit?entity_type=sms_message",
            "/audit?entity_type=need", "/audit?entity_type=task", "/audit?entity_type=volunteer", "/audit/export.jsonl",
            *(f"/events/{event}/report.csv?table={table}" for table in ("kelurahan", "waiting", "aid"))]


def _readable(response) -> str:
    """What a reader of the answer sees: the text of a PDF's pages and an XLSX's cells (their
    bytes are compressed, so scanning them would find nothing)."""
    if response.mimetype == "application/pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    if response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.data))
        return "\n".join(str(cell.value) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
                         if cell.value is not None)
    return response.get_data(as_text=True)


def _leaks(body: str, secrets: tuple[set[str], list[_Point]]) -> list[str]:
    texts, points = secrets
    # Every value is 6 characters or longer (personal_values), so one in the body starts with
    # one of the body's 6-character pieces: only those values are searched for (a set lookup
    # each instead of a scan of the whole answer for each of ~1,000 values).
    pieces = {body[i:i + 6] for i in range(len(body) - 5)}
    found = sorted(secret for secret in texts if secret[:6] in pieces and secret in body)
    for point in points:
        match = point.search(body)
        if match:
            found.append(match.group(0))
    return found


def test_an_official_finds_no_personal_data_on_any_route_or_page(app, demo_flood, official, limiter):
    secrets = personal_values()
    assert len(secrets[0]) > 500 and len(secrets[1]) > 200  # names, phones, notes, SMS bodies; points
    make_user("pejabat.jalan@bpbd.test", "official")
    web = WebClient(app.test_client())
    assert web.login("pejabat.jalan@bpbd.test").status_code == 302

    paths = _paths(app) + _extra(demo_flood)
    assert len(paths) > 60
    found, statuses = {}, {}
    for path in paths:
        client = official if path.startswith("/api/") else web
        response = client.get(path)
        statuses[path] = response.status_code
        assert response.status_code < 500, path
        leaks = _leaks(_readable(response), secrets)
        if leaks:
            found[path] = leaks[:4]
    assert found == {}, "\n".join(f"{path}: {leaks}" for path, leaks in found.items())
    # the walk read real data, not a row of refusals
    assert sum(1 for s in statuses.values() if s == 200) > 40, statuses


def test_the_walk_notices_a_leak(app, demo_flood, coordinator):
    """The same scan on what a coordinator sees finds names, phones and points."""
    secrets = personal_values()
    body = coordinator.get(f"/api/v1/households?{ALL}").get_data(as_text=True)
    assert len(_leaks(body, secrets)) > 100
    volunteers = coordinator.get(f"/api/v1/volunteers?{ALL}").get_data(as_text=True)
    assert sum(1 for point in secrets[1] if point.search(volunteers)) > 20  # their points, as pairs
