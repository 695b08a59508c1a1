"""The dashboard's need counts and the needs pages list (needs.queries); on both databases."""

from __future__ import annotations

from sqlalchemy import select

from resilience.needs import queries
from resilience.needs.models import Need
from tests import factories


def test_counts_served_and_lists(app, db_session, coordinator):
    flood = factories.event()
    siti = factories.household()
    rahmat = factories.household(head_name="Rahmat Hidayat", nik=None, kk_number=None)
    food = factories.need(flood, siti, "food")
    factories.need(flood, rahmat, "evacuation")
    with factories.writing() as session:  # Siti's only need is done: her household is served
        session.get(Need, food.id).status = "done"

    counts = queries.open_counts_by_priority(db_session, flood.id)
    assert sum(counts.values()) == 1 and list(counts) == [5]
    assert queries.households_served(db_session, flood.id) == 1
    assert [n.category for n in queries.open_needs_by_priority(db_session, flood.id)] == ["evacuation"]
    assert [n.household.head_name for n in queries.event_needs(db_session, flood.id)] == ["Siti Aminah", "Rahmat Hidayat"]
    assert [n.id for n in queries.household_needs(db_session, siti.id)] == [food.id]
    assert db_session.scalar(select(Need.status).where(Need.id == food.id)) == "done"
