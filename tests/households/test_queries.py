"""The household list's query (households.queries), shared by the list page and, for the text
search, the API's ``?q=``: need filters, the top priority of live needs, exact NIK search only
for a role that may see it, paging; on both databases."""

from __future__ import annotations

from resilience.events.models import FloodEvent
from resilience.households import queries
from resilience.households.queries import HouseholdFilters
from tests import factories

NIK = "6271054507800001"


def _names(session, **filters) -> list[str]:
    items, _total, _page = queries.household_page(session, HouseholdFilters(**filters), 1, 50)
    return [row["household"].head_name for row in items]


def test_filters_search_and_identity(app, db_session, coordinator):
    flood = factories.event()
    siti = factories.household()  # NIK, vulnerable members
    rahmat = factories.household(head_name="Rahmat Hidayat", nik=None, kk_number=None, elderly=0,
                                 children_under5=0, address="Jl. Tjilik Riwut")
    factories.need(flood, siti, "food")
    factories.need(flood, rahmat, "evacuation")
    event = db_session.get(FloodEvent, flood.id)

    assert _names(db_session, event=event) == ["Rahmat Hidayat", "Siti Aminah"]  # evacuation outranks food
    assert _names(db_session, event=event, category="food") == ["Siti Aminah"]
    assert _names(db_session, event=event, vulnerable=True) == ["Siti Aminah"]
    assert _names(db_session, q="tjilik") == ["Rahmat Hidayat"]
    assert _names(db_session, q=NIK, identity_search=True) == ["Siti Aminah"]
    assert _names(db_session, q=NIK) == []  # a role without personal data cannot probe NIKs
    assert _names(db_session, area="99.99") == []
    items, total, page = queries.household_page(db_session, HouseholdFilters(sort="name"), 9, 1)
    assert (total, page, [r["household"].head_name for r in items]) == (2, 2, ["Siti Aminah"])  # past the end: last
    [row] = queries.household_page(db_session, HouseholdFilters(event=event, category="food"), 1, 50)[0]
    assert [n.category for n in row["needs"]] == ["food"] and row["top"] == row["needs"][0].priority


def test_the_api_search_is_the_same_text_search(app, coordinator):
    factories.household(head_name="Rahmat Hidayat", nik=None, kk_number=None, landmark="dekat Pasar Kahayan")
    found = coordinator.get("/api/v1/households?q=pasar kahayan").get_json()
    assert [h["head_name"] for h in found["items"]] == ["Rahmat Hidayat"]
