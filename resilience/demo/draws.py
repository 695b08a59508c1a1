"""Seeded random draws shared by the demo generator's parts.

Every draw takes the caller's ``random.Random``: the generator passes one stream through
its parts in a fixed order, so the same seed gives the same data.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone

from resilience.demo.scenario import M_PER_DEG


def weighted(rng: random.Random, items, weights):
    total = float(sum(weights))
    x = rng.random() * total
    acc = 0.0
    for item, w in zip(items, weights):
        acc += w
        if x < acc:
            return item
    return items[-1]


def sample_without_replacement(rng: random.Random, weights: dict, k: int) -> list:
    pool = [(name, w) for name, w in weights.items() if w > 0]
    chosen = []
    for _ in range(min(k, len(pool))):
        name = weighted(rng, [p[0] for p in pool], [p[1] for p in pool])
        chosen.append(name)
        pool = [p for p in pool if p[0] != name]
    return chosen


def gauss_point(rng, lat, lon, sigma_m):
    s_lat = sigma_m / M_PER_DEG
    s_lon = sigma_m / (M_PER_DEG * math.cos(math.radians(lat)))
    return lat + rng.gauss(0.0, s_lat), lon + rng.gauss(0.0, s_lon)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
