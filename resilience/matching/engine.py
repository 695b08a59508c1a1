"""Exact matching engine: open needs to available volunteers.

Pure computation: arrays in, assignments out. No database, no Flask.

Problem
-------
Needs ``i`` (one per household entry) have a position, a priority (a positive
integer, 1..5 in the product) and optionally a required skill. Volunteers ``k``
have a position, a set of skills and a capacity (tasks per round). Need ``i``
may go to volunteer ``k`` when ``k`` has the required skill, the great-circle
(haversine, R = 6,371,008.8 m) distance is at most ``max_distance_m`` and the
pair is not in ``forbidden``. Each volunteer takes at most ``capacity`` needs.
The objective is lexicographic: (1) maximise the sum of the priorities of the
needs served, (2) then minimise the total distance.

Public API
----------
``solve(needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon,
vols_skills, vols_capacity, max_distance_m, forbidden=None, *, need_labels=None,
volunteer_labels=None, strategy="auto") -> Result``

``haversine_m(lat1, lon1, lat2, lon2)`` -- vectorised distance in metres.

``native_available()`` -- whether the compiled solver was built.

``Result``: ``assignments`` [(need, volunteer, distance_m)] in need order,
``unassigned`` [need], ``explanations`` [Explanation] aligned with
``assignments`` (distance, skill used, nearest feasible volunteer, reason such
as "nearest volunteer with skill boat within 8.0 km (3.1 km)" or "nearer
volunteer v7 (1.2 km) was needed for a higher-priority need (h3, priority 5)"),
``priority_served``, ``total_distance_m``, ``seconds``, ``stats``.

Skills are any hashable values (strings or small ints); ``needs_skill[i]`` is
``None`` when no skill is required, ``vols_skills[k]`` is an iterable.
``forbidden`` is an iterable of ``(need_index, volunteer_index)`` pairs.
Malformed input raises ``ValueError``.

How it is solved (exactly)
--------------------------
The problem is a min-cost flow: need -> volunteer arcs cost the distance in
integer units (mm when int64 allows, else cm, dm, m), volunteer -> sink arcs
carry the capacity, and every need has a bypass arc to the sink that costs
``priority * M`` with ``M = max_distance_units * min(#needs, total capacity) + 1``,
larger than any total distance, so one unit of priority outweighs any distance.
Equivalently: serving need ``i`` by volunteer ``k`` is worth
``priority * M - distance`` and the engine finds an assignment of the greatest
total worth.

``strategy="native"`` (the default when the compiled solver is built) is
``resilience/matching/_native.c``, a small C extension:

1. every feasible pair, found through a hashed 3-D grid of unit vectors
   (two threads); pairs within a micrometre-scale band of the limit are
   re-decided with ``haversine_m`` so the limit means the same everywhere;
2. a forward/reverse auction (Bertsekas) with epsilon scaling, needs bidding
   for volunteer slots, worths multiplied by ``F = #needs + 1``, on a
   candidate graph: first each volunteer's nearest needs of every priority and
   each need's nearest volunteers, then after every phase the arcs of the full
   graph on which a need would gain more than the phase's slack at the current
   prices are added (pricing), so the full graph is never bid on; every
   volunteer row is kept in order of worth (priority level, then distance
   bucket), so pricing passes, reverse bids and the certificate stop at the
   first arc of a row that cannot matter;
3. a certificate checked on every feasible pair before anything is returned:
   with the slot prices ``p`` (volunteer ``k`` has ``min(capacity, reachable
   needs)`` slots, ``q[k]`` the cheapest) and need values
   ``y[i] = max(0, max_k worth[i,k] - q[k])`` over all feasible pairs, the
   LP dual bound ``sum(p) + sum(y)`` exceeds the assignment's total worth by
   less than ``F``, i.e. by less than one cost unit; every total is a multiple
   of ``F``, so the assignment is optimal. A failed certificate (never seen)
   raises, and ``"auto"`` then solves with OR-Tools instead.

``strategy="native-ssp"`` is a second compiled solver (successive shortest
augmenting paths with integral duals and an exact complementary-slackness
check), much slower on contested instances; it is kept as an independent
cross-check for the tests.

The OR-Tools strategies solve the same min-cost flow with
``SimpleMinCostFlow`` (C++ cost scaling).

``strategy="full"`` builds every feasible pair (KD-tree on 3-D unit vectors, one
tree per required skill, exact haversine filter) and solves once.

``strategy="sparse"`` keeps memory bounded when the full graph is too big:

1. candidate graph: the K nearest feasible volunteers of every need, plus each
   volunteer's most wanted needs (highest priority, then nearest);
2. exact solve of that graph;
3. dual prices for that optimum: ``q[k] >= 0`` per volunteer (0 when it has
   spare capacity) and ``y[i]`` per need (bypass cost if unserved, distance +
   price of its volunteer if served); the least such prices come from a
   label-correcting longest-path pass over the candidate graph;
4. optimality on the full graph holds iff no feasible pair has
   ``d[i,k] + q[k] < y[i]``. The search does not enumerate the full graph: a
   need whose cost is at most the distance to its K-th nearest volunteer cannot
   gain from a farther one; unserved needs are searched from the volunteer side
   within ``priority * M - q[k]``, small where volunteers are contested;
5. violating pairs are added and the graph solved again until none remains.

``"auto"`` (default) uses ``"native"``; without the compiled solver, or if
it fails, ``"full"`` up to 30 million feasible pairs (about 2-3 GB peak) and
``"sparse"`` above. All return the exact optimum of the full problem for
distances rounded to the cost unit. Timings are in bench/RESULTS.md (100,000
needs x 10,000 volunteers: OR-Tools on the full graph about 70 s, the native
auction about 3.3 s in all).

Why a compiled solver of our own: OR-Tools' generic cost-scaling solver needs
2-4 s even on an ideal sparse graph of these heavily contested instances, and
scipy's LP (HiGHS) and sparse assignment solvers were 10-50x slower still.
OR-Tools stays as the fallback and as the tests' cross-check. numpy/scipy
(cKDTree) do the rest of the geometry.

Determinism and ties
--------------------
The same input gives the same output: arcs are built in an order that depends
only on the input and the solvers are deterministic (the native solver's two
threads split work whose result does not depend on the split).
Exact ties are resolved by input order: needs at identical coordinates with the
same priority and required skill are served earlier-first, and volunteers at
identical coordinates with the same skills are filled in input order (both
rules are skipped for records named in ``forbidden``).
Modules
-------
This module is the entry point: it validates, picks the strategy and resolves
ties. The work is done by ``instance.py`` (input checks, the instance, candidate
pairs), ``geometry.py`` (haversine, unit vectors), ``costs.py`` (integer cost
scale), ``native.py`` (driver of ``_native.c``), ``ortools_solver.py`` (the
``"full"`` and ``"sparse"`` strategies), ``ties.py`` (ties by input order) and
``explain.py`` (``Result``, ``Explanation``, the reasons). The greedy baseline
the benchmark compares against is ``tests/matching/greedy.py``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Hashable, Iterable, Sequence

import numpy as np

from . import native, ortools_solver
from .costs import pick_costs
from .explain import EXPLANATION_CODES, Explanation, Result, build_result
from .geometry import EARTH_RADIUS_M, haversine_m
from .instance import Instance, prepare
from .ties import canonical_ties

__all__ = [
    "EARTH_RADIUS_M", "EXPLANATION_CODES", "Explanation", "Result", "haversine_m", "native_available", "solve",
]

_log = logging.getLogger(__name__)


def _optimise(inst: Instance, strategy: str):
    """Exact optimum. Returns the chosen volunteer per need (-1 if none) and stats."""
    costs = pick_costs(inst)
    if strategy == "auto" and native.available():
        try:
            return native.optimise(inst, costs, "native")
        except (ArithmeticError, MemoryError) as exc:  # never seen; the OR-Tools path is exact too
            _log.warning("native matching solver failed (%s); solving with OR-Tools", exc)
    if strategy in ("native", "native-ssp"):
        if not native.available():
            raise ValueError(f"strategy {strategy!r} needs the compiled solver, which is not built")
        return native.optimise(inst, costs, strategy)
    return ortools_solver.optimise(inst, costs, strategy)


def solve(
    needs_lat: Sequence[float],
    needs_lon: Sequence[float],
    needs_priority: Sequence[int],
    needs_skill: Sequence[Hashable | None],
    vols_lat: Sequence[float],
    vols_lon: Sequence[float],
    vols_skills: Sequence[Iterable[Hashable]],
    vols_capacity: Sequence[int],
    max_distance_m: float,
    forbidden: Iterable[tuple[int, int]] | None = None,
    *,
    need_labels: Sequence[Any] | None = None,
    volunteer_labels: Sequence[Any] | None = None,
    strategy: str = "auto",
) -> Result:
    """Exact lexicographic optimum (priority served, then total distance).

    ``strategy``: ``"native"`` is the compiled auction with its optimality
    certificate; ``"native-ssp"`` the compiled shortest-augmenting-path
    solver; ``"full"`` solves the graph of every feasible pair at once with
    OR-Tools; ``"sparse"`` solves a candidate graph with OR-Tools and adds
    pairs until dual prices prove optimality on the full graph; ``"auto"``
    (default) takes ``"native"``, or without it (or if it fails) ``"full"`` up
    to 30 million feasible pairs and ``"sparse"`` above. All give the same
    optimum.

    Raises ``ValueError`` on malformed input (lengths, NaN or out-of-range
    coordinates, non-integer or negative capacity, priority below 1, bad
    ``max_distance_m`` or forbidden pair). Labels are used only in the
    human-readable reasons.
    """
    started = time.perf_counter()
    inst = prepare(
        needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
        vols_capacity, max_distance_m, forbidden,
    )
    if inst.n_needs == 0 or inst.n_vols == 0 or int(inst.cap.sum()) == 0:
        chosen = np.full(inst.n_needs, -1, np.int64)
        stats = {"strategy": "trivial", "rounds": 0, "arcs": 0, "arcs_added": 0}
    else:
        chosen, stats = _optimise(inst, strategy)
        chosen = canonical_ties(inst, chosen)
    return build_result(inst, chosen, started, stats, need_labels, volunteer_labels)


def native_available() -> bool:
    """Whether the compiled solver (resilience/matching/_native.c) is built."""
    return native.available()

