"""The field-encryption keys must belong to the database: when the key file is lost (a database
copied to another laptop, restored without its instance/ folder) a new one is generated, which
decrypts nothing. ``resilience serve`` then stops with one line saying what to restore, instead of
serving every NIK and phone as <unreadable> and encrypting new ones under the wrong key."""

from __future__ import annotations

import json
import shutil


def test_a_lost_key_file_stops_serve_and_keys_check_says_why(console, tmp_path):
    sheet = tmp_path / "warga.csv"
    sheet.write_text("head_name,phone,nik,lat,lon,members\n"
                     "Siti Nurhayati,0812-7777-6543,6271054507801234,-1.6346,113.6858,3\n")
    assert console("import", "households", str(sheet)).returncode == 0
    fits = console("keys", "check")
    assert fits.returncode == 0 and json.loads(fits.stdout)["keys_fit"] is True

    key_file = tmp_path / "instance" / "field_encryption_keys"
    shutil.move(key_file, tmp_path / "kept_key")  # the laptop's instance/ folder is gone
    lost = console("keys", "check")
    report = json.loads(lost.stdout)
    assert lost.returncode == 1 and report["keys_fit"] is False and report["readable"] == 0
    assert "households.nik" in report["unreadable"] and "6271054507801234" not in lost.stdout

    refused = console("serve", "--port", "5999")
    assert refused.returncode == 2
    assert "decrypt none of the encrypted values" in refused.stderr and "households.nik" in refused.stderr
    assert "Siti" not in refused.stderr + refused.stdout

    shutil.move(tmp_path / "kept_key", key_file)  # restored from the backup
    assert console("keys", "check").returncode == 0


def test_an_empty_database_fits_any_key(console):
    report = console("keys", "check")
    assert report.returncode == 0 and json.loads(report.stdout) == {
        "sampled": 0, "readable": 0, "unreadable": {}, "keys_fit": True}
