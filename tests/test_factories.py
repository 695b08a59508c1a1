"""tests/factories.py builds rows the way the API would: the same validation, the same audit
entries, committed, with nothing left open in the test's session; on both databases."""

import marshmallow as ma
import pytest
from sqlalchemy import select

from resilience.audit.models import AuditEntry
from resilience.core.errors import Conflict
from resilience.dispatch.models import Task
from resilience.extensions import db
from resilience.needs.models import Need
from resilience.sms.models import SmsMessage
from tests import factories


def test_rows_are_committed_audited_and_detached(app):
    event = factories.event()
    siti = factories.household(members=5)
    need = factories.need(event, siti, "evacuation")
    assert (need.event_id, need.household_id, need.status) == (event.id, siti.id, "open")
    assert need not in db.session and not db.session().in_transaction()
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("flood_event.created", factories.COORDINATOR), ("household.created", factories.COORDINATOR),
        ("need.created", factories.COORDINATOR)]
    assert siti.admin_area_id is not None  # derived from the point, as the API does


def test_invalid_data_is_refused_as_the_api_would(app):
    with pytest.raises(ma.ValidationError) as refused:
        factories.household(nik="123")
    assert set(refused.value.messages) == {"nik"}
    with pytest.raises(ma.ValidationError) as refused:
        factories.household(members=2, elderly=3)
    assert set(refused.value.messages) == {"elderly"}
    event = factories.event()
    siti = factories.household()
    factories.need(event, siti, "food")
    with pytest.raises(Conflict):
        factories.need(event, siti, "food")  # a second live need of the same category
    db.session.rollback()
    assert len(db.session.scalars(select(Need)).all()) == 1


def test_an_offered_task_assigns_the_need_and_queues_the_offer(app):
    event = factories.event()
    need = factories.need(event, factories.household(), "evacuation")
    volunteer = factories.volunteer(skills=["boat"])
    task = factories.task(event, need, volunteer, offer=True)
    assert task.status == "offered" and 0 < task.distance_m < 2000
    db.session.rollback()
    assert db.session.get(Need, need.id).status == "assigned"
    offers = db.session.scalars(select(SmsMessage).where(SmsMessage.task_id == task.id)).all()
    assert [(m.kind, m.phone) for m in offers] == [("offer", volunteer.phone)]
    proposed = factories.task(event, factories.need(event, factories.household(nik=None), "food"), volunteer)
    assert db.session.get(Task, proposed.id).status == "proposed"


def test_stock_and_accounts(app):
    depot = factories.depot()
    factories.item("BERAS", "Beras", "kg", "food")
    receipt = factories.movement(depot, "receipt", "beras", 12.5, donor="PMI")
    assert (receipt.kind, receipt.quantity_milli, receipt.depot_id) == ("receipt", 12500, depot.id)
    user = factories.user("relawan@posko.test", "coordinator")
    token = factories.token("relawan@posko.test")
    response = app.test_client().get("/api/v1/depots", headers={"Authorization": f"Bearer {token}"})
    assert user.role == "coordinator" and [d["id"] for d in response.get_json()["items"]] == [depot.id]
