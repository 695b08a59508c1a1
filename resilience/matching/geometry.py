"""Distances on the sphere for the matching engine (pure numpy).

Every distance the engine uses goes through ``haversine_rad`` so that the same
pair gets the same metres bit for bit wherever it is computed; the KD-trees work
on unit vectors and take radii as chords (``chord``).
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in metres (haversine, R = 6,371,008.8 m), vectorised."""
    p1, l1 = np.radians(lat1), np.radians(lon1)
    p2, l2 = np.radians(lat2), np.radians(lon2)
    return haversine_rad(p1, l1, np.cos(p1), p2, l2, np.cos(p2))


def haversine_rad(p1, l1, c1, p2, l2, c2) -> np.ndarray:
    """Haversine from radians and cosines of latitude (shared by all callers so
    that every distance is computed bit for bit the same way)."""
    a = np.sin((p2 - p1) / 2.0) ** 2 + c1 * c2 * np.sin((l2 - l1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la = np.radians(lat)
    lo = np.radians(lon)
    cl = np.cos(la)
    return np.column_stack((cl * np.cos(lo), cl * np.sin(lo), np.sin(la)))


def chord(metres) -> np.ndarray:
    """Chord length on the unit sphere for a great-circle distance, with slack."""
    ang = np.minimum(np.asarray(metres, dtype=float) / EARTH_RADIUS_M, math.pi)
    return 2.0 * np.sin(ang / 2.0) * (1.0 + 1e-9) + 1e-12

