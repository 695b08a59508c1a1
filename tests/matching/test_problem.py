"""Problem files for ``resilience match-file``: validation and the output shape."""

from __future__ import annotations

import json
import math

import pytest

from resilience.matching.problem import ProblemError, run_problem, run_problem_file


def problem(**overrides) -> dict:
    obj = {
        "max_distance_m": 8000,
        "households": [
            {"id": "h1", "lat": -1.63, "lon": 113.68, "need": "evacuation", "requires": "boat", "priority": 5},
            {"id": "h2", "lat": -1.64, "lon": 113.69, "need": "food", "requires": None, "priority": 2},
        ],
        "volunteers": [
            {"id": "v1", "lat": -1.65, "lon": 113.70, "skills": ["boat"], "capacity": 1},
        ],
    }
    obj.update(overrides)
    return obj


def test_spec_example_shape():
    out = run_problem(problem())
    assert set(out) == {"assignments", "unassigned", "summary"}
    assert out["assignments"] == [{"household": "h1", "volunteer": "v1", "distance_m": 3144.4}]
    assert out["unassigned"] == ["h2"]
    summary = out["summary"]
    assert set(summary) == {"served", "priority_served", "total_distance_m", "seconds"}
    assert summary["served"] == 1 and summary["priority_served"] == 5
    assert summary["total_distance_m"] == 3144.4
    assert isinstance(summary["seconds"], float)


def test_assignments_follow_household_order_and_round_to_decimetres():
    obj = problem()
    obj["volunteers"][0]["capacity"] = 5
    obj["volunteers"].append({"id": "v2", "lat": -1.641, "lon": 113.69, "skills": [], "capacity": 1})
    out = run_problem(obj)
    assert [a["household"] for a in out["assignments"]] == ["h1", "h2"]
    assert out["assignments"][1]["volunteer"] == "v2"
    for a in out["assignments"]:
        assert a["distance_m"] == round(a["distance_m"], 1)
    assert out["summary"]["total_distance_m"] == pytest.approx(
        sum(a["distance_m"] for a in out["assignments"]), abs=0.1
    )


def test_file_round_trip(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(problem()), encoding="utf-8")
    out = run_problem_file(path)
    assert out["unassigned"] == ["h2"]
    json.dumps(out)  # serialisable as is


def test_forbidden_pairs():
    out = run_problem(problem(forbidden=[["h1", "v1"]]))
    assert [(a["household"], a["volunteer"]) for a in out["assignments"]] == [("h2", "v1")]
    assert out["unassigned"] == ["h1"]


def test_empty_lists():
    out = run_problem(problem(households=[], volunteers=[]))
    assert out == {"assignments": [], "unassigned": [],
                   "summary": {"served": 0, "priority_served": 0, "total_distance_m": 0.0,
                               "seconds": out["summary"]["seconds"]}}


def test_deterministic():
    obj = problem()
    obj["households"] += [
        {"id": f"x{i}", "lat": -1.63 - i * 0.001, "lon": 113.68, "requires": None, "priority": 3}
        for i in range(20)
    ]
    obj["volunteers"][0]["capacity"] = 4
    first, second = run_problem(obj), run_problem(obj)
    first["summary"].pop("seconds"), second["summary"].pop("seconds")
    assert first == second


def bad(obj, message, tmp_path=None):
    with pytest.raises(ProblemError) as err:
        run_problem(obj)
    assert message in str(err.value), str(err.value)
    assert isinstance(err.value, ValueError)


def test_nan_coordinate_names_the_record(tmp_path):
    obj = problem()
    obj["households"][1]["lat"] = math.nan
    bad(obj, 'households[1] (id "h2"): lat is NaN')
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(obj), encoding="utf-8")  # writes NaN literally
    with pytest.raises(ProblemError, match=r'households\[1\] \(id "h2"\): lat is NaN'):
        run_problem_file(path)


def test_swapped_coordinates_hint():
    obj = problem()
    obj["households"][0].update(lat=113.68, lon=-1.63)
    bad(obj, 'households[0] (id "h1"): lat 113.68 out of range [-90, 90] (lat and lon swapped?)')


def test_longitude_out_of_range():
    obj = problem()
    obj["volunteers"][0]["lon"] = 200
    bad(obj, 'volunteers[0] (id "v1"): lon 200 out of range [-180, 180]')


def test_duplicate_ids():
    obj = problem()
    obj["volunteers"].append(dict(obj["volunteers"][0]))
    bad(obj, 'volunteers[1]: duplicate id "v1" (first at volunteers[0])')
    obj = problem()
    obj["households"][1]["id"] = "h1"
    bad(obj, 'households[1]: duplicate id "h1"')


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("capacity", -1, "capacity must not be negative, got -1"),
        ("capacity", 1.5, "capacity must be an integer, got 1.5"),
        ("capacity", "3", "capacity must be an integer, got a string"),
        ("capacity", True, "capacity must be an integer, got a boolean"),
        ("lat", None, "lat must be a number, got null"),
        ("skills", "boat", "skills must be a list of strings, got a string"),
        ("skills", ["boat", 3], "skills[1] must be one of boat, first_aid, counseling, logistics, driving, cooking, got 3"),
        ("skills", ["boats"], "skills[0] must be one of boat, first_aid"),
        ("id", 7, "id must be a non-empty string, got a number"),
    ],
)
def test_bad_volunteer_fields(field, value, message):
    obj = problem()
    obj["volunteers"][0][field] = value
    bad(obj, message)


@pytest.mark.parametrize("value", [0, 6, 2.5, "5", None, True])
def test_priority_must_be_integer_1_to_5(value):
    obj = problem()
    obj["households"][1]["priority"] = value
    bad(obj, f'households[1] (id "h2"): priority must be an integer 1..5, got {value!r}')


def test_integral_float_priority_and_capacity_are_accepted():
    obj = problem()
    obj["households"][0]["priority"] = 5.0
    obj["volunteers"][0]["capacity"] = 1.0
    assert run_problem(obj)["summary"]["priority_served"] == 5


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda o: o["households"][0].pop("lat"), 'households[0] (id "h1"): missing field lat'),
        (lambda o: o["volunteers"][0].pop("capacity"), 'volunteers[0] (id "v1"): missing field capacity'),
        (lambda o: o["households"][0].update(colour="red"), 'households[0] (id "h1"): unknown field colour'),
        (lambda o: o["households"][0].update(need="swimming"), "need must be one of"),
        (lambda o: o["households"][0].update(requires=5), "requires must be one of boat, first_aid"),
        (lambda o: o["households"][0].update(requires="Boat"), "or null, got 'Boat'"),
        (lambda o: o.update(extra=1), "unknown top-level field extra"),
        (lambda o: o.pop("volunteers"), "missing top-level field volunteers"),
        (lambda o: o.update(households={}), "households must be a list, got an object"),
        (lambda o: o["households"].append(3), "households[2]: must be an object, got a number"),
        (lambda o: o.update(forbidden=[["h1", "v9"]]), 'forbidden[0]: unknown volunteer "v9"'),
        (lambda o: o.update(forbidden=[["h1"]]), "forbidden[0]: must be a [household_id, volunteer_id] pair"),
    ],
)
def test_bad_structure(mutate, message):
    obj = problem()
    mutate(obj)
    bad(obj, message)


@pytest.mark.parametrize("value", [0, -5, math.inf, math.nan, "8000", None, True])
def test_max_distance_must_be_positive_number(value):
    bad(problem(max_distance_m=value), "max_distance_m must be a positive number")


def test_not_an_object():
    bad([1, 2], "problem must be a JSON object, got a list")


def test_file_errors(tmp_path):
    with pytest.raises(ProblemError, match="cannot read"):
        run_problem_file(tmp_path / "missing.json")
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ProblemError, match="invalid JSON at line 1"):
        run_problem_file(path)
