"""OpenAPI links of the create → read/update flows: what a created resource's id opens next.

A client generator reads them as "after POST /events, GET/PATCH /events/{event_id} with the
answer's ``id``", and schemathesis follows them in its stateful tests
(tests/core/test_api_fuzz.py), so its generated calls reach resources that exist instead of
ending in 404. ``ProblemApi``'s operations plugin (resilience/core/api.py) puts each entry in
the ``links`` of the source operation's success response; tests/core/test_openapi_document.py
checks that every target operation and parameter exists.
"""

from __future__ import annotations

BODY_ID = "$response.body#/id"


def _open(parameter: str, *targets: str, value: str = BODY_ID) -> dict[str, dict[str, str]]:
    return {target: {parameter: value} for target in targets}


# source operationId -> (its success status, {target operationId: {path parameter: expression}})
LINKS: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "create_event": ("201", _open("event_id", "get_event", "patch_event", "create_need", "list_needs", "match",
                                  "dispatch_tasks", "list_distributions", "households_without_aid",
                                  "needs_estimate", "event_report")),
    "create_household": ("201", _open("household_id", "get_household", "patch_household", "export_household")),
    "create_need": ("201", {**_open("need_id", "get_need", "patch_need"),
                            **_open("event_id", "list_needs", value="$response.body#/event_id")}),
    "create_group": ("201", _open("group_id", "get_group", "patch_group")),
    "create_volunteer": ("201", _open("volunteer_id", "get_volunteer", "patch_volunteer")),
    "create_depot": ("201", _open("depot_id", "get_depot", "depot_stock")),
    "create_item": ("201", _open("item_id", "get_item")),
    "record_movement": ("201", _open("movement_id", "get_movement", value="$response.body#/movements/0/id")),
    "send_to_volunteer": ("201", _open("message_id", "mark_handled", "answer", "resend")),
    "issue_token": ("201", _open("token_id", "revoke_api_token")),
}


def links_for(operation_id: str) -> tuple[str, dict[str, dict]] | None:
    """The status and the OpenAPI ``links`` object of one source operation, or None."""
    entry = LINKS.get(operation_id)
    if entry is None:
        return None
    status, targets = entry
    return status, {target: {"operationId": target, "parameters": dict(parameters)}
                    for target, parameters in targets.items()}


__all__ = ["LINKS", "links_for"]
