"""`resilience import areas` and `resilience audit verify` against a fresh SQLite database,
as an operator would run them."""

import json
import sqlite3


def test_areas_are_seeded_and_importable(console, tmp_path):
    extra = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"code": "62.03.01.2001", "name": "Desa Contoh", "level": "desa"},
            "geometry": {"type": "Polygon", "coordinates": [[[114.0, -3.0], [114.1, -3.0], [114.1, -2.9], [114.0, -2.9], [114.0, -3.0]]]},
        }],
    }
    path = tmp_path / "extra.geojson"
    path.write_text(json.dumps(extra))
    result = console("import", "areas", str(path))
    assert result.returncode == 0, result.stderr
    assert "3 areas imported" in result.stdout  # kota, kecamatan and the desa
    verify = console("audit", "verify")
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True

    # anchors: an entry that must still have the hash written down elsewhere
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        seq, digest = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    assert seq >= 1
    good = console("audit", "verify", "--anchor", f"{seq}:{digest}")
    assert good.returncode == 0 and json.loads(good.stdout)["ok"] is True
    wrong = console("audit", "verify", "--anchor", f"{seq}:{'0' * 64}")
    assert wrong.returncode == 1 and json.loads(wrong.stdout) == {"ok": False, "first_bad_seq": seq, "entries": seq - 1}
    malformed = console("audit", "verify", "--anchor", "12")
    assert malformed.returncode == 2 and "--anchor" in malformed.stderr and "SEQ:HASH" in malformed.stderr
