"""The reference areas (wilayah) through the API: the seeded Palangka Raya hierarchy, one area
with its boundary, and clear errors; on both databases."""

from shapely.geometry import Point, shape

RAKUMPIT = "62.71.05"
MUNGKU_BARU = "62.71.05.1004"
BUKIT_SUA = "62.71.05.1007"


def test_kelurahan_of_a_kecamatan_are_listed_with_their_parent(official):
    response = official.get(f"/api/v1/areas?parent={RAKUMPIT}&per_page=100")
    assert response.status_code == 200
    items = response.get_json()["items"]
    codes = [a["code"] for a in items]
    assert codes == sorted(codes) and {MUNGKU_BARU, BUKIT_SUA} <= set(codes)
    assert all(a["parent_code"] == RAKUMPIT and a["code"].startswith(RAKUMPIT + ".") for a in items)
    mungku = next(a for a in items if a["code"] == MUNGKU_BARU)
    assert mungku["name"] == "Mungku Baru" and mungku["level"] == "kelurahan"


def test_levels_filter_the_hierarchy(official):
    kecamatan = official.get("/api/v1/areas?level=kecamatan&per_page=100").get_json()["items"]
    assert RAKUMPIT in {a["code"] for a in kecamatan}
    assert {a["level"] for a in kecamatan} == {"kecamatan"}
    assert all(a["parent_code"] == kecamatan[0]["parent_code"] for a in kecamatan)


def test_one_area_has_its_boundary_around_its_centroid(coordinator):
    response = coordinator.get(f"/api/v1/areas/{MUNGKU_BARU}")
    assert response.status_code == 200
    area = response.get_json()
    assert area["boundary"]["type"] in ("Polygon", "MultiPolygon")
    boundary = shape(area["boundary"])
    assert boundary.is_valid and boundary.contains(Point(area["centroid"]["lon"], area["centroid"]["lat"]))


def test_unknown_codes_are_clear_errors(coordinator):
    missing = coordinator.get("/api/v1/areas/99.99.99.9999")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert "99.99.99.9999" in missing.get_json()["detail"]
    bad_parent = coordinator.get("/api/v1/areas?parent=99.99")
    assert bad_parent.status_code == 422
    assert [e["field"] for e in bad_parent.get_json()["errors"]] == ["parent"]


def test_areas_need_a_token(anonymous):
    assert anonymous.get("/api/v1/areas").status_code == 401
