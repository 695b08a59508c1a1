"""Reading the stored SMS in tests of the SMS loop (unit and end to end)."""

from __future__ import annotations

from sqlalchemy import select

from resilience.extensions import db
from resilience.sms.models import SmsMessage


def stored_messages(**where) -> list[SmsMessage]:
    """The SMS as committed (``where``: column=value filters), oldest first. The test's session
    is rolled back and expired first: it keeps committed values (expire_on_commit=False)."""
    db.session.rollback()
    db.session.expire_all()
    query = select(SmsMessage).order_by(SmsMessage.id)
    for key, value in where.items():
        query = query.where(getattr(SmsMessage, key) == value)
    return db.session.scalars(query).all()
