"""Typed domain errors and their rendering as RFC 9457 problem+json.

Operations raise these; one handler turns them (and every werkzeug HTTP error, including
webargs' validation failures) into ``application/problem+json``. Nothing parses messages.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json

PROBLEM_MIME = "application/problem+json"


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class ValidationFailed(DomainError):
    status = 422
    code = "validation"
    title = "The request has invalid fields"

    @classmethod
    def field(cls, field: str, message: str) -> "ValidationFailed":
        return cls(f"{field}: {message}", errors=[{"field": field, "message": message}])


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


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "This status change is not allowed"

    def __init__(self, entity: str, current: str, wanted: str, allowed: list[str]):
        allowed_text = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"{entity} is {current!r} and cannot become {wanted!r}; allowed: {allowed_text}",
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
    headers = {"WWW-Authenticate": 'Bearer realm="resilience"'} if error.status == 401 else None
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
