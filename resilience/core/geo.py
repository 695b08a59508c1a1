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

from resilience.core.invalid import InvalidValue, Message

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


def _describe(value: object) -> Message:
    """What the user sent, in words, for 'got …' clauses."""
    if value is None:
        return Message("null")
    if isinstance(value, bool):
        return Message("the boolean true") if value else Message("the boolean false")
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return Message("the text %(text)r", text=shown)
    if isinstance(value, Mapping):
        return Message("an object")
    if isinstance(value, (list, tuple)):
        if not value:
            return Message("an empty list")
        if len(value) == 1:
            return Message("a list of 1 item")
        return Message("a list of %(count)s items", count=len(value))
    if isinstance(value, (Real, Decimal)):
        return Message("the number %(number)s", number=str(value))
    return Message("a %(type)s", type=type(value).__name__)


def _number(value: object, what: str, path: str | None) -> float:
    """``value`` as a finite float; bools, strings and None are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        hint = Message(" (send it without quotes)") if isinstance(value, str) else ""
        raise InvalidValue(Message("%(what)s must be a number; got %(value)s%(hint)s",
                                   what=what, value=_describe(value), hint=hint), path)
    try:
        number = float(value)
    except (OverflowError, ValueError):
        number = math.inf
    if not math.isfinite(number):
        raise InvalidValue(Message("%(what)s must be a finite number; got %(value)s", what=what, value=value), path)
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
        raise InvalidValue(Message(
            "lat %(lon)s / lon %(lat)s expected; got lat %(lat)s, lon %(lon)s — are lat and lon swapped?",
            lat=la, lon=lo,
        ))
    if problem == "lat_range":
        raise InvalidValue(Message("lat must be between -90 and 90; got %(lat)s", lat=la), "lat")
    if problem == "lon_range":
        raise InvalidValue(Message("lon must be between -180 and 180; got %(lon)s", lon=lo), "lon")
    path = {"lat_out": "lat", "lon_out": "lon"}.get(problem)
    raise InvalidValue(
        Message("lat %(lat)s, lon %(lon)s is outside Indonesia (%(bbox)s); check the coordinates",
                lat=la, lon=lo, bbox=_BBOX_TEXT),
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
        raise InvalidValue(Message("a point must be an object like %(example)s; got %(value)s",
                                   example=example, value=_describe(value)))
    for key in value:
        if key not in ("lat", "lon"):
            hint = _POINT_KEY_HINTS.get(str(key).lower())
            advice = (Message("use %(hint)r", hint=hint) if hint
                      else Message("a point has only lat and lon, e.g. %(example)s", example=example))
            raise InvalidValue(Message("unknown key %(value)r in point: %(advice)s",
                                       value=str(key), advice=advice), str(key))
    for key in ("lat", "lon"):
        if key not in value:
            raise InvalidValue(Message("point has no %(key)s: send it like %(example)s", key=key, example=example), key)
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
                Message("the Feature has no geometry: give it a Polygon or MultiPolygon, e.g. %(example)s",
                        example=_AREA_EXAMPLE),
                "geometry",
            )
        geometry = geojson["geometry"]
        if isinstance(geometry, Mapping) and geometry.get("type") in (
            "Feature",
            "FeatureCollection",
        ):
            raise InvalidValue(
                Message("a Feature's geometry must be a Polygon or MultiPolygon, not a %(type)s",
                        type=geometry['type']),
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
            Message("an area must be a GeoJSON Polygon or MultiPolygon object like %(example)s; got %(value)s",
                    example=_AREA_EXAMPLE, value=_describe(geojson))
        )
    if "type" not in geojson:
        raise InvalidValue(Message('the area has no "type": use "Polygon" or "MultiPolygon"'), "type")
    kind = geojson["type"]
    if kind == "FeatureCollection":
        raise InvalidValue(
            Message("a FeatureCollection is not accepted: send one Polygon or MultiPolygon geometry "
            "(or a single Feature); put several areas into one MultiPolygon"),
            "type",
        )
    if kind not in ("Polygon", "MultiPolygon"):
        if isinstance(kind, str) and kind.lower() in ("polygon", "multipolygon"):
            proper = "Polygon" if kind.lower() == "polygon" else "MultiPolygon"
            message = Message('type %(kind)r must be spelled exactly "%(proper)s"', kind=kind, proper=proper)
        elif isinstance(kind, str) and (kind in _GEOJSON_TYPES or kind == "Feature"):
            message = Message("an area must be a Polygon or MultiPolygon; got a %(kind)s", kind=kind)
        else:
            message = Message('type must be "Polygon" or "MultiPolygon"; got %(got)s', got=_describe(kind))
        raise InvalidValue(message, "type")
    if geojson.get("coordinates") is None:
        raise InvalidValue(
            Message("the %(kind)s has no coordinates: e.g. %(example)s",
                    kind=kind, example=_AREA_EXAMPLE), "coordinates"
        )
    coordinates = geojson["coordinates"]
    if not isinstance(coordinates, _SEQ):
        raise InvalidValue(
            Message("coordinates must be a list; got %(value)s", value=_describe(coordinates)), "coordinates"
        )
    _check_depth(kind, coordinates)
    if kind == "Polygon":
        if not coordinates:
            raise InvalidValue(
                Message("the area is empty: a Polygon needs at least one ring [[lon, lat], ...]"),
                "coordinates",
            )
        parts = [(coordinates, "coordinates")]
    else:
        if not coordinates:
            raise InvalidValue(
                Message("the area is empty: a MultiPolygon needs at least one polygon"), "coordinates"
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
            Message('coordinates are nested like a MultiPolygon\'s (4 levels of lists): set type to '
            '"MultiPolygon", or use [[[lon, lat], ...]] for a Polygon'),
            "coordinates",
        )
    if kind == "MultiPolygon" and depth == 3:
        raise InvalidValue(
            Message('coordinates are nested like a Polygon\'s (3 levels of lists): set type to '
            '"Polygon", or wrap them in one more list, [[[[lon, lat], ...]]]'),
            "coordinates",
        )
    expected = 3 if kind == "Polygon" else 4
    if depth != expected:
        shape = "[[[lon, lat], ...]]" if kind == "Polygon" else "[[[[lon, lat], ...]]]"
        raise InvalidValue(
            Message("%(kind)s coordinates must be nested %(expected)s levels deep, %(shape)s; got %(depth)s",
                    kind=kind, expected=expected, shape=shape, depth=depth),
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
            Message("the area has %(total)s positions, more than %(max)s: simplify it",
                    total=total, max=MAX_AREA_POSITIONS),
            "coordinates",
        )


def _build_polygon(index: int, rings: object, path: str) -> Polygon:
    if not isinstance(rings, _SEQ):
        raise InvalidValue(
            Message("polygon %(index)s must be a list of rings; got %(value)s",
                    index=index, value=_describe(rings)), path
        )
    if not rings:
        raise InvalidValue(
            Message("polygon %(index)s is empty: it needs at least one ring [[lon, lat], ...]", index=index), path
        )
    built: list[list[tuple[float, float]]] = []
    for r, ring in enumerate(rings):
        built.append(_check_ring(Message("polygon %(index)s, ring %(ring)s",
                                         index=index, ring=r), ring, f"{path}[{r}]"))
    return Polygon(built[0], built[1:])


def _check_ring(label: str, ring: object, path: str) -> list[tuple[float, float]]:
    if not isinstance(ring, _SEQ):
        raise InvalidValue(Message("%(label)s must be a list of [lon, lat] positions; got %(value)s",
                                   label=label, value=_describe(ring)), path)
    if len(ring) < 4:
        raise InvalidValue(
            Message("%(label)s has 1 position; a ring needs at least 4: three or more corners and the first position "
                    "repeated at the end", label=label)
            if len(ring) == 1 else
            Message("%(label)s has %(count)s positions; a ring needs at least 4: three or more corners and the first "
                    "position repeated at the end", label=label, count=len(ring)),
            path,
        )
    points = [_check_position(Message("%(label)s, position %(k)s", label=label, k=k), pos, f"{path}[{k}]")
              for k, pos in enumerate(ring)]
    if points[0] != points[-1]:
        first = f"[{_fmt(points[0][0])}, {_fmt(points[0][1])}]"
        last = f"[{_fmt(points[-1][0])}, {_fmt(points[-1][1])}]"
        raise InvalidValue(
            Message("%(label)s is not closed: first position %(first)s differs from last %(last)s; repeat the first position at the end",
                    label=label, first=first, last=last),
            path,
        )
    return points


def _check_position(label: str, pos: object, path: str) -> tuple[float, float]:
    if not isinstance(pos, _SEQ):
        raise InvalidValue(
            Message("%(label)s must be a [lon, lat] list of numbers; got %(value)s",
                    label=label, value=_describe(pos)), path
        )
    if len(pos) not in (2, 3):
        raise InvalidValue(
            Message("%(label)s must have 2 numbers [lon, lat] (a third, altitude, is allowed); got %(count)s",
                    label=label, count=len(pos)),
            path,
        )
    lon = _number(pos[0], Message("%(label)s: lon (the first number)", label=label), path)
    lat = _number(pos[1], Message("%(label)s: lat (the second number)", label=label), path)
    if len(pos) == 3:
        _number(pos[2], Message("%(label)s: altitude (the third number)", label=label), path)
    problem = _classify(lon, lat)
    if problem is None:
        return (lon, lat)
    lo, la = _fmt(lon), _fmt(lat)
    if problem == "swapped":
        message = Message("%(label)s [%(lon)s, %(lat)s] looks like [lat, lon] — are lat and lon swapped? "
                          "GeoJSON positions are [lon, lat], e.g. [%(lat)s, %(lon)s]", label=label, lon=lo, lat=la)
    elif problem == "lat_range":
        message = Message("%(label)s: lat (the second number) must be between -90 and 90; got %(lat)s",
                          label=label, lat=la)
    elif problem == "lon_range":
        message = Message("%(label)s: lon (the first number) must be between -180 and 180; got %(lon)s",
                          label=label, lon=lo)
    else:
        message = Message("%(label)s [%(lon)s, %(lat)s] is outside Indonesia (%(bbox)s)", label=label, lon=lo, lat=la,
                          bbox=_BBOX_TEXT)
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
    return match["reason"], Message(" near lon %(lon)s, lat %(lat)s", lon=_fmt(x), lat=_fmt(y))


def _polygon_problem(index: int, polygon: Polygon) -> Message | None:
    reason = shapely.is_valid_reason(polygon)
    if reason is None or reason == "Valid Geometry":
        if polygon.area <= _MIN_POLYGON_AREA_DEG2:
            return Message("polygon %(index)s has no area: its corners lie on one line", index=index)
        return None
    what, near = _split_reason(reason)
    rings = [polygon.exterior, *polygon.interiors]
    if what == "Self-intersection":
        crossing = [r for r, ring in enumerate(rings) if not LinearRing(ring).is_simple]
        if crossing:
            detail = Message("ring %(ring)s crosses itself; redraw it so its edges do not cross", ring=crossing[0])
        else:
            detail = Message("its rings cross each other; a hole must lie inside the outer ring")
        return Message("polygon %(index)s is self-intersecting%(near)s: %(detail)s",
                       index=index, near=near, detail=detail)
    if what == "Ring Self-intersection":
        return Message("polygon %(index)s is self-intersecting%(near)s: a ring touches itself at a "
                       "point; split it into separate polygons", index=index, near=near)
    if what == "Hole lies outside shell":
        return Message("polygon %(index)s has a hole outside its outer ring%(near)s; holes (ring 1 "
                       "and later) must lie inside ring 0", index=index, near=near)
    if what in ("Holes are nested", "Nested holes"):
        return Message("polygon %(index)s has a hole inside another hole%(near)s; remove one of them", index=index,
                       near=near)
    if what == "Interior is disconnected":
        return Message("polygon %(index)s is cut into pieces by its holes%(near)s; send the pieces as "
                       "separate polygons of a MultiPolygon", index=index, near=near)
    if what.startswith("Too few points"):
        return Message("polygon %(index)s has a ring with fewer than 3 distinct corners%(near)s; remove "
                       "repeated positions or add corners", index=index, near=near)
    return Message("polygon %(index)s is not a valid polygon%(near)s: %(what)s", index=index, near=near, what=what)


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
    which = (Message("polygons %(first)s and %(second)s", first=pair[0], second=pair[1]) if pair
             else Message("polygons of the MultiPolygon"))
    raise InvalidValue(
        Message("%(which)s overlap or share an edge%(near)s; merge them into one polygon or move them apart",
                which=which, near=near),
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
                Message("bbox %(name)s must be between -%(limit)s and %(limit)s; got %(value)s (the order is minLon,minLat,maxLon,maxLat, e.g. %(example)s)",
                        name=name, limit=limit, value=_fmt(value), example=_BBOX_EXAMPLE),
                name,
            )
    for low_name, low, high_name, high in (
        ("minLon", lon1, "maxLon", lon2),
        ("minLat", lat1, "maxLat", lat2),
    ):
        if not low < high:
            return InvalidValue(
                Message(
                    "bbox %(low_name)s %(value)s must be less than %(high_name)s %(value2)s (the order is minLon,minLat,maxLon,maxLat, e.g. %(example)s)",
                    low_name=low_name, value=_fmt(low), high_name=high_name, value2=_fmt(high), example=_BBOX_EXAMPLE),
                low_name,
            )
    return None


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"minLon,minLat,maxLon,maxLat"`` (e.g. ``113.6,-1.8,113.8,-1.6``)."""
    usage = f"minLon,minLat,maxLon,maxLat, e.g. {_BBOX_EXAMPLE}"
    if not isinstance(text, str):
        raise InvalidValue(Message("bbox must be text: four comma-separated numbers %(usage)s", usage=usage))
    if not text.strip():
        raise InvalidValue(Message("bbox is empty: give four comma-separated numbers %(usage)s", usage=usage))
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidValue(
            Message("bbox must be four comma-separated numbers %(usage)s; got %(count)s values",
                    usage=usage, count=len(parts))
        )
    values: list[float] = []
    for name, part in zip(_BBOX_PARTS, parts):
        part = part.strip()
        if not _DECIMAL.fullmatch(part):
            shown = part if len(part) <= 20 else part[:17] + "..."
            raise InvalidValue(Message("bbox %(name)s %(shown)r is not a number (%(usage)s)",
                                       name=name, shown=shown, usage=usage), name)
        value = float(part)
        if not math.isfinite(value):
            raise InvalidValue(Message("bbox %(name)s %(part)r is too large (%(usage)s)",
                                       name=name, part=part, usage=usage), name)
        values.append(value)
    lon1, lat1, lon2, lat2 = values
    problem = _bbox_problem(lon1, lat1, lon2, lat2)
    if problem is None:
        return (lon1, lat1, lon2, lat2)
    if _bbox_problem(lat1, lon1, lat2, lon2) is None:
        fixed = ",".join(_fmt(v) for v in (lat1, lon1, lat2, lon2))
        raise InvalidValue(
            Message("bbox looks like minLat,minLon,maxLat,maxLon — are lat and lon swapped? The order is minLon,minLat,maxLon,maxLat: use bbox=%(fixed)s",
                    fixed=fixed)
        )
    raise problem
