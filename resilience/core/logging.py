"""Personal data never reaches a log: every record is scrubbed of 16-digit identifiers (NIK,
KK) and phone numbers before any handler sees it, and so is its traceback. A database error's
text carries the row it refused — PostgreSQL's ``Key (phone)=(+62…)`` and ``Failing row
contains (…, Budi Santoso, …)``, SQLAlchemy's ``[parameters: …]`` — so those parts are cut
from the traceback whatever they hold (names have no pattern to scrub by). The engines are
also built with ``hide_parameters`` (core.db), so SQLAlchemy never writes the parameters into
an error in the first place.

``configure`` sets up the process's log output the same way for ``resilience serve``, gunicorn
(``resilience.wsgi``), the Celery worker (``workers``) and the other CLI commands: plain text,
or with ``LOG_FORMAT=json`` one JSON object a line (time in UTC, level, logger, message, the
request id, a request line's method, path, status and duration, the scrubbed traceback)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import datetime, timezone

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


#: The id of the request being handled (core.requests sets it), in JSON log lines.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("resilience_request_id", default=None)
# What a request log line carries besides the message (``extra=`` of the log call).
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line. The message and traceback were scrubbed when the record was made
    (``install``); the path of a request line is scrubbed here (it never holds the query)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = scrub(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = scrub_traceback(self.formatException(record.exc_info))
        if record.exc_text:
            line["exc"] = scrub_traceback(record.exc_text)
        if record.stack_info:
            line["stack"] = scrub_traceback(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure(log_format: str, level: int = logging.INFO, stream=None) -> logging.Handler:
    """Send every log record to stderr (or ``stream``) in ``log_format`` ("text" or "json"),
    replacing the root logger's handlers; the scrubbing record factory is installed first."""
    install()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Flask gives the app's logger ("resilience") a handler of its own when none is configured
    # yet; the root's is the one: never two copies of a line, or a text one beside the JSON.
    from flask.logging import default_handler

    logging.getLogger("resilience").removeHandler(default_handler)
    return handler
