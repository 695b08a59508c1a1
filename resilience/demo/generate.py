"""Deterministic demo data for the Rakumpit flood scenario.

``generate(seed)`` returns plain JSON-able data (dicts, lists, str, int, float,
None) describing one flood event on the Rungan and Kahayan rivers in Kota
Palangka Raya: the affected area, volunteer groups and volunteers, affected
households and their needs.  The same seed always gives byte-for-byte the same
result (``json.dumps(generate(s), sort_keys=False)`` is stable): every random
choice comes from one ``random.Random(seed)`` and nothing iterates over a set.

Pure Python: stdlib and shapely only; no database, no Flask.

Run ``python -m resilience.demo.generate [--seed N]`` to print the data set.
"""

from __future__ import annotations

import functools
import json
import math
import random
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

__all__ = [
    "generate",
    "EVENT_NAME",
    "GROUP_KINDS",
    "SKILLS",
    "NEED_CATEGORIES",
    "AFFECTED_KELURAHAN",
]

# --------------------------------------------------------------------------- #
# Fixed vocabulary (from the product contract)
# --------------------------------------------------------------------------- #
GROUP_KINDS = ("youth", "women", "community", "ngo", "government")
SKILLS = ("boat", "first_aid", "counseling", "logistics", "driving", "cooking")
NEED_CATEGORIES = (
    "evacuation", "medical", "psychosocial", "food", "water", "clothing", "logistics",
)
AVAILABILITY = ("available", "busy", "off")

EVENT_NAME = "Banjir Rungan-Kahayan Maret 2026"
STARTED_AT = datetime(2026, 3, 10, 6, 0, 0, tzinfo=timezone.utc)
REFERENCE_DATE = date(2026, 3, 10)          # "today" for ages in NIK
REPORT_WINDOW_MIN = 36 * 60                 # needs are reported in the first 36 h
OFFER_TIMEOUT_MINUTES = 20

REGION_CODE = "6271"                        # Kota Palangka Raya (NIK / KK prefix)
M_PER_DEG = 111_320.0                       # metres per degree of latitude

# Affected kelurahan: all of Kecamatan Rakumpit (62.71.05) plus the riverside
# kelurahan of the Rungan (Kanarakan, Marang, Petuk Katimpun) and of the
# Rungan-Kahayan confluence (Tumbang Rungan, Pahandut Seberang).
# code -> (base number of households, river name used in texts)
AFFECTED_KELURAHAN = {
    "62.71.05.1004": (70, "Rungan"),    # Mungku Baru
    "62.71.05.1007": (55, "Rungan"),    # Bukit Sua
    "62.71.05.1003": (55, "Rungan"),    # Petuk Barunai
    "62.71.05.1005": (55, "Rungan"),    # Pager
    "62.71.05.1002": (45, "Rungan"),    # Panjehang
    "62.71.05.1006": (50, "Rungan"),    # Gaung Baru
    "62.71.05.1001": (60, "Rungan"),    # Petuk Bukit
    "62.71.02.1006": (45, "Rungan"),    # Kanarakan
    "62.71.02.1001": (30, "Rungan"),    # Marang
    "62.71.03.1004": (35, "Rungan"),    # Petuk Katimpun
    "62.71.01.1004": (50, "Kahayan"),   # Tumbang Rungan
    "62.71.01.1005": (50, "Kahayan"),   # Pahandut Seberang
}

# Streets per kelurahan (the first one is always "Jl. <kelurahan name>").
STREETS = {
    "62.71.05.1004": ["Jl. Tepian Rungan", "Gg. Harapan", "Gg. Dermaga"],
    "62.71.05.1007": ["Jl. Tepian Rungan", "Gg. Mawar", "Gg. Balai Desa"],
    "62.71.05.1003": ["Jl. Dermaga", "Gg. Karya Bersama", "Gg. Tambun"],
    "62.71.05.1005": ["Jl. Dermaga Pager", "Gg. Sepakat", "Gg. Sekolah"],
    "62.71.05.1002": ["Jl. Tepian Rungan", "Gg. Bersama", "Gg. Pelita"],
    "62.71.05.1006": ["Jl. Sungai Rungan", "Gg. Kenanga", "Gg. Handep"],
    "62.71.05.1001": ["Jl. Pendidikan", "Gg. Damai", "Gg. Tingang"],
    "62.71.02.1006": ["Jl. Dermaga Kanarakan", "Gg. Sejahtera", "Gg. Betang"],
    "62.71.02.1001": ["Jl. Tjilik Riwut", "Gg. Melati", "Gg. Rahayu"],
    "62.71.03.1004": ["Jl. Tepian Rungan", "Gg. Sabar", "Gg. Kelotok"],
    "62.71.01.1004": ["Jl. Dermaga Tumbang Rungan", "Gg. Rungan Indah", "Gg. Pelabuhan"],
    "62.71.01.1005": ["Jl. Tepian Kahayan", "Gg. Seberang Jaya", "Gg. Mufakat"],
}

# --------------------------------------------------------------------------- #
# Names (Dayak Ngaju, Banjar and Javanese, as met in Central Kalimantan)
# --------------------------------------------------------------------------- #
DAYAK_MALE = [
    "Yohanes", "Agustinus", "Yulius", "Fransiskus", "Markus", "Petrus", "Natalis",
    "Kristian", "Yosef", "Elias", "Daniel", "Herman", "Lukas", "Stefanus", "Adrianus",
    "Benediktus", "Hendrik", "Septian", "Januardi", "Rinto", "Darius", "Kornelis",
    "Simon", "Nehemia", "Yanto", "Erwin", "Salundik", "Tambun", "Rawen", "Sahari",
]
DAYAK_FEMALE = [
    "Yuliana", "Maria", "Elisabeth", "Ribka", "Debora", "Sinta", "Ester", "Rosalina",
    "Nelly", "Marlina", "Yenny", "Imelda", "Lusiana", "Kristina", "Natalia", "Agustina",
    "Yohana", "Rosita", "Desy", "Evi", "Santi", "Mariati", "Herlina", "Sarah", "Lidia",
    "Indah", "Fransiska", "Veronika",
]
DAYAK_FAMILY = [
    "Dehen", "Nyahu", "Ahat", "Bungai", "Toendan", "Liban", "Bahen", "Ilun", "Anyin",
    "Uwen", "Bulau", "Sangen", "Garantung", "Dirun", "Asang", "Lambung", "Ringkai",
    "Saing", "Kuhun", "Andin", "Hanyi", "Nyaming", "Katoeng", "Duwel", "Tingang",
    "Rambang", "Sahay", "Lawang", "Ngabe", "Ajun",
]
BANJAR_MALE = [
    "Rusdi", "Syahrani", "Hairil", "Fauzan", "Jumberi", "Saberi", "Mahmud", "Rahmadi",
    "Sarbani", "Riduan", "Samsuri", "Arbain", "Mursyid", "Hasbullah", "Fahrurrazi",
    "Basuni", "Jainudin", "Anang Sadli", "Saifullah", "Abdurrahman", "Zainal",
    "Yusran", "Norhadi", "Rizali", "Masrani", "Husin", "Gazali", "Mardani",
]
BANJAR_ABDUL = ["Halim", "Rahman", "Hadi", "Majid", "Gani", "Wahab", "Kadir", "Syukur"]
BANJAR_FEMALE = [
    "Masnah", "Rusmini", "Jumiati", "Salamah", "Mahrita", "Norhayati", "Aisyah",
    "Fatimah", "Hairunnisa", "Rusdiana", "Halimah", "Maimunah", "Nurul Hidayah",
    "Rabiatul Adawiyah", "Jamilah", "Fitriani", "Rahmawati", "Nor Hasanah", "Mariyam",
    "Saidah", "Masliani", "Hamidah", "Rukayah", "Syarifah", "Ernawati", "Yulianti",
    "Norjanah", "Mahdalena",
]
BANJAR_SITI = ["Aminah", "Rahmah", "Khadijah", "Norjanah", "Zubaidah", "Mariam", "Salmah"]
JAVA_MALE_FIRST = [
    "Budi", "Eko", "Agus", "Joko", "Bambang", "Heru", "Dwi", "Teguh", "Didik", "Edi",
    "Rudi", "Slamet", "Tri", "Hadi", "Yudi", "Bayu",
]
JAVA_MALE_LAST = [
    "Santoso", "Prasetyo", "Setiawan", "Susilo", "Sugiarto", "Purnomo", "Hartono",
    "Wibowo", "Suprapto", "Susanto", "Riyadi", "Wahyudi", "Nugroho", "Saputro",
    "Kurniawan",
]
JAVA_MALE_SINGLE = [
    "Sutrisno", "Suyatno", "Wagiman", "Sugeng", "Suparno", "Tukiman", "Sumarno",
    "Sukardi", "Ngadiman", "Suwarno", "Riyanto", "Sarijo", "Kasiman", "Paiman",
]
JAVA_FEMALE_FIRST = ["Sri", "Tri", "Dwi", "Endang", "Ani", "Yuli", "Rina", "Eka", "Nanik"]
JAVA_FEMALE_LAST = [
    "Wahyuni", "Handayani", "Lestari", "Rahayu", "Sulistyowati", "Purwanti", "Suryani",
    "Wulandari", "Mulyani", "Setyowati", "Astuti", "Rahmawati",
]
JAVA_FEMALE_SINGLE = [
    "Suparmi", "Sumarni", "Sulastri", "Tumini", "Sutinah", "Painem", "Wartini",
    "Suwarti", "Sriyati", "Ngatini", "Parmi", "Suminah",
]

# Indonesian mobile prefixes (after +62): Telkomsel, Indosat, XL.
MOBILE_PREFIXES = [
    "811", "812", "813", "821", "822", "852", "853",     # Telkomsel
    "814", "815", "816", "855", "856", "857", "858",     # Indosat
    "817", "818", "819", "859", "877", "878",            # XL
]

MASJID = ["Al-Ikhlas", "Nurul Huda", "Al-Muhajirin", "Baitul Rahman", "Nurul Iman",
          "Al-Amin", "At-Taqwa"]

# --------------------------------------------------------------------------- #
# Volunteer groups
# --------------------------------------------------------------------------- #
# key, name, kind, home kelurahan (None = city), size, share of men,
# skill weights, training pool
GROUPS = [
    ("kt-mungku-baru", "Karang Taruna Mungku Baru", "youth", "62.71.05.1004", 10, 0.65,
     {"boat": 5, "first_aid": 3, "logistics": 3.5, "driving": 3, "cooking": 1, "counseling": 0.5},
     ["Pelatihan Kebencanaan BPBD 2025", "Pelatihan SAR Air Basarnas 2024",
      "PMI Pertolongan Pertama", "Pelatihan Pengemudi Kelotok Dishub 2024"]),
    ("kt-petuk-bukit", "Karang Taruna Petuk Bukit", "youth", "62.71.05.1001", 9, 0.6,
     {"boat": 4.5, "first_aid": 3, "logistics": 3.5, "driving": 3.5, "cooking": 1, "counseling": 0.5},
     ["Pelatihan Kebencanaan BPBD 2025", "PMI Pertolongan Pertama",
      "Pelatihan SAR Air Basarnas 2024"]),
    ("pkk-bukit-sua", "PKK Kelurahan Bukit Sua", "women", "62.71.05.1007", 9, 0.0,
     {"cooking": 7, "counseling": 7, "first_aid": 3, "logistics": 2.5, "boat": 1.5, "driving": 0.5},
     ["Pelatihan Dapur Umum Tagana 2024", "Layanan Dukungan Psikososial Kemensos",
      "PMI Pertolongan Pertama", "Pelatihan Kebencanaan BPBD 2025"]),
    ("pkk-pager", "PKK Kelurahan Pager", "women", "62.71.05.1005", 8, 0.0,
     {"cooking": 7, "counseling": 7, "first_aid": 3, "logistics": 2.5, "boat": 1.5, "driving": 0.5},
     ["Pelatihan Dapur Umum Tagana 2024", "Layanan Dukungan Psikososial Kemensos",
      "Pelatihan Kebencanaan BPBD 2025"]),
    ("relawan-rakumpit-peduli", "Relawan Rakumpit Peduli", "community", "62.71.05.1006", 11, 0.7,
     {"boat": 5.5, "logistics": 3.5, "first_aid": 2.5, "cooking": 2.5, "driving": 2, "counseling": 1},
     ["Pelatihan Kebencanaan BPBD 2025", "Pelatihan Manajemen Posko BPBD 2024",
      "PMI Pertolongan Pertama", "Pelatihan SAR Air Basarnas 2024"]),
    ("perahu-rungan", "Komunitas Perahu Rungan", "community", "62.71.01.1004", 10, 0.95,
     {"boat": 20, "first_aid": 2, "logistics": 2, "driving": 1},
     ["Pelatihan SAR Air Basarnas 2024", "Pelatihan Pengemudi Kelotok Dishub 2024",
      "Pelatihan Kebencanaan BPBD 2025"]),
    ("pmi-palangka-raya", "PMI Kota Palangka Raya", "ngo", None, 12, 0.5,
     {"first_aid": 20, "counseling": 6, "logistics": 2, "driving": 2.5, "boat": 1, "cooking": 0.5},
     ["PMI Pertolongan Pertama", "PMI Dukungan Psikososial (PFA)",
      "Sibat PMI 2024", "Pelatihan Kebencanaan BPBD 2025"]),
    ("tagana-dinsos", "Tagana Dinas Sosial Palangka Raya", "government", None, 11, 0.7,
     {"logistics": 7, "driving": 6, "boat": 3.5, "cooking": 3, "first_aid": 3, "counseling": 1.5},
     ["Diklat Tagana Kemensos", "Pelatihan Dapur Umum Tagana 2024",
      "Layanan Dukungan Psikososial Kemensos", "Pelatihan SAR Air Basarnas 2024"]),
]
# The skill most members of a group have: (skill, probability).
CORE_SKILL = {
    "pkk-bukit-sua": ("cooking", 0.6),
    "pkk-pager": ("cooking", 0.6),
    "perahu-rungan": ("boat", 0.95),
    "pmi-palangka-raya": ("first_aid", 0.92),
    "tagana-dinsos": ("logistics", 0.6),
}
# City bases (inside Kelurahan Palangka, Kecamatan Jekan Raya) for the city groups.
CITY_BASES = {
    "pmi-palangka-raya": (-2.2105, 113.9055),
    "tagana-dinsos": (-2.2060, 113.9190),
}
CITY_CENTER = (-2.21, 113.92)
CITY_DISTRICTS = ("62.71.01", "62.71.03")   # Pahandut, Jekan Raya

# --------------------------------------------------------------------------- #
# Need notes (short Indonesian texts)
# --------------------------------------------------------------------------- #
NOTES = {
    "evacuation": ["Air sudah setinggi dada, minta dijemput perahu", "Rumah terendam 1,5 m",
                   "Lantai rumah panggung sudah tergenang", "Minta dievakuasi ke posko",
                   "Jalan ke rumah putus, hanya bisa lewat perahu", "Air terus naik sejak subuh"],
    "medical": ["Luka di kaki terkena benda tajam", "Diare sejak kemarin",
                "Gatal-gatal kulit kena air banjir", "Demam sejak semalam"],
    "psychosocial": ["Anak-anak ketakutan dan susah tidur", "Ibu syok setelah rumah terendam",
                     "Keluarga panik, butuh pendampingan", "Trauma banjir tahun lalu"],
    "food": ["Beras habis", "Butuh makanan siap saji", "Dapur terendam, tidak bisa memasak",
             "Persediaan makanan tinggal untuk sehari", "Minta nasi bungkus dari dapur umum"],
    "water": ["Butuh air bersih untuk minum", "Sumur tercemar air banjir", "Air galon habis",
              "Tidak ada air bersih untuk memasak"],
    "clothing": ["Pakaian basah semua", "Butuh selimut dan pakaian anak",
                 "Perlu sarung dan selimut", "Butuh pembalut dan pakaian dalam"],
    "logistics": ["Butuh terpal untuk atap", "Perlu bantuan angkut barang ke tempat tinggi",
                  "Perlu jeriken dan ember", "Minta tikar dan terpal"],
}
NOTES_VULNERABLE = {
    ("evacuation", "elderly"): "Ada lansia, tidak bisa berjalan jauh",
    ("evacuation", "disabled"): "Ada anggota keluarga disabilitas, perlu dibantu naik perahu",
    ("evacuation", "children_under5"): "Ada balita, minta evakuasi segera",
    ("evacuation", "pregnant_or_lactating"): "Ada ibu hamil tua",
    ("medical", "chronically_ill"): "Obat hipertensi habis",
    ("medical", "elderly"): "Lansia demam dan lemas",
    ("medical", "children_under5"): "Balita demam dan diare",
    ("medical", "pregnant_or_lactating"): "Ibu hamil 8 bulan perlu diperiksa bidan",
    ("medical", "disabled"): "Perlu kursi roda, yang lama terendam",
    ("food", "children_under5"): "Perlu susu dan bubur bayi",
    ("psychosocial", "elderly"): "Lansia cemas, terus menangis",
    ("clothing", "children_under5"): "Butuh popok dan pakaian balita",
}
VULNERABLE_FIELDS = ("elderly", "children_under5", "pregnant_or_lactating", "disabled",
                     "chronically_ill")


# --------------------------------------------------------------------------- #
# Reference geometry (seed-independent, cached)
# --------------------------------------------------------------------------- #
def _geojson_text() -> str:
    try:
        res = (resources.files("resilience.areas").joinpath("data")
               .joinpath("palangka_raya_kelurahan.geojson"))
        return res.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = (Path(__file__).resolve().parent.parent / "areas" / "data"
                / "palangka_raya_kelurahan.geojson")
        return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _kelurahan() -> tuple:
    """All kelurahan of Palangka Raya, in file order, as tuples of
    (code, name, district_code, centroid_lat, centroid_lon, polygon)."""
    data = json.loads(_geojson_text())
    out = []
    for feat in data["features"]:
        p = feat["properties"]
        geom = shape(feat["geometry"])
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        shapely.prepare(geom)
        out.append((p["code"], p["name"], p["district_code"],
                    float(p["centroid_lat"]), float(p["centroid_lon"]), geom))
    return tuple(out)


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 6) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


@functools.lru_cache(maxsize=1)
def _affected_area_cached() -> tuple:
    """(GeoJSON MultiPolygon as JSON text, shapely geometry of exactly that text)."""
    by_code = {k[0]: k for k in _kelurahan()}
    union = shapely.union_all([by_code[c][5] for c in AFFECTED_KELURAHAN])
    # Close the slivers and pin-holes between neighbouring (simplified) boundaries,
    # then simplify a little and snap to the 1e-6 degree grid.
    eps = 0.001
    closed = union.buffer(eps, join_style="mitre", mitre_limit=2.0).buffer(
        -eps, join_style="mitre", mitre_limit=2.0)
    simple = closed.simplify(0.0002, preserve_topology=True)
    simple = shapely.set_precision(shapely.make_valid(simple), 1e-6)
    parts = [g for g in getattr(simple, "geoms", [simple]) if isinstance(g, Polygon)]
    parts = [orient(p, 1.0) for p in parts if not p.is_empty and p.area > 0]
    parts.sort(key=lambda p: (-p.area, p.bounds))
    geo = {"type": "MultiPolygon",
           "coordinates": _round_coords(mapping(MultiPolygon(parts))["coordinates"])}
    geom = shape(geo)
    if not (geom.is_valid and geom.geom_type == "MultiPolygon"):
        raise RuntimeError("affected area is not a valid MultiPolygon after rounding")
    for poly in geom.geoms:
        for ring in [poly.exterior, *poly.interiors]:
            if not ring.is_closed:
                raise RuntimeError("affected area ring not closed")
    shapely.prepare(geom)
    return json.dumps(geo), geom


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #
def _weighted(rng: random.Random, items, weights):
    total = float(sum(weights))
    x = rng.random() * total
    acc = 0.0
    for item, w in zip(items, weights):
        acc += w
        if x < acc:
            return item
    return items[-1]


def _sample_without_replacement(rng: random.Random, weights: dict, k: int) -> list:
    pool = [(name, w) for name, w in weights.items() if w > 0]
    chosen = []
    for _ in range(min(k, len(pool))):
        name = _weighted(rng, [p[0] for p in pool], [p[1] for p in pool])
        chosen.append(name)
        pool = [p for p in pool if p[0] != name]
    return chosen


def _owners(lon: float, lat: float) -> list:
    """Codes of every kelurahan whose polygon strictly contains the point."""
    return [k[0] for k in _kelurahan() if shapely.contains_xy(k[5], lon, lat)]


def _gauss_point(rng, lat, lon, sigma_m):
    s_lat = sigma_m / M_PER_DEG
    s_lon = sigma_m / (M_PER_DEG * math.cos(math.radians(lat)))
    return lat + rng.gauss(0.0, s_lat), lon + rng.gauss(0.0, s_lon)


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Names:
    """Deterministic name maker that avoids exact duplicates."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used = {}

    def _one(self, ethnic: str, female: bool, age: int | None) -> str:
        r = self.rng
        if ethnic == "dayak":
            first = r.choice(DAYAK_FEMALE if female else DAYAK_MALE)
            return f"{first} {r.choice(DAYAK_FAMILY)}"
        if ethnic == "banjar":
            if female:
                name = (f"Siti {r.choice(BANJAR_SITI)}" if r.random() < 0.25
                        else r.choice(BANJAR_FEMALE))
                title = "Hj. "
            else:
                x = r.random()
                if x < 0.25:
                    name = f"Muhammad {r.choice(BANJAR_MALE)}"
                elif x < 0.35:
                    name = f"Ahmad {r.choice(BANJAR_MALE)}"
                elif x < 0.45:
                    name = f"Abdul {r.choice(BANJAR_ABDUL)}"
                else:
                    name = r.choice(BANJAR_MALE)
                title = "H. "
            if age is not None and age >= 45 and r.random() < 0.2:
                name = title + name
            return name
        # javanese
        if female:
            if r.random() < 0.6:
                return f"{r.choice(JAVA_FEMALE_FIRST)} {r.choice(JAVA_FEMALE_LAST)}"
            return r.choice(JAVA_FEMALE_SINGLE)
        if r.random() < 0.6:
            return f"{r.choice(JAVA_MALE_FIRST)} {r.choice(JAVA_MALE_LAST)}"
        return r.choice(JAVA_MALE_SINGLE)

    def make(self, ethnic_weights, female: bool, age: int | None = None) -> str:
        ethnic = _weighted(self.rng, ["dayak", "banjar", "javanese"], ethnic_weights)
        name = self._one(ethnic, female, age)
        for _ in range(60):
            if name not in self._used:
                break
            name = self._one(ethnic, female, age)
        self._used[name] = True
        return name


class _Phones:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used = {}

    def make(self) -> str:
        while True:
            prefix = self.rng.choice(MOBILE_PREFIXES)
            n = 8 if self.rng.random() < 0.8 else 7
            rest = str(self.rng.randint(1, 9)) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(n - 1))
            phone = f"+62{prefix}{rest}"
            if phone not in self._used:
                self._used[phone] = True
                return phone


def _birth_date(rng: random.Random, age: int) -> date:
    """A birth date giving exactly ``age`` full years on REFERENCE_DATE."""
    ref = REFERENCE_DATE
    latest = date(ref.year - age, ref.month, ref.day)
    earliest = date(ref.year - age - 1, ref.month, ref.day) + timedelta(days=1)
    return date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _kec(code: str) -> str:
    return code.split(".")[2]


# --------------------------------------------------------------------------- #
# Generator
# --------------------------------------------------------------------------- #
def generate(seed: int = 2024) -> dict:
    """Build the Rakumpit flood demo data set for ``seed`` (deterministic)."""
    rng = random.Random(seed)
    kel = {k[0]: k for k in _kelurahan()}
    area_text, area_geom = _affected_area_cached()
    names = _Names(rng)
    phones = _Phones(rng)

    def free_point(code, lat, lon):
        """Point strictly inside kelurahan ``code`` only, and inside the area."""
        owners = _owners(lon, lat)
        return (owners == [code]
                and shapely.contains_xy(area_geom, lon, lat))

    # ---- settlements: 1-3 per kelurahan, near the centroid ---------------- #
    settlements = {}   # code -> list of (lat, lon, sigma_m, weight)
    for code in AFFECTED_KELURAHAN:
        _, name, _, clat, clon, poly = kel[code]
        area_km2 = poly.area * (M_PER_DEG / 1000) ** 2
        n = rng.choice([1, 2]) if area_km2 < 40 else rng.choice([2, 2, 3])
        spread_m = min(2500.0, 300.0 * math.sqrt(area_km2))
        inner = poly.buffer(-600.0 / M_PER_DEG)
        pts = []
        for i in range(n):
            for attempt in range(400):
                if i == 0 and attempt == 0:
                    lat, lon = clat, clon
                else:
                    lat, lon = _gauss_point(rng, clat, clon, spread_m)
                lat, lon = round(lat, 6), round(lon, 6)
                if not shapely.contains_xy(inner, lon, lat) or not free_point(code, lat, lon):
                    continue
                if all(math.hypot(lat - p[0], (lon - p[1]) * math.cos(math.radians(lat)))
                       * M_PER_DEG > 1200 for p in pts):
                    break
            else:
                if pts:
                    break
                raise RuntimeError(f"no settlement point for {name}")
            sigma = rng.uniform(200.0, 400.0)
            weight = 1.0 if i == 0 else rng.uniform(0.35, 0.7)
            pts.append((lat, lon, sigma, weight, rng.randint(4, 6)))
        settlements[code] = pts

    # ---- groups -------------------------------------------------------------- #
    groups = []
    group_bases = {}
    for key, gname, kind, home, size, male_share, _skills, _tr in GROUPS:
        if home is None:
            lat, lon = CITY_BASES[key]
        else:
            lat, lon = settlements[home][0][0], settlements[home][0][1]
        lat, lon = round(lat, 6), round(lon, 6)
        if not _owners(lon, lat):
            raise RuntimeError(f"group base of {key} is outside Palangka Raya")
        group_bases[key] = (lat, lon)
        female = rng.random() >= male_share
        ethnic = (0.55, 0.3, 0.15) if home and home.startswith("62.71.05") else (0.4, 0.35, 0.25)
        leader_age = rng.randint(22, 32) if kind == "youth" else rng.randint(30, 58)
        leader = names.make(ethnic, female, age=leader_age)
        groups.append({"key": key, "name": gname, "kind": kind, "leader": leader,
                       "base_location": {"lat": lat, "lon": lon}})

    # ---- volunteers ---------------------------------------------------------- #
    volunteers = []
    n_vol = sum(g[4] for g in GROUPS)
    n_avail, n_busy = round(0.85 * n_vol), round(0.11 * n_vol)
    availabilities = (["available"] * n_avail + ["busy"] * n_busy
                      + ["off"] * (n_vol - n_avail - n_busy))
    rng.shuffle(availabilities)
    for (key, _gname, kind, home, size, male_share, skill_w, trainings), group in zip(
            GROUPS, groups):
        blat, blon = group_bases[key]
        ethnic = (0.55, 0.3, 0.15) if home and home.startswith("62.71.05") else (0.4, 0.35, 0.25)
        for i in range(size):
            if i == 0:
                name = group["leader"]
            else:
                name = names.make(ethnic, rng.random() >= male_share)
            for _ in range(2000):
                if home is None:
                    lat, lon = _gauss_point(rng, CITY_CENTER[0], CITY_CENTER[1], 2200.0)
                else:
                    lat, lon = _gauss_point(rng, blat, blon, 600.0)
                lat, lon = round(lat, 6), round(lon, 6)
                owners = _owners(lon, lat)
                if len(owners) != 1:
                    continue
                if home is None and owners[0][:8] in CITY_DISTRICTS:
                    break
                if home is not None and owners[0] == home:
                    break
            else:
                raise RuntimeError(f"no home location for a volunteer of {key}")
            k = _weighted(rng, [1, 2, 3], [0.4, 0.42, 0.18])
            chosen = []
            core = CORE_SKILL.get(key)
            if core is not None and rng.random() < core[1]:
                chosen.append(core[0])
            rest = {s: w for s, w in skill_w.items() if s not in chosen}
            chosen += _sample_without_replacement(rng, rest, k - len(chosen))
            skills = [s for s in SKILLS if s in chosen]
            n_tr = _weighted(rng, [0, 1, 2], [0.3, 0.5, 0.2])
            tr = _sample_without_replacement(rng, {t: 1.0 for t in trainings}, n_tr)
            if "first_aid" in skills and kind == "ngo" and "PMI Pertolongan Pertama" not in tr:
                tr = ["PMI Pertolongan Pertama"] + tr
            availability = availabilities[len(volunteers)]
            capacity = _weighted(rng, [1, 2, 3, 4], [0.2, 0.4, 0.28, 0.12])
            volunteers.append({
                "name": name, "phone": phones.make(), "group_key": key,
                "skills": skills, "trainings": tr,
                "location": {"lat": lat, "lon": lon},
                "availability": availability, "capacity": capacity,
            })

    # ---- households ------------------------------------------------------- #
    households = []
    hh_meta = []   # parallel: (z distance from settlement centre in sigmas, river)
    used_ids = {}
    members_w = [0.13, 0.23, 0.25, 0.20, 0.10, 0.05, 0.03, 0.01]
    for code, (base_n, river) in AFFECTED_KELURAHAN.items():
        _, kname, district, _, _, _ = kel[code]
        kec = _kec(code)
        rakumpit = district == "62.71.05"
        ethnic = (0.6, 0.3, 0.1) if rakumpit else (0.4, 0.4, 0.2)
        streets = [f"Jl. {kname}"] + STREETS[code]
        n_total = base_n + rng.randint(-4, 4)
        pts = settlements[code]
        wsum = sum(p[3] for p in pts)
        counts = [int(round(n_total * p[3] / wsum)) for p in pts]
        counts[0] += n_total - sum(counts)
        for s_idx, ((slat, slon, sigma, _w, n_rt), count) in enumerate(zip(pts, counts)):
            rw = s_idx + 1
            main_street = streets[s_idx % len(streets)]
            for _ in range(count):
                for _try in range(5000):
                    lat, lon = _gauss_point(rng, slat, slon, sigma)
                    lat, lon = round(lat, 6), round(lon, 6)
                    if free_point(code, lat, lon):
                        break
                else:
                    raise RuntimeError(f"cannot place a household in {kname}")
                dy = (lat - slat) * M_PER_DEG
                dx = (lon - slon) * M_PER_DEG * math.cos(math.radians(slat))
                z = math.hypot(dx, dy) / sigma
                rt = 1 + int((math.atan2(dy, dx) + math.pi) / (2 * math.pi) * n_rt) % n_rt

                # members and vulnerable members
                m = _weighted(rng, list(range(1, 9)), members_w)
                p_child = (0.0, 0.12, 0.38)[m - 1] if m <= 3 else 0.46
                children = 0
                if rng.random() < p_child:
                    children = 2 if (m >= 4 and rng.random() < 0.2) else 1
                children = min(children, m - 1)
                elderly = 0
                if rng.random() < 0.25:
                    elderly = 2 if (m >= 2 and rng.random() < 0.3) else 1
                elderly = min(elderly, m - children)
                pregnant = 0
                if m - children - elderly > 0 and m >= 2:
                    if rng.random() < (0.2 if children else 0.035):
                        pregnant = 1
                room = m - children - elderly - pregnant
                disabled = 1 if (room > 0 and rng.random() < 0.05 * m / 3.2 + 0.01) else 0
                room -= disabled
                ill = 0
                if room > 0 and rng.random() < (0.3 if elderly else 0.06):
                    ill = 1

                # head of household
                head_elderly = elderly > 0 and (elderly == m - children or rng.random() < 0.5)
                age = (rng.randint(60, 80) if head_elderly
                       else int(round(rng.triangular(20, 59, 40))))
                female = rng.random() < (0.4 if head_elderly else 0.2)
                head = names.make(ethnic, female, age)

                nik = None
                if rng.random() < 0.7:
                    for _ in range(100):
                        b = _birth_date(rng, age)
                        day = b.day + (40 if female else 0)
                        nik = (f"{REGION_CODE}{kec}{day:02d}{b.month:02d}{b.year % 100:02d}"
                               f"{rng.randint(1, 9999):04d}")
                        if nik not in used_ids:
                            break
                    used_ids[nik] = True
                kk = None
                if rng.random() < 0.7:
                    birth_floor = date(REFERENCE_DATE.year - age + 17, 1, 1)
                    lo = max(date(2005, 1, 1), birth_floor).toordinal()
                    hi = date(2026, 2, 28).toordinal()
                    for _ in range(100):
                        d = date.fromordinal(rng.randint(lo, max(lo, hi)))
                        kk = (f"{REGION_CODE}{kec}{d.day:02d}{d.month:02d}{d.year % 100:02d}"
                              f"{rng.randint(1, 9999):04d}")
                        if kk not in used_ids:
                            break
                    used_ids[kk] = True
                phone = phones.make() if rng.random() < 0.8 else None

                address = f"{main_street if rng.random() < 0.7 else rng.choice(streets)} RT {rt:02d} / RW {rw:02d}"
                landmark = _landmark(rng, kname, river, z)

                households.append({
                    "key": f"hh-{len(households) + 1:04d}",
                    "head_name": head, "phone": phone, "nik": nik, "kk_number": kk,
                    "address": address, "landmark": landmark,
                    "location": {"lat": lat, "lon": lon}, "members": m,
                    "elderly": elderly, "children_under5": children,
                    "pregnant_or_lactating": pregnant, "disabled": disabled,
                    "chronically_ill": ill, "kelurahan_code": code,
                })
                hh_meta.append(z)

    # ---- needs ------------------------------------------------------------- #
    needs = []
    for hh, z in zip(households, hh_meta):
        flags = {f: hh[f] > 0 for f in VULNERABLE_FIELDS}
        p_evac = 0.06 + 0.28 * math.exp(-z * z / 2.0)
        if flags["elderly"] or flags["disabled"]:
            p_evac += 0.04
        evac = rng.random() < p_evac
        n_needs = 2 if rng.random() < 0.4 else 1
        w_med = (0.6 + 2.5 * flags["chronically_ill"] + 1.2 * flags["elderly"]
                 + 1.2 * flags["children_under5"] + 0.8 * flags["pregnant_or_lactating"]
                 + 0.8 * flags["disabled"])
        weights = {"medical": w_med, "psychosocial": 1.0 + 0.6 * evac, "food": 10.0,
                   "water": 7.5, "clothing": 1.6 + 0.8 * evac, "logistics": 0.6}
        cats = ["evacuation"] if evac else []
        cats += _sample_without_replacement(rng, weights, n_needs - len(cats))
        if evac:
            t0 = 5 + int(rng.betavariate(1.0, 4.0) * (REPORT_WINDOW_MIN - 10))
        else:
            t0 = 5 + int(rng.betavariate(1.4, 2.6) * (REPORT_WINDOW_MIN - 10))
        for i, cat in enumerate(cats):
            t = t0 if i == 0 else min(REPORT_WINDOW_MIN - 1, t0 + rng.randint(0, 240))
            needs.append({
                "household_key": hh["key"], "category": cat,
                "notes": _note(rng, cat, flags),
                "reported_at": _iso(STARTED_AT + timedelta(minutes=t)),
            })
    needs.sort(key=lambda n: (n["reported_at"], n["household_key"],
                              NEED_CATEGORIES.index(n["category"])))

    return {
        "event": {"name": EVENT_NAME, "started_at": _iso(STARTED_AT),
                  "affected_area": json.loads(area_text),
                  "offer_timeout_minutes": OFFER_TIMEOUT_MINUTES},
        "groups": groups,
        "volunteers": volunteers,
        "households": households,
        "needs": needs,
    }


def _landmark(rng: random.Random, kname: str, river: str, z: float) -> str:
    riverside = [f"samping dermaga {kname}", f"tepi Sungai {river}", "samping dermaga",
                 "dekat lanting (rumah rakit)", "rumah panggung dekat batang sungai"]
    inland = [f"dekat masjid {rng.choice(MASJID)}", f"seberang SDN {rng.randint(1, 3)} {kname}",
              f"belakang gereja GKE {kname}", "dekat Balai Basarah",
              f"depan kantor kelurahan {kname}", f"dekat Pustu {kname}",
              "sebelah posyandu", "belakang lapangan voli", "dekat jembatan kayu",
              f"samping warung Acil {rng.choice(BANJAR_FEMALE).split()[0]}",
              "ujung gang, rumah panggung cat hijau", f"dekat langgar {rng.choice(MASJID)}"]
    if z < 0.8 and rng.random() < 0.5:
        return rng.choice(riverside)
    return rng.choice(inland)


def _note(rng: random.Random, category: str, flags: dict) -> str:
    if rng.random() < 0.25:
        return ""
    specific = [NOTES_VULNERABLE[(category, f)] for f in VULNERABLE_FIELDS
                if flags[f] and (category, f) in NOTES_VULNERABLE]
    if specific and rng.random() < 0.6:
        return rng.choice(specific)
    return rng.choice(NOTES[category])



# --------------------------------------------------------------------------- #
# Aid stock (its own random stream: the data above does not change with it)
# --------------------------------------------------------------------------- #
# code, name, unit, category
STOCK_ITEMS = [
    ("BERAS", "Beras", "kg", "food"),
    ("MIE_INSTAN", "Mie instan", "pcs", "food"),
    ("AIR_MINUM", "Air minum kemasan", "l", "water"),
    ("AIR_BERSIH", "Air bersih (mobil tangki)", "l", "water"),
    ("SELIMUT", "Selimut", "pcs", "clothing"),
    ("PAKAIAN", "Pakaian layak pakai", "paket", "clothing"),
    ("OBAT_OBATAN", "Obat-obatan (paket P3K dan obat umum)", "paket", "medical"),
    ("FAMILY_KIT", "Family kit (perlengkapan kebersihan keluarga)", "paket", "hygiene"),
    ("TERPAL", "Terpal 4 x 6 m", "pcs", "shelter"),
]
STOCK_GUDANG = ("gudang", "Gudang Logistik Dinas Sosial Kota Palangka Raya",
                "Kompleks Dinas Sosial, Jl. Tjilik Riwut", CITY_BASES["tagana-dinsos"])
# The posko: at the kantor kelurahan (the centroid) of these affected kelurahan.
STOCK_POSKO = ("62.71.05.1004", "62.71.05.1007", "62.71.05.1001", "62.71.02.1006", "62.71.01.1004")
# donor -> [(item code, base quantity)]; every receipt goes to the city gudang
STOCK_DONATIONS = [
    ("Dinas Sosial Kota Palangka Raya",
     [("BERAS", 2000), ("MIE_INSTAN", 2400), ("SELIMUT", 300), ("PAKAIAN", 200), ("FAMILY_KIT", 120)]),
    ("BPBD Provinsi Kalimantan Tengah",
     [("BERAS", 3000), ("AIR_MINUM", 6000), ("TERPAL", 250), ("FAMILY_KIT", 100)]),
    ("PMI Kota Palangka Raya", [("OBAT_OBATAN", 60), ("FAMILY_KIT", 150), ("SELIMUT", 200)]),
    ("Baznas Kota Palangka Raya",
     [("BERAS", 1500), ("MIE_INSTAN", 1200), ("AIR_MINUM", 3000), ("PAKAIAN", 150)]),
]
# A water tanker fills the riverside posko directly.
STOCK_TANKER = ("PMI Kota Palangka Raya", "AIR_BERSIH", (("62.71.05.1004", 8000), ("62.71.01.1004", 6000)))
# What a posko gets from the gudang per person of its kelurahan (one week, BNPB-like).
STOCK_PER_PERSON = (("BERAS", 3.0), ("AIR_MINUM", 10.0), ("MIE_INSTAN", 2.0), ("SELIMUT", 0.25),
                    ("FAMILY_KIT", 0.2), ("TERPAL", 0.08), ("OBAT_OBATAN", 0.02))
# What a household with a need of this category is handed at the posko.
STOCK_HANDOUT = {"food": "BERAS", "water": "AIR_MINUM", "clothing": "SELIMUT", "logistics": "TERPAL"}


def _quantity(value: float) -> int | float:
    """A JSON quantity: whole numbers as int, else at most one decimal."""
    value = round(value, 1)
    return int(value) if value == int(value) else value


def generate_stock(data: dict, seed: int = 2024) -> dict:
    """Items, depots and stock movements for the demo ``data`` (``generate(seed)``).

    Depots are keyed ``gudang`` and ``posko-<kelurahan code>``; movements name depots and
    households by key, in the order they are recorded: donations into the city gudang and a
    water tanker at two posko, transfers from the gudang to each posko, a handout to part of
    the households with a need at each posko (one item per need category), and two
    adjustments. Deterministic; its own random stream, so ``generate`` is unchanged."""
    rng = random.Random(f"stock:{seed}")
    kel = {k[0]: k for k in _kelurahan()}
    key, name, address, (lat, lon) = STOCK_GUDANG
    depots = [{"key": key, "name": name, "kind": "gudang", "address": address,
               "location": {"lat": round(lat, 6), "lon": round(lon, 6)}}]
    for code in STOCK_POSKO:
        _, kname, _, clat, clon, _ = kel[code]
        depots.append({"key": f"posko-{code}", "name": f"Posko Kelurahan {kname}", "kind": "posko",
                       "address": f"Kantor Kelurahan {kname}",
                       "location": {"lat": round(clat, 6), "lon": round(clon, 6)}})

    movements = []
    for donor, gifts in STOCK_DONATIONS:
        for code, base in gifts:
            quantity = base + rng.randint(0, 4) * (50 if base >= 500 else 10)
            movements.append({"kind": "receipt", "depot": "gudang", "item_code": code,
                              "quantity": quantity, "donor": donor})
    donor, code, tanks = STOCK_TANKER
    for kelurahan, quantity in tanks:
        movements.append({"kind": "receipt", "depot": f"posko-{kelurahan}", "item_code": code,
                          "quantity": quantity, "donor": donor})

    people = {code: sum(h["members"] for h in data["households"] if h["kelurahan_code"] == code)
              for code in STOCK_POSKO}
    for code in STOCK_POSKO:
        for item, per_person in STOCK_PER_PERSON:
            quantity = max(1, math.ceil(people[code] * per_person))
            movements.append({"kind": "transfer", "depot": "gudang", "to_depot": f"posko-{code}",
                              "item_code": item, "quantity": quantity})

    households = {h["key"]: h for h in data["households"]}
    handed: set = set()
    for need in data["needs"]:
        household = households[need["household_key"]]
        code = household["kelurahan_code"]
        item = STOCK_HANDOUT.get(need["category"])
        if code not in STOCK_POSKO or item is None or (household["key"], item) in handed:
            continue
        if rng.random() >= 0.45:
            continue
        handed.add((household["key"], item))
        members = household["members"]
        quantity = {"BERAS": 2.8 * members, "AIR_MINUM": 17.5 * members,
                    "SELIMUT": min(members, 3), "TERPAL": 1}[item]
        movements.append({"kind": "issue", "depot": f"posko-{code}", "item_code": item,
                          "quantity": _quantity(quantity), "household_key": household["key"]})
    movements.append({"kind": "adjustment", "depot": f"posko-{STOCK_POSKO[0]}", "item_code": "BERAS",
                      "quantity": -5, "reason": "karung sobek terkena air"})
    movements.append({"kind": "adjustment", "depot": f"posko-{STOCK_POSKO[3]}", "item_code": "AIR_MINUM",
                      "quantity": -12, "reason": "kemasan bocor"})
    return {
        "items": [{"code": c, "name": n, "unit": u, "category": k} for c, n, u, k in STOCK_ITEMS],
        "depots": depots,
        "movements": movements,
    }

def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Print the Rakumpit demo data as JSON.")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--indent", type=int, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.seed), ensure_ascii=False, indent=args.indent))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
