"""The engine's reasons as data: each ``Explanation`` carries a ``code`` and ``params`` (plain
numbers and input indices) beside its English ``reason``, so callers can word it themselves."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from resilience.matching.engine import EXPLANATION_CODES, haversine_m, solve
from tests.matching.test_engine import instances, run

LAT0, LON0 = -1.6346, 113.6858
KM = 1 / 111.195  # degrees of latitude per kilometre (R = 6,371,008.8 m)


def _by_need(result):
    return {e.need: e for e in result.explanations}


def test_nearest_has_its_skill_distance_and_limit():
    result = solve([LAT0], [LON0], [5], ["boat"], [LAT0 + KM], [LON0], [["boat"]], [1], 8000)
    [e] = result.explanations
    assert e.code == "nearest" and e.code in EXPLANATION_CODES
    assert e.params == {"skill": "boat", "distance_m": round(e.distance_m, 1), "max_distance_m": 8000.0}
    assert abs(e.params["distance_m"] - 1000) < 1
    json.dumps(e.params)  # stored as JSON


def test_nearer_volunteer_needed_for_a_higher_priority_need():
    nlat, nlon = [LAT0, LAT0 + 0.03], [LON0, LON0]
    vlat, vlon = [LAT0 + 0.01, LAT0 - 0.02], [LON0, LON0]
    result = solve(nlat, nlon, [1, 5], [None, None], vlat, vlon, [[], []], [1, 1], 3000)
    e = _by_need(result)[0]
    assert e.code == "nearer_needed_for_higher_priority"
    assert e.params["nearer_volunteer"] == 0 and e.params["higher_need"] == 1 and e.params["higher_priority"] == 5
    assert e.params["nearer_distance_m"] < e.params["distance_m"]
    assert _by_need(result)[1].code == "nearest"


def test_nearer_volunteer_assigned_elsewhere_to_keep_the_total_short():
    # A at 0 km, V1 at 0.5 km, B at 1.2 km, V2 at -1 km, equal priorities, capacity 1 each:
    # A-V2 + B-V1 (1.0 + 0.7 km) beats A-V1 + B-V2 (0.5 + 2.2 km).
    nlat = [LAT0, LAT0 + 1.2 * KM]
    vlat = [LAT0 + 0.5 * KM, LAT0 - 1.0 * KM]
    result = solve(nlat, [LON0] * 2, [3, 3], [None, None], vlat, [LON0] * 2, [[], []], [1, 1], 5000)
    assert sorted((i, k) for i, k, _ in result.assignments) == [(0, 1), (1, 0)]
    e = _by_need(result)[0]
    assert e.code == "nearer_assigned_elsewhere"
    assert e.params["nearer_volunteer"] == 0 and e.params["other_needs"] == [1]
    assert "which keeps the total distance lowest" in e.reason  # the English sentence is kept


def test_codes_are_deterministic():
    nlat, nlon = [LAT0, LAT0 + 0.03], [LON0, LON0]
    vlat, vlon = [LAT0 + 0.01, LAT0 - 0.02], [LON0, LON0]
    runs = [solve(nlat, nlon, [1, 5], [None, None], vlat, vlon, [[], []], [1, 1], 3000) for _ in range(2)]
    assert [(e.code, e.params) for e in runs[0].explanations] == [(e.code, e.params) for e in runs[1].explanations]


# ---------------------------------------------------------------- every explanation, brute force


def _feasible(inst, i, k, d):
    skill = inst["nskill"][i]
    return (
        inst["cap"][k] > 0
        and (skill is None or skill in inst["vskills"][k])
        and (i, k) not in set(inst["forbidden"])
        and d <= inst["max_m"]
    )


@settings(max_examples=150, deadline=None)
@given(instances(max_needs=20, max_vols=8))
def test_every_explanation_matches_a_brute_force_reading_of_the_assignment(inst):
    """The nearest feasible volunteer is found by trying every volunteer, and the
    code follows from what that volunteer was given: a need of higher priority
    (the highest, earliest such need named), other needs (the first three
    named), or nothing."""
    result = run(inst)
    by_vol: dict[int, list[int]] = {}
    for i, k, _ in result.assignments:
        by_vol.setdefault(k, []).append(i)
    assert [e.need for e in result.explanations] == [i for i, _, _ in result.assignments]
    for (i, k, d), e in zip(result.assignments, result.explanations):
        assert (e.volunteer, e.distance_m) == (k, d)
        dists = [
            (float(haversine_m(inst["nlat"][i], inst["nlon"][i], inst["vlat"][v], inst["vlon"][v])), v)
            for v in range(len(inst["vlat"]))
        ]
        d0, k0 = min((dv, v) for dv, v in dists if _feasible(inst, i, v, dv))
        if k0 != k and d0 < d:
            # a feasible volunteer nearer than the chosen one exists: it must be named
            assert (e.nearest_volunteer, e.params["nearer_volunteer"]) == (k0, k0)
            assert e.nearest_distance_m == pytest.approx(d0)
            others = by_vol.get(k0, [])
            higher = [j for j in others if inst["prio"][j] > inst["prio"][i]]
            if higher:
                j = max(higher, key=lambda x: (inst["prio"][x], -x))
                assert e.code == "nearer_needed_for_higher_priority"
                assert (e.params["higher_need"], e.params["higher_priority"]) == (j, inst["prio"][j])
            elif others:
                assert e.code == "nearer_assigned_elsewhere"
                assert e.params["other_needs"] == sorted(others)[:3]
            else:
                assert e.code == "nearer_unavailable"
        else:
            assert e.code == "nearest"
            assert e.nearest_distance_m <= d + 1e-9
