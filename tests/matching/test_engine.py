"""The exact matching engine against an independent exact reference.

The reference is a two-phase integer program solved with scipy's ``milp``
(HiGHS) on the full pair list: first the largest priority sum, then the least
total distance with that priority sum fixed. Tests are pure (no database).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from resilience.matching import engine, ortools_solver
from resilience.matching import native as native_solver
from resilience.matching.engine import haversine_m, solve
from tests.matching.greedy import greedy_nearest_first

SKILLS = ["boat", "first_aid", "counseling"]
LAT0, LON0 = -1.7, 113.7


# ---------------------------------------------------------------- reference


def reference(inst: dict) -> tuple[int, float]:
    """(priority served, total distance) of the lexicographic optimum."""
    n, v = len(inst["nlat"]), len(inst["vlat"])
    forbidden = set(inst["forbidden"])
    pairs = [
        (i, k)
        for i in range(n)
        for k in range(v)
        if inst["cap"][k] > 0
        and (inst["nskill"][i] is None or inst["nskill"][i] in inst["vskills"][k])
        and (i, k) not in forbidden
    ]
    if pairs:
        ii = np.array([p[0] for p in pairs])
        kk = np.array([p[1] for p in pairs])
        nlat, nlon = np.asarray(inst["nlat"]), np.asarray(inst["nlon"])
        vlat, vlon = np.asarray(inst["vlat"]), np.asarray(inst["vlon"])
        d = haversine_m(nlat[ii], nlon[ii], vlat[kk], vlon[kk])
        ok = d <= inst["max_m"]
        ii, kk, d = ii[ok], kk[ok], d[ok]
    if not pairs or len(ii) == 0:
        return 0, 0.0
    m = len(ii)
    prio = np.asarray(inst["prio"], dtype=float)[ii]
    rows = [
        LinearConstraint(coo_matrix((np.ones(m), (ii, np.arange(m))), shape=(n, m)), 0, 1),
        LinearConstraint(
            coo_matrix((np.ones(m), (kk, np.arange(m))), shape=(v, m)), 0, np.asarray(inst["cap"])
        ),
    ]
    first = milp(-prio, constraints=rows, integrality=np.ones(m), bounds=Bounds(0, 1))
    best = int(round(-first.fun))
    rows.append(LinearConstraint(prio[None, :], best - 0.5, np.inf))
    second = milp(d, constraints=rows, integrality=np.ones(m), bounds=Bounds(0, 1))
    return best, float(second.fun)


def run(inst: dict, fn=solve, **kwargs):
    return fn(
        inst["nlat"], inst["nlon"], inst["prio"], inst["nskill"], inst["vlat"], inst["vlon"],
        inst["vskills"], inst["cap"], inst["max_m"], forbidden=inst["forbidden"], **kwargs,
    )


def check_feasible(inst: dict, result) -> None:
    used = np.zeros(len(inst["vlat"]), int)
    seen = set()
    forbidden = set(inst["forbidden"])
    for i, k, d in result.assignments:
        assert i not in seen
        seen.add(i)
        used[k] += 1
        skill = inst["nskill"][i]
        assert skill is None or skill in inst["vskills"][k]
        assert (i, k) not in forbidden
        exact = float(haversine_m(inst["nlat"][i], inst["nlon"][i], inst["vlat"][k], inst["vlon"][k]))
        assert d == pytest.approx(exact, abs=1e-6)
        assert d <= inst["max_m"]
    assert (used <= np.asarray(inst["cap"])).all()
    assert sorted(seen | set(result.unassigned)) == list(range(len(inst["nlat"])))
    assert result.priority_served == sum(inst["prio"][i] for i in seen)
    assert result.total_distance_m == pytest.approx(sum(d for _, _, d in result.assignments))
    assert len(result.explanations) == len(result.assignments)


def assert_optimal(inst: dict, result) -> None:
    best, dist = reference(inst)
    assert result.priority_served == best
    assert result.total_distance_m == pytest.approx(dist, rel=1e-3, abs=0.05 * (1 + len(result.assignments)))


# ---------------------------------------------------------------- instances


@st.composite
def instances(draw, max_needs=14, max_vols=7):
    n = draw(st.integers(0, max_needs))
    v = draw(st.integers(0, max_vols))
    spread = draw(st.sampled_from([0.01, 0.05, 0.2]))
    coord = st.floats(0, spread, allow_nan=False)
    # a small grid of positions makes exact ties (same place) common
    snap = draw(st.booleans())

    def pos(x):
        return round(x / spread * 4) * spread / 4 if snap else x

    nlat = [LAT0 + pos(draw(coord)) for _ in range(n)]
    nlon = [LON0 + pos(draw(coord)) for _ in range(n)]
    vlat = [LAT0 + pos(draw(coord)) for _ in range(v)]
    vlon = [LON0 + pos(draw(coord)) for _ in range(v)]
    prio = [draw(st.integers(1, 5)) for _ in range(n)]
    nskill = [draw(st.sampled_from([None, None] + SKILLS)) for _ in range(n)]
    vskills = [draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)) for _ in range(v)]
    cap = [draw(st.integers(0, 3)) for _ in range(v)]
    max_m = draw(st.sampled_from([1500.0, 5000.0, 12000.0, 40000.0]))
    forbidden = []
    if n and v:
        forbidden = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, v - 1)), max_size=4))
    return dict(nlat=nlat, nlon=nlon, prio=prio, nskill=nskill, vlat=vlat, vlon=vlon,
                vskills=vskills, cap=cap, max_m=max_m, forbidden=forbidden)


def random_instance(seed: int, n: int, v: int, spread: float = 0.15, max_m: float = 6000.0) -> dict:
    rng = np.random.default_rng(seed)
    return dict(
        nlat=list(LAT0 + rng.random(n) * spread), nlon=list(LON0 + rng.random(n) * spread),
        vlat=list(LAT0 + rng.random(v) * spread), vlon=list(LON0 + rng.random(v) * spread),
        prio=list(rng.integers(1, 6, n)), nskill=[[None, "boat", "first_aid"][x] for x in rng.integers(0, 3, n)],
        vskills=[[s for s in ("boat", "first_aid") if rng.random() < 0.5] for _ in range(v)],
        cap=list(rng.integers(0, 4, v)), max_m=max_m,
        forbidden=[(int(rng.integers(n)), int(rng.integers(v))) for _ in range(5)],
    )


# ---------------------------------------------------------------- properties


STRATEGIES = ["full", "sparse"] + (["native", "native-ssp"] if engine.native_available() else [])


@settings(max_examples=300, deadline=None)
@given(instances(), st.sampled_from(STRATEGIES))
def test_feasible_and_optimal(inst, strategy):
    result = run(inst, strategy=strategy)
    check_feasible(inst, result)
    assert_optimal(inst, result)


@settings(max_examples=40, deadline=None)
@given(instances())
def test_deterministic(inst):
    first = run(inst)
    second = run(inst)
    assert first.assignments == second.assignments
    assert first.unassigned == second.unassigned
    assert [e.reason for e in first.explanations] == [e.reason for e in second.explanations]


@pytest.mark.parametrize("seed", range(6))
def test_certification_rounds_reach_the_optimum(monkeypatch, seed):
    """With a tiny first candidate graph the engine must add arcs until the
    dual prices prove optimality on the full graph."""
    monkeypatch.setattr(ortools_solver, "_K_NEAREST", 1)
    monkeypatch.setattr(ortools_solver, "_ADD_PER_NEED", 1)
    monkeypatch.setattr(ortools_solver, "_ADD_PER_VOLUNTEER", 1)
    monkeypatch.setattr(ortools_solver, "_wanted_by_volunteers", lambda *a: (np.zeros(0, np.int64),) * 2)
    inst = random_instance(seed, 70, 25)
    result = run(inst, strategy="sparse")
    check_feasible(inst, result)
    assert_optimal(inst, result)
    assert result.stats["rounds"] > 1


def test_medium_instance_matches_reference():
    inst = random_instance(42, 150, 40, spread=0.2, max_m=8000.0)
    full = run(inst, strategy="full")
    sparse = run(inst, strategy="sparse")
    check_feasible(inst, full)
    assert_optimal(inst, full)
    assert sparse.priority_served == full.priority_served
    assert sparse.total_distance_m == pytest.approx(full.total_distance_m, abs=0.001 * len(full.assignments))


# ---------------------------------------------------------------- edge cases


def test_no_volunteers():
    result = solve([LAT0, LAT0], [LON0, LON0 + 0.01], [5, 1], [None, "boat"], [], [], [], [], 5000)
    assert result.assignments == []
    assert result.unassigned == [0, 1]
    assert result.priority_served == 0 and result.total_distance_m == 0


def test_no_needs():
    result = solve([], [], [], [], [LAT0], [LON0], [["boat"]], [3], 5000)
    assert result.assignments == [] and result.unassigned == []


def test_everyone_too_far():
    result = solve([LAT0], [LON0], [5], [None], [LAT0 + 1], [LON0], [[]], [3], 5000)
    assert result.assignments == [] and result.unassigned == [0]


def test_skill_is_required():
    # the only volunteer in range lacks the boat skill
    result = solve([LAT0], [LON0], [5], ["boat"], [LAT0], [LON0 + 0.001], [["first_aid"]], [1], 5000)
    assert result.unassigned == [0]


def test_higher_priority_wins_over_distance():
    # one volunteer, two needs: the far priority-5 need beats the near priority-1 need
    result = solve([LAT0, LAT0 + 0.04], [LON0, LON0], [1, 5], [None, None], [LAT0], [LON0], [[]], [1], 8000)
    assert [(i, k) for i, k, _ in result.assignments] == [(1, 0)]
    assert result.unassigned == [0]


def test_nearer_volunteer_needed_elsewhere_is_explained():
    # need 0 (priority 1) is nearer to v0, but v0 must take need 1 (priority 5),
    # which only v0 can reach; need 0 goes to the farther v1
    nlat, nlon = [LAT0, LAT0 + 0.03], [LON0, LON0]
    vlat, vlon = [LAT0 + 0.01, LAT0 - 0.02], [LON0, LON0]
    result = solve(nlat, nlon, [1, 5], [None, None], vlat, vlon, [[], []], [1, 1], 3000,
                   need_labels=["h1", "h2"], volunteer_labels=["v1", "v2"])
    assert sorted((i, k) for i, k, _ in result.assignments) == [(0, 1), (1, 0)]
    reason = {e.need: e.reason for e in result.explanations}
    assert "nearer volunteer v1" in reason[0] and "higher-priority need (h2, priority 5)" in reason[0]
    assert reason[1].startswith("nearest volunteer within 3.0 km")


def test_ties_are_broken_by_input_order():
    # three identical needs at one place, one volunteer with capacity 2
    result = solve([LAT0] * 3, [LON0] * 3, [3, 3, 3], [None] * 3, [LAT0 + 0.01], [LON0], [[]], [2], 5000)
    assert [i for i, _, _ in result.assignments] == [0, 1]
    assert result.unassigned == [2]
    # two identical volunteers: the earlier one is used first
    result = solve([LAT0], [LON0], [3], [None], [LAT0 + 0.01] * 2, [LON0] * 2, [[], []], [1, 1], 5000)
    assert [k for _, k, _ in result.assignments] == [0]


def test_one_volunteer_with_huge_capacity():
    inst = random_instance(7, 60, 1, spread=0.05, max_m=20000.0)
    inst["cap"] = [10_000]
    inst["vskills"] = [["boat", "first_aid"]]
    inst["forbidden"] = []
    result = run(inst)
    assert result.unassigned == []
    check_feasible(inst, result)


def test_forbidden_pairs_are_respected():
    # v0 is nearest, but declined need 0 before
    result = solve([LAT0], [LON0], [4], [None], [LAT0 + 0.001, LAT0 + 0.01], [LON0] * 2, [[], []], [1, 1],
                   5000, forbidden=[(0, 0)])
    assert [(i, k) for i, k, _ in result.assignments] == [(0, 1)]
    result = solve([LAT0], [LON0], [4], [None], [LAT0 + 0.001], [LON0], [[]], [1], 5000, forbidden=[(0, 0)])
    assert result.unassigned == [0]


def test_distance_limit_is_inclusive_and_haversine():
    d = float(haversine_m(LAT0, LON0, LAT0 + 0.02, LON0))
    assert d == pytest.approx(0.02 * np.pi / 180 * 6_371_008.8)
    assert solve([LAT0], [LON0], [1], [None], [LAT0 + 0.02], [LON0], [[]], [1], d).unassigned == []
    assert solve([LAT0], [LON0], [1], [None], [LAT0 + 0.02], [LON0], [[]], [1], d - 0.01).unassigned == [0]


def test_integer_skills_work():
    result = solve([LAT0, LAT0], [LON0, LON0], [2, 2], [1, 2], [LAT0], [LON0 + 0.001], [[2]], [5], 5000)
    assert [i for i, _, _ in result.assignments] == [1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(needs_lat=[float("nan")]), "needs[0]"),
        (dict(needs_lat=[95.0]), "needs[0]"),
        (dict(vols_capacity=[-1]), "vols_capacity[0]"),
        (dict(vols_capacity=[1.5]), "integers"),
        (dict(needs_priority=[0]), "needs_priority[0]"),
        (dict(max_distance_m=0), "max_distance_m"),
        (dict(forbidden=[(0, 3)]), "forbidden"),
    ],
)
def test_bad_input_raises(kwargs, message):
    args = dict(needs_lat=[LAT0], needs_lon=[LON0], needs_priority=[1], needs_skill=[None],
                vols_lat=[LAT0], vols_lon=[LON0], vols_skills=[[]], vols_capacity=[1], max_distance_m=5000)
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        solve(**args)


def test_greedy_baseline_is_feasible_and_not_better():
    inst = random_instance(3, 120, 30, spread=0.2, max_m=8000.0)
    greedy = run(inst, greedy_nearest_first)
    check_feasible(inst, greedy)
    best = run(inst)
    assert greedy.priority_served <= best.priority_served
    if greedy.priority_served == best.priority_served:
        assert greedy.total_distance_m >= best.total_distance_m - 1e-6


# ---------------------------------------------------------------- compiled solver

native = pytest.mark.skipif(not engine.native_available(), reason="compiled solver not built")


@native
@settings(max_examples=150, deadline=None)
@given(instances(max_needs=30, max_vols=10))
def test_native_auction_matches_the_milp_reference(inst):
    result = run(inst, strategy="native")
    check_feasible(inst, result)
    assert_optimal(inst, result)
    assert result.stats["strategy"] in ("native", "trivial")
    assert 0 <= result.stats.get("gap_units", 0) < 1


@native
@settings(max_examples=60, deadline=None)
@given(instances(max_needs=30, max_vols=10))
def test_native_is_deterministic(inst):
    first, second = run(inst, strategy="native"), run(inst, strategy="native")
    assert first.assignments == second.assignments
    assert first.unassigned == second.unassigned


@native
@pytest.mark.parametrize("seed", range(4))
def test_native_agrees_with_both_other_exact_solvers(seed):
    inst = random_instance(100 + seed, 300, 70, spread=0.12, max_m=5000.0)
    auction = run(inst, strategy="native")
    ssp = run(inst, strategy="native-ssp")
    ortools = run(inst, strategy="full")
    for result in (auction, ssp):
        check_feasible(inst, result)
        assert result.priority_served == ortools.priority_served
        assert result.total_distance_m == pytest.approx(ortools.total_distance_m, abs=0.001 * (1 + ortools.served))


def medium_instance() -> dict:
    """3,000 needs x 600 volunteers, clustered and contested (4x more needs than capacity)."""
    rng = np.random.default_rng(2024)
    n, v = 3000, 600
    centres = rng.random((30, 2)) * 0.12
    home = rng.integers(0, 30, n)
    vhome = rng.integers(0, 30, v)
    return dict(
        nlat=list(LAT0 + centres[home, 0] + rng.normal(0, 0.004, n)),
        nlon=list(LON0 + centres[home, 1] + rng.normal(0, 0.004, n)),
        vlat=list(LAT0 + centres[vhome, 0] + rng.normal(0, 0.01, v)),
        vlon=list(LON0 + centres[vhome, 1] + rng.normal(0, 0.01, v)),
        prio=list(rng.choice([1, 2, 3, 4, 5], n)),
        nskill=[[None, None, "boat", "first_aid"][x] for x in rng.integers(0, 4, n)],
        vskills=[[s for s in ("boat", "first_aid") if rng.random() < 0.4] for _ in range(v)],
        cap=list(rng.choice([0, 1, 2, 3, 4], v, p=[0.05, 0.2, 0.35, 0.3, 0.1])),
        max_m=3000.0,
        forbidden=[(int(rng.integers(n)), int(rng.integers(v))) for _ in range(50)],
    )


@native
def test_native_medium_instance_matches_ortools_full_graph():
    """The medium instance against OR-Tools on every feasible pair."""
    inst = medium_instance()
    n = len(inst["nlat"])
    result = run(inst, strategy="native")
    reference = run(inst, strategy="full")
    check_feasible(inst, result)
    assert result.served > 0.5 * sum(inst["cap"]) and len(result.unassigned) > 0.5 * n
    assert result.priority_served == reference.priority_served
    assert result.total_distance_m == pytest.approx(reference.total_distance_m, abs=0.001 * reference.served)
    assert result.stats["pricing_rounds"] >= 1  # the candidate graph had to grow


@native
def test_native_gives_the_same_answer_on_one_thread_and_on_two():
    """The graph build, the first candidates, the recheck and the pricing passes
    split their work between two threads; nothing they return may depend on
    the split. Every count the solver reports must match, not just the optimum."""
    inst = medium_instance()
    old = native_solver._native.set_threads(1, 0)
    try:
        one = run(inst, strategy="native")
        native_solver._native.set_threads(2, 0)  # two threads however small the work
        two = run(inst, strategy="native")
    finally:
        native_solver._native.set_threads(*old)
    assert one.assignments == two.assignments
    same = ("bids", "reverse_bids", "phases", "pricing_rounds", "candidate_arcs", "arcs_added", "arcs", "gap_units")
    assert {k: one.stats[k] for k in same} == {k: two.stats[k] for k in same}
    assert one.stats["pricing_rounds"] >= 1


@native
def test_native_handles_capacity_zero_huge_and_nobody_in_range():
    rng = np.random.default_rng(5)
    n = 80
    inst = dict(
        nlat=list(LAT0 + rng.random(n) * 0.05), nlon=list(LON0 + rng.random(n) * 0.05),
        vlat=[LAT0 + 0.02, LAT0 + 0.03, LAT0 + 3.0], vlon=[LON0 + 0.02, LON0 + 0.01, LON0],
        prio=list(rng.integers(1, 6, n)), nskill=[None] * n,
        vskills=[[], [], []], cap=[10_000, 0, 5], max_m=4000.0, forbidden=[],
    )
    result = run(inst, strategy="native")
    check_feasible(inst, result)
    assert_optimal(inst, result)
    assert {k for _, k, _ in result.assignments} <= {0}  # v1 has no capacity, v2 is 330 km away


@native
def test_native_pairs_at_the_limit_are_decided_by_the_reference_haversine():
    # within a micrometre of the limit the C distance is not trusted: numpy's haversine decides
    d = float(haversine_m(LAT0, LON0, LAT0 + 0.02, LON0))
    args = ([LAT0], [LON0], [3], [None], [LAT0 + 0.02], [LON0], [[]], [1])
    assert solve(*args, d, strategy="native").unassigned == []
    assert solve(*args, d + 1e-7, strategy="native").unassigned == []
    assert solve(*args, d - 1e-7, strategy="native").unassigned == [0]


def test_auto_falls_back_to_ortools_when_the_native_solver_fails(monkeypatch, caplog):
    inst = random_instance(11, 60, 15)

    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ArithmeticError("certificate failed (test)")
            return fail

    monkeypatch.setattr(native_solver, "_native", Broken())
    with caplog.at_level("WARNING", logger="resilience.matching.engine"):
        result = run(inst)
    assert result.stats["strategy"] in ("full", "sparse")
    assert "native matching solver failed" in caplog.text
    check_feasible(inst, result)
    assert_optimal(inst, result)


def test_without_the_compiled_solver(monkeypatch):
    inst = random_instance(12, 40, 10)
    monkeypatch.setattr(native_solver, "_native", None)
    result = run(inst)
    assert result.stats["strategy"] == "full"
    assert_optimal(inst, result)
    with pytest.raises(ValueError, match="compiled solver"):
        run(inst, strategy="native")


@native
def test_native_hands_over_when_distances_do_not_fit_its_32_bit_costs(caplog):
    # a 3,000 km limit is 3e9 mm, beyond the native solver's 32-bit costs: OR-Tools solves it
    inst = random_instance(13, 30, 8, spread=25.0, max_m=3_000_000.0)
    with pytest.raises(OverflowError):
        run(inst, strategy="native")
    with caplog.at_level("WARNING", logger="resilience.matching.engine"):
        result = run(inst)
    assert result.stats["strategy"] == "full"
    check_feasible(inst, result)
    assert_optimal(inst, result)
