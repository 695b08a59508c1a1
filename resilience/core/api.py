"""flask-smorest glue: problem+json for every error, list envelopes, pagination.

flask-smorest generates the OpenAPI document from the same marshmallow schemas that validate
requests, so the two cannot drift apart (see README, "Why flask-smorest").
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import Response
from flask_smorest import Api
from sqlalchemy import Select, func, select
from werkzeug.exceptions import HTTPException

from resilience.core.errors import PROBLEM_MIME, flatten_messages, problem
from resilience.core.links import links_for

MAX_PER_PAGE = 500


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only). A problem may carry more members than
    these (``field`` on a 409, ``balance`` on a stock conflict), as RFC 9457 allows."""

    class Meta:
        unknown = ma.INCLUDE  # documented as additionalProperties: true

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.List(ma.fields.Dict(), metadata={"description": "one item per bad field"})


WRITE_METHODS = ("post", "put", "patch", "delete")


class OperationsPlugin(BasePlugin):
    """Completes every operation for client generators: an ``operationId`` (the view's name,
    with the method when one view answers several), and the error statuses each one can answer
    documented as problem+json — 401, 403 and 429 everywhere, 404 where the path names a
    resource, 409, 413 and 415 for writes (422 comes from the request schemas) — and the links
    from a created resource to the operations that take its id (resilience/core/links.py)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        name = rule.endpoint.rsplit(".", 1)[-1]
        methods = [m for m in operations if m in ("get", "post", "put", "patch", "delete")]
        for method in methods:
            operation = operations[method]
            operation.setdefault("operationId", name if len(methods) == 1 else f"{method}_{name}")
            responses = operation.setdefault("responses", {})
            codes = ["401", "403", "429"]
            if rule.arguments:
                codes.append("404")
            if method in WRITE_METHODS:
                codes += ["409", "413", "415"]
            for code in codes:
                responses.setdefault(code, _ERROR_REFS[code])
            links = links_for(operation["operationId"])
            if links is not None:
                status, objects = links
                response = responses.get(status) or responses.get(int(status))
                if not isinstance(response, dict):
                    raise LookupError(f"{operation['operationId']}: no {status} response to link from")
                response.setdefault("links", {}).update(objects)


_ERROR_REFS = {code: name for code, name in (
    ("401", "UNAUTHORIZED"), ("403", "FORBIDDEN"), ("404", "NOT_FOUND"), ("409", "CONFLICT"),
    ("413", "REQUEST_ENTITY_TOO_LARGE"), ("415", "UNSUPPORTED_MEDIA_TYPE"), ("429", "TOO_MANY_REQUESTS"))}


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        kwargs.setdefault("spec_kwargs", {}).setdefault("extra_plugins", [OperationsPlugin()])
        super().__init__(app, **kwargs)

    def _register_responses(self):
        """The error responses are problem+json, as the server sends them."""
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIME
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        messages = data.get("errors") or data.get("messages")
        errors = None
        detail = data.get("message") or error.description
        if messages:
            # webargs nests messages under the location ("json", "query", …): drop the first
            # level so field names read as the client wrote them.
            if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files", "headers", "view_args"}:
                flat: list[dict] = []
                for location, inner in messages.items():
                    for item in flatten_messages(inner):
                        if location == "query":
                            item["in"] = "query"
                        flat.append(item)
                errors = flat
            else:
                errors = flatten_messages(messages)
            if error.code == 422:
                detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        headers = dict(data.get("headers") or {})
        code = {
            400: "bad-request",
            401: "unauthorized",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            409: "conflict",
            413: "too-large",
            415: "unsupported-media-type",
            422: "validation",
            429: "too-many-requests",
        }.get(error.code or 500, "error")
        title = error.name if error.code != 422 else "The request has invalid fields"
        response = problem(
            error.code or 500, title, detail, code=code, errors=errors, headers=headers
        )
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(
        load_default=50, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


def list_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """``{"items": [...], "total": N, "page": P, "per_page": K}`` for one item schema."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema)),
            "total": ma.fields.Integer(),
            "page": ma.fields.Integer(),
            "per_page": ma.fields.Integer(),
        },
        name=name,
    )


def paginate(session, query: Select, args: dict[str, Any]) -> dict[str, Any]:
    page, per_page = args["page"], args["per_page"]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}


__all__ = ["PROBLEM_MIME", "PageArgs", "ProblemApi", "list_schema", "paginate"]
