"""Integer costs of the min-cost flow: distance units and the priority multiplier.

Distances are counted in the finest unit (mm, cm, dm, m) whose largest cost
still fits OR-Tools' int64 arithmetic with headroom; ``big_m`` is larger than
any total distance, so one unit of priority outweighs any distance.
"""

from __future__ import annotations

import math

import numpy as np

from .instance import Instance

_UNITS_PER_METRE = (1000, 100, 10, 1)  # mm, cm, dm, m: the finest that fits is used
_ORTOOLS_COST_LIMIT = 2**61  # headroom for OR-Tools' internal cost scaling


class Costs:
    """Integer cost scale: distance units and the priority multiplier M."""

    def __init__(self, inst: Instance, unit: int):
        self.unit = unit
        self.dmax = int(math.ceil(inst.max_m * unit))
        capacity = int(inst.cap.sum())
        self.big_m = self.dmax * max(1, min(inst.n_needs, capacity)) + 1
        self.bypass = inst.prio * self.big_m

    def units(self, metres: np.ndarray) -> np.ndarray:
        return np.rint(np.asarray(metres) * self.unit).astype(np.int64)

    def fits(self, inst: Instance) -> bool:
        nodes = inst.n_needs + inst.n_vols + 2
        biggest = int(inst.prio.max(initial=1)) * self.big_m
        return biggest < _ORTOOLS_COST_LIMIT // nodes


def pick_costs(inst: Instance) -> Costs:
    for unit in _UNITS_PER_METRE:
        costs = Costs(inst, unit)
        if costs.fits(inst):
            return costs
    raise ValueError("problem too large for exact integer costs (int64 overflow)")

