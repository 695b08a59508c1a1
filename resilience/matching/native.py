"""Driver of the compiled solver (``_native.c``): the ``"native"`` and ``"native-ssp"`` strategies.

The C extension builds the graph of every feasible pair and solves it (auction,
or successive shortest paths) with an optimality certificate; this module hands
it the instance's arrays, re-decides pairs at the distance limit with the
reference haversine and removes forbidden pairs. See engine.py for the method.
"""

from __future__ import annotations

import time

import numpy as np

from .costs import Costs
from .instance import Instance

try:  # the compiled solver (resilience/matching/_native.c), built by `pip install`
    from . import _native
except ImportError:  # not built (no C compiler at install time): OR-Tools only
    _native = None


def available() -> bool:
    """Whether the compiled solver is built."""
    return _native is not None


def _native_graph(inst: Instance, costs: Costs):
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


def optimise(inst: Instance, costs: Costs, strategy: str):
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


