"""Typed domain errors and their rendering as RFC 9457 problem+json.

Operations raise these; one handler turns them (and every werkzeug HTTP error, including
webargs' validation failures) into ``application/problem+json``. Nothing parses messages.

Every message a user can meet is a :class:`Message`: the English text the API shows, which
also remembers its gettext message id and parameters, so a web page words the same error in
its own language (``resilience/translations``). ``pybabel extract`` finds ``Message("...")``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, json
from marshmallow import fields, validate

PROBLEM_MIME = "application/problem+json"


class Message(str):
    """``Message("a household with this NIK is already registered (id %(id)s)", id=12)``.

    It *is* the English text (``str(m)``, JSON, logs: exactly what the API always said);
    ``m.msgid`` and ``m.params`` let a page translate it. ``english`` overrides the text when
    the API's wording comes from elsewhere (marshmallow's own messages)."""

    msgid: str
    params: dict[str, Any]
    terms: dict[str, str]

    def __new__(cls, msgid: str, *, english: str | None = None, terms: dict[str, str] | None = None,
                **params: Any) -> "Message":
        """``terms`` names parameters that are stored codes and their kind ("category"), which a
        page words in its language: ``terms={"category": "category"}``."""
        text = english if english is not None else (msgid % params if params else msgid)
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.params = params
        self.terms = terms or {}
        return self

    def format(self, *args: Any, **kwargs: Any) -> "Message":  # marshmallow formats its messages
        return self

    def __reduce__(self):
        return (_rebuild_message, (self.msgid, str(self), self.params, self.terms))


def _rebuild_message(msgid: str, english: str, params: dict, terms: dict | None = None) -> Message:
    return Message(msgid, english=english, terms=terms, **params)


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str | Message, *, errors: list[dict] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.message = detail if isinstance(detail, Message) else None
        self.errors = errors
        self.extra = extra


class ValidationFailed(DomainError):
    status = 422
    code = "validation"
    title = "The request has invalid fields"

    @classmethod
    def field(cls, field: str, message: str | Message) -> "ValidationFailed":
        detail = Message("%(field)s: %(message)s", field=field, message=message)
        return cls(detail, errors=[{"field": field, "message": message}])


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed for this role"


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class TooManyRequests(DomainError):
    """Over a rate limit; ``retry_after`` (seconds) becomes the ``Retry-After`` header."""

    status = 429
    code = "too-many-requests"
    title = "Too many requests"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "This status change is not allowed"

    def __init__(self, entity: str | Message, current: str, wanted: str, allowed: list[str], kind: str | None = None):
        """``kind`` names the statuses' vocabulary ("need_status") so a page can word them."""
        allowed_text = ", ".join(allowed) if allowed else "none (final state)"
        terms = {"current": kind, "wanted": kind} if kind else None
        super().__init__(
            Message("%(entity)s is '%(current)s' and cannot become '%(wanted)s'; allowed: %(allowed)s",
                    entity=entity, current=current, wanted=wanted, allowed=allowed_text, terms=terms),
            current=current,
            allowed=allowed,
        )


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str | None = None,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": f"/problems/{code}" if code else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def render_domain_error(error: DomainError) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="resilience"'} if error.status == 401 else {}
    if error.status == 429 and error.extra.get("retry_after") is not None:
        headers["Retry-After"] = str(error.extra["retry_after"])
    return problem(
        error.status,
        error.title,
        error.detail,
        code=error.code,
        errors=error.errors,
        headers=headers,
        **error.extra,
    )


def flatten_messages(messages: Any, prefix: str = "") -> list[dict]:
    """Marshmallow/webargs nested messages → ``[{"field": "location.lat", "message": …}]``."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                name = prefix or "(body)"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_messages(value, name))
    elif isinstance(messages, (list, tuple)):
        if messages and all(isinstance(m, str) for m in messages):
            out.extend({"field": prefix or "(body)", "message": m} for m in messages)
        else:
            for item in messages:
                out.extend(flatten_messages(item, prefix))
    else:
        out.append({"field": prefix or "(body)", "message": str(messages)})
    return out


# --------------------------------------------------------------------------- marshmallow
# marshmallow's own messages keep their English wording in the API; each also carries one of
# these message ids, chosen by what failed (never by reading the English text).
FIELD_MESSAGES: list[tuple[type, str, str]] = [
    (fields.Integer, "invalid", "Not a valid integer."),
    (fields.Number, "invalid", "Not a valid number."),
    (fields.Number, "too_large", "Number too large."),
    (fields.Float, "special", "Special numeric values (nan or infinity) are not permitted."),
    (fields.Decimal, "special", "Special numeric values (nan or infinity) are not permitted."),
    (fields.String, "invalid", "Not a valid string."),
    (fields.String, "invalid_utf8", "Not a valid utf-8 string."),
    (fields.Boolean, "invalid", "Not a valid boolean."),
    (fields.Date, "invalid", "Not a valid date."),
    (fields.DateTime, "invalid", "Not a valid date and time."),
    (fields.DateTime, "invalid_awareness", "Not a valid date and time (a time zone is needed)."),
    (fields.DateTime, "format", "Not a valid date and time."),
    (fields.List, "invalid", "Not a valid list."),
    (fields.Tuple, "invalid", "Not a valid list."),
    (fields.Mapping, "invalid", "Not a valid mapping type."),
    (fields.Nested, "type", "Invalid type."),
    (fields.Email, "invalid", "Not a valid email address."),
    (fields.URL, "invalid", "Not a valid URL."),
    (fields.Field, "required", "Missing data for required field."),
    (fields.Field, "null", "Field may not be null."),
    (fields.Field, "validator_failed", "Invalid value."),
]
# pybabel cannot see the ids above; these lines are what it extracts (keep them in step).
_EXTRACTED = [
    Message("Not a valid integer."), Message("Not a valid number."), Message("Number too large."),
    Message("Special numeric values (nan or infinity) are not permitted."), Message("Not a valid string."),
    Message("Not a valid utf-8 string."), Message("Not a valid boolean."), Message("Not a valid date."),
    Message("Not a valid date and time."), Message("Not a valid date and time (a time zone is needed)."),
    Message("Not a valid list."), Message("Not a valid mapping type."), Message("Invalid type."),
    Message("Not a valid email address."), Message("Not a valid URL."),
    Message("Missing data for required field."), Message("Field may not be null."), Message("Invalid value."),
    Message("Invalid input type."), Message("Unknown field."),
]


def _field_message(field: fields.Field, key: str) -> str | None:
    for cls, name, msgid in FIELD_MESSAGES:
        if name == key and isinstance(field, cls):
            return msgid
    return None


def _make_error(self: fields.Field, key: str, **kwargs: Any) -> ma.ValidationError:
    error = _original_make_error(self, key, **kwargs)
    msgid = _field_message(self, key)
    text = error.messages[0] if isinstance(error.messages, list) and len(error.messages) == 1 else None
    if msgid is None or not isinstance(text, str) or isinstance(text, Message):
        return error
    return ma.ValidationError(Message(msgid, english=text))


def _range_error(self: validate.Range, value: Any, message: str) -> str:
    text = _original_range_error(self, value, message)
    if self.error:
        return text
    low = "%(min)s" if self.min is not None else ""
    high = "%(max)s" if self.max is not None else ""
    if low and high:
        msgid = RANGE_MESSAGES[("all", self.min_inclusive, self.max_inclusive)]
    elif low:
        msgid = RANGE_MESSAGES[("min", self.min_inclusive, None)]
    else:
        msgid = RANGE_MESSAGES[("max", None, self.max_inclusive)]
    return Message(msgid, english=text, min=self.min, max=self.max)


RANGE_MESSAGES = {
    ("all", True, True): Message("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    ("all", True, False): Message("Must be greater than or equal to %(min)s and less than %(max)s."),
    ("all", False, True): Message("Must be greater than %(min)s and less than or equal to %(max)s."),
    ("all", False, False): Message("Must be greater than %(min)s and less than %(max)s."),
    ("min", True, None): Message("Must be greater than or equal to %(min)s."),
    ("min", False, None): Message("Must be greater than %(min)s."),
    ("max", None, True): Message("Must be less than or equal to %(max)s."),
    ("max", None, False): Message("Must be less than %(max)s."),
}
RANGE_MESSAGES = {key: value.msgid for key, value in RANGE_MESSAGES.items()}


def _length_error(self: validate.Length, value: Any, message: str) -> str:
    text = _original_length_error(self, value, message)
    if self.error:
        return text
    if self.equal is not None:
        return Message(LENGTH_MESSAGES["equal"], english=text, equal=self.equal)
    if self.min is not None and self.max is not None:
        kind = "all"
    else:
        kind = "min" if self.min is not None and len(value) < self.min else "max"
    return Message(LENGTH_MESSAGES[kind], english=text, min=self.min, max=self.max)


LENGTH_MESSAGES = {
    "min": Message("Shorter than minimum length %(min)s.").msgid,
    "max": Message("Longer than maximum length %(max)s.").msgid,
    "all": Message("Length must be between %(min)s and %(max)s.").msgid,
    "equal": Message("Length must be %(equal)s.").msgid,
}


def _one_of_error(self: validate.OneOf, value: Any) -> str:
    text = _original_one_of_error(self, value)
    if self.error != self.default_message:
        return text
    return Message(Message("Must be one of: %(choices)s.").msgid, english=text, choices=self.choices_text)


_original_make_error = fields.Field.make_error
_original_range_error = validate.Range._format_error
_original_length_error = validate.Length._format_error
_original_one_of_error = validate.OneOf._format_error
if not getattr(fields.Field.make_error, "_resilience", False):
    _make_error._resilience = True
    fields.Field.make_error = _make_error
    validate.Range._format_error = _range_error
    validate.Length._format_error = _length_error
    validate.OneOf._format_error = _one_of_error
    ma.Schema._default_error_messages = {
        "type": Message("Invalid input type."),
        "unknown": Message("Unknown field."),
    }


def unique_violation(error: Exception, fields: dict[str, str]) -> str | None:
    """The API field whose unique constraint an IntegrityError broke, from ``fields``
    (``{"table.column": "field"}``), or None when it is another error. PostgreSQL names the
    constraint (``uq_<table>_<column>`` or the unique index ``ix_<table>_<column>``); SQLite
    says ``UNIQUE constraint failed: table.column``."""
    orig = getattr(error, "orig", None)
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    message = str(orig)
    for target, name in fields.items():
        table, column = target.split(".")
        if constraint in (f"uq_{table}_{column}", f"ix_{table}_{column}"):
            return name
        if constraint is None and f"UNIQUE constraint failed: {target}" in message:
            return name
    return None


def flush_unique(session, target: str, field: str, message: Message) -> None:
    """Flush ``session``; a unique violation of ``target`` (``"table.column"``) becomes a 409 on
    ``field``. The database's unique constraint is the guarantee (a check before the insert is
    only the friendly fast path): a concurrent duplicate is a 409 here, never a 500."""
    from sqlalchemy.exc import IntegrityError

    try:
        session.flush()
    except IntegrityError as exc:
        if unique_violation(exc, {target: field}) is None:
            raise
        session.rollback()
        raise Conflict(message, field=field) from None
