"""Schemathesis over the whole OpenAPI document, in-process against the WSGI app on both
databases, as a coordinator and as an official: no generated request makes a route answer 5xx,
and every response conforms to the schema the document gives for it (issue 15). Then
statefully, as a coordinator: sequences of calls that follow the document's links
(resilience/core/links.py) from a created resource to the operations that take its id."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import ensure_resource_availability

EXAMPLES = 30
# The stateful run: scenarios and calls per scenario, bounded for the CI suite's time budget.
SCENARIOS = 20
STEPS = 8


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



def test_linked_call_sequences_break_nothing(app):
    """Create → read/update chains (a created event's needs, match and report, a household's
    export, a need's patch, a movement read back, …) as a coordinator: no 5xx, every answer as
    documented, and a resource just created is found by the operations its links lead to."""
    from tests import factories
    from tests.conftest import _reset

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.phases.stateful.inference.algorithms = []  # the document's own links only
    # Valid requests only: the stateless test above sends the invalid ones, and a scenario is
    # worth its steps when the resources it creates exist.
    schema.config.phases.stateful.generation.modes = [GenerationMode.POSITIVE]
    auth: dict[str, str] = {}
    followed: list[str] = []

    class Linked(schema.as_state_machine()):
        def setup(self):
            # Every scenario starts from the same rows: Hypothesis replays a scenario's choices
            # and needs the same answers to them (ids restart at 1, so ids in links repeat too).
            _reset(app)
            factories.user("koordinator@posko.test", "coordinator", password=None)
            auth["Authorization"] = f"Bearer {factories.token('koordinator@posko.test')}"
            factories.household()
            factories.volunteer(phone="+6281345600001")

        def get_call_kwargs(self, case):
            return {"headers": {**auth, "Accept-Encoding": "identity"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            if case._override.path_parameters and response.status_code < 300:  # an id taken from a link
                followed.append(f"{case.method} {case.operation.path}")
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                     ensure_resource_availability],
                                   headers=kwargs.get("headers"), transport_kwargs=kwargs or None,
                                   recorder=getattr(self, "recorder", None))

    # derandomize: the same scenarios on every run, so that the coverage assertion below cannot flake
    Linked.run(settings=settings(max_examples=SCENARIOS, stateful_step_count=STEPS, deadline=None, derandomize=True,
                                 suppress_health_check=list(HealthCheck), database=None))
    assert followed, "no scenario followed a link to the resource it created"
