"""The kelurahan of many points at once, in memory: an import of 50,000 rows asks the database
once for the village boundaries instead of once per row.

Same rule as ``areas.operations.area_for_point``: the village whose boundary contains the point;
on overlapping rings the one whose centroid is nearer, then the lower code.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.areas.models import VILLAGE_LEVELS, AdminArea

CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_PREFIX = re.compile(r"^(kelurahan|kel\.?|desa|ds\.?)\s+", re.IGNORECASE)


@dataclass
class Village:
    id: int
    code: str
    name: str
    approximate_point: object  # shapely Point: point-on-surface of the boundary


def _name_key(name: str) -> str:
    return " ".join(_PREFIX.sub("", name.strip()).lower().split())


class VillageIndex:
    def __init__(self, session: Session):
        rows = session.execute(
            select(AdminArea.id, AdminArea.code, AdminArea.name, AdminArea.boundary, AdminArea.centroid)
            .where(AdminArea.level.in_(VILLAGE_LEVELS)).order_by(AdminArea.code)
        ).all()
        self.villages: list[Village] = []
        boundaries, centroids = [], []
        for area_id, code, name, boundary, centroid in rows:
            shape = to_shape(boundary)
            self.villages.append(Village(area_id, code, name, shape.representative_point()))
            boundaries.append(shape)
            centroids.append(to_shape(centroid) if centroid is not None else shape.centroid)
        self._tree = shapely.STRtree(boundaries) if boundaries else None
        self._centroids = centroids
        self.by_code = {v.code: v for v in self.villages}
        self.by_name: dict[str, list[Village]] = {}
        for village in self.villages:
            self.by_name.setdefault(_name_key(village.name), []).append(village)

    def containing(self, points: list[tuple[float, float]]) -> list[Village | None]:
        """The village of each (lat, lon), or None outside every known village."""
        found: list[Village | None] = [None] * len(points)
        if not points or self._tree is None:
            return found
        geoms = shapely.points(np.array([(lon, lat) for lat, lon in points], dtype=float))
        point_index, area_index = self._tree.query(geoms, predicate="within")
        best: dict[int, tuple[float, str, int]] = {}
        for p, a in zip(point_index.tolist(), area_index.tolist()):
            key = (shapely.distance(self._centroids[a], geoms[p]), self.villages[a].code, a)
            if p not in best or key < best[p]:
                best[p] = key
        for p, (_d, _c, a) in best.items():
            found[p] = self.villages[a]
        return found

    def lookup(self, text: str) -> tuple[Village | None, list[str]]:
        """A village by Kemendagri code or name: (village, []) or (None, candidate codes/names)."""
        text = text.strip()
        if CODE.match(text):
            village = self.by_code.get(text)
            return village, []
        matches = self.by_name.get(_name_key(text), [])
        if len(matches) == 1:
            return matches[0], []
        if matches:
            return None, [f"{v.name} ({v.code})" for v in matches]
        close = difflib.get_close_matches(_name_key(text), list(self.by_name), n=3, cutoff=0.75)
        return None, [self.by_name[name][0].name for name in close]
