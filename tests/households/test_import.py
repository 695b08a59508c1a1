"""CSV import of households: all or nothing, each bad row and field named."""

import io

from sqlalchemy import func, select

from resilience.extensions import db
from resilience.households.models import Household
from resilience.needs.models import Need

GOOD = (
    "head_name,phone,nik,lat,lon,members,elderly,needs\n"
    "Siti Aminah,0812-3456-7890,6271054507800001,-1.6346,113.6858,4,1,evacuation;food\n"
    "Yohanes Dehen,,,-1.6400,113.6900,3,0,water\n"
)


def _count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, text, query=""):
    return client.client.post(
        f"/api/v1/households/import{query}",
        data={"file": (io.BytesIO(text.encode("utf-8")), "warga.csv")},
        headers={"Authorization": f"Bearer {client.token}"},
        content_type="multipart/form-data",
    )


def test_import_with_needs(coordinator, seed):
    event = seed.event()
    response = _upload(coordinator, GOOD, f"?event={event['id']}")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()  # the report grew fields (dry_run, mode, warnings, …) in issue 12
    assert {k: body[k] for k in ("rows", "created", "needs_created", "errors")} == {
        "rows": 2, "created": 2, "needs_created": 3, "errors": []}
    assert _count(Household) == 2 and _count(Need) == 3
    listed = coordinator.get("/api/v1/households?area=62.71.05.1004").get_json()
    assert {h["head_name"] for h in listed["items"]} == {"Siti Aminah", "Yohanes Dehen"}


def test_semicolon_csv_with_bom_and_decimal_commas(coordinator):
    text = "\ufeffhead_name;lat;lon;members\nRusmini;-1,6346;113,6858;2\n"
    response = coordinator.client.post(
        "/api/v1/households/import", data=text.encode("utf-8"),
        headers={"Authorization": f"Bearer {coordinator.token}", "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.get_json()
    assert _count(Household) == 1


def test_one_bad_row_stores_nothing_and_names_row_and_field(coordinator, seed):
    event = seed.event()
    bad = (GOOD + "Agustinus Nyahu,0812-ABC,62710545078000,-1.63,113.68,2,0,boats\n"
           + "Rusmini,,,-1.63,113.68,2,5,\n")
    response = _upload(coordinator, bad, f"?event={event['id']}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["rows"] == 4 and body["created"] == 0
    problems = {(e["row"], e["field"]) for e in body["errors"]}
    assert problems == {(4, "phone"), (4, "nik"), (4, "needs"), (5, "elderly")}
    assert "nothing was imported" in body["detail"]
    assert _count(Household) == 0 and _count(Need) == 0


def test_database_level_problems_also_roll_back(coordinator, seed):
    seed.household()  # holds NIK 6271054507800001
    response = _upload(coordinator, GOOD.replace(",evacuation;food", ",").replace(",water", ","))
    assert response.status_code == 422
    assert any(e["row"] == 2 and e["field"] == "nik" for e in response.get_json()["errors"])
    assert _count(Household) == 1


def test_unknown_columns_and_kelurahan(coordinator):
    response = _upload(coordinator, "head_name,lat,lon,colour\nA,-1.63,113.68,red\n")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "colour"
    response = _upload(coordinator, "head_name,lat,lon,kelurahan_code\nA,-1.6346,113.6858,62.71.05.9999\n")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "kelurahan_code"
    response = _upload(coordinator, "head_name,lat,lon,kelurahan_code\nA,-1.6346,113.6858,62.71.05.1007\n")
    assert response.status_code == 422
    assert "Mungku Baru" in response.get_json()["errors"][0]["message"]
    assert _count(Household) == 0


def test_needs_without_event_and_official(coordinator, official):
    response = _upload(coordinator, GOOD)
    assert response.status_code == 422
    assert any(e["field"] == "needs" for e in response.get_json()["errors"])
    assert _upload(official, GOOD).status_code == 403


def test_the_check_holds_no_write_lock_and_a_nik_registered_meanwhile_is_a_409(app, coordinator, seed, monkeypatch):
    """While the file is read and checked (tens of seconds for 50,000 rows) another coordinator
    registers a household: it is stored at once (on SQLite the import no longer holds the write
    lock then). It has the NIK of the file's first row: the store answers 409 naming ``nik`` and
    stores nothing of the file, never a 500."""
    import threading

    from resilience.households import importer
    from tests import factories

    real_check = importer.rowcheck.check
    done = []

    def check_then_register(*args, **kwargs):
        checked = real_check(*args, **kwargs)

        def register():
            with app.app_context():
                factories.household(head_name="Siti Aminah", nik="6271054507800001")
                done.append(True)

        thread = threading.Thread(target=register)
        thread.start()
        thread.join(timeout=60)  # blocked behind the import's write lock, it would wait out busy_timeout
        return checked

    event = seed.event()
    monkeypatch.setattr(importer.rowcheck, "check", check_then_register)
    response = _upload(coordinator, GOOD, f"?event={event['id']}")
    assert done == [True]
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["field"] == "nik"
    assert _count(Household) == 1  # the registration, nothing of the file


def test_valid_rows_are_committed_batch_by_batch_all_or_nothing_at_once(coordinator, seed, monkeypatch):
    """With ``valid_rows`` each batch is committed before the next (a registration waits for one
    batch, not for the whole file); ``all_or_nothing`` stays one transaction."""
    from resilience.households import api, importer

    event = seed.event()
    monkeypatch.setattr(importer, "BATCH", 1)
    stored_at_commit = []
    real_commit = api.commit

    def counting_commit(session):
        real_commit(session)
        stored_at_commit.append(_count(Household))

    monkeypatch.setattr(api, "commit", counting_commit)
    response = _upload(coordinator, GOOD, f"?event={event['id']}&mode=valid_rows")
    assert response.status_code == 201 and response.get_json()["created"] == 2
    assert stored_at_commit == [1, 2]
    other = GOOD.replace("6271054507800001", "6271054507800002").replace("Siti Aminah", "Rusmini")
    other = other.replace("Yohanes Dehen", "Agustinus Nyahu").replace("-1.6400", "-1.6200")
    response = _upload(coordinator, other, f"?event={event['id']}")
    assert response.status_code == 201, response.get_json()
    assert stored_at_commit == [1, 2] and _count(Household) == 4
