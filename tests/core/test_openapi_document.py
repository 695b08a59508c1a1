"""The OpenAPI document is one a client generator likes (issue 15): a unique operationId on every
operation, error responses documented as problem+json with a schema that admits the extra
members the server sends, and the error statuses each operation can answer listed."""

from __future__ import annotations

import pytest

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(anonymous):
    response = anonymous.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _resolve(document, response):
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response


def test_every_operation_has_a_unique_operation_id(document):
    ids = [operation.get("operationId") for _, _, operation in _operations(document)]
    assert None not in ids and len(ids) > 40
    assert len(set(ids)) == len(ids)


def test_error_responses_are_problem_json_and_admit_extra_members(document):
    assert document["components"]["schemas"]["Problem"]["additionalProperties"] is True
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert {"401", "403", "429"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "patch"):
            assert {"409", "415"} <= set(responses), (method, path)
        for code, response in responses.items():
            if code == "default" or code.startswith(("4", "5")):
                content = _resolve(document, response).get("content", {})
                assert list(content) == ["application/problem+json"], (method, path, code)


def test_a_real_conflict_matches_its_documented_schema(coordinator, document):
    """The 409 of a duplicate group carries ``field``: the Problem schema must admit it."""
    assert coordinator.post("/api/v1/groups", json={"name": "Tim SAR", "kind": "ngo"}).status_code == 201
    conflict = coordinator.post("/api/v1/groups", json={"name": "Tim SAR", "kind": "ngo"})
    assert conflict.status_code == 409 and conflict.mimetype == "application/problem+json"
    body = conflict.get_json()
    documented = set(document["components"]["schemas"]["Problem"]["properties"])
    assert set(body) - documented  # members beyond the documented ones: allowed by additionalProperties
