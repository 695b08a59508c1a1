"""The household import as a kelurahan office uses it: Indonesian headers, HXL, categories in
either language, rows placed only by kelurahan, XLSX with Excel's traps, files refused with a
stable code, dry_run and the two modes; on both databases."""

import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from resilience.extensions import db
from resilience.households.models import Household
from resilience.needs.models import Need

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INDONESIAN = (
    "nama_kepala_keluarga;NIK;No KK;telepon;alamat;RT;RW;kelurahan;patokan;lintang;bujur;jumlah_jiwa;lansia;kebutuhan\n"
    "Siti Aminah;6271054507800001;6271050101090003;0812-3456-7890;Jl. Mungku Baru;2;1;Mungku Baru;dekat masjid;"
    "-1,6346;113,6858;4;1;evakuasi, makanan\n"
    "Ibu Sumiyati;;;;;3;1;62.71.05.1004;dekat sekolah;;;3;0;air\n"
)


def _count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _post(client, data, query="", filename="warga.csv", content_type="text/csv"):
    return client.client.post(
        f"/api/v1/households/import{query}",
        data={"file": (io.BytesIO(data), filename, content_type)},
        headers={"Authorization": f"Bearer {client.token}"}, content_type="multipart/form-data")


def _xlsx(rows, build=None, sheets=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data Warga"
    for row in rows:
        sheet.append(row)
    if build:
        build(sheet)
    for name in sheets or ():
        book.create_sheet(name).append(["nama_kepala_keluarga", "kelurahan"])
        book[name].append(["Pak Lain", "Mungku Baru"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _codes(body):
    return {(e["row"], e["column"], e["code"]) for e in body["errors"]}


def test_indonesian_headers_categories_and_a_row_without_coordinates(coordinator, seed):
    event = seed.event()
    dry = _post(coordinator, INDONESIAN.encode(), f"?event={event['id']}&dry_run=true")
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["dry_run"] is True and dry.get_json()["valid_rows"] == 2
    assert _count(Household) == 0 and _count(Need) == 0
    response = _post(coordinator, INDONESIAN.encode(), f"?event={event['id']}")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == 2 and response.get_json()["needs_created"] == 3
    items = {h["head_name"]: h for h in coordinator.get("/api/v1/households").get_json()["items"]}
    siti, sumiyati = items["Siti Aminah"], items["Ibu Sumiyati"]
    assert siti["location_precision"] == "gps" and (siti["rt"], siti["rw"]) == ("002", "001")
    assert sumiyati["location_precision"] == "kelurahan" and sumiyati["admin_area"]["code"] == "62.71.05.1004"
    assert sumiyati["rt"] == "003" and sumiyati["landmark"] == "dekat sekolah"
    db.session.rollback()
    assert sorted(db.session.scalars(select(Need.category))) == ["evacuation", "food", "water"]


def test_hxl_hashtag_row(coordinator):
    text = ("Nama,Lintang,Bujur,Jiwa\n#beneficiary+name,#geo+lat,#geo+lon,#affected+ind\n"
            "Rusmini,-1.6346,113.6858,2\n")
    response = _post(coordinator, text.encode())
    assert response.status_code == 201, response.get_json()
    assert _count(Household) == 1


@pytest.mark.parametrize("value", ["1", "yes", "ya", "2"])
def test_dry_run_takes_true_or_false_only(coordinator, value):
    response = _post(coordinator, INDONESIAN.encode(), f"?dry_run={value}")
    if value == "1":
        assert response.status_code == 200 and response.get_json()["dry_run"] is True
    else:
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["field"].endswith("dry_run")
    assert _count(Household) == 0


def test_unknown_query_parameter_and_mode_are_422(coordinator):
    assert _post(coordinator, INDONESIAN.encode(), "?dryrun=true").status_code == 422
    assert _post(coordinator, INDONESIAN.encode(), "?mode=some").status_code == 422
    assert _count(Household) == 0


def test_valid_rows_mode_stores_the_good_rows_and_reports_the_others(coordinator):
    text = INDONESIAN.replace(";evakuasi, makanan", ";").replace(";air", ";") + "Tanpa Tempat;;;;;;;;;;;2;0;\n"
    all_or_nothing = _post(coordinator, text.encode())
    assert all_or_nothing.status_code == 422
    assert _codes(all_or_nothing.get_json()) == {(4, "lat/lon", "no_location")}
    assert "nothing was imported" in all_or_nothing.get_json()["detail"]
    assert _count(Household) == 0
    valid = _post(coordinator, text.encode(), "?mode=valid_rows")
    assert valid.status_code == 201, valid.get_json()
    body = valid.get_json()
    assert body["created"] == 2 and body["invalid_rows"] == 1 and _codes(body) == {(4, "lat/lon", "no_location")}
    assert _count(Household) == 2


def test_duplicates_within_the_file_and_in_the_registry(coordinator, seed):
    seed.household()  # NIK 6271054507800001
    text = ("nama_kepala_keluarga,nik,no_kk,kelurahan\n"
            "Siti Aminah,6271054507800001,,Mungku Baru\n"
            "Budi,6271054507800002,6271050101090009,Mungku Baru\n"
            "Budi,6271054507800002,6271050101090009,Mungku Baru\n"
            "Budi Lain,6271054507800002,,Mungku Baru\n"
            "Ani,,6271050101090009,Mungku Baru\n")
    body = _post(coordinator, text.encode(), "?dry_run=true").get_json()
    assert _codes(body) == {(2, "nik", "nik_exists"), (4, "(row)", "duplicate_row_in_file"),
                            (5, "nik", "duplicate_nik_in_file"), (6, "kk_number", "duplicate_kk_in_file")}
    by_code = {e["code"]: e for e in body["errors"]}
    assert by_code["nik_exists"]["params"]["existing_id"] == 1
    assert by_code["duplicate_nik_in_file"]["params"]["first_row"] == 3
    assert "6271054507800002" not in str(body)  # the report repeats no NIK


def test_kelurahan_by_unknown_name_or_mismatching_point(coordinator):
    text = ("nama_kepala_keluarga,kelurahan,lat,lon\nA,Mungku Baruu,,\nB,Pahandut,-1.6346,113.6858\n"
            "C,62.71.05,,\n")
    body = _post(coordinator, text.encode(), "?dry_run=true").get_json()
    assert _codes(body) == {(2, "kelurahan", "unknown_kelurahan"), (3, "kelurahan", "kelurahan_mismatch"),
                            (4, "kelurahan", "unknown_kelurahan")}
    unknown = next(e for e in body["errors"] if e["row"] == 2)
    assert "Mungku Baru" in unknown["suggestion"]
    mismatch = next(e for e in body["errors"] if e["row"] == 3)
    assert mismatch["params"] == {"point_kelurahan": "62.71.05.1004", "given": "62.71.01.1001"}


def test_excel_traps_are_named_per_cell(coordinator):
    header = ["nama_kepala_keluarga", "nik", "telepon", "rt", "kelurahan", "jumlah_jiwa"]

    def build(sheet):
        sheet.merge_cells("E4:E5")
        sheet["F6"] = "=1+1"  # openpyxl saves no calculated value

    data = _xlsx([header,
                  ["Siti", 6271054507800001, "0812-3456-7890", 2, "Mungku Baru", 3],
                  ["Budi", "6,27105E+15", 81234567890, 3, "Mungku Baru", 3],
                  ["Ani", None, None, datetime(2026, 1, 3), "Mungku Baru", 2],
                  ["Tono", None, None, 1, None, 2],
                  ["Wati", None, None, 1, "Mungku Baru", None],
                  ["Baik", None, "0812-3456-7891", "004", "Mungku Baru", 2]], build)
    response = _post(coordinator, data, "?dry_run=true", "warga.xlsx", XLSX)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["sheet"] == "Data Warga"
    assert _codes(body) == {
        (2, "nik", "number_lost_precision"), (3, "nik", "number_lost_precision"),
        (3, "phone", "leading_zero_lost"), (4, "rt", "excel_date"), (4, "kelurahan", "merged_cell"),
        (5, "kelurahan", "merged_cell"), (6, "members", "formula_not_calculated")}
    assert body["valid_rows"] == 1 and next(e for e in body["errors"] if e["row"] == 2)["field"] == "nik"
    real = _post(coordinator, data, "?mode=valid_rows", "warga.xlsx", XLSX)
    assert real.status_code == 201 and real.get_json()["created"] == 1
    assert coordinator.get("/api/v1/households").get_json()["items"][0]["rt"] == "004"


def test_several_sheets_need_a_choice(coordinator):
    data = _xlsx([["nama_kepala_keluarga", "kelurahan"], ["Siti", "Mungku Baru"]], sheets=["Rekap"])
    response = _post(coordinator, data, "", "warga.xlsx", XLSX)
    assert response.status_code == 422
    assert response.get_json()["problem"] == "several_sheets"
    assert response.get_json()["params"]["sheets"] == ["Data Warga", "Rekap"]
    chosen = _post(coordinator, data, "?sheet=Rekap", "warga.xlsx", XLSX)
    assert chosen.status_code == 201 and chosen.get_json()["sheet"] == "Rekap"
    assert _post(coordinator, data, "?sheet=Nope", "warga.xlsx", XLSX).get_json()["problem"] == "sheet_not_found"


@pytest.mark.parametrize("data,filename,content_type,status,code", [
    (b"nama_kepala_keluarga,kelurahan\rSiti,Mungku Baru\r", "warga.csv", "text/csv", 422, "cr_line_endings"),
    (b"nama_kepala_keluarga,alamat\nSiti," + b"x" * 10_001 + b"\n", "warga.csv", "text/csv", 422, "cell_too_large"),
    (bytes(range(256)) * 40, "warga.csv", "text/csv", 422, "not_a_spreadsheet"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, "warga.xlsx", XLSX, 422, "not_a_spreadsheet"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "warga.xls", "application/vnd.ms-excel", 415, "xls_not_supported"),
    (b'{"head_name": "Siti"}', "warga.json", "application/json", 415, "unsupported_content_type"),
    (b"nama,kelurahan\nSiti,Mungku Baru\n", "warga.xlsx", XLSX, 415, "content_type_mismatch"),
    (b"", "warga.csv", "text/csv", 422, "file_empty"),
])
def test_unsafe_files_are_refused_with_a_code(coordinator, data, filename, content_type, status, code):
    response = _post(coordinator, data, "", filename, content_type)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert body["problem"] == code and body["errors"][0]["code"] == code and body["suggestion"]
    assert _count(Household) == 0


def test_a_raw_body_of_the_wrong_type_is_415(coordinator):
    response = coordinator.client.post("/api/v1/households/import", data=b"<html></html>",
                                       headers={"Authorization": f"Bearer {coordinator.token}",
                                                "Content-Type": "text/html"})
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    assert _count(Household) == 0


def test_cli_dry_run_and_xlsx(console, tmp_path):
    path = tmp_path / "warga.xlsx"
    path.write_bytes(_xlsx([["nama_kepala_keluarga", "kelurahan", "telepon"], ["Siti", "Mungku Baru", 81234567890],
                            ["Budi", "Mungku Baru", "0812-3456-7890"]]))
    result = console("import", "households", str(path), "--dry-run")
    assert result.returncode == 1
    assert "row 2, field telepon: The phone number was stored as a number and lost its leading 0." in result.stderr
    assert "dry run (sheet Data Warga): 1 of 2 rows are valid" in result.stdout
    result = console("import", "households", str(path), "--mode", "valid_rows")
    assert result.returncode == 0, result.stderr
    assert "1 households and 0 needs imported from 2 rows (sheet Data Warga); 1 rows skipped" in result.stdout
    result = console("import", "households", str(path), "--dry-run")
    assert "row 3, field nik" not in result.stderr  # no NIK: nothing to collide with


def _with_cached_value(data: bytes, formula: bytes, value: bytes) -> bytes:
    """The workbook as Excel saves it: the formula with its last calculated value."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<f>" + formula + b"</f><v />", b"<f>" + formula + b"</f><v>" + value + b"</v>")
            target.writestr(item, content)
    return out.getvalue()


def test_a_calculated_formula_is_read_with_a_warning(coordinator):
    def build(sheet):
        sheet["C2"] = "=2+2"

    data = _with_cached_value(_xlsx([["nama_kepala_keluarga", "kelurahan", "jumlah_jiwa"], ["Siti", "Mungku Baru", None]],
                                    build), b"2+2", b"4")
    response = _post(coordinator, data, "", "warga.xlsx", XLSX)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["errors"] == [] and [(w["row"], w["column"], w["code"]) for w in body["warnings"]] == [
        (2, "members", "formula_value_used")]
    assert coordinator.get("/api/v1/households").get_json()["items"][0]["members"] == 4


def test_a_file_over_the_api_body_limit_is_read_and_one_over_25_mb_is_413(coordinator):
    rows = "".join(f"Warga {i},Mungku Baru,{'Jl. Panjang sekali ' * 20}\n" for i in range(3500))
    data = ("nama_kepala_keluarga,kelurahan,alamat\n" + rows).encode()
    assert len(data) > 1024 * 1024  # the limit of every other request body
    response = _post(coordinator, data, "?dry_run=true")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["valid_rows"] == 3500
    huge = _post(coordinator, b"a" * (27 * 1024 * 1024), "?dry_run=true")
    assert huge.status_code == 413 and huge.mimetype == "application/problem+json"
    assert _count(Household) == 0


def test_the_fast_sheet_reader_gives_what_openpyxl_gives():
    """spreadsheet._sheet_values (ElementTree) against openpyxl's own reader, cell for cell:
    shared and inline strings, ints, floats, a NIK turned into 6.27105E+15, dates, times,
    booleans, gaps, a left-out row and an uncalculated formula."""
    import datetime as dt
    import zipfile

    import openpyxl

    from resilience.households.spreadsheet import _sheet_values

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["nama", "nik", "telepon", "tanggal", "jam", "aktif", "catatan"])
    sheet.append(["Siti Aminah", 6271054507800001, 81234567890, dt.datetime(2026, 12, 4, 7, 30), dt.time(6, 15),
                  True, "0812-3456-7890"])
    sheet.append([None, "6271054507800001", 0.5, dt.date(2026, 3, 10), None, False, None])
    sheet.cell(row=5, column=2, value="=1+1")  # row 4 left out, a formula never calculated
    sheet.cell(row=5, column=9, value="jauh di kanan")
    inline = openpyxl.Workbook(write_only=True)
    written = inline.create_sheet("Pendataan")
    written.append(["Yohanes Dehen", "", 3, None, "dekat masjid"])
    for workbook in (book, inline):
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
        loaded = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        worksheet = loaded[loaded.sheetnames[0]]
        expected = [list(row) for row in worksheet.iter_rows(values_only=True)]
        xml = zipfile.ZipFile(io.BytesIO(data)).read(worksheet._worksheet_path)
        assert _sheet_values(xml, loaded) == expected
        loaded.close()
