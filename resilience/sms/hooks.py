"""What ``sms/`` tells the rest of the application, without knowing who listens.

``sms/`` stores, sends and receives messages; what a message *means* (a volunteer accepting a
task, an offer that could not be delivered) is decided by whoever registers a handler here,
explicitly, when the app is built (``dispatch.hooks.init_dispatch``). Handlers run inside the
caller's transaction: they may change rows and queue SMS, and they never commit.
"""

from __future__ import annotations

from typing import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

#: An inbound SMS was stored and is to be acted on: ``handler(session, message)``.
INBOUND_RECEIVED = "inbound_received"
#: An outbound SMS failed for good (no more attempts): ``handler(session, message)``.
OUTBOUND_FAILED = "outbound_failed"
#: Is a message still worth sending again by another channel (a WhatsApp message that was not
#: delivered)? ``handler(session, message)`` returns False when it is stale (its offer was
#: answered, expired or cancelled meanwhile); see :func:`still_wanted`.
STILL_WANTED = "still_wanted"
EVENTS = (INBOUND_RECEIVED, OUTBOUND_FAILED, STILL_WANTED)

Handler = Callable[[Session, object], None]


class Hooks:
    """The handlers of one app, per event, in registration order."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {name: [] for name in EVENTS}

    def register(self, event: str, handler: Handler) -> None:
        if event not in self._handlers:
            raise ValueError(f"unknown SMS event {event!r}; expected one of {', '.join(EVENTS)}")
        if handler not in self._handlers[event]:
            self._handlers[event].append(handler)

    def handlers(self, event: str) -> list[Handler]:
        return list(self._handlers[event])

    def fire(self, event: str, session: Session, message) -> None:
        for handler in self._handlers[event]:
            handler(session, message)


def register(app: Flask, event: str, handler: Handler) -> None:
    """Call ``handler`` on ``event`` in ``app`` (see the module)."""
    app.extensions["sms"].hooks.register(event, handler)


def fire(event: str, session: Session, message) -> None:
    """Run the current app's handlers of ``event``."""
    current_app.extensions["sms"].hooks.fire(event, session, message)


def still_wanted(session: Session, message) -> bool:
    """False when any ``STILL_WANTED`` handler of the current app says the message is stale."""
    return all(handler(session, message) is not False
               for handler in current_app.extensions["sms"].hooks.handlers(STILL_WANTED))
