"""Exact ties resolved by input order, after any solver (see engine.py).

Needs at identical coordinates with the same priority and required skill are
served earlier-first; volunteers at identical coordinates with the same skills
are filled in input order. Both rules skip records named in ``forbidden``.
"""

from __future__ import annotations

import numpy as np

from .instance import Instance


def canonical_ties(inst: Instance, chosen: np.ndarray) -> np.ndarray:
    """Resolve exact ties by input order (see this module's docstring)."""
    return _canonical_needs(inst, _canonical_volunteers(inst, chosen))


def _canonical_volunteers(inst: Instance, chosen: np.ndarray) -> np.ndarray:
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


def _canonical_needs(inst: Instance, chosen: np.ndarray) -> np.ndarray:
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


