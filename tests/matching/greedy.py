"""The greedy baseline the engine is compared against (tests and bench/match_bench.py).

Highest priority first (then input order), each need to its nearest feasible
volunteer that still has capacity. Not optimal; the service never uses it. It
shares the engine's input checks, candidate search and result building, so the
two differ only in how needs are assigned.
"""

from __future__ import annotations

import time

import numpy as np

from resilience.matching.explain import Result, build_result
from resilience.matching.geometry import chord
from resilience.matching.instance import feasible_pairs, nearest_candidates, prepare, volunteer_trees


def greedy_nearest_first(
    needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
    vols_capacity, max_distance_m, forbidden=None, *, need_labels=None, volunteer_labels=None,
) -> Result:
    """Baseline for the benchmark: highest priority first (then input order),
    each need to its nearest feasible volunteer with capacity left."""
    started = time.perf_counter()
    inst = prepare(
        needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
        vols_capacity, max_distance_m, forbidden,
    )
    chosen = np.full(inst.n_needs, -1, np.int64)
    left = inst.cap.copy()
    trees = volunteer_trees(inst)
    ci, ck, kth = nearest_candidates(inst, trees, 16)
    ci, ck, d = feasible_pairs(inst, ci, ck)
    order = np.lexsort((ck, d, ci))
    ci, ck = ci[order], ck[order]
    indptr = np.searchsorted(ci, np.arange(inst.n_needs + 1))
    ck_list = ck.tolist()
    radius = float(chord(inst.max_m))
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
                _, kk, dd = feasible_pairs(inst, ii, near)
                if len(kk):
                    pick = int(kk[np.lexsort((kk, dd))[0]])
        if pick >= 0:
            chosen[i] = pick
            left[pick] -= 1
    return build_result(inst, chosen, started, {"rounds": 0}, need_labels, volunteer_labels)
