"""The same spreadsheet imported twice stores nothing twice: rows that are surely households
already registered (or repeat an earlier row of the file) are errors and not stored; probable
duplicates are warnings naming the household or row, and are stored."""

import io

from sqlalchemy import func, select

from resilience.extensions import db
from resilience.households.models import Household

FILE = (
    "nama_kepala_keluarga,telepon,no_kk,kelurahan,rt,rw,lintang,bujur,jumlah_jiwa\n"
    "Ibu Sumiyati,0812-3456-7890,,,,,-1.6346,113.6858,4\n"
    "Budi Santoso,,6271050101090003,Mungku Baru,,,,,3\n"
    "Muhammad Yusuf,,,Mungku Baru,3,1,,,5\n"
    "Siti Aminah,,,,,,-1.6600,113.7100,2\n"
)


def _count():
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Household))


def _upload(client, text, query=""):
    return client.client.post(
        f"/api/v1/households/import{query}", data={"file": (io.BytesIO(text.encode("utf-8")), "warga.csv")},
        headers={"Authorization": f"Bearer {client.token}"}, content_type="multipart/form-data")


def test_the_same_file_twice_stores_nothing_the_second_time(coordinator):
    assert _upload(coordinator, FILE).status_code == 201
    assert _count() == 4
    again = _upload(coordinator, FILE)
    assert again.status_code == 422  # all or nothing: every row is already registered
    codes = {(e["row"], e["code"]) for e in again.get_json()["errors"]}
    assert codes == {(2, "already_registered"), (3, "already_registered"), (4, "already_registered"),
                     (5, "already_registered")}
    skipped = _upload(coordinator, FILE, "?mode=valid_rows").get_json()
    assert skipped["created"] == 0 and skipped["valid_rows"] == 0
    assert _count() == 4


def test_variants_of_registered_households_are_refused_or_warned(coordinator):
    assert _upload(coordinator, FILE).status_code == 201
    variants = (
        "nama_kepala_keluarga,telepon,kelurahan,rt,rw,lintang,bujur,jumlah_jiwa\n"
        "Sumiati,081234567890,,,,-1.63469,113.6858,4\n"      # same phone, variant name, 10 m: surely
        "Moh. Yusup,,Mungku Baru,003,001,,,5\n"               # same RT, variant: surely
        "Siti Amina,,,,,-1.6605,113.7100,2\n"                 # 55 m away, variant: probable
        "Siti Aminah,,,,,-1.6200,113.6600,2\n"                # common name far away: another family
    )
    body = _upload(coordinator, variants, "?dry_run=true").get_json()
    errors = {e["row"]: e for e in body["errors"]}
    assert set(errors) == {2, 3}
    assert errors[2]["code"] == "already_registered" and errors[2]["params"]["reasons"] == [
        "same_phone", "similar_name", "near"]
    [warning] = [w for w in body["warnings"] if w["code"] == "probable_duplicate"]
    assert warning["row"] == 4 and warning["severity"] == "warning" and "near" in warning["params"]["reasons"]
    assert body["valid_rows"] == 2
    stored = _upload(coordinator, variants, "?mode=valid_rows").get_json()
    assert stored["created"] == 2 and _count() == 6


def test_duplicates_inside_one_file(coordinator):
    text = (
        "nama_kepala_keluarga,telepon,lintang,bujur\n"
        "Ibu Sumiyati,0812-3456-7890,-1.6346,113.6858\n"
        "Sumiati,081234567890,-1.63465,113.6858\n"
        "Hj. Siti Aminah,,-1.6400,113.6900\n"
        "Siti Aminah,,-1.64050,113.6900\n"
    )
    body = _upload(coordinator, text, "?dry_run=true").get_json()
    assert [(e["row"], e["code"], e["params"]["first_row"]) for e in body["errors"]] == [
        (3, "duplicate_household_in_file", 2)]
    assert [(w["row"], w["code"], w["params"]["first_row"]) for w in body["warnings"]] == [
        (5, "probable_duplicate", 4)]
