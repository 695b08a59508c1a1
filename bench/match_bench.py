"""Benchmark of the exact matching engine (resilience/matching/engine.py).

Never part of the test pass/fail. Prints one line per measurement and a summary
table; figures go to bench/RESULTS.md by hand.

Instances imitate a flood around Rakumpit (Palangka Raya): households in
neighbourhood clusters strung along a few rivers, volunteers partly living in
those neighbourhoods and partly coming from a town centre. Categories, required
skills, priorities and capacities follow the product's vocabulary.

    .venv/bin/python bench/match_bench.py                 # 10k and 100k: engine default, greedy, reference
    .venv/bin/python bench/match_bench.py --sizes 10k     # just the Rakumpit-size run
    .venv/bin/python bench/match_bench.py --no-reference  # skip the full-graph check
    .venv/bin/python bench/match_bench.py --strategies auto full sparse   # also the OR-Tools paths

Every measurement runs in a fresh subprocess, so "peak MB" is that process's
peak resident set (instance generation and Python included).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resilience.vocabulary import REQUIRED_SKILL, SKILLS as _SKILLS  # noqa: E402  (after the path)

EARTH_RADIUS_M = 6_371_008.8
SKILLS = list(_SKILLS)
SKILL_SHARE = [0.30, 0.30, 0.10, 0.30, 0.30, 0.30]  # in the order of SKILLS
CATEGORIES = [  # (category, required skill, share of needs)
    (category, REQUIRED_SKILL[category], share) for category, share in (
        ("evacuation", 0.25), ("medical", 0.10), ("psychosocial", 0.05), ("logistics", 0.10),
        ("food", 0.25), ("water", 0.15), ("clothing", 0.10),
    )
]
SIZES = {
    # name: needs, volunteers, clusters, width m, height m, max distance m
    "10k": (10_000, 2_000, 40, 20_000, 15_000, 8_000),
    "100k": (100_000, 10_000, 200, 40_000, 30_000, 3_000),
}


def make_instance(size: str, seed: int = 0) -> dict:
    n_needs, n_vols, n_clusters, width, height, max_m = SIZES[size]
    rng = np.random.default_rng(seed)
    lat0, lon0 = -1.7, 113.7

    def to_latlon(x, y):
        lat = lat0 + np.degrees(y / EARTH_RADIUS_M)
        lon = lon0 + np.degrees(x / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
        return lat, lon

    # neighbourhoods strung along three meandering rivers crossing the area
    rivers = 3
    t = rng.random(n_clusters)
    river = rng.integers(0, rivers, n_clusters)
    phase = rng.random(rivers) * 2 * math.pi
    offset = (np.arange(rivers) + 0.5) / rivers - 0.5
    cx = (t - 0.5) * width
    cy = (offset[river] + 0.12 * np.sin(4 * math.pi * t + phase[river])) * height
    cy += rng.normal(0, 300, n_clusters)
    weight = rng.lognormal(0, 0.6, n_clusters)
    weight /= weight.sum()
    spread = rng.uniform(150, 600, n_clusters)

    home = rng.choice(n_clusters, n_needs, p=weight)
    nlat, nlon = to_latlon(
        cx[home] + rng.normal(0, 1, n_needs) * spread[home],
        cy[home] + rng.normal(0, 1, n_needs) * spread[home],
    )
    kind = rng.choice(len(CATEGORIES), n_needs, p=[c[2] for c in CATEGORIES])
    requires = [CATEGORIES[k][1] for k in kind]
    priority = rng.choice([1, 2, 3, 4, 5], n_needs, p=[0.15, 0.25, 0.25, 0.20, 0.15])

    local = int(n_vols * 0.6)  # the rest come from the town centre
    vhome = rng.choice(n_clusters, local, p=weight)
    vx = np.concatenate((cx[vhome] + rng.normal(0, 1, local) * spread[vhome] * 1.5,
                         rng.normal(0, width * 0.08, n_vols - local)))
    vy = np.concatenate((cy[vhome] + rng.normal(0, 1, local) * spread[vhome] * 1.5,
                         rng.normal(0, height * 0.08, n_vols - local)))
    vlat, vlon = to_latlon(vx, vy)
    has = rng.random((n_vols, len(SKILLS))) < np.array(SKILL_SHARE)
    none = ~has.any(axis=1)
    has[np.flatnonzero(none), rng.integers(0, len(SKILLS), int(none.sum()))] = True
    skills = [[s for s, f in zip(SKILLS, row) if f] for row in has]
    capacity = rng.choice([1, 2, 3, 4, 5], n_vols, p=[0.2, 0.3, 0.3, 0.1, 0.1])
    return dict(nlat=nlat, nlon=nlon, prio=priority, requires=requires, vlat=vlat, vlon=vlon,
                skills=skills, cap=capacity, max_m=float(max_m))


def _args(inst):
    return (inst["nlat"], inst["nlon"], inst["prio"], inst["requires"], inst["vlat"], inst["vlon"],
            inst["skills"], inst["cap"], inst["max_m"])


def reference_full_graph(inst: dict) -> dict:
    """Independent exact solve: OR-Tools min-cost flow on every pair within the
    radius (decimetre costs, bypass arcs at priority * M)."""
    from ortools.graph.python import min_cost_flow
    from scipy.spatial import cKDTree

    from resilience.matching.engine import haversine_m

    def xyz(lat, lon):
        la, lo = np.radians(lat), np.radians(lon)
        return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))

    started = time.perf_counter()
    n, v = len(inst["nlat"]), len(inst["vlat"])
    chord = 2 * math.sin(inst["max_m"] / (2 * EARTH_RADIUS_M)) * (1 + 1e-9)
    need_xyz, vol_xyz = xyz(inst["nlat"], inst["nlon"]), xyz(inst["vlat"], inst["vlon"])
    tails, heads, dists = [], [], []
    for skill in [None] + SKILLS:
        needs = np.array([i for i, r in enumerate(inst["requires"]) if r == skill], dtype=np.int64)
        vols = np.array([k for k, s in enumerate(inst["skills"]) if skill is None or skill in s], dtype=np.int64)
        if len(needs) == 0 or len(vols) == 0:
            continue
        pairs = cKDTree(need_xyz[needs]).sparse_distance_matrix(cKDTree(vol_xyz[vols]), chord, output_type="ndarray")
        ii, kk = needs[pairs["i"]], vols[pairs["j"]]
        d = haversine_m(inst["nlat"][ii], inst["nlon"][ii], inst["vlat"][kk], inst["vlon"][kk])
        ok = d <= inst["max_m"]
        tails.append(ii[ok]), heads.append(kk[ok]), dists.append(d[ok])
    ii, kk, d = np.concatenate(tails), np.concatenate(heads), np.concatenate(dists)
    built = time.perf_counter() - started
    dm = np.rint(d * 10).astype(np.int64)
    big_m = int(math.ceil(inst["max_m"] * 10)) * min(n, int(inst["cap"].sum())) + 1
    mcf = min_cost_flow.SimpleMinCostFlow()
    sink = n + v
    mcf.add_arcs_with_capacity_and_unit_cost(ii.astype(np.int32), (n + kk).astype(np.int32), np.ones(len(ii), np.int64), dm)
    mcf.add_arcs_with_capacity_and_unit_cost(np.arange(n, dtype=np.int32), np.full(n, sink, np.int32),
                                             np.ones(n, np.int64), inst["prio"].astype(np.int64) * big_m)
    mcf.add_arcs_with_capacity_and_unit_cost(np.arange(n, n + v, dtype=np.int32), np.full(v, sink, np.int32),
                                             inst["cap"].astype(np.int64), np.zeros(v, np.int64))
    supplies = np.zeros(n + v + 1, np.int64)
    supplies[:n], supplies[sink] = 1, -n
    mcf.set_nodes_supplies(np.arange(n + v + 1, dtype=np.int32), supplies)
    t0 = time.perf_counter()
    status = mcf.solve()
    solve_s = time.perf_counter() - t0
    assert status == mcf.OPTIMAL, status
    used = mcf.flows(np.arange(len(ii), dtype=np.int32)) > 0
    return dict(pairs=int(len(ii)), build_s=built, solve_s=solve_s, seconds=time.perf_counter() - started,
                served=int(used.sum()), priority_served=int(inst["prio"][ii[used]].sum()),
                total_distance_m=float(d[used].sum()))


def measure(size: str, what: str) -> dict:
    """Run in a child process: one measurement, printed as JSON."""
    from resilience.matching import engine

    inst = make_instance(size)
    started = time.perf_counter()
    if what == "reference":
        out = reference_full_graph(inst)
    elif what == "greedy":
        from tests.matching.greedy import greedy_nearest_first  # the baseline lives with its test

        r = greedy_nearest_first(*_args(inst))
        out = dict(served=r.served, priority_served=r.priority_served, total_distance_m=r.total_distance_m)
    else:
        r = engine.solve(*_args(inst), strategy=what)
        out = dict(served=r.served, priority_served=r.priority_served, total_distance_m=r.total_distance_m,
                   stats=r.stats)
    out["wall_s"] = time.perf_counter() - started
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def child(size: str, what: str) -> dict:
    cmd = [sys.executable, __file__, "--child", size, what]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["10k", "100k"], choices=sorted(SIZES))
    parser.add_argument("--strategies", nargs="+", default=["auto"],
                        help="engine strategies: auto (= native when built), native, native-ssp, full, sparse")
    parser.add_argument("--no-reference", action="store_true", help="skip the independent full-graph solve")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "WHAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return

    import os
    import platform
    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f} (other processes share the CPU when above 0)")
    for size in args.sizes:
        n, v, clusters, w, h, max_m = SIZES[size]
        print(f"\n## {size}: {n} needs x {v} volunteers, {clusters} clusters over {w // 1000} x {h // 1000} km, "
              f"max {max_m / 1000:g} km")
        results = {}
        for what in args.strategies + ["greedy"] + ([] if args.no_reference else ["reference"]):
            res = results[what] = child(size, what)
            print(f"{what:>9}: {json.dumps(res)}", flush=True)
        ref = results.get("reference")
        for what in args.strategies:
            res = results[what]
            if "error" in res or not ref or "error" in ref:
                continue
            same_priority = res["priority_served"] == ref["priority_served"]
            # the reference rounds costs to decimetres, the engine to millimetres:
            # the engine may be up to 0.05 m per assignment shorter
            close = res["total_distance_m"] <= ref["total_distance_m"] + 1e-6 and \
                res["total_distance_m"] >= ref["total_distance_m"] - 0.05 * ref["served"]
            print(f"{what:>9}: agrees with full-graph reference: {same_priority and close} "
                  f"(priority {res['priority_served']} vs {ref['priority_served']}, "
                  f"distance {res['total_distance_m']:.1f} vs {ref['total_distance_m']:.1f} m)")
        g, best = results.get("greedy", {}), results.get("auto") or next(iter(results.values()))
        if "error" not in g and "error" not in best:
            print(f"   greedy: served {g['served']} (priority {g['priority_served']}, "
                  f"{g['total_distance_m'] / 1000:.1f} km) vs exact served {best['served']} "
                  f"(priority {best['priority_served']}, {best['total_distance_m'] / 1000:.1f} km)")


if __name__ == "__main__":
    main()
