"""The household form as a posko learns of a family (kelurahan, RT/RW, landmark; the point
optional), the location precision shown on the household page and list, and the spreadsheet
import page (dry run, real run, refusals, officials kept out). Both databases."""

from __future__ import annotations

import io

import pytest

from tests.conftest import MUNGKU_BARU

MUNGKU_CODE = "62.71.05.1004"


@pytest.fixture
def flood(seed):
    return seed.event()


def _form(**overrides):
    body = {"head_name": "Ibu Sumiyati", "members": "4", "elderly": "1", "children_under5": "0",
            "pregnant_or_lactating": "0", "disabled": "0", "chronically_ill": "0", "category": "evacuation",
            "admin_area": MUNGKU_CODE, "rt": "3", "rw": "01", "street": "Jl. Mungku Baru",
            "landmark": "dekat masjid", "lat": "", "lon": "", "location_precision": ""}
    body.update(overrides)
    return body


def _only(seed, name):
    [household] = seed.client.get(f"/api/v1/households?q={name}").get_json()["items"]
    return household


def _inside(code: str, point: dict) -> bool:
    from geoalchemy2.shape import to_shape
    from shapely.geometry import Point
    from sqlalchemy import select

    from resilience.areas.models import AdminArea
    from resilience.extensions import db

    boundary = to_shape(db.session.scalar(select(AdminArea.boundary).where(AdminArea.code == code)))
    db.session.rollback()
    return boundary.contains(Point(point["lon"], point["lat"]))


def test_the_form_offers_the_kelurahan_rt_rw_and_an_optional_point(web_coordinator, flood):
    html = web_coordinator.get(f"/events/{flood['id']}/households/new").get_data(as_text=True)
    assert '<select id="f-admin_area" name="admin_area"' in html
    assert f'<option value="{MUNGKU_CODE}">Mungku Baru</option>' in html
    for name in ("rt", "rw", "street", "landmark"):
        assert f'id="f-{name}" name="{name}"' in html
    assert 'data-areas="/areas/kelurahan.json"' in html
    assert 'id="f-lat" name="lat" type="text" value="" required' not in html  # the point is optional
    assert "Kelurahan" in html and "Jalan atau dusun" in html


def test_registered_by_kelurahan_and_rt_without_a_point(web_coordinator, flood, seed):
    path = f"/events/{flood['id']}/households/new"
    web_coordinator.get(path)
    response = web_coordinator.post(path, _form())
    assert response.status_code == 302, response.get_data(as_text=True)
    household = _only(seed, "sumiyati")
    assert household["location_precision"] == "kelurahan"
    assert household["admin_area"]["code"] == MUNGKU_CODE
    assert (household["rt"], household["rw"], household["street"]) == ("003", "001", "Jl. Mungku Baru")
    assert _inside(MUNGKU_CODE, household["location"])
    [need] = seed.client.get(f"/api/v1/events/{flood['id']}/needs?household={household['id']}").get_json()["items"]
    assert need["category"] == "evacuation"

    page = web_coordinator.get(f"/households/{household['id']}").get_data(as_text=True)
    assert '<span class="badge prec-kelurahan">perkiraan (kelurahan)</span>' in page
    assert "003 / 001" in page
    listing = web_coordinator.get("/households").get_data(as_text=True)
    assert 'badge prec-kelurahan' in listing and "RT 003 / RW 001" in listing


def test_a_map_click_is_stored_as_map_and_typed_coordinates_as_gps(web_coordinator, flood, seed):
    path = f"/events/{flood['id']}/households/new"
    web_coordinator.get(path)
    response = web_coordinator.post(path, _form(lat="-1.6346", lon="113,6858", location_precision="map"))
    assert response.status_code == 302
    clicked = _only(seed, "sumiyati")
    assert clicked["location_precision"] == "map" and clicked["location"] == MUNGKU_BARU
    assert clicked["admin_area"]["code"] == MUNGKU_CODE
    response = web_coordinator.post(path, _form(head_name="Pak Rahmat", lat="-1.6346", lon="113.6858",
                                                 admin_area=""))
    assert response.status_code == 302
    assert _only(seed, "rahmat")["location_precision"] == "gps"
    page = web_coordinator.get(f"/households/{clicked['id']}").get_data(as_text=True)
    assert "titik di peta" in page and "-1.6346, 113.6858" in page

    # The edit form: a later map click replaces the approximate point.
    web_coordinator.post(path, _form(head_name="Ibu Wati"))
    wati = _only(seed, "wati")
    form = web_coordinator.get(f"/households/{wati['id']}/edit").get_data(as_text=True)
    assert 'id="f-lat" name="lat" type="text" value=""' in form  # the kelurahan's point is not shown as measured
    edit = {k: v for k, v in _form(head_name="Ibu Wati").items() if k not in ("category",)}
    response = web_coordinator.post(f"/households/{wati['id']}/edit",
                                    {**edit, "lat": "-1.6350", "lon": "113.6860", "location_precision": "map"})
    assert response.status_code == 302
    moved = seed.client.get(f"/api/v1/households/{wati['id']}").get_json()
    assert moved["location_precision"] == "map" and moved["location"] == {"lat": -1.635, "lon": 113.686}


def test_errors_stand_beside_their_fields_in_bahasa_indonesia(web_coordinator, flood, seed):
    path = f"/events/{flood['id']}/households/new"
    web_coordinator.get(path)
    response = web_coordinator.post(path, _form(admin_area="", rt="RT ab", lat="-1.63"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-rt"' in html and 'id="e-rt"' in html and 'href="#f-rt"' in html
    assert 'id="e-lat"' in html  # a latitude without its longitude
    assert "RT/RW" in html and "Must be" not in html
    assert 'value="RT ab"' in html and 'value="dekat masjid"' in html  # what was typed stays
    # neither a point nor a kelurahan
    response = web_coordinator.post(path, _form(admin_area=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="e-admin_area"' in html and 'aria-invalid="true"' in html
    # a point that is not in the kelurahan chosen
    response = web_coordinator.post(path, _form(lat="-2.2", lon="113.9", location_precision="map"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="e-admin_area"' in html and "Mungku Baru" in html
    # an unknown kelurahan code
    response = web_coordinator.post(path, _form(admin_area="99.99.99.9999"))
    assert response.status_code == 422 and 'id="e-admin_area"' in response.get_data(as_text=True)
    assert seed.client.get("/api/v1/households?q=sumiyati").get_json()["total"] == 0


# --------------------------------------------------------------------------- the import page
CSV = ("nama_kepala_keluarga,telepon,kelurahan,rt,rw,patokan,jumlah_jiwa,kebutuhan\n"
       "Ibu Sumiati,0812-3456-0001,Mungku Baru,3,1,dekat masjid,4,evakuasi\n"
       "Pak Darto,0812-3456-0002,Mungku Baru,4,1,warung,3,makanan\n"
       "Bu Rina,0812,Kelurahan Entah,5,1,,2,air\n")


def _upload(client, data: str, **fields):
    body = {"file": (io.BytesIO(data.encode()), "pendataan.csv", "text/csv"), "action": "check",
            "mode": "all_or_nothing", **fields}
    return client.post("/households/import", body, content_type="multipart/form-data")


def _count(seed) -> int:
    return seed.client.get("/api/v1/households").get_json()["total"]


def test_the_households_page_links_the_import(web_coordinator, flood):
    html = web_coordinator.get("/households").get_data(as_text=True)
    assert 'href="/households/import"' in html
    page = web_coordinator.get("/households/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)


def test_a_dry_run_reports_row_by_row_and_stores_nothing(web_coordinator, flood, seed):
    web_coordinator.get("/households/import")
    before = _count(seed)
    response = _upload(web_coordinator, CSV, event=str(flood["id"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert _count(seed) == before
    assert "3 baris: 2 benar, 1 dengan kesalahan" in html
    assert "<td>4</td><td>telepon</td>" in html and "<td>4</td><td>kelurahan</td>" in html
    assert "Kelurahan tidak dikenal “Kelurahan Entah”" in html
    assert "Phone" not in html and "Unknown kelurahan" not in html  # no English from the importer
    assert 'value="import"' in html  # the real run is offered for the same file

    # all or nothing: the bad row stops everything, nothing stored, the report stays
    response = web_coordinator.post("/households/import", {"action": "import", "mode": "all_or_nothing",
                                                           "event": str(flood["id"])})
    assert response.status_code == 422 and _count(seed) == before
    # only the valid rows: two households and their needs
    response = web_coordinator.post("/households/import", {"action": "import", "mode": "valid_rows",
                                                           "event": str(flood["id"])})
    assert response.status_code == 302
    assert _count(seed) == before + 2
    darto = _only(seed, "darto")
    assert darto["location_precision"] == "kelurahan" and darto["rt"] == "004"
    needs = seed.client.get(f"/api/v1/events/{flood['id']}/needs?household={darto['id']}").get_json()["items"]
    assert [n["category"] for n in needs] == ["food"]
    # the file waiting for the real run is gone with it
    again = web_coordinator.post("/households/import", {"action": "import", "mode": "valid_rows"})
    assert again.status_code == 422 and _count(seed) == before + 2


def test_the_same_file_twice_names_the_households_already_registered(web_coordinator, flood, seed):
    good = "\n".join(CSV.splitlines()[:3]) + "\n"
    web_coordinator.get("/households/import")
    _upload(web_coordinator, good, event=str(flood["id"]))
    assert web_coordinator.post("/households/import", {"action": "import", "mode": "all_or_nothing",
                                                       "event": str(flood["id"])}).status_code == 302
    html = _upload(web_coordinator, good, event=str(flood["id"])).get_data(as_text=True)
    assert "sudah terdaftar" in html and "tidak disimpan" in html


def test_a_file_that_cannot_be_read_is_refused_clearly(web_coordinator, seed):
    web_coordinator.get("/households/import")
    before = _count(seed)
    response = _upload(web_coordinator, "nama,kelurahan\rSiti,Mungku Baru\rAni,Petuk\r")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "CR" in html and 'id="form-errors"' in html
    response = web_coordinator.post("/households/import", {"action": "check", "mode": "all_or_nothing"})
    assert response.status_code == 422
    assert _count(seed) == before


def test_officials_cannot_import(web_official, seed):
    assert web_official.get("/households/import").status_code == 403
    before = _count(seed)
    response = web_official.post("/households/import", {"file": (io.BytesIO(CSV.encode()), "x.csv", "text/csv"),
                                                        "action": "import", "mode": "valid_rows"},
                                 content_type="multipart/form-data")
    assert response.status_code in (400, 403)
    assert _count(seed) == before


def test_probable_duplicates_are_listed_in_the_dry_run(web_coordinator, seed):
    siti = seed.household(nik=None, kk_number=None, phone="0812-3456-7890")  # Siti Aminah in Mungku Baru
    web_coordinator.get("/households/import")
    csv = ("nama_kepala_keluarga,telepon,kelurahan,lintang,bujur\n"
           "Ibu Siti Aminah,0813-1111-2222,Mungku Baru,-1.6351,113.6858\n")  # about 55 m away
    html = _upload(web_coordinator, csv).get_data(as_text=True)
    assert f"Mungkin keluarga yang sama dengan rumah tangga no. {siti['id']}" in html
    assert '<span class="badge sev-warning">peringatan</span>' in html and "1 baris: 1 benar" in html


def test_a_spreadsheet_larger_than_a_form_is_accepted_for_checking(web_coordinator, web_official):
    """The app refuses bodies over 1 MB; this page takes spreadsheets up to the importer's limit
    (coordinators only: an official's large post is still refused before the form is read)."""
    filler = "x" * 9000
    csv = "nama_kepala_keluarga,kelurahan,keterangan_panjang\n" + "".join(
        f"Warga {i},Mungku Baru,{filler}\n" for i in range(170))
    assert len(csv) > 1_500_000
    web_coordinator.get("/households/import")
    response = _upload(web_coordinator, csv)
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert "Kolom tidak dikenal" in response.get_data(as_text=True)
    web_official.get("/households")
    assert _upload(web_official, csv).status_code == 413


def test_the_form_warns_of_a_probable_duplicate_before_saving(web_coordinator, coordinator, flood, seed):
    """"Ibu Sumiati" in the same RT as the registered "Ibu Sumiyati": nothing is saved, the page
    lists her with a link and why, the coordinator saves anyway. The API's create stores the
    household and names the candidates in ``duplicates`` (the same phone, another name too)."""
    from sqlalchemy import func, select

    from resilience.extensions import db
    from resilience.households.models import Household

    def count():
        db.session.rollback()
        return db.session.scalar(select(func.count()).select_from(Household))

    path = f"/events/{flood['id']}/households/new"
    web_coordinator.get(path)
    assert web_coordinator.post(path, _form(phone="0812-3456-7000")).status_code == 302
    registered = _only(seed, "sumiyati")
    assert count() == 1

    response = web_coordinator.post(path, _form(head_name="Ibu Sumiati", landmark="samping masjid"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and count() == 1  # warned, not saved
    assert 'id="possible-duplicates"' in html and f'href="/households/{registered["id"]}"' in html
    assert "Ibu Sumiyati" in html and "RT sama" in html and 'name="save_anyway"' in html
    assert 'value="samping masjid"' in html  # what was typed stays
    # Another family after all: saved with its need.
    response = web_coordinator.post(path, _form(head_name="Ibu Sumiati", landmark="samping masjid", save_anyway="1"))
    assert response.status_code == 302 and count() == 2
    # A family elsewhere is saved at once.
    assert web_coordinator.post(path, _form(head_name="Pak Yohanes", rt="9")).status_code == 302

    body = {"head_name": "Bapak Rahmat", "phone": "081234567000", "admin_area": "62.71.05.1004", "rt": "7"}
    created = coordinator.post("/api/v1/households", json=body)
    assert created.status_code == 201 and created.get_json()["id"]
    [candidate] = created.get_json()["duplicates"]
    assert candidate["household_id"] == registered["id"] and candidate["exact"] is False
    assert [r["code"] for r in candidate["reasons"]] == ["same_phone"]
    alone = coordinator.post("/api/v1/households", json={**body, "head_name": "Ibu Lina", "phone": None, "rt": "12"})
    assert alone.status_code == 201 and alone.get_json()["duplicates"] == []
