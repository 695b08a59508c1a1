"""What the engine returns, and why each need went where it did.

``Result`` and ``Explanation`` are the engine's output types; ``build_result``
turns the chosen volunteer per need into a ``Result`` with one ``Explanation``
per served need: a reason in English (API, CLI) and the same reason as a code
with plain parameters (``EXPLANATION_CODES``) for callers that word it
themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Hashable

import numpy as np

from .instance import feasible_pairs, nearest_candidates, volunteer_trees


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


# --------------------------------------------------------------------------- reasons


def km(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def explain(inst, chosen, dist, need_labels, volunteer_labels) -> list[Explanation]:
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
    ci, ck, _ = nearest_candidates(inst, volunteer_trees(inst), 4, only=is_served)
    ci, ck, d = feasible_pairs(inst, ci, ck)
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

    limit = km(inst.max_m)
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
                f"nearest volunteer{with_skill[g]} within {limit} ({km(di)})", "nearest", params,
            ))
            continue
        params["nearer_volunteer"] = k0i
        params["nearer_distance_m"] = round(d0i, 1)
        nearer = f"nearer volunteer {vol_name(k0i)} ({km(d0i)})"
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


def build_result(inst, chosen, started, stats, need_labels, volunteer_labels) -> Result:
    served = np.flatnonzero(chosen >= 0)
    dist = np.zeros(inst.n_needs)
    if len(served):
        dist[served] = inst.distances(served, chosen[served])
    explanations = explain(inst, chosen, dist, need_labels, volunteer_labels)
    return Result(
        assignments=list(zip(served.tolist(), chosen[served].tolist(), dist[served].tolist())),
        unassigned=np.flatnonzero(chosen < 0).tolist(),
        explanations=explanations,
        priority_served=int(inst.prio[served].sum()),
        total_distance_m=float(dist[served].sum()),
        seconds=time.perf_counter() - started,
        stats=stats,
    )

