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


def _path_parameters(item, operation):
    return {p["name"] for p in [*item.get("parameters", []), *operation.get("parameters", [])] if p["in"] == "path"}


def test_links_lead_from_each_created_resource_to_operations_that_take_its_id(document):
    """Every link names an operation that exists and fills exactly its path parameters from a
    member the source's response schema has (the stateful fuzz test follows them)."""
    by_id = {operation["operationId"]: (document["paths"][path], operation) for path, _, operation in _operations(document)}
    sources = 0
    for path, method, operation in _operations(document):
        for code, response in operation["responses"].items():
            links = _resolve(document, response).get("links", {})
            if not links:
                continue
            sources += 1
            assert code in ("200", "201"), (method, path, code)
            schema = response["content"]["application/json"]["schema"]
            members = set(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]["properties"])
            for name, link in links.items():
                assert link["operationId"] in by_id, (operation["operationId"], name)
                item, target = by_id[link["operationId"]]
                assert set(link["parameters"]) == _path_parameters(item, target), (operation["operationId"], name)
                for expression in link["parameters"].values():
                    assert expression.startswith("$response.body#/")
                    assert expression.split("/")[1] in members, (operation["operationId"], expression)
    linked = {op["operationId"] for _, _, op in _operations(document) if any(
        "links" in _resolve(document, r) for r in op["responses"].values())}
    assert {"create_event", "create_household", "create_need", "create_volunteer", "create_group",
            "create_depot", "create_item", "record_movement"} <= linked
    assert sources == len(linked)
