"""The public transparency page /transparansi/{id}: off until the event is public, no login,
aggregates per kelurahan with cells of fewer than 5 households suppressed, no personal value,
Indonesian by default, a QR code of its address, cacheable."""

from __future__ import annotations

import html
import re

import pytest

from resilience.reports.public import SMALL, public_view, suppress
from tests.conftest import MUNGKU_BARU

BUKIT_SUA = {"lat": -1.6794, "lon": 113.67}  # 62.71.05.1007
TANGKILING = {"lat": -1.95, "lon": 113.67}


def _near(point: dict, i: int) -> dict:
    return {"lat": point["lat"] + 0.0004 * (i % 3), "lon": point["lon"] + 0.0004 * (i // 3)}


@pytest.fixture
def flood(coordinator, seed):
    """Mungku Baru: 6 households waiting for food (shown); Bukit Sua: 2 waiting for water and
    Tangkiling 3 (both hidden, so no second cell needs hiding)."""
    event = seed.event(name="Banjir Rungan Terbuka")
    people = []
    for i in range(6):
        household = seed.household(nik=None, kk_number=None, phone=f"0812-7000-00{i:02d}",
                                   head_name=f"Warga Mungku Nomor {i}", address=f"Jl. Rahasia {i}",
                                   location=_near(MUNGKU_BARU, i))
        seed.need(event["id"], household["id"], "food", notes=f"catatan pribadi {i}")
        people.append(household)
    for i, point in enumerate((BUKIT_SUA, BUKIT_SUA, TANGKILING, TANGKILING, TANGKILING)):
        household = seed.household(nik=None, kk_number=None, phone=f"0812-7100-00{i:02d}",
                                   head_name=f"Warga Lain Nomor {i}", location=_near(point, i))
        seed.need(event["id"], household["id"], "water")
        people.append(household)
    return {"event": event, "households": people}


def _publish(coordinator, event_id, public=True):
    response = coordinator.patch(f"/api/v1/events/{event_id}", json={"public": public})
    assert response.status_code == 200 and response.get_json()["public"] is public


def test_a_page_that_is_off_is_a_404_and_a_coordinator_turns_it_on(app, coordinator, flood):
    client = app.test_client()
    event_id = flood["event"]["id"]
    assert client.get(f"/transparansi/{event_id}").status_code == 404  # default: off
    assert client.get(f"/transparansi/{event_id}/qr.svg").status_code == 404
    assert client.get("/transparansi/999999").status_code == 404
    _publish(coordinator, event_id)
    assert client.get(f"/transparansi/{event_id}").status_code == 200  # no login
    _publish(coordinator, event_id, False)
    assert client.get(f"/transparansi/{event_id}").status_code == 404


def test_small_cells_are_hidden_and_no_personal_value_appears(app, coordinator, flood):
    event_id = flood["event"]["id"]
    _publish(coordinator, event_id)
    response = app.test_client().get(f"/transparansi/{event_id}")
    page = response.get_data(as_text=True)
    for household in flood["households"]:
        for value in (household["head_name"], household["address"], household["phone"], "catatan pribadi",
                      str(household["location"]["lat"]), str(household["location"]["lon"])):
            assert value not in page, value
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-code="([\d.]*)">(.*?)</tr>', page, re.S)}
    cells = {code: [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                    for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)] for code, row in rows.items()}
    assert cells["62.71.05.1004"][:5] == ["6", "0", "0", "6", "0"]  # affected, helped, under way, waiting, aid
    assert cells["62.71.05.1007"][:5] == ["<5", "0", "0", "<5", "0"]
    assert "Banjir Rungan Terbuka" in page


def test_indonesian_by_default_english_on_request_cached_without_a_cookie(app, coordinator, flood):
    event_id = flood["event"]["id"]
    _publish(coordinator, event_id)
    client = app.test_client()
    indonesian = client.get(f"/transparansi/{event_id}")
    assert '<html lang="id">' in indonesian.get_data(as_text=True)
    english = client.get(f"/transparansi/{event_id}?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True)
    for response in (indonesian, english):
        assert response.cache_control.public and response.cache_control.max_age == 300
        assert "Set-Cookie" not in response.headers
    assert client.get(f"/transparansi/{event_id}").get_data(as_text=True).count('lang="id"') >= 1


def test_the_qr_code_is_an_svg_of_the_page_address(app, coordinator, flood):
    from resilience.web.transparency import qr_svg

    event_id = flood["event"]["id"]
    _publish(coordinator, event_id)
    client = app.test_client()
    page = client.get(f"/transparansi/{event_id}").get_data(as_text=True)
    address = f"http://localhost/transparansi/{event_id}"
    assert f'href="{address}"' in page and f"/transparansi/{event_id}/qr.svg" in page
    svg = client.get(f"/transparansi/{event_id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True) == qr_svg(address)  # the code of exactly this address
    assert qr_svg(address) != qr_svg(address + "0")
    assert svg.cache_control.public


def test_suppression_rules():
    assert [suppress(n) for n in (0, 1, 4, 5, 12, None)] == [0, SMALL, SMALL, 5, 12, None]
    summary = {"count": 0, "median_minutes": None, "p90_minutes": None}

    def kelurahan(code, affected, waiting, minutes=None, timed=0):
        return {"code": code, "name": code, "households": {"affected": affected, "served": affected - waiting,
                                                           "in_progress": 0, "waiting": waiting, "received_aid": 0},
                "needs_by_category": {"food": {"waiting": waiting}},
                "response_minutes": {"to_done": {"count": timed, "median_minutes": minutes, "p90_minutes": minutes},
                                     "to_accepted": summary}}

    report = {
        "event": {"id": 1, "name": "x", "status": "active", "started_at": None, "ended_at": None},
        "generated_at": "2026-03-10T07:30:00Z",
        "kelurahan": [kelurahan("A", 9, 3, 40.0, 6), kelurahan("B", 20, 7, 55.0, 4), kelurahan("C", 30, 12)],
        "totals": {"households": {"affected": 59, "served": 37, "in_progress": 0, "waiting": 22, "received_aid": 0},
                   "needs_by_category": {"food": {"waiting": 22}},
                   "response_minutes": {"to_done": {"count": 10, "median_minutes": 50.0}, "to_accepted": summary}},
        "aid": [{"item_name": "Beras", "unit": "kg", "category": "food", "quantity": 10, "households": 2},
                {"item_name": "Air", "unit": "l", "category": "water", "quantity": 300, "households": 15}],
        "audit": {"ok": True, "head_seq": 3, "head_hash": "a" * 64},
    }
    view = public_view(report)
    rows = {row["code"]: row for row in view["kelurahan"]}
    # A's 3 waiting is hidden; B's 7, the next smallest, too, or 22 - 7 - 12 would give A's
    assert (rows["A"]["waiting"], rows["B"]["waiting"], rows["C"]["waiting"]) == (SMALL, SMALL, 12)
    assert rows["A"]["median_to_done_minutes"] == 40.0 and rows["B"]["median_to_done_minutes"] is None  # 4 needs
    assert view["aid"][0] == {"item_name": "Beras", "unit": "kg", "category": "food", "households": SMALL,
                              "quantity": None}
    assert view["aid"][1]["quantity"] == 300 and view["totals"]["waiting"] == 22


def test_the_public_page_is_in_indonesian(app, coordinator, flood):
    from tests.web.test_indonesian_pages import english_in

    _publish(coordinator, flood["event"]["id"])
    page = app.test_client().get(f"/transparansi/{flood['event']['id']}").get_data(as_text=True)
    assert english_in(page) == []
    assert "Transparansi penanganan banjir" in page and "&lt;5" in page


def test_aid_per_kelurahan_hides_small_cells(app, coordinator, flood):
    """Rice to the 6 Mungku Baru households (shown, with the quantity), to 2 in Bukit Sua and 3
    in Tangkiling (both <5, without the quantity: it would tell what a family got)."""
    from tests import factories

    event_id = flood["event"]["id"]
    factories.item("BERAS", "Beras", "kg", "food")
    depot = factories.depot(name="Posko Mungku", kind="posko", location=MUNGKU_BARU)
    factories.movement(depot, kind="receipt", item_code="BERAS", quantity=100, donor="Dinas Sosial")
    for household in flood["households"]:
        factories.movement(depot, kind="issue", item_code="BERAS", quantity=2.5, household_id=household["id"],
                           event_id=event_id)
    _publish(coordinator, event_id)
    page = app.test_client().get(f"/transparansi/{event_id}").get_data(as_text=True)
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-aid-code="([\d.]*)">(.*?)</tr>', page, re.S)}
    cells = {code: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.search(r'<td [^>]*data-item="BERAS">(.*?)</td>',
                                                                           row, re.S).group(1))).split())
             for code, row in rows.items()}
    assert cells["62.71.05.1004"] == "15 kg 6 KK"
    assert cells["62.71.05.1007"] == "<5 KK"
    assert [c for code, c in cells.items() if code not in ("62.71.05.1004", "62.71.05.1007")] == ["<5 KK"]


def test_one_hidden_kelurahan_hides_the_next_smallest_aid_cell():
    from resilience.reports.public import aid_by_kelurahan

    def kelurahan(code, households):
        return {"code": code, "name": code, "aid": [{"item_code": "BERAS", "item_name": "Beras", "unit": "kg",
                                                     "quantity": 2.0 * households, "households": households}]}

    report = {"aid": [{"item_code": "BERAS", "item_name": "Beras", "unit": "kg", "households": 18}],
              "kelurahan": [kelurahan("A", 2), kelurahan("B", 6), kelurahan("C", 10)]}
    cells = {row["code"]: row["cells"]["BERAS"] for row in aid_by_kelurahan(report)["kelurahan"]}
    assert cells == {"A": {"households": SMALL, "quantity": None}, "B": {"households": SMALL, "quantity": None},
                     "C": {"households": 10, "quantity": 20.0}}
