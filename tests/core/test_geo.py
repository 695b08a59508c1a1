"""Tests for resilience.core.geo: points, GeoJSON areas, bbox strings, haversine."""

from __future__ import annotations

import json
import math
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon

from resilience.core.geo import (
    EARTH_RADIUS_M,
    INDONESIA_BBOX,
    MAX_AREA_POSITIONS,
    area_to_geojson,
    check_point,
    haversine_m,
    parse_area,
    parse_bbox,
    parse_point,
)
from resilience.core.invalid import InvalidValue

KELURAHAN = (
    Path(__file__).resolve().parents[2]
    / "resilience/areas/data/palangka_raya_kelurahan.geojson"
)

# A square in Rakumpit (Palangka Raya), GeoJSON [lon, lat] order.
SQUARE = [[113.6, -1.7], [113.8, -1.7], [113.8, -1.6], [113.6, -1.6], [113.6, -1.7]]
HOLE = [[113.65, -1.68], [113.75, -1.68], [113.75, -1.62], [113.65, -1.62], [113.65, -1.68]]
BOWTIE = [[113.6, -1.7], [113.8, -1.6], [113.8, -1.7], [113.6, -1.6], [113.6, -1.7]]


def shifted(ring, dlon=0.0, dlat=0.0):
    return [[lon + dlon, lat + dlat] for lon, lat in ring]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def rejects(func, *args, **kwargs) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        func(*args, **kwargs)
    return info.value


# --------------------------------------------------------------------------- InvalidValue


def test_invalid_value_is_a_value_error_with_message_and_path():
    exc = InvalidValue("lat must be a number", "lat")
    assert isinstance(exc, ValueError)
    assert str(exc) == exc.message == "lat must be a number"
    assert exc.path == "lat"
    assert InvalidValue("whole value").path is None
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.message, copy.path) == (exc.message, exc.path)


def test_invalid_value_at_nests_paths():
    assert InvalidValue("m", "coordinates[0]").at("geometry").path == "geometry.coordinates[0]"
    assert InvalidValue("m").at("geometry").path == "geometry"
    assert InvalidValue("m", "[3]").at("items").path == "items[3]"


# --------------------------------------------------------------------------- haversine


def test_haversine_known_distances():
    assert EARTH_RADIUS_M == 6_371_008.8
    assert haversine_m(-1.63, 113.68, -1.63, 113.68) == 0.0
    one_degree = EARTH_RADIUS_M * math.pi / 180
    assert haversine_m(0, 0, 1, 0) == pytest.approx(one_degree, rel=1e-12)
    assert haversine_m(0, 0, 0, 1) == pytest.approx(one_degree, rel=1e-12)
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M, rel=1e-12)
    assert haversine_m(90, 0, -90, 0) == pytest.approx(math.pi * EARTH_RADIUS_M, rel=1e-12)
    # two points of the spec's matching example, ~3.1 km apart
    assert haversine_m(-1.63, 113.68, -1.65, 113.70) == pytest.approx(3144.43, abs=0.01)


lats = st.floats(-90, 90)
lons = st.floats(-180, 180)


@given(lats, lons, lats, lons)
def test_haversine_is_symmetric_and_bounded(lat1, lon1, lat2, lon2):
    d = haversine_m(lat1, lon1, lat2, lon2)
    assert 0.0 <= d <= math.pi * EARTH_RADIUS_M + 1e-6
    assert d == pytest.approx(haversine_m(lat2, lon2, lat1, lon1), abs=1e-6)


@given(lats, lons, lats, lons, lats, lons)
def test_haversine_triangle_inequality(a1, o1, a2, o2, a3, o3):
    assert haversine_m(a1, o1, a3, o3) <= (
        haversine_m(a1, o1, a2, o2) + haversine_m(a2, o2, a3, o3) + 1e-3
    )


# --------------------------------------------------------------------------- points


def test_check_point_accepts_palangka_raya():
    assert check_point(-1.6346, 113.6858) == (-1.6346, 113.6858)
    lat, lon = check_point(-2, 114)
    assert (lat, lon) == (-2.0, 114.0) and isinstance(lat, float) and isinstance(lon, float)
    assert check_point(Decimal("-1.5"), Decimal("113.5")) == (-1.5, 113.5)


def test_check_point_accepts_the_bbox_corners():
    min_lon, min_lat, max_lon, max_lat = INDONESIA_BBOX
    assert (min_lon, min_lat, max_lon, max_lat) == (94.0, -11.5, 141.5, 6.5)
    assert check_point(min_lat, min_lon) == (min_lat, min_lon)
    assert check_point(max_lat, max_lon) == (max_lat, max_lon)


@pytest.mark.parametrize(
    "lat, lon, path, words",
    [
        (True, 113.6, "lat", "lat must be a number; got the boolean true"),
        (-1.6, False, "lon", "lon must be a number; got the boolean false"),
        ("-1.6", 113.6, "lat", "send it without quotes"),
        (None, 113.6, "lat", "lat must be a number; got null"),
        ([-1.6], 113.6, "lat", "lat must be a number"),
        (float("nan"), 113.6, "lat", "lat must be a finite number"),
        (-1.6, float("inf"), "lon", "lon must be a finite number"),
        (-1.6, 10**400, "lon", "lon must be a finite number"),
        (95, 113.6, "lat", "lat must be between -90 and 90; got 95"),
        (-1.6, -200, "lon", "lon must be between -180 and 180; got -200"),
        (-1.6, 200.5, "lon", "lon must be between -180 and 180; got 200.5"),
        (48.85, 2.35, None, "lat 48.85, lon 2.35 is outside Indonesia"),
        (10.0, 113.6, "lat", "outside Indonesia"),
        (-1.6, 150.0, "lon", "outside Indonesia"),
    ],
)
def test_check_point_rejections_name_the_field(lat, lon, path, words):
    exc = rejects(check_point, lat, lon)
    assert words in exc.message
    assert exc.path == path


def test_check_point_hints_swapped_lat_lon():
    exc = rejects(check_point, 113.68, -1.63)
    assert exc.message == (
        "lat -1.63 / lon 113.68 expected; got lat 113.68, lon -1.63 — are lat and lon swapped?"
    )
    assert exc.path is None
    # swapped but both in range (lat 5, lon 100 → lat 100 is out of range; use a pair in range)
    assert "swapped" in rejects(check_point, 95.5, 5.5).message


@given(st.floats(-11.5, 6.5), st.floats(94.0, 141.5))
def test_check_point_roundtrips_every_point_in_indonesia(lat, lon):
    assert check_point(lat, lon) == (lat, lon)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)


@given(json_scalars, json_scalars)
def test_check_point_only_raises_invalid_value(lat, lon):
    try:
        result = check_point(lat, lon)
    except InvalidValue as exc:
        assert exc.message and exc.path in (None, "lat", "lon")
    else:
        assert all(math.isfinite(v) for v in result)


def test_parse_point():
    assert parse_point({"lat": -1.6346, "lon": 113.6858}) == (-1.6346, 113.6858)
    assert rejects(parse_point, {"lat": -1.6}).path == "lon"
    exc = rejects(parse_point, {"lat": -1.6, "lng": 113.6})
    assert "use 'lon'" in exc.message and exc.path == "lng"
    assert "a point must be an object" in rejects(parse_point, [-1.6, 113.6]).message
    assert rejects(parse_point, {"lat": "x", "lon": 113.6}).path == "lat"
    assert "swapped" in rejects(parse_point, {"lat": 113.6, "lon": -1.6}).message


# --------------------------------------------------------------------------- parse_area: accepted


def test_parse_area_polygon_becomes_multipolygon():
    area = parse_area(polygon(SQUARE))
    assert isinstance(area, MultiPolygon)
    assert len(area.geoms) == 1
    assert area.geoms[0].equals(Polygon(SQUARE))


def test_parse_area_multipolygon_and_holes():
    geojson = {  # RFC 7946 orientation (exterior counter-clockwise, hole clockwise) round-trips
        "type": "MultiPolygon",
        "coordinates": [[SQUARE, HOLE[::-1]], [shifted(SQUARE, dlon=0.5)]],
    }
    area = parse_area(geojson)
    assert len(area.geoms) == 2
    assert len(area.geoms[0].interiors) == 1
    assert area_to_geojson(area) == geojson


def test_parse_area_accepts_a_feature():
    feature = {
        "type": "Feature",
        "properties": {"name": "Mungku Baru"},
        "geometry": polygon(SQUARE),
    }
    assert parse_area(feature) == parse_area(polygon(SQUARE))


def test_parse_area_keeps_full_precision_and_accepts_ints_and_altitude():
    ring = [
        [113.123456789012345, -1.7],
        [114, -1.7],
        [114, -1.6000000000000001],
        [113.123456789012345, -1.6],
        [113.123456789012345, -1.7],
    ]
    area = parse_area(polygon(ring))
    assert area_to_geojson(area)["coordinates"][0] == [[float(x), float(y)] for x, y in ring]
    with_altitude = [[x, y, 12.5] for x, y in SQUARE]
    flat = parse_area(polygon(with_altitude))
    assert not flat.has_z and flat == parse_area(polygon(SQUARE))


def test_parse_area_accepts_tuples():
    assert parse_area({"type": "Polygon", "coordinates": (tuple(map(tuple, SQUARE)),)})


@pytest.mark.skipif(not KELURAHAN.exists(), reason="kelurahan boundaries not present")
def test_parse_area_accepts_every_palangka_raya_kelurahan():
    features = json.loads(KELURAHAN.read_text())["features"]
    assert features
    for feature in features:
        area = parse_area(feature)
        # The file's rings are clockwise (no holes): the output is each ring reversed (RFC 7946).
        assert area_to_geojson(area) == {
            "type": "Polygon", "coordinates": [ring[::-1] for ring in feature["geometry"]["coordinates"]]}


# --------------------------------------------------------------------------- parse_area: rejected


def test_non_closed_ring_names_the_ring_and_positions():
    open_hole = HOLE[:-1] + [[113.66, -1.68]]
    exc = rejects(parse_area, polygon(SQUARE, open_hole))
    assert exc.message.startswith(
        "polygon 0, ring 1 is not closed: first position [113.65, -1.68] differs from last "
        "[113.66, -1.68]"
    )
    assert exc.path == "coordinates[1]"

    open_ring = shifted(SQUARE, 0.5)[:-1] + [[114.0, -1.7]]
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [open_ring]]}
    exc = rejects(parse_area, multi)
    assert exc.message.startswith("polygon 1, ring 0 is not closed")
    assert exc.path == "coordinates[1][0]"


def test_bowtie_reports_where_it_crosses():
    exc = rejects(parse_area, polygon(BOWTIE))
    assert "polygon 0 is self-intersecting near lon 113.7, lat -1.65" in exc.message
    assert "ring 0 crosses itself" in exc.message
    assert exc.path == "coordinates"
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [shifted(BOWTIE, 1)]]}
    exc = rejects(parse_area, multi)
    assert "polygon 1 is self-intersecting near lon 114.7, lat -1.65" in exc.message
    assert exc.path == "coordinates[1]"


def test_swapped_positions_are_hinted_with_the_position_path():
    swapped = [[lat, lon] for lon, lat in SQUARE]
    exc = rejects(parse_area, polygon(swapped))
    assert "looks like [lat, lon]" in exc.message and "swapped" in exc.message
    assert "[113.6, -1.7]" in exc.message  # the corrected position
    assert exc.path == "coordinates[0][0]"


@pytest.mark.parametrize(
    "geojson, path, words",
    [
        ([SQUARE], None, "must be a GeoJSON Polygon or MultiPolygon object"),
        ("POLYGON((...))", None, "must be a GeoJSON Polygon or MultiPolygon object"),
        ({"coordinates": [SQUARE]}, "type", 'no "type"'),
        ({"type": "FeatureCollection", "features": []}, "type", "FeatureCollection is not"),
        ({"type": "Point", "coordinates": [113.6, -1.6]}, "type", "got a Point"),
        ({"type": "GeometryCollection", "geometries": []}, "type", "got a GeometryCollection"),
        ({"type": "polygon", "coordinates": [SQUARE]}, "type", 'spelled exactly "Polygon"'),
        ({"type": "Polygonal", "coordinates": [SQUARE]}, "type", 'must be "Polygon" or'),
        ({"type": 7, "coordinates": [SQUARE]}, "type", 'must be "Polygon" or "MultiPolygon"'),
        ({"type": "Polygon"}, "coordinates", "has no coordinates"),
        ({"type": "Polygon", "coordinates": None}, "coordinates", "has no coordinates"),
        ({"type": "Polygon", "coordinates": "[[...]]"}, "coordinates", "must be a list"),
        ({"type": "Polygon", "coordinates": []}, "coordinates", "area is empty"),
        ({"type": "MultiPolygon", "coordinates": []}, "coordinates", "area is empty"),
        (
            {"type": "MultiPolygon", "coordinates": [[SQUARE], []]},
            "coordinates[1]",
            "polygon 1 is empty",
        ),
        ({"type": "Polygon", "coordinates": SQUARE}, "coordinates", "nested 3 levels deep"),
        (
            {"type": "Polygon", "coordinates": [[SQUARE]]},
            "coordinates",
            'set type to "MultiPolygon"',
        ),
        ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "coordinates", 'set type to "Polygon"'),
        (
            {"type": "Polygon", "coordinates": [SQUARE[:3]]},
            "coordinates[0]",
            "polygon 0, ring 0 has 3 positions; a ring needs at least 4",
        ),
        (
            {"type": "Polygon", "coordinates": [SQUARE, 5]},
            "coordinates[1]",
            "polygon 0, ring 1 must be a list",
        ),
    ],
)
def test_parse_area_rejections(geojson, path, words):
    exc = rejects(parse_area, geojson)
    assert words in exc.message
    assert exc.path == path


@pytest.mark.parametrize(
    "position, words",
    [
        ("x", "polygon 0, ring 0, position 2 must be a [lon, lat] list"),
        ([113.8], "must have 2 numbers"),
        ([113.8, -1.6, 1, 2], "got 4"),
        ([113.8, "-1.6"], "lat (the second number) must be a number"),
        ([True, -1.6], "lon (the first number) must be a number"),
        ([113.8, None], "lat (the second number) must be a number; got null"),
        ([113.8, float("nan")], "must be a finite number"),
        ([113.8, -1.6, float("inf")], "altitude (the third number) must be a finite number"),
        ([113.8, -95], "lat (the second number) must be between -90 and 90; got -95"),
        ([213.8, -1.6], "lon (the first number) must be between -180 and 180; got 213.8"),
        ([150.0, -1.6], "position 2 [150, -1.6] is outside Indonesia"),
    ],
)
def test_bad_positions_name_the_position(position, words):
    ring = [*SQUARE[:2], position, *SQUARE[3:]]
    exc = rejects(parse_area, polygon(ring))
    assert words in exc.message
    assert exc.path == "coordinates[0][2]"


def test_feature_errors_are_prefixed_with_geometry():
    not_closed = polygon(SQUARE[:-1] + [[113.7, -1.7]])
    exc = rejects(parse_area, {"type": "Feature", "geometry": not_closed})
    assert exc.message.startswith("polygon 0, ring 0 is not closed")
    assert exc.path == "geometry.coordinates[0]"
    exc = rejects(parse_area, {"type": "Feature", "properties": {}, "geometry": None})
    assert exc.path == "geometry" and "has no geometry" in exc.message
    nested = {"type": "Feature", "geometry": {"type": "Feature", "geometry": polygon(SQUARE)}}
    assert rejects(parse_area, nested).path == "geometry.type"


def test_invalid_topologies_are_explained_with_a_location():
    # a ring that touches itself at one point (a "pinched" ring)
    pinched = [[113, -2], [114, -2], [113.5, -1.5], [114, -1], [113, -1], [113.5, -1.5], [113, -2]]
    exc = rejects(parse_area, polygon(pinched))
    assert "self-intersecting near lon 113.5, lat -1.5" in exc.message

    outside_hole = shifted(HOLE, dlon=1.0)
    exc = rejects(parse_area, polygon(SQUARE, outside_hole))
    assert "hole outside its outer ring near lon" in exc.message and exc.path == "coordinates"

    inner = [[113.67, -1.67], [113.73, -1.67], [113.73, -1.63], [113.67, -1.63], [113.67, -1.67]]
    exc = rejects(parse_area, polygon(SQUARE, HOLE, inner))
    assert "hole inside another hole" in exc.message

    crossing_hole = [[113.7, -1.65], [113.9, -1.65], [113.9, -1.62], [113.7, -1.62], [113.7, -1.65]]
    exc = rejects(parse_area, polygon(SQUARE, crossing_hole))
    assert "self-intersecting near lon 113.8" in exc.message
    assert "rings cross each other" in exc.message


def test_degenerate_polygons_are_rejected():
    collinear = [[113.6, -1.7], [113.7, -1.6], [113.8, -1.5], [113.6, -1.7]]
    assert "has no area" in rejects(parse_area, polygon(collinear)).message
    repeated = [[113.6, -1.7], [113.6, -1.7], [113.6, -1.7], [113.6, -1.7]]
    exc = rejects(parse_area, {"type": "MultiPolygon", "coordinates": [[SQUARE], [repeated]]})
    assert "fewer than 3 distinct corners near lon 113.6, lat -1.7" in exc.message
    assert exc.path == "coordinates[1]"


def test_overlapping_multipolygon_parts_are_named():
    parts = [[SQUARE], [shifted(SQUARE, 0.5)], [shifted(SQUARE, 0.1, 0.05)]]
    overlapping = {"type": "MultiPolygon", "coordinates": parts}
    exc = rejects(parse_area, overlapping)
    assert exc.message.startswith("polygons 0 and 2 overlap or share an edge near lon")
    assert exc.path == "coordinates"
    sharing_edge = {"type": "MultiPolygon", "coordinates": [[SQUARE], [shifted(SQUARE, 0.2)]]}
    assert "polygons 0 and 1 overlap or share an edge" in rejects(parse_area, sharing_edge).message
    # touching at a single corner is a valid MultiPolygon
    corner = {"type": "MultiPolygon", "coordinates": [[SQUARE], [shifted(SQUARE, 0.2, 0.1)]]}
    assert len(parse_area(corner).geoms) == 2


def test_huge_areas_are_refused_before_building():
    ring = [[113.6 + i * 1e-7, -1.7] for i in range(MAX_AREA_POSITIONS)]
    ring += [[113.7, -1.6], [113.6, -1.7]]
    exc = rejects(parse_area, polygon(ring))
    assert "simplify it" in exc.message


# --------------------------------------------------------------------------- round trips

rect_lon = st.floats(94.0, 140.0)
rect_lat = st.floats(-11.5, 5.5)
rect_size = st.floats(1e-5, 1.0)


def rectangle(lon, lat, width, height):
    east, north = lon + width, lat + height
    return [[lon, lat], [east, lat], [east, north], [lon, north], [lon, lat]]


@given(rect_lon, rect_lat, rect_size, rect_size)
def test_rectangles_roundtrip(lon, lat, width, height):
    ring = rectangle(lon, lat, width, height)
    geojson = polygon(ring)
    area = parse_area(geojson)
    out = area_to_geojson(area)
    assert out == geojson
    assert json.loads(json.dumps(out)) == out  # plain lists and floats
    again = parse_area(out)
    assert again == area and again.equals_exact(area, 0)


@given(st.lists(st.tuples(rect_lat, rect_size, rect_size), min_size=2, max_size=6))
def test_disjoint_rectangles_roundtrip_as_multipolygon(parts):
    rings = []
    lon = 94.0
    for lat, width, height in parts:
        rings.append([rectangle(lon, lat, width, height)])
        lon += width + 0.01  # strictly apart
    geojson = {"type": "MultiPolygon", "coordinates": rings}
    area = parse_area(geojson)
    assert len(area.geoms) == len(parts)
    out = area_to_geojson(area)
    assert out == geojson
    assert parse_area(out) == area


def test_area_to_geojson_types_and_lists():
    single = area_to_geojson(MultiPolygon([Polygon(SQUARE)]))
    assert single["type"] == "Polygon"
    assert isinstance(single["coordinates"], list)
    assert all(isinstance(p, list) for p in single["coordinates"][0])
    assert area_to_geojson(Polygon(SQUARE)) == single
    double = area_to_geojson(MultiPolygon([Polygon(SQUARE), Polygon(shifted(SQUARE, 1))]))
    assert double["type"] == "MultiPolygon" and len(double["coordinates"]) == 2
    with pytest.raises(TypeError):
        area_to_geojson("POLYGON")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=6)
    | st.dictionaries(
        st.sampled_from(["type", "coordinates", "geometry", "features"]), children, max_size=4
    ),
    max_leaves=40,
)
area_like = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Polygon", "MultiPolygon", "Feature", "Point"]),
        "coordinates": json_values,
    }
)
position = st.lists(st.floats(-200, 200) | st.integers(90, 120), min_size=1, max_size=4)
near_polygon = st.fixed_dictionaries(
    {
        "type": st.just("Polygon"),
        "coordinates": st.lists(st.lists(position, max_size=7), max_size=3),
    }
)


@settings(max_examples=300)
@given(json_values | area_like | near_polygon)
def test_parse_area_never_raises_anything_but_invalid_value(value):
    try:
        area = parse_area(value)
    except InvalidValue as exc:
        assert exc.message
    else:
        assert isinstance(area, MultiPolygon) and area.is_valid and not area.is_empty


# --------------------------------------------------------------------------- bbox


@pytest.mark.parametrize(
    "text, expected",
    [
        ("113.6,-1.8,113.8,-1.6", (113.6, -1.8, 113.8, -1.6)),
        (" 113.6 , -1.8 ,113.8, -1.6 ", (113.6, -1.8, 113.8, -1.6)),
        ("113,-2,114,-1", (113.0, -2.0, 114.0, -1.0)),
        ("1.136e2,-1.8,+113.8,-.5", (113.6, -1.8, 113.8, -0.5)),
        ("-180,-90,180,90", (-180.0, -90.0, 180.0, 90.0)),
    ],
)
def test_parse_bbox_accepts(text, expected):
    assert parse_bbox(text) == expected


@pytest.mark.parametrize(
    "text, path, words",
    [
        (None, None, "bbox must be text"),
        ("", None, "bbox is empty"),
        ("113.6,-1.8,113.8", None, "got 3 values"),
        ("113.6,-1.8,113.8,-1.6,0", None, "got 5 values"),
        ("113.6;-1.8;113.8;-1.6", None, "got 1 values"),
        ("113.6,abc,113.8,-1.6", "minLat", "bbox minLat 'abc' is not a number"),
        ("113.6,,113.8,-1.6", "minLat", "is not a number"),
        ("nan,-1.8,113.8,-1.6", "minLon", "is not a number"),
        ("113.6,-1.8,inf,-1.6", "maxLon", "is not a number"),
        ("113.6,-1.8,1e999,-1.6", "maxLon", "is too large"),
        ("1_13.6,-1.8,113.8,-1.6", "minLon", "is not a number"),
        ("113.6,-1.8,113.8,95", "maxLat", "maxLat must be between -90 and 90; got 95"),
        ("-181,-1.8,113.8,-1.6", "minLon", "minLon must be between -180 and 180"),
        ("113.8,-1.8,113.6,-1.6", "minLon", "minLon 113.8 must be less than maxLon 113.6"),
        ("113.6,-1.6,113.8,-1.8", "minLat", "minLat -1.6 must be less than maxLat -1.8"),
        ("113.6,-1.6,113.8,-1.6", "minLat", "must be less than"),
    ],
)
def test_parse_bbox_rejects(text, path, words):
    exc = rejects(parse_bbox, text)
    assert words in exc.message
    assert exc.path == path
    assert "minLon,minLat,maxLon,maxLat" in exc.message


def test_parse_bbox_hints_lat_lon_order():
    exc = rejects(parse_bbox, "-1.8,113.6,-1.6,113.8")
    assert "looks like minLat,minLon,maxLat,maxLon" in exc.message
    assert "bbox=113.6,-1.8,113.8,-1.6" in exc.message


@given(st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90))
def test_parse_bbox_roundtrips_repr(a, b, c, d):
    lon1, lon2 = sorted((a, c))
    lat1, lat2 = sorted((b, d))
    text = ",".join(repr(v) for v in (lon1, lat1, lon2, lat2))
    if lon1 < lon2 and lat1 < lat2:
        assert parse_bbox(text) == (lon1, lat1, lon2, lat2)
    else:
        assert "must be less than" in rejects(parse_bbox, text).message


@given(st.text(max_size=40))
def test_parse_bbox_never_raises_anything_but_invalid_value(text):
    try:
        result = parse_bbox(text)
    except InvalidValue as exc:
        assert exc.message
    else:
        assert result[0] < result[2] and result[1] < result[3]
