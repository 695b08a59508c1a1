"""GeoJSON output follows RFC 7946 §3.1.6 (exterior rings counter-clockwise, holes clockwise)
in the areas API, an event's affected area and the report, whatever order the rings were
stored in: the seeded kelurahan boundaries are clockwise."""

from __future__ import annotations

import json

from shapely.geometry import shape

from resilience.core.geo import area_to_geojson, parse_area
from tests.conftest import MUNGKU_BARU, RAKUMPIT_BOX


def signed_area(ring: list[list[float]]) -> float:
    """Shoelace formula in lon/lat: positive for a counter-clockwise ring."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:])) / 2


def assert_rfc7946(geometry: dict) -> None:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    assert polygons
    for exterior, *holes in polygons:
        assert signed_area(exterior) > 0, "exterior ring is clockwise"
        for hole in holes:
            assert signed_area(hole) < 0, "hole is counter-clockwise"


CLOCKWISE_SQUARE = [[113.6, -1.7], [113.6, -1.6], [113.8, -1.6], [113.8, -1.7], [113.6, -1.7]]
COUNTER_CLOCKWISE_HOLE = [[113.65, -1.68], [113.75, -1.68], [113.75, -1.62], [113.65, -1.62], [113.65, -1.68]]


def test_area_to_geojson_orients_exteriors_and_holes():
    wrong = {"type": "MultiPolygon", "coordinates": [
        [CLOCKWISE_SQUARE, COUNTER_CLOCKWISE_HOLE],
        [[[lon + 0.5, lat] for lon, lat in CLOCKWISE_SQUARE]],
    ]}
    assert signed_area(CLOCKWISE_SQUARE) < 0 and signed_area(COUNTER_CLOCKWISE_HOLE) > 0
    out = area_to_geojson(parse_area(wrong))
    assert_rfc7946(out)
    assert shape(out).equals(shape(wrong))  # the same area, only the ring order changed
    assert out["coordinates"][0][0][0] == CLOCKWISE_SQUARE[0]  # rings start where they started


def test_area_boundaries_in_the_api(official):
    for code in ("62.71.05.1004", "62.71.05", "62.71"):  # a kelurahan, its kecamatan, the kota
        response = official.get(f"/api/v1/areas/{code}")
        assert response.status_code == 200, response.get_json()
        assert_rfc7946(response.get_json()["boundary"])


def test_event_affected_area(coordinator):
    clockwise_box = {"type": "Polygon", "coordinates": [RAKUMPIT_BOX["coordinates"][0][::-1]]}
    assert signed_area(clockwise_box["coordinates"][0]) < 0
    created = coordinator.post("/api/v1/events", json={
        "name": "Banjir Rungan", "started_at": "2026-03-10T06:00:00Z", "affected_area": clockwise_box})
    assert created.status_code == 201, created.get_json()
    assert_rfc7946(created.get_json()["affected_area"])
    fetched = coordinator.get(f"/api/v1/events/{created.get_json()['id']}").get_json()
    assert_rfc7946(fetched["affected_area"])
    assert shape(fetched["affected_area"]).equals(shape(clockwise_box))


def test_report_geojson(coordinator, seed):
    event = seed.event()
    household = seed.household(location=MUNGKU_BARU)
    seed.need(event["id"], household["id"], "food")
    response = coordinator.get(f"/api/v1/events/{event['id']}/report?format=geojson")
    assert response.status_code == 200
    features = json.loads(response.get_data(as_text=True))["features"]
    assert any(f["id"] == "62.71.05.1004" for f in features)
    for feature in features:
        assert_rfc7946(feature["geometry"])
