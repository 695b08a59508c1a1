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


def _web_login(app, email: str, password: str) -> int:
    """Status of the login form posted as a browser would (with the page's CSRF token)."""
    import re

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def test_demo_logins_open_the_web_pages_and_are_new_on_every_run(app):
    from resilience.demo.load import demo_logins

    app.extensions["web_login_limiter"].reset()
    with unit_of_work():
        first = demo_logins(db.session)
    assert [(role, email) for role, email, _ in first] == [
        ("coordinator", "koordinator@demo.resilience.id"), ("official", "pejabat@demo.resilience.id")]
    for _role, email, password in first:
        assert len(password) >= 12
        assert _web_login(app, email, password) == 302
    with unit_of_work():
        second = demo_logins(db.session)
    for (_role, email, old), (_, _, new) in zip(first, second):
        assert new != old
        assert _web_login(app, email, new) == 302
        assert _web_login(app, email, old) == 401
    app.extensions["web_login_limiter"].reset()
