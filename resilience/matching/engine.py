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

``greedy_nearest_first(<same arguments, no strategy>) -> Result`` -- the
benchmark baseline (highest priority first, then input order; each need to the
nearest feasible volunteer that still has capacity). Not optimal; never used by
the service.

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
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Sequence

import numpy as np
from scipy.spatial import cKDTree

try:  # the compiled solver (resilience/matching/_native.c), built by `pip install`
    from . import _native
except ImportError:  # not built (no C compiler at install time): OR-Tools only
    _native = None

_log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8

_INT64_MAX = np.iinfo(np.int64).max
_UNITS_PER_METRE = (1000, 100, 10, 1)  # mm, cm, dm, m: the finest that fits is used
_K_NEAREST = 16  # nearest feasible volunteers per need in the first candidate graph
_ADD_PER_NEED = 48  # violating arcs added per need and round
_ADD_PER_VOLUNTEER = 32  # unserved needs examined per volunteer, priority and round
_ORTOOLS_COST_LIMIT = 2**61  # headroom for OR-Tools' internal cost scaling
_FULL_GRAPH_ARCS = 30_000_000  # up to this many feasible pairs the full graph is solved directly
_PAIR_CHUNK = 2_000_000  # pairs converted at a time when building the full graph


@dataclass(frozen=True)
class Explanation:
    """Why a need went to a volunteer."""

    need: int
    volunteer: int
    distance_m: float
    skill: Hashable | None  # the required skill used, or None
    nearest_volunteer: int  # nearest feasible volunteer (may be the chosen one)
    nearest_distance_m: float
    reason: str  # English, for the API and the CLI
    # The same reason as data, for callers that word it themselves (the web app, in Bahasa
    # Indonesia): ``code`` is one of EXPLANATION_CODES; ``params`` holds plain numbers and
    # indices (``nearer_volunteer``, ``higher_need``, ``other_needs`` are indices into the
    # input), never labels.
    code: str = "nearest"
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


EXPLANATION_CODES = (
    "nearest",  # params: skill, distance_m, max_distance_m
    "nearer_needed_for_higher_priority",  # + nearer_volunteer, nearer_distance_m, higher_need, higher_priority
    "nearer_assigned_elsewhere",  # + nearer_volunteer, nearer_distance_m, other_needs (at most 3)
    "nearer_unavailable",  # + nearer_volunteer, nearer_distance_m
)


@dataclass
class Result:
    assignments: list[tuple[int, int, float]]  # (need, volunteer, distance_m), by need
    unassigned: list[int]
    explanations: list[Explanation]  # aligned with ``assignments``
    priority_served: int
    total_distance_m: float
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def served(self) -> int:
        return len(self.assignments)


# --------------------------------------------------------------------------- geometry


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in metres (haversine, R = 6,371,008.8 m), vectorised."""
    p1, l1 = np.radians(lat1), np.radians(lon1)
    p2, l2 = np.radians(lat2), np.radians(lon2)
    return _haversine_rad(p1, l1, np.cos(p1), p2, l2, np.cos(p2))


def _haversine_rad(p1, l1, c1, p2, l2, c2) -> np.ndarray:
    """Haversine from radians and cosines of latitude (shared by all callers so
    that every distance is computed bit for bit the same way)."""
    a = np.sin((p2 - p1) / 2.0) ** 2 + c1 * c2 * np.sin((l2 - l1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la = np.radians(lat)
    lo = np.radians(lon)
    cl = np.cos(la)
    return np.column_stack((cl * np.cos(lo), cl * np.sin(lo), np.sin(la)))


def _chord(metres) -> np.ndarray:
    """Chord length on the unit sphere for a great-circle distance, with slack."""
    ang = np.minimum(np.asarray(metres, dtype=float) / EARTH_RADIUS_M, math.pi)
    return 2.0 * np.sin(ang / 2.0) * (1.0 + 1e-9) + 1e-12


# --------------------------------------------------------------------------- inputs


@dataclass
class _Instance:
    n_needs: int
    n_vols: int
    nlat: np.ndarray
    nlon: np.ndarray
    prio: np.ndarray  # int64
    need_group: np.ndarray  # index into groups; 0 = no skill required
    groups: list[Hashable | None]
    vlat: np.ndarray
    vlon: np.ndarray
    vol_has: np.ndarray  # (n_groups, n_vols) bool, row 0 all True
    cap: np.ndarray  # int64
    max_m: float
    forbidden: np.ndarray  # sorted int64 keys need * n_vols + vol
    need_xyz: np.ndarray
    vol_xyz: np.ndarray
    need_rad: tuple = ()  # (lat, lon, cos lat) in radians
    vol_rad: tuple = ()

    def __post_init__(self):
        p, l = np.radians(self.nlat), np.radians(self.nlon)
        self.need_rad = (p, l, np.cos(p))
        p, l = np.radians(self.vlat), np.radians(self.vlon)
        self.vol_rad = (p, l, np.cos(p))

    def distances(self, ii: np.ndarray, kk: np.ndarray) -> np.ndarray:
        p1, l1, c1 = (x[ii] for x in self.need_rad)
        p2, l2, c2 = (x[kk] for x in self.vol_rad)
        return _haversine_rad(p1, l1, c1, p2, l2, c2)

    def allowed(self, ii: np.ndarray, kk: np.ndarray) -> np.ndarray:
        if len(self.forbidden) == 0 or len(ii) == 0:
            return np.ones(len(ii), dtype=bool)
        key = ii.astype(np.int64) * self.n_vols + kk
        pos = np.searchsorted(self.forbidden, key)
        pos = np.minimum(pos, len(self.forbidden) - 1)
        return self.forbidden[pos] != key


def _coords(name: str, lat, lon) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(lat, dtype=float).reshape(-1)
    lon = np.asarray(lon, dtype=float).reshape(-1)
    if lat.shape != lon.shape:
        raise ValueError(f"{name}: lat and lon have different lengths")
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    bad |= (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}]: invalid coordinates ({lat[i]}, {lon[i]})")
    return lat, lon


def _integers(name: str, values, n: int, minimum: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got shape {arr.shape}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name}: values must be integers")
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"{name}: values must be integers")
    out = arr.astype(np.int64)
    if (out < minimum).any():
        i = int(np.flatnonzero(out < minimum)[0])
        raise ValueError(f"{name}[{i}]: {out[i]} is below {minimum}")
    return out


def _prepare(
    needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
    vols_capacity, max_distance_m, forbidden,
) -> _Instance:
    nlat, nlon = _coords("needs", needs_lat, needs_lon)
    vlat, vlon = _coords("volunteers", vols_lat, vols_lon)
    n, v = len(nlat), len(vlat)
    prio = _integers("needs_priority", needs_priority, n, 1)
    cap = _integers("vols_capacity", vols_capacity, v, 0)
    try:
        max_m = float(max_distance_m)
    except (TypeError, ValueError):
        raise ValueError("max_distance_m must be a positive number") from None
    if not (math.isfinite(max_m) and max_m > 0):
        raise ValueError("max_distance_m must be a positive number")
    needs_skill = list(needs_skill)
    vols_skills = list(vols_skills)
    if len(needs_skill) != n:
        raise ValueError(f"needs_skill: expected {n} values, got {len(needs_skill)}")
    if len(vols_skills) != v:
        raise ValueError(f"vols_skills: expected {v} values, got {len(vols_skills)}")

    groups: list[Hashable | None] = [None]
    index: dict[Hashable, int] = {}
    need_group = np.zeros(n, dtype=np.int64)
    for i, s in enumerate(needs_skill):
        if s is None:
            continue
        g = index.get(s)
        if g is None:
            g = index[s] = len(groups)
            groups.append(s)
        need_group[i] = g
    vol_has = np.zeros((len(groups), v), dtype=bool)
    vol_has[0] = True
    for k, skills in enumerate(vols_skills):
        for s in skills or ():
            g = index.get(s)
            if g is not None:
                vol_has[g, k] = True

    keys = []
    for pair in forbidden or ():
        i, k = (int(x) for x in pair)
        if not (0 <= i < n and 0 <= k < v):
            raise ValueError(f"forbidden pair ({i}, {k}) is out of range")
        keys.append(i * v + k)
    forb = np.unique(np.asarray(keys, dtype=np.int64))

    return _Instance(
        n, v, nlat, nlon, prio, need_group, groups, vlat, vlon, vol_has, cap, max_m, forb,
        _unit_vectors(nlat, nlon), _unit_vectors(vlat, vlon),
    )


# --------------------------------------------------------------------------- solver


class _Costs:
    """Integer cost scale: distance units and the priority multiplier M."""

    def __init__(self, inst: _Instance, unit: int):
        self.unit = unit
        self.dmax = int(math.ceil(inst.max_m * unit))
        capacity = int(inst.cap.sum())
        self.big_m = self.dmax * max(1, min(inst.n_needs, capacity)) + 1
        self.bypass = inst.prio * self.big_m

    def units(self, metres: np.ndarray) -> np.ndarray:
        return np.rint(np.asarray(metres) * self.unit).astype(np.int64)

    def fits(self, inst: _Instance) -> bool:
        nodes = inst.n_needs + inst.n_vols + 2
        biggest = int(inst.prio.max(initial=1)) * self.big_m
        return biggest < _ORTOOLS_COST_LIMIT // nodes


def _pick_costs(inst: _Instance) -> _Costs:
    for unit in _UNITS_PER_METRE:
        costs = _Costs(inst, unit)
        if costs.fits(inst):
            return costs
    raise ValueError("problem too large for exact integer costs (int64 overflow)")


def _nearest_candidates(inst: _Instance, trees: dict, k: int, only: np.ndarray | None = None):
    """K nearest feasible volunteers per need (or per need in ``only``, a
    boolean mask). Returns arcs and the K-th distance."""
    n = inst.n_needs
    kth = np.full(n, np.inf)
    ai, ak = [], []
    radius = float(_chord(inst.max_m))
    for g in range(len(inst.groups)):
        needs = np.flatnonzero(inst.need_group == g if only is None else (inst.need_group == g) & only)
        if len(needs) == 0 or g not in trees:
            continue
        tree, vols = trees[g]
        kk = min(k, len(vols))
        dist, nb = tree.query(inst.need_xyz[needs], k=kk, distance_upper_bound=radius, workers=-1)
        dist = dist.reshape(len(needs), kk)
        nb = nb.reshape(len(needs), kk)
        found = np.isfinite(dist)
        if kk == k:
            full = found[:, -1]
            kth[needs[full]] = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(dist[full, -1] / 2.0, 1.0))
        ai.append(np.broadcast_to(needs[:, None], dist.shape)[found])
        ak.append(vols[nb[found]])
    if not ai:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), kth
    return np.concatenate(ai).astype(np.int64), np.concatenate(ak).astype(np.int64), kth


def _feasible_pairs(inst: _Instance, ii: np.ndarray, kk: np.ndarray):
    """Exact feasibility filter; returns the kept pairs and their distances."""
    d = inst.distances(ii, kk)
    ok = (d <= inst.max_m) & inst.allowed(ii, kk) & (inst.cap[kk] > 0)
    ok &= inst.vol_has[inst.need_group[ii], kk]
    return ii[ok], kk[ok], d[ok]


def _compact(ids: np.ndarray, size: int):
    """The distinct ids (ascending) and each entry's position among them."""
    present = np.zeros(size, bool)
    present[ids] = True
    distinct = np.flatnonzero(present)
    position = np.cumsum(present, dtype=np.int64) - 1
    return distinct, position[ids]


def _solve_flow(inst: _Instance, costs: _Costs, ai, ak, du):
    """Exact min-cost flow on the given arcs. Returns, per need, the index of
    its chosen arc or -1."""
    from ortools.graph.python import min_cost_flow

    n_arcs = len(ai)
    needs, need_loc = _compact(ai, inst.n_needs)
    vols, vol_loc = _compact(ak, inst.n_vols)
    n, v = len(needs), len(vols)
    sink = n + v
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(
        need_loc.astype(np.int32), (n + vol_loc).astype(np.int32), np.ones(n_arcs, np.int64), du
    )
    del need_loc, vol_loc
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, dtype=np.int32), np.full(n, sink, np.int32), np.ones(n, np.int64), costs.bypass[needs]
    )
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + v, dtype=np.int32), np.full(v, sink, np.int32), inst.cap[vols], np.zeros(v, np.int64)
    )
    supplies = np.zeros(n + v + 1, np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    mcf.set_nodes_supplies(np.arange(n + v + 1, dtype=np.int32), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise ArithmeticError(f"min-cost flow failed: {status}")
    used = np.flatnonzero(mcf.flows(np.arange(n_arcs, dtype=np.int32)) > 0)
    chosen = np.full(inst.n_needs, -1, np.int64)
    chosen[ai[used]] = used
    return chosen


def _least_prices(inst: _Instance, costs: _Costs, ai, ak, du, chosen):
    """Least dual prices for an optimal flow on the candidate graph.

    q[k] >= 0 per volunteer, y[i] per need, with d + q[k] >= y[i] on every
    candidate arc and equality on chosen arcs. Longest-path label correcting,
    processing only needs whose volunteer's price changed.
    """
    n, v = inst.n_needs, inst.n_vols
    indptr = np.searchsorted(ai, np.arange(n + 1))
    served = chosen >= 0
    arc = np.maximum(chosen, 0)
    a_vol = np.where(served, ak[arc], 0)
    a_cost = np.where(served, du[arc], 0)
    load = np.bincount(a_vol[served], minlength=v)
    saturated = load >= inst.cap
    q = np.zeros(v, np.int64)

    def y_of(idx):
        return np.where(served[idx], a_cost[idx] + q[a_vol[idx]], costs.bypass[idx])

    frontier = np.flatnonzero(indptr[1:] > indptr[:-1])
    for _ in range(4 * (n + v) + 10):
        if len(frontier) == 0:
            break
        start = indptr[frontier]
        length = indptr[frontier + 1] - start
        total = int(length.sum())
        if total == 0:
            break
        owner = np.repeat(frontier, length)
        arcs = np.repeat(start - np.cumsum(length) + length, length) + np.arange(total)
        cand = y_of(owner) - du[arcs]
        tgt = ak[arcs]
        better = cand > q[tgt]
        if not better.any():
            break
        new_q = q.copy()
        np.maximum.at(new_q, tgt[better], cand[better])
        changed = np.flatnonzero(new_q != q)
        if (~saturated[changed]).any():
            raise ArithmeticError("flow is not optimal: a free volunteer got a price")
        q = new_q
        moved = np.zeros(v, bool)
        moved[changed] = True
        frontier = np.flatnonzero(served & moved[a_vol])
    else:
        raise ArithmeticError("dual prices did not converge")
    y = y_of(np.arange(n))
    if (y > costs.bypass).any():
        raise ArithmeticError("flow is not optimal: a served need costs more than its bypass")
    return q, y


def _pairs_within(tree_pts: cKDTree, pts: np.ndarray, radii: np.ndarray):
    """All (query index, tree index) with distance within per-query chord radius."""
    if len(pts) == 0 or tree_pts.n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    res = tree_pts.query_ball_point(pts, radii, workers=-1, return_sorted=False)
    lengths = np.fromiter((len(r) for r in res), dtype=np.int64, count=len(res))
    if lengths.sum() == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    qi = np.repeat(np.arange(len(pts)), lengths)
    ti = np.fromiter((x for r in res for x in r), dtype=np.int64, count=int(lengths.sum()))
    return qi, ti


def _nearest_within(tree: cKDTree, pts: np.ndarray, radii_m: np.ndarray, k: int):
    """Up to k nearest tree points of each query point within its own radius.

    cKDTree takes one distance bound per call, so queries are batched by radius
    (four quantile bands) and the per-point radius is applied afterwards.
    """
    if len(pts) == 0 or tree.n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k = min(k, tree.n)
    chords = _chord(radii_m)
    order = np.argsort(chords, kind="stable")
    out_q, out_t = [], []
    for part in np.array_split(order, min(4, len(order))):
        if len(part) == 0:
            continue
        bound = float(chords[part].max())
        dist, nb = tree.query(pts[part], k=k, distance_upper_bound=bound, workers=-1)
        dist = dist.reshape(len(part), k)
        nb = nb.reshape(len(part), k)
        hit = dist <= chords[part][:, None]
        out_q.append(np.broadcast_to(part[:, None], hit.shape)[hit])
        out_t.append(nb[hit])
    return np.concatenate(out_q).astype(np.int64), np.concatenate(out_t).astype(np.int64)


def _violations(inst, costs, trees, kth_u, q, y, chosen):
    """Feasible pairs (need, volunteer) with d + q[k] < y[i] on the full graph.

    Not every violating pair is returned, but at least one whenever any exists:
    - unserved needs of priority p are searched from each volunteer with price
      below p*M, within the radius p*M - q[k] (nearest first, so the nearest
      one is the most violated for that volunteer and priority);
    - served needs whose cost exceeds the distance to their K-th nearest
      volunteer are searched within y[i] - (least price of a nearby level).
    """
    found_i, found_k = [], []
    served = chosen >= 0
    unit = costs.unit
    level = q // costs.big_m
    for g in range(len(inst.groups)):
        if g not in trees:
            continue
        tree_v, vols = trees[g]
        in_group = inst.need_group == g
        check = np.flatnonzero(in_group & served & (y > kth_u))
        if len(check):
            for lev in np.unique(level[vols]):
                sub = vols[level[vols] == lev]
                qlo = int(q[sub].min())
                reach = y[check] - qlo
                live = reach > 0
                if not live.any():
                    continue
                sub_tree = tree_v if len(sub) == len(vols) else cKDTree(inst.vol_xyz[sub])
                sub_ids = vols if len(sub) == len(vols) else sub
                radius = np.minimum(reach[live] / unit, inst.max_m)
                qi, ti = _pairs_within(sub_tree, inst.need_xyz[check[live]], _chord(radius))
                found_i.append(check[live][qi])
                found_k.append(sub_ids[ti])
        unserved = np.flatnonzero(in_group & ~served)
        if len(unserved) == 0:
            continue
        for p in np.unique(inst.prio[unserved]):
            group = unserved[inst.prio[unserved] == p]
            reach_u = int(p) * costs.big_m - q[vols]
            live = np.flatnonzero(reach_u > 0)
            if len(live) == 0:
                continue
            tree_n = cKDTree(inst.need_xyz[group])
            radius = np.minimum(reach_u[live] / unit, inst.max_m)
            qi, ti = _nearest_within(tree_n, inst.vol_xyz[vols[live]], radius, _ADD_PER_VOLUNTEER)
            found_i.append(group[ti])
            found_k.append(vols[live][qi])
    if not found_i:
        return (np.zeros(0, np.int64),) * 3
    ii = np.concatenate(found_i)
    kk = np.concatenate(found_k)
    ii, kk, d = _feasible_pairs(inst, ii, kk)
    du = costs.units(d)
    bad = du + q[kk] < y[ii]
    return ii[bad], kk[bad], du[bad]


def _wanted_by_volunteers(inst: _Instance, trees: dict, per_volunteer: np.ndarray):
    """Each volunteer's most wanted needs: highest priority first, then nearest."""
    vi, vn, vp, vd = [], [], [], []
    radius = float(_chord(inst.max_m))
    for g in trees:
        _, vols = trees[g]
        for p in np.unique(inst.prio[inst.need_group == g]):
            needs = np.flatnonzero((inst.need_group == g) & (inst.prio == p))
            k = int(min(per_volunteer[vols].max(), len(needs)))
            if k == 0:
                continue
            dist, nb = cKDTree(inst.need_xyz[needs]).query(
                inst.vol_xyz[vols], k=k, distance_upper_bound=radius, workers=-1
            )
            dist = dist.reshape(len(vols), k)
            nb = nb.reshape(len(vols), k)
            hit = np.isfinite(dist)
            vi.append(np.broadcast_to(vols[:, None], hit.shape)[hit])
            vn.append(needs[nb[hit]])
            vd.append(dist[hit])
            vp.append(np.full(int(hit.sum()), p))
    if not vi:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    vi, vn, vp, vd = (np.concatenate(x) for x in (vi, vn, vp, vd))
    order = np.lexsort((vn, vd, -vp, vi))
    vi, vn = vi[order], vn[order]
    rank = np.arange(len(vi)) - np.searchsorted(vi, vi, side="left")
    keep = rank < per_volunteer[vi]
    return vn[keep].astype(np.int64), vi[keep].astype(np.int64)


def _merge_arcs(ai, ak, du, ni, nk, nd):
    key_old = ai * (1 << 31) + ak
    ni, nk, nd = ni.astype(np.int64), nk.astype(np.int64), nd
    key = np.concatenate((key_old, ni * (1 << 31) + nk))
    order = np.argsort(key, kind="stable")
    key = key[order]
    keep = np.ones(len(key), bool)
    keep[1:] = key[1:] != key[:-1]
    idx = order[keep]
    all_i = np.concatenate((ai, ni))[idx]
    all_k = np.concatenate((ak, nk))[idx]
    all_d = np.concatenate((du, nd))[idx]
    return all_i, all_k, all_d


def _best_per_need(ii, kk, score, limit):
    order = np.lexsort((kk, score, ii))
    ii, kk, score = ii[order], kk[order], score[order]
    first = np.searchsorted(ii, ii, side="left")
    rank = np.arange(len(ii)) - first
    keep = rank < limit
    return ii[keep], kk[keep]


def _volunteer_trees(inst: _Instance) -> dict:
    trees = {}
    for g in range(len(inst.groups)):
        vols = np.flatnonzero(inst.vol_has[g] & (inst.cap > 0))
        if len(vols):
            trees[g] = (cKDTree(inst.vol_xyz[vols]), vols)
    return trees


def _count_pairs(inst: _Instance, trees: dict) -> int:
    """Number of pairs within the radius whose skill matches (forbidden pairs included)."""
    total = 0
    radius = float(_chord(inst.max_m))
    for g, (tree, _) in trees.items():
        needs = np.flatnonzero(inst.need_group == g)
        if len(needs):
            total += int(tree.query_ball_point(inst.need_xyz[needs], radius, return_length=True, workers=-1).sum())
    return total


def _full_graph(inst: _Instance, costs: _Costs, trees: dict):
    """Every feasible pair (int32 ends, int64 costs), in a deterministic order."""
    radius = float(_chord(inst.max_m))
    parts_i, parts_k, parts_d = [], [], []
    for g, (tree_v, vols) in trees.items():
        needs = np.flatnonzero(inst.need_group == g)
        if len(needs) == 0:
            continue
        tree_n = cKDTree(inst.need_xyz[needs])
        pairs = tree_n.sparse_distance_matrix(tree_v, radius, output_type="ndarray")
        for lo in range(0, len(pairs), _PAIR_CHUNK):
            chunk = pairs[lo:lo + _PAIR_CHUNK]
            ii, kk, d = _feasible_pairs(inst, needs[chunk["i"]], vols[chunk["j"]])
            parts_i.append(ii.astype(np.int32))
            parts_k.append(kk.astype(np.int32))
            parts_d.append(costs.units(d))
        del pairs
    if not parts_i:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64)
    ai = np.concatenate(parts_i)
    ak = np.concatenate(parts_k)
    du = np.concatenate(parts_d)
    return ai, ak, du


def _optimise(inst: _Instance, strategy: str):
    """Exact optimum. Returns the chosen volunteer per need (-1 if none) and stats."""
    costs = _pick_costs(inst)
    if strategy == "auto" and _native is not None:
        try:
            return _optimise_native(inst, costs, "native")
        except (ArithmeticError, MemoryError) as exc:  # never seen; the OR-Tools path is exact too
            _log.warning("native matching solver failed (%s); solving with OR-Tools", exc)
    if strategy in ("native", "native-ssp"):
        if _native is None:
            raise ValueError(f"strategy {strategy!r} needs the compiled solver, which is not built")
        return _optimise_native(inst, costs, strategy)
    trees = _volunteer_trees(inst)
    pairs = None
    if strategy == "auto":
        pairs = _count_pairs(inst, trees)
        strategy = "full" if pairs <= _FULL_GRAPH_ARCS else "sparse"
    if strategy == "full":
        ai, ak, du = _full_graph(inst, costs, trees)
        chosen_arc = _solve_flow(inst, costs, ai, ak, du) if len(ai) else np.full(inst.n_needs, -1, np.int64)
        rounds, added = 1, 0
    elif strategy == "sparse":
        ai, ak, du, chosen_arc, rounds, added = _sparse_rounds(inst, costs, trees)
    else:
        raise ValueError(f"unknown strategy {strategy!r}")
    chosen = np.full(inst.n_needs, -1, np.int64)
    served = chosen_arc >= 0
    chosen[served] = ak[chosen_arc[served]]
    stats = {
        "strategy": strategy,
        "rounds": rounds,
        "arcs": int(len(ai)),
        "arcs_added": added,
        "cost_unit_per_m": costs.unit,
    }
    if pairs is not None:
        stats["pairs_within_radius"] = pairs
    return chosen, stats


def _native_graph(inst: _Instance, costs: _Costs):
    """Every feasible pair, built in C; pairs within a micrometre-scale band of
    the distance limit are re-decided here with the reference haversine, and
    forbidden pairs are removed."""
    tol = 1e-6 + 1e-9 * inst.max_m
    graph, border = _native.build(
        np.ascontiguousarray(inst.need_xyz, dtype=np.float64),
        np.ascontiguousarray(inst.vol_xyz, dtype=np.float64),
        np.ascontiguousarray(inst.need_group, dtype=np.int32),
        np.ascontiguousarray(inst.vol_has, dtype=np.uint8),
        np.ascontiguousarray(inst.cap > 0, dtype=np.uint8),
        inst.max_m, tol, float(costs.unit),
    )
    border = np.frombuffer(border, dtype=np.int64).reshape(-1, 2)
    drop = [border[inst.distances(border[:, 1], border[:, 0]) > inst.max_m]]
    if len(inst.forbidden):
        drop.append(np.column_stack((inst.forbidden % inst.n_vols, inst.forbidden // inst.n_vols)))
    drop = np.ascontiguousarray(np.concatenate(drop), dtype=np.int64)
    if len(drop):
        _native.remove(graph, drop)
    return graph


def _optimise_native(inst: _Instance, costs: _Costs, strategy: str):
    """Exact optimum with the compiled solver on the graph of every feasible
    pair: ``"native"`` is an epsilon-scaling auction, ``"native-ssp"`` the
    slower shortest-augmenting-path method (kept as an independent check).
    Both verify an optimality certificate on every arc before they return
    (ArithmeticError otherwise), so the result is proven optimal."""
    started = time.perf_counter()
    graph = _native_graph(inst, costs)
    built = time.perf_counter()
    bypass = np.ascontiguousarray(costs.bypass, dtype=np.int64)
    cap = np.ascontiguousarray(inst.cap, dtype=np.int64)
    if strategy == "native":
        chosen, info = _native.auction(graph, bypass, cap)
    else:
        chosen, _, _, info = _native.solve(graph, bypass, cap)
    del graph
    stats = {
        "strategy": strategy,
        "rounds": 1,
        "arcs": info.pop("arcs"),
        "arcs_added": 0,
        "cost_unit_per_m": costs.unit,
        "build_s": round(built - started, 3),
        "solve_s": round(time.perf_counter() - built, 3),
        **info,
    }
    return np.frombuffer(chosen, dtype=np.int64).copy(), stats


def _sparse_rounds(inst: _Instance, costs: _Costs, trees: dict):
    """Candidate graph, exact solve, dual prices, full-graph check; repeat."""
    ci, ck, kth = _nearest_candidates(inst, trees, _K_NEAREST)
    wi, wk = _wanted_by_volunteers(inst, trees, 2 * np.minimum(inst.cap, 50) + 4)
    ci, ck, d = _feasible_pairs(inst, np.concatenate((ci, wi)), np.concatenate((ck, wk)))
    empty = np.zeros(0, np.int64)
    ai, ak, du = _merge_arcs(empty, empty, empty, ci, ck, costs.units(d))
    # a need whose cost y is at most the (rounded-down) distance to its K-th
    # nearest feasible volunteer cannot gain from any volunteer outside its list
    kth_u = np.full(inst.n_needs, _INT64_MAX, np.int64)
    truncated = np.isfinite(kth)
    kth_u[truncated] = np.floor(kth[truncated] * costs.unit).astype(np.int64) - 1
    rounds = 0
    added = 0
    while True:
        rounds += 1
        if len(ai) == 0:
            chosen_arc = np.full(inst.n_needs, -1, np.int64)
            q = np.zeros(inst.n_vols, np.int64)
            y = costs.bypass.copy()
        else:
            chosen_arc = _solve_flow(inst, costs, ai, ak, du)
            q, y = _least_prices(inst, costs, ai, ak, du, chosen_arc)
        vi, vk, vd = _violations(inst, costs, trees, kth_u, q, y, chosen_arc)
        if len(vi) == 0:
            return ai, ak, du, chosen_arc, rounds, added
        bi, bk = _best_per_need(vi, vk, vd + q[vk], _ADD_PER_NEED)
        sel = np.isin(vi * (1 << 31) + vk, bi * (1 << 31) + bk)
        added += int(sel.sum())
        ai, ak, du = _merge_arcs(ai, ak, du, vi[sel], vk[sel], vd[sel])


# --------------------------------------------------------------------------- ties


def _canonical_ties(inst: _Instance, chosen: np.ndarray) -> np.ndarray:
    """Resolve exact ties by input order (see module docstring)."""
    return _canonical_needs(inst, _canonical_volunteers(inst, chosen))


def _canonical_volunteers(inst: _Instance, chosen: np.ndarray) -> np.ndarray:
    """Volunteers at one place with the same relevant skills are filled in input order."""
    v = inst.n_vols
    if v < 2:
        return chosen
    sig = np.column_stack((inst.vlat, inst.vlon, inst.vol_has.T.astype(float)))
    order = np.lexsort(tuple(sig[:, c] for c in range(sig.shape[1] - 1, -1, -1)))
    sig = sig[order]
    new_group = np.ones(v, bool)
    new_group[1:] = (sig[1:] != sig[:-1]).any(axis=1)
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], v)
    multi = np.flatnonzero(ends - starts > 1)
    if len(multi) == 0:
        return chosen
    chosen = chosen.copy()
    forbidden_vols = set((inst.forbidden % max(v, 1)).tolist())
    for gi in multi:
        members = np.sort(order[starts[gi]:ends[gi]])
        if forbidden_vols.intersection(members.tolist()):
            continue
        needs = np.flatnonzero(np.isin(chosen, members))  # ascending input order
        slots = np.repeat(members, np.minimum(inst.cap[members], len(needs)))
        chosen[needs] = slots[: len(needs)]
    return chosen


def _canonical_needs(inst: _Instance, chosen: np.ndarray) -> np.ndarray:
    """Needs at one place with the same priority and skill are served in input order."""
    n = inst.n_needs
    if n < 2:
        return chosen
    order = np.lexsort((np.arange(n), inst.need_group, inst.prio, inst.nlon, inst.nlat))
    keys = np.column_stack((inst.nlat[order], inst.nlon[order], inst.prio[order], inst.need_group[order]))
    new_group = np.ones(n, bool)
    new_group[1:] = (keys[1:] != keys[:-1]).any(axis=1)
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], n)
    multi = np.flatnonzero(ends - starts > 1)
    if len(multi) == 0:
        return chosen
    chosen = chosen.copy()
    forbidden_needs = set((inst.forbidden // max(inst.n_vols, 1)).tolist())
    for gi in multi:
        members = order[starts[gi]:ends[gi]]  # ascending input order
        if forbidden_needs.intersection(members.tolist()):
            continue
        vols = np.sort(chosen[members][chosen[members] >= 0])
        chosen[members] = -1
        chosen[members[: len(vols)]] = vols
    return chosen


# --------------------------------------------------------------------------- results


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _explain(inst, chosen, dist, need_labels, volunteer_labels) -> list[Explanation]:
    """One explanation per served need, in need order.

    The nearest feasible volunteer of every served need comes from a KD-tree
    query; whether that volunteer went to a higher-priority need, to other
    needs, or to nobody is decided for all needs at once from per-volunteer
    summaries, so the per-need work is only the wording.
    """
    served = np.flatnonzero(chosen >= 0)
    if len(served) == 0:
        return []
    is_served = chosen >= 0

    # nearest feasible volunteer of each served need (the chosen one if none is found)
    near_k = chosen.copy()
    near_d = dist.copy()
    ci, ck, _ = _nearest_candidates(inst, _volunteer_trees(inst), 4, only=is_served)
    ci, ck, d = _feasible_pairs(inst, ci, ck)
    order = np.lexsort((ck, d, ci))
    ci, ck, d = ci[order], ck[order], d[order]
    first = np.ones(len(ci), bool)
    first[1:] = ci[1:] != ci[:-1]
    near_k[ci[first]] = ck[first]
    near_d[ci[first]] = d[first]

    # per volunteer: its needs in input order, and its most important one
    # (highest priority, then earliest)
    by_vol = served[np.argsort(chosen[served], kind="stable")]
    vol_sorted = chosen[by_vol]
    start = np.searchsorted(vol_sorted, np.arange(inst.n_vols + 1))
    count = start[1:] - start[:-1]
    top = served[np.lexsort((served, -inst.prio[served], chosen[served]))]
    run = np.ones(len(top), bool)
    run[1:] = chosen[top][1:] != chosen[top][:-1]
    best = np.full(inst.n_vols, -1, np.int64)
    best[chosen[top[run]]] = top[run]

    k = chosen[served]
    k0 = near_k[served]
    d0 = near_d[served]
    nearest = (k0 == k) | (d0 >= dist[served])
    higher_j = best[k0]
    higher = ~nearest & (count[k0] > 0) & (inst.prio[np.maximum(higher_j, 0)] > inst.prio[served])
    elsewhere = ~nearest & ~higher & (count[k0] > 0)
    code_of = np.where(nearest, 0, np.where(higher, 1, np.where(elsewhere, 2, 3)))

    limit = _km(inst.max_m)
    max_m = float(inst.max_m)
    skills = [s if s is None or isinstance(s, (str, int)) else str(s) for s in inst.groups]
    with_skill = ["" if s is None else f" with skill {s}" for s in inst.groups]
    vol_list, start_list, prio_list = by_vol.tolist(), start.tolist(), inst.prio.tolist()
    group_list = inst.need_group.tolist()
    dist_list, d0_list = dist[served].tolist(), d0.tolist()

    def need_name(j):
        return str(need_labels[j]) if need_labels is not None else f"need {j}"

    def vol_name(v):
        return str(volunteer_labels[v]) if volunteer_labels is not None else f"volunteer {v}"

    out = []
    for i, ki, k0i, d0i, di, code, hj in zip(
        served.tolist(), k.tolist(), k0.tolist(), d0_list, dist_list, code_of.tolist(), higher_j.tolist()
    ):
        g = group_list[i]
        skill = inst.groups[g]
        params: dict[str, Any] = {"skill": skills[g], "distance_m": round(di, 1), "max_distance_m": max_m}
        if code == 0:
            out.append(Explanation(
                i, ki, di, skill, k0i, d0i,
                f"nearest volunteer{with_skill[g]} within {limit} ({_km(di)})", "nearest", params,
            ))
            continue
        params["nearer_volunteer"] = k0i
        params["nearer_distance_m"] = round(d0i, 1)
        nearer = f"nearer volunteer {vol_name(k0i)} ({_km(d0i)})"
        if code == 1:
            params["higher_need"] = hj
            params["higher_priority"] = prio_list[hj]
            code_name = "nearer_needed_for_higher_priority"
            reason = f"{nearer} was needed for a higher-priority need ({need_name(hj)}, priority {prio_list[hj]})"
        elif code == 2:
            others = vol_list[start_list[k0i]:min(start_list[k0i] + 3, start_list[k0i + 1])]
            params["other_needs"] = others
            code_name = "nearer_assigned_elsewhere"
            reason = (f"{nearer} was assigned to {', '.join(need_name(j) for j in others)}, "
                      "which keeps the total distance lowest")
        else:
            code_name = "nearer_unavailable"
            reason = f"{nearer} was not available"
        out.append(Explanation(i, ki, di, skill, k0i, d0i, reason, code_name, params))
    return out


def _result(inst, chosen, started, stats, need_labels, volunteer_labels) -> Result:
    served = np.flatnonzero(chosen >= 0)
    dist = np.zeros(inst.n_needs)
    if len(served):
        dist[served] = inst.distances(served, chosen[served])
    explanations = _explain(inst, chosen, dist, need_labels, volunteer_labels)
    return Result(
        assignments=list(zip(served.tolist(), chosen[served].tolist(), dist[served].tolist())),
        unassigned=np.flatnonzero(chosen < 0).tolist(),
        explanations=explanations,
        priority_served=int(inst.prio[served].sum()),
        total_distance_m=float(dist[served].sum()),
        seconds=time.perf_counter() - started,
        stats=stats,
    )


# --------------------------------------------------------------------------- public


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
    inst = _prepare(
        needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
        vols_capacity, max_distance_m, forbidden,
    )
    if inst.n_needs == 0 or inst.n_vols == 0 or int(inst.cap.sum()) == 0:
        chosen = np.full(inst.n_needs, -1, np.int64)
        stats = {"strategy": "trivial", "rounds": 0, "arcs": 0, "arcs_added": 0}
    else:
        chosen, stats = _optimise(inst, strategy)
        chosen = _canonical_ties(inst, chosen)
    return _result(inst, chosen, started, stats, need_labels, volunteer_labels)


def native_available() -> bool:
    """Whether the compiled solver (resilience/matching/_native.c) is built."""
    return _native is not None


def greedy_nearest_first(
    needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
    vols_capacity, max_distance_m, forbidden=None, *, need_labels=None, volunteer_labels=None,
) -> Result:
    """Baseline for the benchmark: highest priority first (then input order),
    each need to its nearest feasible volunteer with capacity left."""
    started = time.perf_counter()
    inst = _prepare(
        needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
        vols_capacity, max_distance_m, forbidden,
    )
    chosen = np.full(inst.n_needs, -1, np.int64)
    left = inst.cap.copy()
    trees = _volunteer_trees(inst)
    ci, ck, kth = _nearest_candidates(inst, trees, 16)
    ci, ck, d = _feasible_pairs(inst, ci, ck)
    order = np.lexsort((ck, d, ci))
    ci, ck = ci[order], ck[order]
    indptr = np.searchsorted(ci, np.arange(inst.n_needs + 1))
    ck_list = ck.tolist()
    radius = float(_chord(inst.max_m))
    for i in np.lexsort((np.arange(inst.n_needs), -inst.prio)).tolist():
        pick = -1
        for k in ck_list[indptr[i]:indptr[i + 1]]:
            if left[k] > 0:
                pick = k
                break
        if pick < 0 and np.isfinite(kth[i]):  # list was truncated: look further
            g = int(inst.need_group[i])
            tree, vols = trees[g]
            near = vols[np.asarray(tree.query_ball_point(inst.need_xyz[i], radius), dtype=np.int64)]
            near = near[left[near] > 0]
            if len(near):
                ii = np.full(len(near), i, np.int64)
                _, kk, dd = _feasible_pairs(inst, ii, near)
                if len(kk):
                    pick = int(kk[np.lexsort((kk, dd))[0]])
        if pick >= 0:
            chosen[i] = pick
            left[pick] -= 1
    return _result(inst, chosen, started, {"rounds": 0}, need_labels, volunteer_labels)
