"""Values outside sane ranges are a 422 naming the field (or a 404 for an id in a path), on
both databases, before any query runs: never an overflow in the driver, never a stored date no
page can show (issue 15: "no input, stored or sent, makes any route answer 5xx")."""

from __future__ import annotations

import io

import pytest

from resilience.core.bounds import MAX_DEPTH, MAX_INT, check_value
from resilience.core.errors import ValidationFailed

TOO_BIG = MAX_INT + 1
POINT = {"lat": -1.6346, "lon": 113.6858}


def _field(response) -> str:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()["errors"][0]["field"]


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z",
                                   "2101-01-01T00:00:00Z"])
def test_times_outside_1900_to_2100_are_refused_and_nothing_is_stored(coordinator, seed, stamp):
    event = seed.event()
    assert _field(coordinator.post("/api/v1/events", json={"name": "Banjir", "started_at": stamp})) == "started_at"
    assert _field(coordinator.patch(f"/api/v1/events/{event['id']}", json={"ended_at": stamp})) == "ended_at"
    assert _field(coordinator.get(f"/api/v1/audit?since={stamp.replace('+', '%2B')}")) == "since"
    events = coordinator.get("/api/v1/events").get_json()
    assert events["total"] == 1 and events["items"][0]["ended_at"] is None


def test_the_edges_of_the_range_are_accepted(coordinator):
    for stamp in ("1900-01-01T00:00:00Z", "2100-12-31T23:59:59Z"):
        response = coordinator.post("/api/v1/events", json={"name": "Banjir", "started_at": stamp})
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.get_json()["started_at"] == stamp


def test_an_id_beyond_64_bits_in_a_path_is_not_found(coordinator):
    for path in (f"/api/v1/households/{TOO_BIG}", f"/api/v1/tasks/{TOO_BIG}", f"/api/v1/events/{TOO_BIG}"):
        response = coordinator.get(path)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert coordinator.get(f"/api/v1/households/{MAX_INT}").status_code == 404  # the largest id: a plain miss


@pytest.mark.parametrize("query, field", [
    (f"page={TOO_BIG}", "page"), (f"event={TOO_BIG}", "event"), (f"volunteer=-{TOO_BIG + 1}", "volunteer"),
    (f"event={2**64}", "event"),
])
def test_integers_beyond_64_bits_in_a_query_name_the_parameter(coordinator, query, field):
    path = "/api/v1/tasks" if field == "volunteer" else "/api/v1/households"
    assert _field(coordinator.get(f"{path}?{query}")) == field


def test_integers_beyond_64_bits_in_a_body_name_the_field_and_store_nothing(coordinator, seed):
    event = seed.event()
    body = {"head_name": "Siti Aminah", "members": TOO_BIG, "location": POINT}
    assert _field(coordinator.post("/api/v1/households", json=body)) == "members"
    need = {"household_id": TOO_BIG, "category": "food"}
    assert _field(coordinator.post(f"/api/v1/events/{event['id']}/needs", json=need)) == "household_id"
    movement = {"kind": "receipt", "depot_id": 1, "item_code": "BERAS", "quantity": 10, "extra": [1, [2, TOO_BIG]]}
    assert _field(coordinator.post("/api/v1/stock/movements", json=movement)) == "extra.1.1"
    assert coordinator.get("/api/v1/households").get_json()["total"] == 0


def test_nesting_beyond_the_limit_is_refused_even_beyond_the_parsers_own_limit(coordinator):
    for depth in (MAX_DEPTH + 1, 100_000):
        body = "[" * depth + "]" * depth
        response = coordinator.client.post("/api/v1/households", data=body, content_type="application/json",
                                           headers={"Authorization": f"Bearer {coordinator.token}"})
        field = _field(response)  # where it got too deep: "0.0.0…", or the body for the parser's limit
        assert field == "(body)" or field == ".".join(["0"] * MAX_DEPTH)
        assert f"{MAX_DEPTH} levels" in response.get_json()["detail"]


def test_points_sent_as_a_list_or_a_string_name_the_field(coordinator):
    for location in ([113.6, -1.6], "113.6,-1.6", {"lat": "x", "lon": 1}):
        body = {"head_name": "Siti Aminah", "members": 1, "location": location}
        assert _field(coordinator.post("/api/v1/households", json=body)).startswith("location")


def test_csv_with_cr_line_endings_or_a_huge_cell_is_refused(coordinator):
    for text in ("head_name,members,lat,lon\rA,1,-1.6,113.6\r",
                 "head_name,members,lat,lon\n" + "A" * 200_000 + ",1,-1.6,113.6\n"):
        response = coordinator.client.post(
            "/api/v1/households/import?dry_run=true", content_type="multipart/form-data",
            data={"file": (io.BytesIO(text.encode()), "rumah.csv")},
            headers={"Authorization": f"Bearer {coordinator.token}"})
        assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_the_walk_is_iterative_and_checks_floats():
    deep: list = []
    inner = deep
    for _ in range(10_000):
        inner.append([])
        inner = inner[0]
    with pytest.raises(ValidationFailed):
        check_value(deep)
    with pytest.raises(ValidationFailed):
        check_value({"a": float("inf")})
    check_value({"a": [1, 2.5, True, None, "x", {"b": -(2**31)}]})
    with pytest.raises(ValidationFailed):
        check_value({"b": -(2**31) - 1})


def test_the_nul_character_is_refused_wherever_text_arrives(coordinator, app):
    """PostgreSQL cannot store or even compare text holding NUL: a 422 naming the field, not a
    driver error; on a page a 400."""
    assert _field(coordinator.get("/api/v1/stock/movements?donor=a%00b")) == "donor"
    assert _field(coordinator.post("/api/v1/groups", json={"name": "Karang\x00Taruna", "kind": "youth"})) == "name"
    assert _field(coordinator.post("/api/v1/groups", json={"name": "K", "kind": "youth", "x\x00": 1})) == "(body)"
    assert app.test_client().get("/login?next=%00").status_code == 400
    assert app.test_client().post("/login", data={"email": "a\x00@b.c", "password": "x"}).status_code == 400
    assert coordinator.get("/api/v1/groups").get_json()["total"] == 0


def test_a_group_name_the_database_folds_differently_is_a_conflict_not_a_500(coordinator):
    """Python lower-cases Ñ, SQLite's lower() does not: the check before the insert can miss a
    twin, and the unique index then answers — as a 409."""
    first = coordinator.post("/api/v1/groups", json={"name": "ÑT Relawan", "kind": "ngo"})
    assert first.status_code == 201
    again = coordinator.post("/api/v1/groups", json={"name": "ÑT Relawan", "kind": "ngo"})
    assert again.status_code == 409 and again.get_json()["field"] == "name"
    other = coordinator.post("/api/v1/groups", json={"name": "Tim Dua", "kind": "ngo"}).get_json()
    renamed = coordinator.patch(f"/api/v1/groups/{other['id']}", json={"name": "ÑT Relawan"})
    assert renamed.status_code == 409
    assert coordinator.get("/api/v1/groups").get_json()["total"] == 2
