"""The OR-Tools strategies of the matching engine: ``"full"`` and ``"sparse"``.

Both solve the min-cost flow with OR-Tools' ``SimpleMinCostFlow``. ``"full"``
builds every feasible pair (KD-trees on unit vectors, exact haversine filter) and
solves once; ``"sparse"`` solves a candidate graph, computes least dual prices
and adds the full graph's violating pairs until none is left (see engine.py for
the method). The fallback of the native solver and the tests' cross-check.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .costs import Costs
from .geometry import chord
from .instance import Instance, feasible_pairs, nearest_candidates, volunteer_trees

_INT64_MAX = np.iinfo(np.int64).max
_K_NEAREST = 16  # nearest feasible volunteers per need in the first candidate graph
_ADD_PER_NEED = 48  # violating arcs added per need and round
_ADD_PER_VOLUNTEER = 32  # unserved needs examined per volunteer, priority and round
_FULL_GRAPH_ARCS = 30_000_000  # up to this many feasible pairs the full graph is solved directly
_PAIR_CHUNK = 2_000_000  # pairs converted at a time when building the full graph


def _compact(ids: np.ndarray, size: int):
    """The distinct ids (ascending) and each entry's position among them."""
    present = np.zeros(size, bool)
    present[ids] = True
    distinct = np.flatnonzero(present)
    position = np.cumsum(present, dtype=np.int64) - 1
    return distinct, position[ids]


def _solve_flow(inst: Instance, costs: Costs, ai, ak, du):
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


def _least_prices(inst: Instance, costs: Costs, ai, ak, du, chosen):
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
    chords = chord(radii_m)
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
                qi, ti = _pairs_within(sub_tree, inst.need_xyz[check[live]], chord(radius))
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
    ii, kk, d = feasible_pairs(inst, ii, kk)
    du = costs.units(d)
    bad = du + q[kk] < y[ii]
    return ii[bad], kk[bad], du[bad]


def _wanted_by_volunteers(inst: Instance, trees: dict, per_volunteer: np.ndarray):
    """Each volunteer's most wanted needs: highest priority first, then nearest."""
    vi, vn, vp, vd = [], [], [], []
    radius = float(chord(inst.max_m))
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


def _count_pairs(inst: Instance, trees: dict) -> int:
    """Number of pairs within the radius whose skill matches (forbidden pairs included)."""
    total = 0
    radius = float(chord(inst.max_m))
    for g, (tree, _) in trees.items():
        needs = np.flatnonzero(inst.need_group == g)
        if len(needs):
            total += int(tree.query_ball_point(inst.need_xyz[needs], radius, return_length=True, workers=-1).sum())
    return total


def _full_graph(inst: Instance, costs: Costs, trees: dict):
    """Every feasible pair (int32 ends, int64 costs), in a deterministic order."""
    radius = float(chord(inst.max_m))
    parts_i, parts_k, parts_d = [], [], []
    for g, (tree_v, vols) in trees.items():
        needs = np.flatnonzero(inst.need_group == g)
        if len(needs) == 0:
            continue
        tree_n = cKDTree(inst.need_xyz[needs])
        pairs = tree_n.sparse_distance_matrix(tree_v, radius, output_type="ndarray")
        for lo in range(0, len(pairs), _PAIR_CHUNK):
            chunk = pairs[lo:lo + _PAIR_CHUNK]
            ii, kk, d = feasible_pairs(inst, needs[chunk["i"]], vols[chunk["j"]])
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


def optimise(inst: Instance, costs: Costs, strategy: str):
    """Exact optimum with OR-Tools: ``"full"``, ``"sparse"``, or ``"auto"`` (full up to
    ``_FULL_GRAPH_ARCS`` feasible pairs, sparse above). Returns the chosen volunteer per
    need (-1 if none) and stats."""
    trees = volunteer_trees(inst)
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


def _sparse_rounds(inst: Instance, costs: Costs, trees: dict):
    """Candidate graph, exact solve, dual prices, full-graph check; repeat."""
    ci, ck, kth = nearest_candidates(inst, trees, _K_NEAREST)
    wi, wk = _wanted_by_volunteers(inst, trees, 2 * np.minimum(inst.cap, 50) + 4)
    ci, ck, d = feasible_pairs(inst, np.concatenate((ci, wi)), np.concatenate((ck, wk)))
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


