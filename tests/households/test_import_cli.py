"""`resilience import households` against a fresh SQLite database: errors name the row and
field, and a bad file imports nothing."""


def test_import_households_names_row_and_field(console, tmp_path):
    bad = tmp_path / "warga.csv"
    bad.write_text("head_name,phone,lat,lon,members\nSiti,0812-3456-7890,-1.6346,113.6858,3\nBudi,12ab,-1.63,113.68,x\n")
    result = console("import", "households", str(bad))
    assert result.returncode == 1
    assert "warga.csv: row 3, field phone:" in result.stderr
    assert "warga.csv: row 3, field members:" in result.stderr
    assert "nothing was imported" in result.stderr

    good = tmp_path / "ok.csv"
    good.write_text("head_name,phone,lat,lon,members\nSiti,0812-3456-7890,-1.6346,113.6858,3\n")
    result = console("import", "households", str(good))
    assert result.returncode == 0, result.stderr
    assert "1 households and 0 needs imported from 1 rows" in result.stdout
