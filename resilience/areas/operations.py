"""Seeding admin areas from GeoJSON and placing points in them."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import from_shape
from shapely import make_valid
from shapely.geometry import MultiPolygon, Point, shape
from shapely.ops import unary_union
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.areas.models import LEVELS, VILLAGE_LEVELS, AdminArea
from resilience.core.errors import Message, ValidationFailed

PALANGKA_RAYA = "palangka_raya_kelurahan.geojson"
# Names of the parent levels the kelurahan file refers to by code only.
KECAMATAN_NAMES = {
    "62.71.01": "Pahandut",
    "62.71.02": "Bukit Batu",
    "62.71.03": "Jekan Raya",
    "62.71.04": "Sabangau",
    "62.71.05": "Rakumpit",
}
CITY_NAMES = {"62.71": "Kota Palangka Raya"}


def _multi(geom) -> MultiPolygon:
    geom = geom if geom.is_valid else make_valid(geom)
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]
    return MultiPolygon(polys)


def load_geojson(path: str | Path | None = None) -> dict[str, Any]:
    if path is None:
        return json.loads(resources.files("resilience.areas").joinpath("data", PALANGKA_RAYA).read_text())
    return json.loads(Path(path).read_text())


def import_areas(session: Session, collection: dict[str, Any]) -> int:
    """Create or update areas from a FeatureCollection with ``code``, ``name``, ``level`` and,
    for villages, ``district_code`` (and optionally ``centroid_lat``/``centroid_lon``); their
    kecamatan and kota are created from the codes, each with the union of the imported children
    as its boundary. Returns the number of areas written."""
    features = collection.get("features")
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise ValidationFailed.field("type", Message("expected a GeoJSON FeatureCollection"))
    existing = {a.code: a for a in session.scalars(select(AdminArea))}
    children: dict[str, list] = {}
    rows: list[tuple[str, str, str, MultiPolygon, Point | None]] = []
    for index, feature in enumerate(features):
        props = feature.get("properties") or {}
        code, name = props.get("code"), props.get("name")
        level = props.get("level") or "kelurahan"
        if not code or not name:
            raise ValidationFailed.field(f"features[{index}].properties", Message("code and name are required"))
        if level not in LEVELS:
            raise ValidationFailed.field(f"features[{index}].properties.level", Message("unknown level %(level)r",
                                                                                        level=level))
        geom = _multi(shape(feature["geometry"]))
        parent_code = props.get("district_code") or code.rsplit(".", 1)[0]
        centroid = None
        if props.get("centroid_lat") is not None and props.get("centroid_lon") is not None:
            centroid = Point(float(props["centroid_lon"]), float(props["centroid_lat"]))
        rows.append((code, name, level, geom, centroid))
        children.setdefault(parent_code, []).append(geom)

    # Parents first (city, then district), so children can point at them.
    parent_rows = []
    for city_code in sorted({c.rsplit(".", 1)[0] for c in children}):
        union = _multi(unary_union([g for d, gs in children.items() if d.startswith(city_code + ".") for g in gs]))
        parent_rows.append((city_code, CITY_NAMES.get(city_code, city_code), "kota", union, None))
    for district_code, geoms in sorted(children.items()):
        union = _multi(unary_union(geoms))
        parent_rows.append((district_code, KECAMATAN_NAMES.get(district_code, district_code), "kecamatan", union, None))

    touched = 0
    for code, name, level, geom, centroid in parent_rows + rows:
        area = existing.get(code)
        if area is None:
            area = AdminArea(code=code)
            session.add(area)
            existing[code] = area
        area.name, area.level = name, level
        area.boundary = from_shape(geom, srid=4326)
        if centroid is None:
            centroid = geom.centroid if geom.centroid.within(geom) else geom.representative_point()
        area.centroid = from_shape(centroid, srid=4326)
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        area.parent = existing.get(parent_code) if parent_code else None
        session.flush()
        touched += 1
    return touched


def area_for_point(session: Session, location: WKBElement) -> AdminArea | None:
    """The village (kelurahan/desa) containing the point; on overlapping rings, the one whose
    centroid is nearer. None when the point lies in no known village."""
    point = location
    return session.scalars(
        select(AdminArea)
        .where(AdminArea.level.in_(VILLAGE_LEVELS), func.ST_Contains(AdminArea.boundary, point))
        .order_by(func.ST_Distance(AdminArea.centroid, point), AdminArea.code)
        .limit(1)
    ).first()


def area_by_code(session: Session, code: str, field: str = "area") -> AdminArea:
    area = session.scalar(select(AdminArea).where(AdminArea.code == code))
    if area is None:
        raise ValidationFailed.field(field, Message("unknown kelurahan/area code %(code)r (format 62.71.05.1004)",
                                                    code=code))
    return area
