"""Personal data never reaches a log: every record is scrubbed of 16-digit identifiers (NIK,
KK) and phone numbers before any handler sees it."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<![\d.])\d{16}(?![\d])")  # not the fraction of "0.0676…s"
_PHONE = re.compile(r"(?<![\w])(?:\+|%2B)?(?:62|0)8[\d\s().-]{7,14}\d")
_installed = False


def scrub(text: str) -> str:
    text = _NIK.sub("[NIK/KK]", text)
    return _PHONE.sub("[phone]", text)


def install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own error path
            return record
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
