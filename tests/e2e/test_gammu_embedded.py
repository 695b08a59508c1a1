"""The posko without internet: the embedded default (SQLite, no Redis) with SMS_BACKEND=gammu on
Gammu's dummy modem. A task is offered and goes out through the modem; the volunteer's reply
lands in the modem's inbox; the embedded scheduler thread (as ``resilience serve`` runs it)
polls it in and the task is accepted; the confirmation goes out through the modem too."""

import time

from sqlalchemy import select

from resilience.app import create_app
from resilience.cli import upgrade_database
from resilience.core.db import set_read_only
from resilience.core.embedded import EmbeddedScheduler
from resilience.extensions import db
from resilience.sms.models import SmsMessage
from resilience.sms.tasks import POLL_MODEM_TASK
from tests.conftest import ApiClient, Seed, _token, make_settings
from tests.sms.gammu_dummy import Phone, write_config


def test_offer_reply_accept_through_the_modem_on_the_embedded_default(tmp_path):
    config = write_config(tmp_path)
    settings = make_settings(f"sqlite:///{tmp_path / 'posko.db'}", tmp_path, SMS_BACKEND="gammu",
                             GAMMU_CONFIG=str(config), GAMMU_MAX_PER_SECOND="20")
    assert settings.embedded and settings.is_sqlite
    app = create_app(settings, TESTING=True)
    with app.app_context():
        upgrade_database()
        client = ApiClient(app.test_client(), _token(app, "koordinator@posko.test", "coordinator"))
        db.session.remove()
    set_read_only(True)  # the test thread only reads: it must not hold SQLite's write lock
    try:
        with app.app_context():  # the seed builds rows with the factories, in this app
            _posko(app, client, Phone(config))
    finally:
        set_read_only(False)
        with app.app_context():
            db.engine.dispose()


def _posko(app, client, phone):
    seed = Seed(client)
    event = seed.event()
    household = seed.household(nik=None, location={"lat": -1.6346, "lon": 113.6858})
    seed.need(event["id"], household["id"], "evacuation")
    volunteer = seed.volunteer(name="Rahmat", skills=["boat"], location={"lat": -1.64, "lon": 113.69})
    client.post(f"/api/v1/events/{event['id']}/match")
    [task] = client.post(f"/api/v1/events/{event['id']}/dispatch").get_json()["offered"]

    def messages():
        with app.app_context():
            rows = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id)).all()
            db.session.remove()
            return [(m.direction, m.kind, m.status, m.provider_sid or "") for m in rows]

    [offer] = messages()
    assert offer[:3] == ("outbound", "offer", "sent") and offer[3].startswith("gammu:")

    scheduler = EmbeddedScheduler(app, tick=0.1)
    scheduler.start()
    try:
        phone.deliver("0" + volunteer["phone"][3:], f"YA {task['code']}")
        scheduler.next_run[POLL_MODEM_TASK] = 0  # due now (every 10 s otherwise)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and phone.inbox_files():
            time.sleep(0.1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and client.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] != "accepted":
            time.sleep(0.1)
    finally:
        scheduler.stopped.set()
        scheduler.join(10)
    assert client.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "accepted"
    rows = messages()
    assert [r[:2] for r in rows] == [("outbound", "offer"), ("inbound", "reply"), ("outbound", rows[2][1])]
    assert rows[1][2] == "received" and rows[1][3].startswith("gammu-in:")
    assert rows[2][2] == "sent" and rows[2][3].startswith("gammu:")  # the confirmation, by the modem
    assert phone.inbox_files() == []
