"""The demo loads on both databases through the real operations, once."""

from sqlalchemy import func, select

from resilience.audit.chain import verify
from resilience.core.transaction import unit_of_work
from resilience.demo.generate import generate
from resilience.demo.load import load_demo
from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.households.models import Household
from resilience.needs.models import Need
from resilience.volunteers.models import Volunteer


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_once_and_matches_the_generator(app):
    data = generate(2024)
    with unit_of_work():
        summary = load_demo(2024)
    assert "households" in summary and "token: rsl_" in summary
    db.session.rollback()
    assert _count(Household) == len(data["households"])
    assert _count(Need) == len(data["needs"])
    assert _count(Volunteer) == len(data["volunteers"])
    event = db.session.scalar(select(FloodEvent))
    codes = {a.code for a in event.admin_areas}
    assert "62.71.05.1004" in codes and len(codes) >= 10
    # The server derives each household's kelurahan itself; it agrees with the generator.
    derived = [h.admin_area.code for h in db.session.scalars(select(Household).order_by(Household.id))]
    assert derived == [h["kelurahan_code"] for h in data["households"]]
    with unit_of_work():
        assert load_demo(2024) == "demo already loaded (nothing changed)"
    db.session.rollback()
    assert _count(Household) == len(data["households"])
    assert verify(db.session).ok
