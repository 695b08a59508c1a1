"""A household without a GPS point: registered by kelurahan, RT/RW and landmark, with an
approximate point inside the kelurahan; a later point replaces it; the kelurahan of a point must
agree with a given one; officials see none of the address; matching and the offer SMS say the
location is approximate. On both databases."""

from shapely.geometry import Point
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from resilience.areas.models import AdminArea
from resilience.dispatch.models import Task
from resilience.extensions import db
from resilience.sms.models import SmsMessage

MUNGKU_BARU = "62.71.05.1004"
PAHANDUT = "62.71.01.1001"
IN_MUNGKU_BARU = {"lat": -1.6346, "lon": 113.6858}
IN_PAHANDUT = {"lat": -2.1997, "lon": 113.9503}
BY_LANDMARK = {"head_name": "Ibu Sumiyati", "admin_area": MUNGKU_BARU, "rt": "3", "rw": 1,
               "street": "Jl. Tjilik Riwut km 35", "landmark": "dekat masjid", "members": 4}


def _boundary(code):
    db.session.rollback()
    return to_shape(db.session.scalar(select(AdminArea.boundary).where(AdminArea.code == code)))


def test_register_by_kelurahan_rt_rw_and_landmark(coordinator):
    response = coordinator.post("/api/v1/households", json=BY_LANDMARK)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["location_precision"] == "kelurahan"
    assert body["admin_area"] == {"code": MUNGKU_BARU, "name": "Mungku Baru"}
    assert (body["rt"], body["rw"], body["street"]) == ("003", "001", "Jl. Tjilik Riwut km 35")
    point = Point(body["location"]["lon"], body["location"]["lat"])
    assert _boundary(MUNGKU_BARU).buffer(1e-6).contains(point)
    # deterministic: a second household of the same kelurahan gets the same point
    again = coordinator.post("/api/v1/households", json={**BY_LANDMARK, "head_name": "Pak Amat"}).get_json()
    assert again["location"] == body["location"]
    listed = coordinator.get(f"/api/v1/households?area={MUNGKU_BARU}").get_json()
    assert listed["total"] == 2 and {h["location_precision"] for h in listed["items"]} == {"kelurahan"}


def test_a_point_defaults_to_gps_and_may_say_map(coordinator):
    gps = coordinator.post("/api/v1/households", json={"head_name": "A", "location": IN_MUNGKU_BARU}).get_json()
    assert gps["location_precision"] == "gps" and gps["rt"] is None and gps["street"] == ""
    clicked = coordinator.post("/api/v1/households", json={
        "head_name": "B", "location": IN_MUNGKU_BARU, "location_precision": "map", "admin_area": MUNGKU_BARU})
    assert clicked.status_code == 201, clicked.get_json()
    assert clicked.get_json()["location_precision"] == "map"


def test_later_point_replaces_the_approximation(coordinator):
    household = coordinator.post("/api/v1/households", json=BY_LANDMARK).get_json()
    patched = coordinator.patch(f"/api/v1/households/{household['id']}",
                                json={"location": {"lat": -1.6400, "lon": 113.6900}, "location_precision": "map"})
    assert patched.status_code == 200, patched.get_json()
    body = patched.get_json()
    assert body["location_precision"] == "map" and body["location"] == {"lat": -1.64, "lon": 113.69}
    assert body["admin_area"]["code"] == MUNGKU_BARU
    gps = coordinator.patch(f"/api/v1/households/{household['id']}", json={"location": IN_MUNGKU_BARU}).get_json()
    assert gps["location_precision"] == "gps"
    # a measured point is not moved by naming the kelurahan again, nor by another kelurahan
    same = coordinator.patch(f"/api/v1/households/{household['id']}", json={"admin_area": MUNGKU_BARU})
    assert same.status_code == 200 and same.get_json()["location"] == IN_MUNGKU_BARU
    other = coordinator.patch(f"/api/v1/households/{household['id']}", json={"admin_area": PAHANDUT})
    assert other.status_code == 422 and other.get_json()["errors"][0]["field"] == "admin_area"


def test_an_approximate_point_moves_with_its_kelurahan(coordinator):
    household = coordinator.post("/api/v1/households", json=BY_LANDMARK).get_json()
    moved = coordinator.patch(f"/api/v1/households/{household['id']}", json={"admin_area": PAHANDUT}).get_json()
    assert moved["admin_area"]["code"] == PAHANDUT and moved["location_precision"] == "kelurahan"
    assert _boundary(PAHANDUT).buffer(1e-6).contains(Point(moved["location"]["lon"], moved["location"]["lat"]))


def test_point_and_kelurahan_must_agree(coordinator):
    response = coordinator.post("/api/v1/households", json={
        "head_name": "A", "location": IN_PAHANDUT, "admin_area": MUNGKU_BARU})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == "admin_area" and "Pahandut" in error["message"] and "Mungku Baru" in error["message"]
    assert coordinator.get("/api/v1/households").get_json()["total"] == 0


def test_bad_places_are_422_naming_the_field(coordinator):
    cases = [
        ({"head_name": "A"}, "location"),
        ({"head_name": "A", "admin_area": "62.71.05.9999"}, "admin_area"),
        ({"head_name": "A", "admin_area": "62.71.05"}, "admin_area"),  # a kecamatan
        ({"head_name": "A", "admin_area": MUNGKU_BARU, "location_precision": "map"}, "location_precision"),
        ({"head_name": "A", "location": IN_MUNGKU_BARU, "location_precision": "kelurahan"}, "location_precision"),
        ({**BY_LANDMARK, "rt": "1234"}, "rt"),
        ({**BY_LANDMARK, "rw": "0"}, "rw"),
        ({**BY_LANDMARK, "rt": "3a"}, "rt"),
        ({**BY_LANDMARK, "street": "x" * 201}, "street"),
    ]
    for body, field in cases:
        response = coordinator.post("/api/v1/households", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in [e["field"] for e in response.get_json()["errors"]], (body, response.get_json())
    assert coordinator.get("/api/v1/households").get_json()["total"] == 0


def test_official_sees_no_address_nor_point(coordinator, official):
    household = coordinator.post("/api/v1/households", json=BY_LANDMARK).get_json()
    for body in (official.get(f"/api/v1/households/{household['id']}").get_json(),
                 official.get("/api/v1/households").get_json()["items"][0]):
        assert all(body[f] is None for f in ("rt", "rw", "street", "address", "landmark", "location")), body
        assert body["location_precision"] == "kelurahan" and body["admin_area"]["code"] == MUNGKU_BARU


def test_matching_and_offer_say_lokasi_perkiraan(coordinator, seed):
    event = seed.event()
    household = coordinator.post("/api/v1/households", json=BY_LANDMARK).get_json()
    exact = seed.household(nik=None, head_name="Tepat", location={"lat": -1.6400, "lon": 113.6900})
    need = coordinator.post(f"/api/v1/events/{event['id']}/needs",
                            json={"household_id": household["id"], "category": "food"}).get_json()
    other = coordinator.post(f"/api/v1/events/{event['id']}/needs",
                             json={"household_id": exact["id"], "category": "food"}).get_json()
    seed.volunteer(name="Bu Dapur", skills=["cooking"], location={"lat": -1.64, "lon": 113.69}, capacity=2)
    proposal = coordinator.post(f"/api/v1/events/{event['id']}/match").get_json()
    by_need = {t["need_id"]: t for t in proposal["tasks"]}
    assert "approximate" in by_need[need["id"]]["explanation"]
    assert "approximate" not in by_need[other["id"]]["explanation"]
    db.session.rollback()
    params = {t.need_id: t.explanation_params for t in db.session.scalars(select(Task))}
    assert params[need["id"]]["location_precision"] == "kelurahan"
    assert "location_precision" not in params[other["id"]]

    response = coordinator.post(f"/api/v1/events/{event['id']}/dispatch")
    assert response.status_code == 200, response.get_json()
    db.session.rollback()
    bodies = {m.task_id: m.body for m in db.session.scalars(select(SmsMessage))}
    code = by_need[need["id"]]["id"]
    assert "Lokasi perkiraan: dekat masjid, RT 003/RW 001, Kel. Mungku Baru" in bodies[code]
    assert "perkiraan" not in bodies[by_need[other["id"]]["id"]]
