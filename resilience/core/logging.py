"""Personal data never reaches a log: every record is scrubbed of 16-digit identifiers (NIK,
KK) and phone numbers before any handler sees it, and so is its traceback. A database error's
text carries the row it refused — PostgreSQL's ``Key (phone)=(+62…)`` and ``Failing row
contains (…, Budi Santoso, …)``, SQLAlchemy's ``[parameters: …]`` — so those parts are cut
from the traceback whatever they hold (names have no pattern to scrub by). The engines are
also built with ``hide_parameters`` (core.db), so SQLAlchemy never writes the parameters into
an error in the first place."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<![\d.])\d{16}(?![\d])")  # not the fraction of "0.0676…s"
_PHONE = re.compile(r"(?<![\w])(?:\+|%2B)?(?:62|0)8[\d\s().-]{7,14}\d")
_installed = False
_FORMATTER = logging.Formatter()


_ROW_PARTS = (
    (re.compile(r"(Key \(.*?\))=\(.*?\)( already exists| is not present| conflicts)", re.S), r"\1=(…)\2"),
    (re.compile(r"Failing row contains \(.*?\)\.?(?=\n|$)", re.S | re.M), "Failing row contains (…)."),
    (re.compile(r"\[parameters: .*?\]\n", re.S), "[parameters hidden]\n"),
    (re.compile(r"\[parameters: [^\n]*"), "[parameters hidden]"),
)


def scrub(text: str) -> str:
    text = _NIK.sub("[NIK/KK]", text)
    return _PHONE.sub("[phone]", text)


def scrub_traceback(text: str) -> str:
    """A formatted traceback without the rows a database error quotes, then ``scrub``bed."""
    for pattern, replacement in _ROW_PARTS:
        text = pattern.sub(replacement, text)
    return scrub(text)


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
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            # Formatters use exc_text when it is set: the traceback is formatted once, here.
            record.exc_text = scrub_traceback(_FORMATTER.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = scrub_traceback(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
