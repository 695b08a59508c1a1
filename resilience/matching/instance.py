"""Validated input of the matching engine: the instance every solver works on.

``prepare`` checks the caller's arrays (``ValueError`` on anything malformed) and
turns them into an ``Instance``: skills become groups (group 0 = no skill
required), forbidden pairs sorted keys, positions unit vectors. The candidate
helpers at the end (KD-trees per skill group, nearest feasible volunteers, the
exact feasibility filter) are shared by the solvers and the explanations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Hashable

import numpy as np
from scipy.spatial import cKDTree

from .geometry import EARTH_RADIUS_M, chord, haversine_rad, unit_vectors


@dataclass
class Instance:
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
        return haversine_rad(p1, l1, c1, p2, l2, c2)

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


def prepare(
    needs_lat, needs_lon, needs_priority, needs_skill, vols_lat, vols_lon, vols_skills,
    vols_capacity, max_distance_m, forbidden,
) -> Instance:
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

    return Instance(
        n, v, nlat, nlon, prio, need_group, groups, vlat, vlon, vol_has, cap, max_m, forb,
        unit_vectors(nlat, nlon), unit_vectors(vlat, vlon),
    )


# --------------------------------------------------------------------------- candidate pairs


def volunteer_trees(inst: Instance) -> dict:
    """Per skill group: a KD-tree of the unit vectors of the volunteers who have the skill and
    some capacity, and their indices."""
    trees = {}
    for g in range(len(inst.groups)):
        vols = np.flatnonzero(inst.vol_has[g] & (inst.cap > 0))
        if len(vols):
            trees[g] = (cKDTree(inst.vol_xyz[vols]), vols)
    return trees


def nearest_candidates(inst: Instance, trees: dict, k: int, only: np.ndarray | None = None):
    """K nearest feasible volunteers per need (or per need in ``only``, a
    boolean mask). Returns arcs and the K-th distance."""
    n = inst.n_needs
    kth = np.full(n, np.inf)
    ai, ak = [], []
    radius = float(chord(inst.max_m))
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


def feasible_pairs(inst: Instance, ii: np.ndarray, kk: np.ndarray):
    """Exact feasibility filter; returns the kept pairs and their distances."""
    d = inst.distances(ii, kk)
    ok = (d <= inst.max_m) & inst.allowed(ii, kk) & (inst.cap[kk] > 0)
    ok &= inst.vol_has[inst.need_group[ii], kk]
    return ii[ok], kk[ok], d[ok]

