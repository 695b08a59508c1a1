"""Issue 16's "done when", for WhatsApp, as a coordinator would try it: switching a volunteer to
WhatsApp in the roster delivers the next offer there (and the reply there accepts it); cutting
the WhatsApp path makes the next offer fall back to SMS once, visibly — the message list and the
volunteer's conversation show both messages, each with its channel and why it switched."""

import pytest
from sqlalchemy import select

from resilience.extensions import db
from resilience.sms.models import SmsMessage
from tests import factories
from tests.conftest import Seed
from tests.sms.test_whatsapp import NEAR, _by_sms, _by_whatsapp, _inbound, _sweep
from tests.sms.test_whatsapp import client, wa_app  # noqa: F401  (fixtures)
from tests.web.conftest import WebClient, make_user

pytestmark = pytest.mark.slow


def _web(app):
    for name in ("web_login_limiter", "web_login_ip_limiter"):
        app.extensions[name].reset()
    make_user("koordinator.wa@posko.test", "coordinator")
    web = WebClient(app.test_client())
    assert web.login("koordinator.wa@posko.test").status_code == 302
    return web


def test_switch_to_whatsapp_then_cut_it(wa_app, client, fake):
    web = _web(wa_app)
    seed = Seed(client)
    event = seed.event()
    volunteer = seed.volunteer(name="Rina", skills=["boat"], location={"lat": -1.64, "lon": 113.69}, capacity=5)

    def offer():
        household = seed.household(nik=None, location=NEAR)
        need = seed.need(event["id"], household["id"], "evacuation")
        return factories.task(event["id"], need["id"], volunteer["id"], offer=True)

    first = offer()  # by SMS: she has not chosen WhatsApp
    assert [c.to for c in fake.wait_for_creates(1)] == [volunteer["phone"]]

    # The coordinator switches her to WhatsApp in the roster.
    switched = web.post(f"/volunteers/{volunteer['id']}/edit", {
        "name": "Rina", "phone": volunteer["phone"], "skills": ["boat"], "availability": "available",
        "capacity": "5", "lat": "-1.64", "lon": "113.69", "preferred_channel": "whatsapp"})
    assert switched.status_code == 302, switched.get_data(as_text=True)

    second = offer()  # the next offer reaches her on WhatsApp, by the approved template
    [by_whatsapp] = _by_whatsapp(fake)
    assert by_whatsapp.to == f"whatsapp:{volunteer['phone']}" and second.code in fake.message(by_whatsapp.sid)["body"]
    fake.send_status_callback(by_whatsapp.sid, "delivered")
    assert _inbound(fake, volunteer["phone"], f"YA {second.code}").status_code == 200
    assert client.get(f"/api/v1/tasks/{second.id}").get_json()["status"] == "accepted"
    assert client.get(f"/api/v1/tasks/{first.id}").get_json()["status"] == "offered"
    [_offer, confirmation] = _by_whatsapp(fake)  # free text now: her reply opened the window
    assert "ContentSid" not in confirmation.form and f"SELESAI {second.code}" in confirmation.body
    fake.send_status_callback(confirmation.sid, "read")

    # The WhatsApp path is cut: Twilio takes the next offer, her phone never gets it.
    fake.cut_whatsapp(mode="silent")
    sms_before = len(_by_sms(fake))
    third = offer()
    assert _sweep(601) == 1 and _sweep(3600) == 0  # by SMS once, however often the sweep runs
    sms_after = _by_sms(fake)
    assert len(sms_after) == sms_before + 1 and third.code in sms_after[-1].body
    assert sms_after[-1].to == volunteer["phone"]

    listed = client.get(f"/api/v1/sms?task={third.id}").get_json()["items"]
    shown = sorted((m["channel"], m["status"], m["channel_reason"], m["fallback_of_id"]) for m in listed)
    whatsapp_id = next(m["id"] for m in listed if m["channel"] == "whatsapp")
    assert shown == [("twilio", "sent", "whatsapp not delivered after 600 s", whatsapp_id),
                     ("whatsapp", "sent", "", None)]

    by_whatsapp_listed = client.get(f"/api/v1/sms?channel=whatsapp&volunteer={volunteer['id']}").get_json()["items"]
    assert sorted(m["kind"] for m in by_whatsapp_listed) == ["confirmation", "offer", "offer", "reply"]
    assert client.get("/api/v1/sms?channel=pigeon").status_code == 422

    page = web.get(f"/volunteers/{volunteer['id']}/sms").get_data(as_text=True)
    third_items = [part for part in page.split('<li class="msg')[1:] if third.code in part]
    assert len(third_items) == 2
    assert 'class="channel channel-whatsapp">WhatsApp<' in third_items[0]
    assert "Tidak terkirim lewat WhatsApp: dikirim ulang lewat SMS." in third_items[0]
    assert 'class="channel channel-twilio">SMS (Twilio)<' in third_items[1]
    assert "WhatsApp belum mengantarnya setelah 10 menit; dikirim ulang lewat SMS." in third_items[1]
    english = web.get(f"/volunteers/{volunteer['id']}/sms?lang=en").get_data(as_text=True)
    assert "WhatsApp had not delivered it after 10 minutes; sent again by SMS." in english

    web.get("/lang/id")
    board = web.get(f"/events/{event['id']}/board").get_data(as_text=True)
    row = {task.code: board.split(f'id="task-{task.id}"')[1].split("</tr>")[0] for task in (first, second, third)}
    assert "Tawaran:" not in row[first.code]  # by SMS only: nothing to say
    assert 'Tawaran: <span class="channel channel-whatsapp">WhatsApp</span></div>' in row[second.code]
    assert 'channel-twilio">SMS (Twilio)</span> (tidak sampai lewat WhatsApp)' in row[third.code]

    db.session.rollback()
    replies = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "inbound")).all()
    assert [(m.channel, m.volunteer_id) for m in replies] == [("whatsapp", volunteer["id"])]


def test_the_inbox_shows_an_undelivered_whatsapp_message_replaced_by_sms(wa_app, client, fake):
    web = _web(wa_app)
    seed = Seed(client)
    event = seed.event()
    volunteer = seed.volunteer(name="Yanti", skills=["boat"], preferred_channel="whatsapp")
    need = seed.need(event["id"], seed.household(nik=None, location=NEAR)["id"], "evacuation")
    fake.cut_whatsapp(mode="undelivered")
    task = factories.task(event["id"], need["id"], volunteer["id"], offer=True)
    assert fake.wait_for(lambda f: len([w for w in f.webhooks if w.kind == "status"]) == 2)
    page = web.get("/inbox?show=failed").get_data(as_text=True)
    [item] = [part for part in page.split('<li class="card inbox-item')[1:] if task.code in part]
    assert "channel-whatsapp" in item and "(kode 63024)" in item
    assert "Tidak terkirim lewat WhatsApp: dikirim ulang lewat SMS." in item and "attention-badge" not in item
    assert "WhatsApp tidak mengantarnya" not in item  # the SMS that replaced it did not fail: not listed
    assert web.get("/inbox").get_data(as_text=True).count(task.code) == 0  # nothing waits for a coordinator
