"""The report's counts an overseer asks for first: vulnerable households not yet reached per
kelurahan, and the SMS figures (sent, delivered, failed by code, replies, opt-outs)."""

from __future__ import annotations

from sqlalchemy import update

from resilience.extensions import db
from resilience.sms.models import SmsMessage
from resilience.volunteers.models import Volunteer
from tests.reports.test_report import _ok, _report, build_scenario


def test_vulnerable_households_not_reached_per_kelurahan(coordinator, official, seed):
    built = build_scenario(coordinator, seed)
    report = _ok(_report(official, built["event"]["id"]))
    rows = {row["code"]: row for row in report["kelurahan"]}
    # Siti (an elderly member and a toddler) still waits for food; Yohanes (none) is served;
    # Maria (chronically ill) has a volunteer on the way: not reached yet either.
    assert rows["62.71.05.1004"]["vulnerable_households"] == {"affected": 1, "not_reached": 1}
    assert rows["62.71.05.1007"]["vulnerable_households"] == {"affected": 1, "not_reached": 1}
    assert report["totals"]["vulnerable_households"] == {"affected": 2, "not_reached": 2}
    csv_text = _report(official, built["event"]["id"], format="csv").get_data(as_text=True)
    assert "#inneed+hh+vulnerable" in csv_text


def test_sms_figures_of_the_event(coordinator, official, seed):
    built = build_scenario(coordinator, seed)
    event_id = built["event"]["id"]
    db.session.rollback()
    first = db.session.scalars(SmsMessage.__table__.select().where(SmsMessage.direction == "outbound")
                               .order_by(SmsMessage.id).limit(1)).first()
    db.session.execute(update(SmsMessage).where(SmsMessage.id == first).values(status="failed", error_code=30006))
    db.session.execute(update(Volunteer).where(Volunteer.id == built["volunteers"]["cook"]["id"]).values(sms_opt_out=True))
    db.session.commit()
    sms = _ok(_report(official, event_id))["sms"]
    outbound = db.session.query(SmsMessage).filter(SmsMessage.direction == "outbound", SmsMessage.task_id.is_not(None)).count()
    inbound = db.session.query(SmsMessage).filter(SmsMessage.direction == "inbound", SmsMessage.task_id.is_not(None)).count()
    db.session.rollback()
    assert sms["outbound"] == outbound >= 3 and sum(sms["by_status"].values()) == outbound
    assert sms["by_status"]["failed"] == 1 and sms["failed_by_code"] == {"30006": 1}
    assert sms["inbound"] == inbound and sms["opted_out_volunteers"] == 1
