"""Every page's address holds only the parameters its view reads: an unknown one (a typo such
as ``staus=open``) or a value the page cannot use is a 422 page naming it, never read as "no
filter" (the list would look filtered and be whole). Views declare their parameters with
``resilience.web.query.accepts``; a page added without a declaration refuses every parameter
but ``lang``, which this test walks for every GET route of the web blueprint."""

from __future__ import annotations

import re

import pytest

FILLER = {"code": "id", "fmt": "csv", "action": "receive", "filename": "app.css"}


def _routes(app, event_id: int) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("web.") or "GET" not in rule.methods:
            continue
        values = {name: (event_id if name == "event_id" else FILLER.get(name, 1)) for name in rule.arguments}
        paths.append(rule.build(values)[1])
    return sorted(paths)


def _refused(page: str) -> list[str]:
    return re.findall(r"<li><code>(\w+)=", page)


def test_every_page_refuses_a_parameter_it_does_not_read(app, web_coordinator, seed):
    event = seed.event()
    paths = _routes(app, event["id"])
    assert len(paths) > 40 and "/alerts" in paths and f"/events/{event['id']}/board" in paths
    for path in paths:
        response = web_coordinator.get(path + "?staus=open")
        assert response.status_code == 422, path
        if not path.endswith("/board/rows"):  # the rows the board polls: the page shows the error
            assert "staus" in response.get_data(as_text=True), path


@pytest.mark.parametrize("query, names", [
    ("priority=9&category=boat&status=x&vulnerable=yes&sort=age&event=1x", ["category", "event", "priority", "sort",
                                                                          "status", "vulnerable"]),
    ("q=" + "a" * 201, ["q"]),
    ("page=0", ["page"]),
    ("page=99999999999999", ["page"]),
    ("lang=fr", ["lang"]),
])
def test_households_list_refuses_values_it_cannot_use(web_coordinator, query, names):
    response = web_coordinator.get("/households?" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and sorted(_refused(page)) == names
    assert "Alamat halaman ini tidak bisa dibaca" in page and 'href="/households"' in page


def test_the_filters_pages_still_read_what_they_declare(web_coordinator, seed):
    event = seed.event()
    ok = [f"/households?event={event['id']}&area=62.71.05.1004&category=food&priority=4&status=live&vulnerable=1"
          "&q=Siti&sort=name&page=1&lang=en",
          "/volunteers?skill=boat&availability=available&q=Budi&page=1", "/alerts?state=all&kind=long_wait&page=2",
          "/stock/ledger?kind=receipt&page=1", f"/events/{event['id']}/stock?days=14", "/audit/verify?full=1",
          "/stock/receive?depot_id=1&item_code=BERAS", f"/households/import?event={event['id']}&mode=valid_rows",
          "/login?next=/alerts"]
    for path in ok:
        response = web_coordinator.get(path)
        assert response.status_code in (200, 302), (path, _refused(response.get_data(as_text=True)))
    assert web_coordinator.get(f"/events/{event['id']}/stock?days=91").status_code == 422
    assert web_coordinator.get("/stock/ledger?kind=theft").status_code == 422
    assert web_coordinator.get("/volunteers?skill=flying").status_code == 422
