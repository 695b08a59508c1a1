"""Places of the demo: the kelurahan boundaries, the affected area, and the settlements.

The geometry is seed-independent and cached: every kelurahan of Palangka Raya from the
seeded GeoJSON, and the affected area (the union of the affected kelurahan, cleaned and
snapped to 1e-6 degrees). ``settlements`` draws 1-3 village centres per affected
kelurahan; households and local volunteer groups are placed around them.
"""

from __future__ import annotations

import functools
import json
import math
import random
from importlib import resources
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from resilience.demo.draws import gauss_point
from resilience.demo.scenario import AFFECTED_KELURAHAN, M_PER_DEG


def _geojson_text() -> str:
    try:
        res = (resources.files("resilience.areas").joinpath("data")
               .joinpath("palangka_raya_kelurahan.geojson"))
        return res.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = (Path(__file__).resolve().parent.parent / "areas" / "data"
                / "palangka_raya_kelurahan.geojson")
        return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def all_kelurahan() -> tuple:
    """All kelurahan of Palangka Raya, in file order, as tuples of
    (code, name, district_code, centroid_lat, centroid_lon, polygon)."""
    data = json.loads(_geojson_text())
    out = []
    for feat in data["features"]:
        p = feat["properties"]
        geom = shape(feat["geometry"])
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        shapely.prepare(geom)
        out.append((p["code"], p["name"], p["district_code"],
                    float(p["centroid_lat"]), float(p["centroid_lon"]), geom))
    return tuple(out)


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 6) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


@functools.lru_cache(maxsize=1)
def affected_area() -> tuple:
    """(GeoJSON MultiPolygon as JSON text, shapely geometry of exactly that text)."""
    by_code = {k[0]: k for k in all_kelurahan()}
    union = shapely.union_all([by_code[c][5] for c in AFFECTED_KELURAHAN])
    # Close the slivers and pin-holes between neighbouring (simplified) boundaries,
    # then simplify a little and snap to the 1e-6 degree grid.
    eps = 0.001
    closed = union.buffer(eps, join_style="mitre", mitre_limit=2.0).buffer(
        -eps, join_style="mitre", mitre_limit=2.0)
    simple = closed.simplify(0.0002, preserve_topology=True)
    simple = shapely.set_precision(shapely.make_valid(simple), 1e-6)
    parts = [g for g in getattr(simple, "geoms", [simple]) if isinstance(g, Polygon)]
    parts = [orient(p, 1.0) for p in parts if not p.is_empty and p.area > 0]
    parts.sort(key=lambda p: (-p.area, p.bounds))
    geo = {"type": "MultiPolygon",
           "coordinates": _round_coords(mapping(MultiPolygon(parts))["coordinates"])}
    geom = shape(geo)
    if not (geom.is_valid and geom.geom_type == "MultiPolygon"):
        raise RuntimeError("affected area is not a valid MultiPolygon after rounding")
    for poly in geom.geoms:
        for ring in [poly.exterior, *poly.interiors]:
            if not ring.is_closed:
                raise RuntimeError("affected area ring not closed")
    shapely.prepare(geom)
    return json.dumps(geo), geom


def kelurahan_at(lon: float, lat: float) -> list:
    """Codes of every kelurahan whose polygon strictly contains the point."""
    return [k[0] for k in all_kelurahan() if shapely.contains_xy(k[5], lon, lat)]


def free_point(area_geom, code: str, lat: float, lon: float) -> bool:
    """Point strictly inside kelurahan ``code`` only, and inside the area."""
    owners = kelurahan_at(lon, lat)
    return (owners == [code]
            and shapely.contains_xy(area_geom, lon, lat))


def settlements(rng: random.Random, kel: dict, area_geom) -> dict:
    """1-3 settlements per affected kelurahan, near the centroid: code -> list of
    (lat, lon, sigma_m, weight, number of RT)."""
    out = {}
    for code in AFFECTED_KELURAHAN:
        _, name, _, clat, clon, poly = kel[code]
        area_km2 = poly.area * (M_PER_DEG / 1000) ** 2
        n = rng.choice([1, 2]) if area_km2 < 40 else rng.choice([2, 2, 3])
        spread_m = min(2500.0, 300.0 * math.sqrt(area_km2))
        inner = poly.buffer(-600.0 / M_PER_DEG)
        pts = []
        for i in range(n):
            for attempt in range(400):
                if i == 0 and attempt == 0:
                    lat, lon = clat, clon
                else:
                    lat, lon = gauss_point(rng, clat, clon, spread_m)
                lat, lon = round(lat, 6), round(lon, 6)
                if not shapely.contains_xy(inner, lon, lat) or not free_point(area_geom, code, lat, lon):
                    continue
                if all(math.hypot(lat - p[0], (lon - p[1]) * math.cos(math.radians(lat)))
                       * M_PER_DEG > 1200 for p in pts):
                    break
            else:
                if pts:
                    break
                raise RuntimeError(f"no settlement point for {name}")
            sigma = rng.uniform(200.0, 400.0)
            weight = 1.0 if i == 0 else rng.uniform(0.35, 0.7)
            pts.append((lat, lon, sigma, weight, rng.randint(4, 6)))
        out[code] = pts
    return out
