"""Dispatch's side of the SMS hooks, registered explicitly by the app factory: an inbound SMS
is a volunteer's reply (``dispatch.inbound``); an offer that failed for good is re-offered
(``dispatch.offers``), and one no longer open is not sent again by SMS (``STILL_WANTED``). ``sms/`` itself knows nothing about tasks."""

from __future__ import annotations

from flask import Flask

from resilience.dispatch.inbound import on_inbound
from resilience.dispatch.offers import on_send_failed, still_wanted
from resilience.sms.hooks import INBOUND_RECEIVED, OUTBOUND_FAILED, STILL_WANTED, register


def init_dispatch(app: Flask) -> None:
    """Register dispatch's SMS hooks on ``app`` (after ``init_sms``)."""
    register(app, INBOUND_RECEIVED, on_inbound)
    register(app, OUTBOUND_FAILED, on_send_failed)
    register(app, STILL_WANTED, still_wanted)
