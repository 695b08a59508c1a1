"""Tests of the deterministic Rakumpit demo-data generator (pure, no database)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers
import pytest
import shapely
from shapely.geometry import Point, shape

from resilience.demo.generate import generate

GEOJSON = (Path(__file__).resolve().parents[2] / "resilience" / "areas" / "data"
           / "palangka_raya_kelurahan.geojson")

GROUP_KINDS = {"youth", "women", "community", "ngo", "government"}
SKILLS = {"boat", "first_aid", "counseling", "logistics", "driving", "cooking"}
CATEGORIES = {"evacuation", "medical", "psychosocial", "food", "water", "clothing",
              "logistics"}
AVAILABILITY = {"available", "busy", "off"}
VULNERABLE = ("elderly", "children_under5", "pregnant_or_lactating", "disabled",
              "chronically_ill")
RAKUMPIT = {f"62.71.05.100{i}" for i in range(1, 8)}
STARTED = datetime(2026, 3, 10, 6, 0, tzinfo=timezone.utc)
SEEDS = [2024, 7]


@pytest.fixture(scope="module")
def kelurahan():
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    out = {}
    for f in data["features"]:
        p = f["properties"]
        out[p["code"]] = (shape(f["geometry"]), p["centroid_lat"], p["centroid_lon"],
                          p["district_code"])
    return out


@pytest.fixture(scope="module", params=SEEDS)
def data(request):
    return generate(request.param)


@pytest.fixture(scope="module")
def default_data():
    return generate()


# --------------------------------------------------------------------------- #
# independent checkers
# --------------------------------------------------------------------------- #
def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_nik(nik: str, kecamatan: str) -> date:
    """Validate a NIK; return the decoded birth date."""
    assert re.fullmatch(r"\d{16}", nik), nik
    assert nik[:4] == "6271", nik
    assert nik[4:6] == kecamatan, (nik, kecamatan)
    assert "01" <= nik[4:6] <= "05"
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if dd > 40:                     # women: day + 40
        dd -= 40
    year = 2000 + yy if yy <= 26 else 1900 + yy
    born = date(year, mm, dd)       # raises on an impossible date
    assert 20 <= _age(born, date(2026, 3, 10)) <= 80, nik
    assert 1 <= int(nik[12:]) <= 9999, nik
    return born


def check_kk(kk: str, kecamatan: str) -> date:
    assert re.fullmatch(r"\d{16}", kk), kk
    assert kk[:4] == "6271" and kk[4:6] == kecamatan, kk
    dd, mm, yy = int(kk[6:8]), int(kk[8:10]), int(kk[10:12])
    assert dd <= 31, kk             # no +40 on a KK number
    issued = date(2000 + yy, mm, dd)
    assert date(2000, 1, 1) <= issued < date(2026, 3, 10), kk
    assert 1 <= int(kk[12:]) <= 9999, kk
    return issued


def check_phone(phone: str) -> None:
    assert re.fullmatch(r"\+628\d{9,11}", phone), phone
    num = phonenumbers.parse(phone, None)
    assert phonenumbers.is_valid_number(num), phone
    assert phonenumbers.region_code_for_number(num) == "ID"
    assert phonenumbers.number_type(num) == phonenumbers.PhoneNumberType.MOBILE, phone
    assert phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) == phone
    assert 10 <= len(str(num.national_number)) <= 12


def _haversine(lat1, lon1, lat2, lon2):
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * r * math.asin(math.sqrt(a))


def _rounded6(x: float) -> bool:
    return round(x, 6) == x


# --------------------------------------------------------------------------- #
# determinism and shape
# --------------------------------------------------------------------------- #
def test_deterministic_for_same_seed():
    a, b = generate(2024), generate(2024)
    assert a == b
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    assert generate() == a


def test_different_seed_differs():
    assert json.dumps(generate(1)) != json.dumps(generate(2))


def test_result_is_plain_json(data):
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert set(data) == {"event", "groups", "volunteers", "households", "needs"}


def test_event(data):
    ev = data["event"]
    assert ev["name"] == "Banjir Rungan-Kahayan Maret 2026"
    assert ev["started_at"] == "2026-03-10T06:00:00Z"
    assert ev["offer_timeout_minutes"] == 20


def test_counts(data):
    assert 550 <= len(data["households"]) <= 650
    assert len(data["groups"]) == 8
    assert 70 <= len(data["volunteers"]) <= 90
    n = len(data["households"])
    assert n <= len(data["needs"]) <= 2 * n


# --------------------------------------------------------------------------- #
# geography
# --------------------------------------------------------------------------- #
def test_affected_area_valid_closed_rounded(data):
    area = data["event"]["affected_area"]
    assert area["type"] == "MultiPolygon"
    for polygon in area["coordinates"]:
        for ring in polygon:
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            for lon, lat in ring:
                assert _rounded6(lon) and _rounded6(lat)
                assert 113.0 < lon < 115.0 and -3.0 < lat < -1.0
    geom = shape(area)
    assert geom.geom_type == "MultiPolygon"
    assert shapely.is_valid(geom), shapely.is_valid_reason(geom)
    assert not geom.is_empty


def test_affected_area_covers_rakumpit(data, kelurahan):
    geom = shape(data["event"]["affected_area"])
    for code in sorted(RAKUMPIT):
        poly = kelurahan[code][0]
        assert geom.intersection(poly).area > 0.95 * poly.area, code


def test_households_inside_their_kelurahan_and_area(data, kelurahan):
    area = shape(data["event"]["affected_area"])
    codes = Counter()
    for hh in data["households"]:
        lat, lon = hh["location"]["lat"], hh["location"]["lon"]
        assert _rounded6(lat) and _rounded6(lon)
        pt = Point(lon, lat)
        assert area.contains(pt), hh["key"]
        owners = [c for c, k in kelurahan.items() if k[0].contains(pt)]
        assert owners, hh["key"]
        expected = min(owners, key=lambda c: _haversine(lat, lon, kelurahan[c][1],
                                                        kelurahan[c][2]))
        assert hh["kelurahan_code"] == expected, hh["key"]
        assert kelurahan[hh["kelurahan_code"]][0].contains(pt)
        codes[hh["kelurahan_code"]] += 1
    assert RAKUMPIT <= set(codes)
    assert 10 <= len(codes) <= 12
    rakumpit = sum(v for c, v in codes.items() if c in RAKUMPIT)
    assert rakumpit > 0.5 * len(data["households"])


def test_households_are_clustered(data):
    """Settlements: households sit close together, not scattered over the kelurahan."""
    pts = [(h["location"]["lat"], h["location"]["lon"]) for h in data["households"]]
    nearest = sorted(
        min(_haversine(la, lo, lb, lob) for j, (lb, lob) in enumerate(pts)
            if j != i and abs(la - lb) < 0.05)
        for i, (la, lo) in enumerate(pts))
    assert nearest[len(nearest) // 2] < 200                   # median
    assert sum(d < 300 for d in nearest) > 0.85 * len(nearest)
    assert nearest[0] > 0                                      # no two on one spot


def test_group_and_volunteer_locations_in_palangka_raya(data, kelurahan):
    polys = [k[0] for k in kelurahan.values()]
    for g in data["groups"]:
        pt = Point(g["base_location"]["lon"], g["base_location"]["lat"])
        assert any(p.contains(pt) for p in polys), g["key"]
    for v in data["volunteers"]:
        pt = Point(v["location"]["lon"], v["location"]["lat"])
        assert any(p.contains(pt) for p in polys), v["name"]


# --------------------------------------------------------------------------- #
# households
# --------------------------------------------------------------------------- #
def test_household_fields(data, kelurahan):
    keys = [h["key"] for h in data["households"]]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"hh-\d{4}", k) for k in keys)
    niks, kks = [], []
    for hh in data["households"]:
        kec = hh["kelurahan_code"].split(".")[2]
        assert hh["head_name"].strip() and hh["head_name"] == hh["head_name"].strip()
        assert re.search(r"RT \d{2} / RW \d{2}$", hh["address"]), hh["address"]
        assert hh["address"].startswith(("Jl. ", "Gg. "))
        assert hh["landmark"].strip()
        if hh["nik"] is not None:
            check_nik(hh["nik"], kec)
            niks.append(hh["nik"])
        if hh["kk_number"] is not None:
            check_kk(hh["kk_number"], kec)
            kks.append(hh["kk_number"])
        if hh["phone"] is not None:
            check_phone(hh["phone"])
    n = len(data["households"])
    assert 0.6 * n <= len(niks) <= 0.8 * n
    assert 0.6 * n <= len(kks) <= 0.8 * n
    assert 0.7 * n <= sum(h["phone"] is not None for h in data["households"]) <= 0.9 * n
    assert len(set(niks)) == len(niks)
    assert len(set(kks)) == len(kks)


def test_nik_checker_rejects_bad_values():
    check_nik("6271054507800001", "05")          # the SPEC example: a woman born 5.7.1980
    for bad in ["627105450780000", "6271053202900001", "6271057202900001",
                "6271060101900001", "6271050101100001", "6271050101900000",
                "6272050101900001"]:
        with pytest.raises((AssertionError, ValueError)):
            check_nik(bad, "05")


def test_household_sizes_and_vulnerability(data):
    hhs = data["households"]
    n = len(hhs)
    for hh in hhs:
        m = hh["members"]
        assert isinstance(m, int) and 1 <= m <= 8
        for f in VULNERABLE:
            assert isinstance(hh[f], int) and 0 <= hh[f] <= m
        assert sum(hh[f] for f in VULNERABLE) <= m, hh["key"]
        assert hh["children_under5"] < m      # a small child lives with someone
    mean = sum(h["members"] for h in hhs) / n
    assert 2.8 <= mean <= 3.6
    share = {f: sum(h[f] > 0 for h in hhs) / n for f in VULNERABLE}
    # targets: elderly ~25 %, under-5 ~30 %, pregnant/lactating ~8 %, disabled ~5 %,
    # chronically ill ~10 % of households (bounds leave room for sampling noise)
    assert 0.18 <= share["elderly"] <= 0.32
    assert 0.22 <= share["children_under5"] <= 0.38
    assert 0.04 <= share["pregnant_or_lactating"] <= 0.13
    assert 0.02 <= share["disabled"] <= 0.10
    assert 0.05 <= share["chronically_ill"] <= 0.16


# --------------------------------------------------------------------------- #
# groups and volunteers
# --------------------------------------------------------------------------- #
def test_groups(data):
    groups = data["groups"]
    assert len({g["key"] for g in groups}) == 8
    assert {g["kind"] for g in groups} <= GROUP_KINDS
    kinds = Counter(g["kind"] for g in groups)
    assert kinds["youth"] == 2 and kinds["women"] == 2 and kinds["ngo"] == 1
    for g in groups:
        assert g["name"].strip() and g["leader"].strip()
        assert set(g["base_location"]) == {"lat", "lon"}
    names = {g["name"] for g in groups}
    assert "PMI Kota Palangka Raya" in names
    assert "Karang Taruna Mungku Baru" in names


def test_volunteers(data):
    groups = {g["key"]: g for g in data["groups"]}
    vols = data["volunteers"]
    phones = [v["phone"] for v in vols]
    assert len(set(phones)) == len(phones)
    hh_phones = {h["phone"] for h in data["households"] if h["phone"]}
    assert not hh_phones & set(phones)
    per_group = Counter(v["group_key"] for v in vols)
    assert set(per_group) == set(groups)
    assert all(6 <= c <= 14 for c in per_group.values())
    for v in vols:
        check_phone(v["phone"])
        assert v["name"].strip()
        assert 1 <= len(v["skills"]) <= 3
        assert len(set(v["skills"])) == len(v["skills"])
        assert set(v["skills"]) <= SKILLS
        assert isinstance(v["trainings"], list)
        assert all(isinstance(t, str) and t for t in v["trainings"])
        assert v["availability"] in AVAILABILITY
        assert isinstance(v["capacity"], int) and 1 <= v["capacity"] <= 4
    avail = Counter(v["availability"] for v in vols)
    assert 0.8 <= avail["available"] / len(vols) <= 0.9
    assert avail["busy"] > avail["off"] > 0
    # each leader is a member of the group
    for key, g in groups.items():
        assert g["leader"] in {v["name"] for v in vols if v["group_key"] == key}


def test_volunteer_skills_fit_groups(data):
    by_group = defaultdict(Counter)
    size = Counter()
    for v in data["volunteers"]:
        size[v["group_key"]] += 1
        by_group[v["group_key"]].update(v["skills"])
    assert by_group["perahu-rungan"]["boat"] >= 0.8 * size["perahu-rungan"]
    assert by_group["pmi-palangka-raya"]["first_aid"] >= 0.7 * size["pmi-palangka-raya"]
    skills = Counter()
    for c in by_group.values():
        skills.update(c)
    assert set(skills) == SKILLS              # every skill is represented


def test_city_volunteers_live_in_city(data):
    for v in data["volunteers"]:
        if v["group_key"] in ("pmi-palangka-raya", "tagana-dinsos"):
            assert _haversine(v["location"]["lat"], v["location"]["lon"], -2.21, 113.92) < 12_000


# --------------------------------------------------------------------------- #
# needs
# --------------------------------------------------------------------------- #
def test_needs(data):
    keys = {h["key"] for h in data["households"]}
    per_hh = defaultdict(list)
    end = STARTED + timedelta(hours=36)
    for need in data["needs"]:
        assert set(need) == {"household_key", "category", "notes", "reported_at"}
        assert need["household_key"] in keys
        assert need["category"] in CATEGORIES
        assert isinstance(need["notes"], str)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", need["reported_at"])
        t = datetime.strptime(need["reported_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=timezone.utc)
        assert STARTED <= t < end
        per_hh[need["household_key"]].append(need["category"])
    assert set(per_hh) == keys                # every household has a need
    for cats in per_hh.values():
        assert 1 <= len(cats) <= 2
        assert len(set(cats)) == len(cats)


def test_need_mix_is_plausible(data):
    n = len(data["households"])
    c = Counter(x["category"] for x in data["needs"])
    assert c["food"] > c["evacuation"] and c["water"] > c["evacuation"]
    assert 0.12 * n <= c["evacuation"] <= 0.3 * n
    assert c["logistics"] < c["medical"]
    assert set(c) == CATEGORIES


def test_medical_needs_follow_vulnerability(data):
    hh = {h["key"]: h for h in data["households"]}
    med = {x["household_key"] for x in data["needs"] if x["category"] == "medical"}
    vuln = [k for k, h in hh.items() if h["chronically_ill"] or h["elderly"]
            or h["children_under5"]]
    other = [k for k in hh if k not in set(vuln)]
    rate_v = sum(k in med for k in vuln) / len(vuln)
    rate_o = sum(k in med for k in other) / len(other)
    assert rate_v > rate_o
