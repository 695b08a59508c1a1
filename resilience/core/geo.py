"""Pure geographic validators: points, GeoJSON areas and bbox query strings.

Everything here is stdlib + shapely; nothing touches Flask or a database. Every rejection is
an :class:`~resilience.core.invalid.InvalidValue` whose message says what is wrong and how to
fix it, and whose ``path`` points inside the value (``"lat"``, ``"coordinates[0][3]"``).

Conventions: points are passed as ``(lat, lon)`` (the API's ``{"lat", "lon"}`` order);
GeoJSON positions and bounding boxes are ``[lon, lat]`` / ``minLon,minLat,maxLon,maxLat``
(RFC 7946 / OGC order). Coordinates are WGS 84 degrees and keep full float precision.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from numbers import Real

import shapely
from shapely.geometry import LinearRing, MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from resilience.core.invalid import InvalidValue

__all__ = [
    "EARTH_RADIUS_M",
    "INDONESIA_BBOX",
    "MAX_AREA_POSITIONS",
    "InvalidValue",
    "area_to_geojson",
    "check_point",
    "haversine_m",
    "parse_area",
    "parse_bbox",
    "parse_point",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the R of the spec's great-circle distance."""

INDONESIA_BBOX = (94.0, -11.5, 141.5, 6.5)
"""Generous bounding box of Indonesia: (min_lon, min_lat, max_lon, max_lat)."""

MAX_AREA_POSITIONS = 200_000
"""Upper bound on the positions of one area (the 30 Palangka Raya kelurahan have ~2,100)."""

_MIN_POLYGON_AREA_DEG2 = 1e-12  # ~0.01 m² at the equator: below this a polygon has no area

_BBOX_TEXT = (
    f"lon {INDONESIA_BBOX[0]:g} to {INDONESIA_BBOX[2]:g}, "
    f"lat {INDONESIA_BBOX[1]:g} to {INDONESIA_BBOX[3]:g}"
)


# --------------------------------------------------------------------------- distances


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a))))


# --------------------------------------------------------------------------- helpers


def _fmt(x: float) -> str:
    """A coordinate for a message: up to 6 decimals, no trailing zeros."""
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 1e6 or (x != 0 and abs(x) < 1e-6):
        return f"{x:.6g}"
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _describe(value: object) -> str:
    """What the user sent, in words, for 'got …' clauses."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        if not value:
            return "an empty list"
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, (Real, Decimal)):
        return f"the number {value}"
    return f"a {type(value).__name__}"


def _number(value: object, what: str, path: str | None) -> float:
    """``value`` as a finite float; bools, strings and None are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        hint = " (send it without quotes)" if isinstance(value, str) else ""
        raise InvalidValue(f"{what} must be a number; got {_describe(value)}{hint}", path)
    try:
        number = float(value)
    except (OverflowError, ValueError):
        number = math.inf
    if not math.isfinite(number):
        raise InvalidValue(f"{what} must be a finite number; got {value}", path)
    return number


def _in_indonesia(lon: float, lat: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = INDONESIA_BBOX
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def _classify(lon: float, lat: float) -> str | None:
    """None when fine, else 'swapped', 'lat_range', 'lon_range', 'lat_out', 'lon_out', 'out'."""
    in_range = -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0
    if in_range and _in_indonesia(lon, lat):
        return None
    if _in_indonesia(lat, lon):
        return "swapped"
    if not -90.0 <= lat <= 90.0:
        return "lat_range"
    if not -180.0 <= lon <= 180.0:
        return "lon_range"
    min_lon, min_lat, max_lon, max_lat = INDONESIA_BBOX
    lat_out = not min_lat <= lat <= max_lat
    lon_out = not min_lon <= lon <= max_lon
    if lat_out and lon_out:
        return "out"
    return "lat_out" if lat_out else "lon_out"


# --------------------------------------------------------------------------- points


def check_point(lat: object, lon: object) -> tuple[float, float]:
    """Validate a point in Indonesia; return ``(lat, lon)`` as floats.

    ``path`` of the error is ``"lat"`` or ``"lon"`` when one of them alone is wrong, ``None``
    when the pair is (e.g. swapped).
    """
    lat_f = _number(lat, "lat", "lat")
    lon_f = _number(lon, "lon", "lon")
    problem = _classify(lon_f, lat_f)
    if problem is None:
        return lat_f, lon_f
    la, lo = _fmt(lat_f), _fmt(lon_f)
    if problem == "swapped":
        raise InvalidValue(
            f"lat {lo} / lon {la} expected; got lat {la}, lon {lo} — are lat and lon swapped?"
        )
    if problem == "lat_range":
        raise InvalidValue(f"lat must be between -90 and 90; got {la}", "lat")
    if problem == "lon_range":
        raise InvalidValue(f"lon must be between -180 and 180; got {lo}", "lon")
    path = {"lat_out": "lat", "lon_out": "lon"}.get(problem)
    raise InvalidValue(
        f"lat {la}, lon {lo} is outside Indonesia ({_BBOX_TEXT}); check the coordinates",
        path,
    )


_POINT_KEY_HINTS = {
    "latitude": "lat",
    "lng": "lon",
    "long": "lon",
    "longitude": "lon",
    "x": "lon",
    "y": "lat",
}


def parse_point(value: object) -> tuple[float, float]:
    """Validate an API point ``{"lat": -1.6346, "lon": 113.6858}``; return ``(lat, lon)``."""
    example = '{"lat": -1.6346, "lon": 113.6858}'
    if not isinstance(value, Mapping):
        raise InvalidValue(f"a point must be an object like {example}; got {_describe(value)}")
    for key in value:
        if key not in ("lat", "lon"):
            hint = _POINT_KEY_HINTS.get(str(key).lower())
            advice = f"use {hint!r}" if hint else f"a point has only lat and lon, e.g. {example}"
            raise InvalidValue(f"unknown key {str(key)!r} in point: {advice}", str(key))
    for key in ("lat", "lon"):
        if key not in value:
            raise InvalidValue(f"point has no {key}: send it like {example}", key)
    return check_point(value["lat"], value["lon"])


# --------------------------------------------------------------------------- areas

_AREA_EXAMPLE = '{"type": "Polygon", "coordinates": [[[lon, lat], ...]]}'
_GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "GeometryCollection",
}
_SEQ = (list, tuple)


def parse_area(geojson: object) -> MultiPolygon:
    """Validate a GeoJSON ``Polygon``/``MultiPolygon`` (or a ``Feature`` holding one).

    The structure is checked strictly before shapely sees it; the result is always a
    2-D MultiPolygon (a Polygon becomes a one-part MultiPolygon; a third, altitude number in
    a position is checked and dropped). Error paths are relative to the object given, e.g.
    ``"coordinates[0][3]"`` or, inside a Feature, ``"geometry.coordinates[0][3]"``.
    """
    if isinstance(geojson, Mapping) and geojson.get("type") == "Feature":
        if geojson.get("geometry") is None:
            raise InvalidValue(
                f"the Feature has no geometry: give it a Polygon or MultiPolygon, e.g. "
                f"{_AREA_EXAMPLE}",
                "geometry",
            )
        geometry = geojson["geometry"]
        if isinstance(geometry, Mapping) and geometry.get("type") in (
            "Feature",
            "FeatureCollection",
        ):
            raise InvalidValue(
                f"a Feature's geometry must be a Polygon or MultiPolygon, not a "
                f"{geometry['type']}",
                "geometry.type",
            )
        try:
            return _parse_geometry(geometry)
        except InvalidValue as exc:
            raise exc.at("geometry") from None
    return _parse_geometry(geojson)


def _parse_geometry(geojson: object) -> MultiPolygon:
    if not isinstance(geojson, Mapping):
        raise InvalidValue(
            f"an area must be a GeoJSON Polygon or MultiPolygon object like {_AREA_EXAMPLE}; "
            f"got {_describe(geojson)}"
        )
    if "type" not in geojson:
        raise InvalidValue('the area has no "type": use "Polygon" or "MultiPolygon"', "type")
    kind = geojson["type"]
    if kind == "FeatureCollection":
        raise InvalidValue(
            "a FeatureCollection is not accepted: send one Polygon or MultiPolygon geometry "
            "(or a single Feature); put several areas into one MultiPolygon",
            "type",
        )
    if kind not in ("Polygon", "MultiPolygon"):
        if isinstance(kind, str) and kind.lower() in ("polygon", "multipolygon"):
            proper = "Polygon" if kind.lower() == "polygon" else "MultiPolygon"
            message = f'type {kind!r} must be spelled exactly "{proper}"'
        elif isinstance(kind, str) and (kind in _GEOJSON_TYPES or kind == "Feature"):
            message = f'an area must be a Polygon or MultiPolygon; got a {kind}'
        else:
            message = f'type must be "Polygon" or "MultiPolygon"; got {_describe(kind)}'
        raise InvalidValue(message, "type")
    if geojson.get("coordinates") is None:
        raise InvalidValue(
            f"the {kind} has no coordinates: e.g. {_AREA_EXAMPLE}", "coordinates"
        )
    coordinates = geojson["coordinates"]
    if not isinstance(coordinates, _SEQ):
        raise InvalidValue(
            f"coordinates must be a list; got {_describe(coordinates)}", "coordinates"
        )
    _check_depth(kind, coordinates)
    if kind == "Polygon":
        if not coordinates:
            raise InvalidValue(
                "the area is empty: a Polygon needs at least one ring [[lon, lat], ...]",
                "coordinates",
            )
        parts = [(coordinates, "coordinates")]
    else:
        if not coordinates:
            raise InvalidValue(
                "the area is empty: a MultiPolygon needs at least one polygon", "coordinates"
            )
        parts = [(polygon, f"coordinates[{i}]") for i, polygon in enumerate(coordinates)]
    _check_size(kind, coordinates)

    polygons = []
    for index, (rings, path) in enumerate(parts):
        polygons.append(_build_polygon(index, rings, path))
    _check_polygons(polygons, [p for _, p in parts], multi=(kind == "MultiPolygon"))
    return MultiPolygon(polygons)


def _first_depth(value: object) -> int:
    """How many list levels the chain of first elements goes down."""
    depth = 0
    while isinstance(value, _SEQ):
        depth += 1
        if not value:
            break
        value = value[0]
    return depth


def _check_depth(kind: str, coordinates: object) -> None:
    """Catch the classic nesting mistakes with one clear message instead of a confusing one."""
    if not coordinates:
        return
    depth = _first_depth(coordinates)
    first = coordinates
    while isinstance(first, _SEQ) and first:
        first = first[0]
    if isinstance(first, _SEQ) or not isinstance(first, (Real, Decimal)) or isinstance(
        first, bool
    ):
        return  # empty lists or non-numbers: the detailed checks say exactly where
    if kind == "Polygon" and depth == 4:
        raise InvalidValue(
            'coordinates are nested like a MultiPolygon\'s (4 levels of lists): set type to '
            '"MultiPolygon", or use [[[lon, lat], ...]] for a Polygon',
            "coordinates",
        )
    if kind == "MultiPolygon" and depth == 3:
        raise InvalidValue(
            'coordinates are nested like a Polygon\'s (3 levels of lists): set type to '
            '"Polygon", or wrap them in one more list, [[[[lon, lat], ...]]]',
            "coordinates",
        )
    expected = 3 if kind == "Polygon" else 4
    if depth != expected:
        shape = "[[[lon, lat], ...]]" if kind == "Polygon" else "[[[[lon, lat], ...]]]"
        raise InvalidValue(
            f"{kind} coordinates must be nested {expected} levels deep, {shape}; "
            f"got {depth}",
            "coordinates",
        )


def _check_size(kind: str, coordinates: list) -> None:
    total = 0
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for polygon in polygons:
        if isinstance(polygon, _SEQ):
            for ring in polygon:
                if isinstance(ring, _SEQ):
                    total += len(ring)
    if total > MAX_AREA_POSITIONS:
        raise InvalidValue(
            f"the area has {total} positions, more than {MAX_AREA_POSITIONS}: simplify it",
            "coordinates",
        )


def _build_polygon(index: int, rings: object, path: str) -> Polygon:
    if not isinstance(rings, _SEQ):
        raise InvalidValue(
            f"polygon {index} must be a list of rings; got {_describe(rings)}", path
        )
    if not rings:
        raise InvalidValue(
            f"polygon {index} is empty: it needs at least one ring [[lon, lat], ...]", path
        )
    built: list[list[tuple[float, float]]] = []
    for r, ring in enumerate(rings):
        built.append(_check_ring(f"polygon {index}, ring {r}", ring, f"{path}[{r}]"))
    return Polygon(built[0], built[1:])


def _check_ring(label: str, ring: object, path: str) -> list[tuple[float, float]]:
    if not isinstance(ring, _SEQ):
        raise InvalidValue(f"{label} must be a list of [lon, lat] positions; got "
                           f"{_describe(ring)}", path)
    if len(ring) < 4:
        raise InvalidValue(
            f"{label} has {len(ring)} position{'s' if len(ring) != 1 else ''}; a ring needs "
            f"at least 4: three or more corners and the first position repeated at the end",
            path,
        )
    points = [_check_position(f"{label}, position {k}", pos, f"{path}[{k}]")
              for k, pos in enumerate(ring)]
    if points[0] != points[-1]:
        first = f"[{_fmt(points[0][0])}, {_fmt(points[0][1])}]"
        last = f"[{_fmt(points[-1][0])}, {_fmt(points[-1][1])}]"
        raise InvalidValue(
            f"{label} is not closed: first position {first} differs from last {last}; "
            f"repeat the first position at the end",
            path,
        )
    return points


def _check_position(label: str, pos: object, path: str) -> tuple[float, float]:
    if not isinstance(pos, _SEQ):
        raise InvalidValue(
            f"{label} must be a [lon, lat] list of numbers; got {_describe(pos)}", path
        )
    if len(pos) not in (2, 3):
        raise InvalidValue(
            f"{label} must have 2 numbers [lon, lat] (a third, altitude, is allowed); "
            f"got {len(pos)}",
            path,
        )
    lon = _number(pos[0], f"{label}: lon (the first number)", path)
    lat = _number(pos[1], f"{label}: lat (the second number)", path)
    if len(pos) == 3:
        _number(pos[2], f"{label}: altitude (the third number)", path)
    problem = _classify(lon, lat)
    if problem is None:
        return (lon, lat)
    lo, la = _fmt(lon), _fmt(lat)
    if problem == "swapped":
        message = (
            f"{label} [{lo}, {la}] looks like [lat, lon] — are lat and lon swapped? "
            f"GeoJSON positions are [lon, lat], e.g. [{la}, {lo}]"
        )
    elif problem == "lat_range":
        message = f"{label}: lat (the second number) must be between -90 and 90; got {la}"
    elif problem == "lon_range":
        message = f"{label}: lon (the first number) must be between -180 and 180; got {lo}"
    else:
        message = f"{label} [{lo}, {la}] is outside Indonesia ({_BBOX_TEXT})"
    raise InvalidValue(message, path)


_REASON = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>[-+0-9.eE]+) (?P<y>[-+0-9.eE]+)[^\]]*\]\s*$")


def _split_reason(reason: str) -> tuple[str, str]:
    """GEOS 'Self-intersection[113.7 -1.65]' → ('Self-intersection', 'near lon …, lat …')."""
    match = _REASON.match(reason)
    if not match:
        return reason, ""
    try:
        x, y = float(match["x"]), float(match["y"])
    except ValueError:
        return match["reason"], ""
    return match["reason"], f" near lon {_fmt(x)}, lat {_fmt(y)}"


def _polygon_problem(index: int, polygon: Polygon) -> str | None:
    reason = shapely.is_valid_reason(polygon)
    if reason is None or reason == "Valid Geometry":
        if polygon.area <= _MIN_POLYGON_AREA_DEG2:
            return f"polygon {index} has no area: its corners lie on one line"
        return None
    what, near = _split_reason(reason)
    rings = [polygon.exterior, *polygon.interiors]
    if what == "Self-intersection":
        crossing = [r for r, ring in enumerate(rings) if not LinearRing(ring).is_simple]
        if crossing:
            detail = f"ring {crossing[0]} crosses itself; redraw it so its edges do not cross"
        else:
            detail = "its rings cross each other; a hole must lie inside the outer ring"
        return f"polygon {index} is self-intersecting{near}: {detail}"
    if what == "Ring Self-intersection":
        return (f"polygon {index} is self-intersecting{near}: a ring touches itself at a "
                f"point; split it into separate polygons")
    if what == "Hole lies outside shell":
        return (f"polygon {index} has a hole outside its outer ring{near}; holes (ring 1 "
                f"and later) must lie inside ring 0")
    if what in ("Holes are nested", "Nested holes"):
        return f"polygon {index} has a hole inside another hole{near}; remove one of them"
    if what == "Interior is disconnected":
        return (f"polygon {index} is cut into pieces by its holes{near}; send the pieces as "
                f"separate polygons of a MultiPolygon")
    if what.startswith("Too few points"):
        return (f"polygon {index} has a ring with fewer than 3 distinct corners{near}; remove "
                f"repeated positions or add corners")
    return f"polygon {index} is not a valid polygon{near}: {what}"


def _check_polygons(polygons: list[Polygon], paths: list[str], *, multi: bool) -> None:
    for index, (polygon, path) in enumerate(zip(polygons, paths)):
        problem = _polygon_problem(index, polygon)
        if problem:
            raise InvalidValue(problem, path)
    if not multi or len(polygons) < 2:
        return
    whole = MultiPolygon(polygons)
    reason = shapely.is_valid_reason(whole)
    if reason is None or reason == "Valid Geometry":
        return
    _, near = _split_reason(reason)
    pair = _overlapping_pair(polygons)
    which = f"polygons {pair[0]} and {pair[1]}" if pair else "polygons of the MultiPolygon"
    raise InvalidValue(
        f"{which} overlap or share an edge{near}; merge them into one polygon or move them "
        f"apart",
        "coordinates",
    )


def _overlapping_pair(polygons: list[Polygon]) -> tuple[int, int] | None:
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist())):
        if i < j and shapely.get_dimensions(polygons[i].intersection(polygons[j])) >= 1:
            return i, j
    return None


def area_to_geojson(geom: Polygon | MultiPolygon) -> dict:
    """A (Multi)Polygon as a GeoJSON geometry dict of plain lists.

    One part → ``Polygon``; otherwise ``MultiPolygon``. Rings follow RFC 7946 §3.1.6 whatever
    order they were stored in (the seeded kelurahan are clockwise): exterior rings
    counter-clockwise, holes clockwise. Coordinate values are passed through.
    """
    if isinstance(geom, Polygon):
        polygons = [geom]
    elif isinstance(geom, MultiPolygon):
        polygons = list(geom.geoms)
    else:
        raise TypeError(f"area_to_geojson needs a Polygon or MultiPolygon, not {type(geom)}")

    def ring(r) -> list[list[float]]:
        return [list(c) for c in r.coords]

    def polygon(p: Polygon) -> list[list[list[float]]]:
        if p.is_empty:
            return []
        p = orient(p, sign=1.0)
        return [ring(p.exterior), *(ring(h) for h in p.interiors)]

    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygon(polygons[0])}
    return {"type": "MultiPolygon", "coordinates": [polygon(p) for p in polygons]}


# --------------------------------------------------------------------------- bbox

_BBOX_PARTS = ("minLon", "minLat", "maxLon", "maxLat")
_BBOX_EXAMPLE = "bbox=113.6,-1.8,113.8,-1.6"
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _bbox_problem(lon1: float, lat1: float, lon2: float, lat2: float) -> InvalidValue | None:
    for name, value, limit in (
        ("minLon", lon1, 180),
        ("minLat", lat1, 90),
        ("maxLon", lon2, 180),
        ("maxLat", lat2, 90),
    ):
        if not -limit <= value <= limit:
            return InvalidValue(
                f"bbox {name} must be between -{limit} and {limit}; got {_fmt(value)} "
                f"(the order is minLon,minLat,maxLon,maxLat, e.g. {_BBOX_EXAMPLE})",
                name,
            )
    for low_name, low, high_name, high in (
        ("minLon", lon1, "maxLon", lon2),
        ("minLat", lat1, "maxLat", lat2),
    ):
        if not low < high:
            return InvalidValue(
                f"bbox {low_name} {_fmt(low)} must be less than {high_name} {_fmt(high)} "
                f"(the order is minLon,minLat,maxLon,maxLat, e.g. {_BBOX_EXAMPLE})",
                low_name,
            )
    return None


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"minLon,minLat,maxLon,maxLat"`` (e.g. ``113.6,-1.8,113.8,-1.6``)."""
    usage = f"minLon,minLat,maxLon,maxLat, e.g. {_BBOX_EXAMPLE}"
    if not isinstance(text, str):
        raise InvalidValue(f"bbox must be text: four comma-separated numbers {usage}")
    if not text.strip():
        raise InvalidValue(f"bbox is empty: give four comma-separated numbers {usage}")
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidValue(
            f"bbox must be four comma-separated numbers {usage}; got {len(parts)} values"
        )
    values: list[float] = []
    for name, part in zip(_BBOX_PARTS, parts):
        part = part.strip()
        if not _DECIMAL.fullmatch(part):
            shown = part if len(part) <= 20 else part[:17] + "..."
            raise InvalidValue(f"bbox {name} {shown!r} is not a number ({usage})", name)
        value = float(part)
        if not math.isfinite(value):
            raise InvalidValue(f"bbox {name} {part!r} is too large ({usage})", name)
        values.append(value)
    lon1, lat1, lon2, lat2 = values
    problem = _bbox_problem(lon1, lat1, lon2, lat2)
    if problem is None:
        return (lon1, lat1, lon2, lat2)
    if _bbox_problem(lat1, lon1, lat2, lon2) is None:
        fixed = ",".join(_fmt(v) for v in (lat1, lon1, lat2, lon2))
        raise InvalidValue(
            f"bbox looks like minLat,minLon,maxLat,maxLon — are lat and lon swapped? The "
            f"order is minLon,minLat,maxLon,maxLat: use bbox={fixed}"
        )
    raise problem
