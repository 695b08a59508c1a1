"""Schemathesis over the whole OpenAPI document, in-process against the WSGI app on both
databases, as a coordinator and as an official: no generated request makes a route answer 5xx,
and every response conforms to the schema the document gives for it (issue 15)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

EXAMPLES = 30


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _summary(exc: BaseException) -> str:
    """One line per distinct failure (Hypothesis groups them)."""
    inner = getattr(exc, "exceptions", None)
    if inner:
        return "; ".join(dict.fromkeys(_summary(e) for e in inner))
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " | ".join(lines[:6])[:600]


@pytest.mark.parametrize("role", ["coordinator", "official"])
def test_no_generated_request_breaks_a_route(app, seed, role, request):
    token = request.getfixturevalue(role).token
    event = seed.event()
    household = seed.household()
    seed.need(event["id"], household["id"])
    seed.volunteer()
    failures = []
    for operation in _operations(app):
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # identity: the WSGI transport hands the checks the body as sent, and JSON is gzipped
            case.call_and_validate(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {_summary(exc)}")
    assert not failures, "\n\n".join(failures)
