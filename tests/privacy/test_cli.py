"""`resilience households export|erase` against a fresh SQLite database, as an operator runs it."""

import json


def test_export_then_erase_from_the_command_line(console, tmp_path):
    sheet = tmp_path / "warga.csv"
    sheet.write_text("head_name,phone,nik,lat,lon,members\n"
                     "Siti Nurhayati Wulandari,0812-7777-6543,6271054507801234,-1.6346,113.6858,3\n")
    assert console("import", "households", str(sheet)).returncode == 0
    exported = console("households", "export", "1")
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(exported.stdout)
    assert doc["household"]["head_name"] == "Siti Nurhayati Wulandari"
    assert doc["household"]["nik"] == "6271054507801234"
    assert any(e["personal"].get("head_name") == "Siti Nurhayati Wulandari" for e in doc["audit"] if "personal" in e)

    refused = console("households", "erase", "1", "--reason", "because")
    assert refused.returncode == 2 and "because" in refused.stderr
    erased = console("households", "erase", "1", "--reason", "subject_request")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith("household 1 erased: 1 household(s)")
    again = console("households", "erase", "1", "--reason", "subject_request")
    assert again.returncode == 1 and "already erased" in again.stderr
    after = console("households", "export", "1").stdout
    assert "Wulandari" not in after and "6271054507801234" not in after and "[dihapus]" in after
    assert console("audit", "verify").returncode == 0
    assert console("households", "export", "99").returncode == 2
