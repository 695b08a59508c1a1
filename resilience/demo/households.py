"""Affected households of the demo and their needs.

Households are placed around the settlements of their kelurahan (RT by direction, RW by
settlement), with members and vulnerable members, a head of household, NIK and KK numbers
(70% known), a phone (80%) and an address with a landmark. Needs follow from how close a
household lives to the river (evacuation) and who lives in it (medical), with short notes
in Bahasa Indonesia, reported in the first 36 hours.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from resilience.demo.draws import gauss_point, iso, sample_without_replacement, weighted
from resilience.demo.names import BANJAR_FEMALE, Names, Phones
from resilience.demo.places import free_point
from resilience.demo.scenario import (
    AFFECTED_KELURAHAN, M_PER_DEG, REFERENCE_DATE, REGION_CODE, REPORT_WINDOW_MIN, STARTED_AT, STREETS,
)
from resilience.vocabulary import NEED_CATEGORIES, VULNERABILITY_FIELDS

MEMBERS_WEIGHTS = [0.13, 0.23, 0.25, 0.20, 0.10, 0.05, 0.03, 0.01]  # 1..8 members
MASJID = ["Al-Ikhlas", "Nurul Huda", "Al-Muhajirin", "Baitul Rahman", "Nurul Iman",
          "Al-Amin", "At-Taqwa"]

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


def make_households(rng: random.Random, names: Names, phones: Phones, kel: dict, settlements: dict,
                    area_geom) -> tuple[list, list]:
    """The households, and in parallel each one's distance from its settlement centre in
    sigmas (``z``: riverside households are near the centre)."""
    households = []
    hh_meta = []
    used_ids = {}
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
                lat, lon, z, rt = _place(rng, area_geom, code, kname, slat, slon, sigma, n_rt)
                m, children, elderly, pregnant, disabled, ill = _members(rng)

                # head of household
                head_elderly = elderly > 0 and (elderly == m - children or rng.random() < 0.5)
                age = (rng.randint(60, 80) if head_elderly
                       else int(round(rng.triangular(20, 59, 40))))
                female = rng.random() < (0.4 if head_elderly else 0.2)
                head = names.make(ethnic, female, age)

                nik = _nik(rng, age, female, kec, used_ids)
                kk = _kk(rng, age, kec, used_ids)
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
    return households, hh_meta


def _place(rng: random.Random, area_geom, code: str, kname: str, slat: float, slon: float,
           sigma: float, n_rt: int) -> tuple[float, float, float, int]:
    """A free point around a settlement: (lat, lon, z in sigmas, RT number)."""
    for _try in range(5000):
        lat, lon = gauss_point(rng, slat, slon, sigma)
        lat, lon = round(lat, 6), round(lon, 6)
        if free_point(area_geom, code, lat, lon):
            break
    else:
        raise RuntimeError(f"cannot place a household in {kname}")
    dy = (lat - slat) * M_PER_DEG
    dx = (lon - slon) * M_PER_DEG * math.cos(math.radians(slat))
    z = math.hypot(dx, dy) / sigma
    rt = 1 + int((math.atan2(dy, dx) + math.pi) / (2 * math.pi) * n_rt) % n_rt
    return lat, lon, z, rt


def _members(rng: random.Random) -> tuple[int, int, int, int, int, int]:
    """(members, children under 5, elderly, pregnant or lactating, disabled, chronically ill)."""
    m = weighted(rng, list(range(1, 9)), MEMBERS_WEIGHTS)
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
    return m, children, elderly, pregnant, disabled, ill


def _nik(rng: random.Random, age: int, female: bool, kec: str, used_ids: dict) -> str | None:
    """A NIK for the head of household (70%), unique in the data set."""
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
    return nik


def _kk(rng: random.Random, age: int, kec: str, used_ids: dict) -> str | None:
    """A family card number (70%), issued after the head turned 17, unique in the data set."""
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
    return kk


def _birth_date(rng: random.Random, age: int) -> date:
    """A birth date giving exactly ``age`` full years on REFERENCE_DATE."""
    ref = REFERENCE_DATE
    latest = date(ref.year - age, ref.month, ref.day)
    earliest = date(ref.year - age - 1, ref.month, ref.day) + timedelta(days=1)
    return date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _kec(code: str) -> str:
    return code.split(".")[2]


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


def make_needs(rng: random.Random, households: list, hh_meta: list) -> list:
    """One or two needs per household, sorted by the time they were reported."""
    needs = []
    for hh, z in zip(households, hh_meta):
        flags = {f: hh[f] > 0 for f in VULNERABILITY_FIELDS}
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
        cats += sample_without_replacement(rng, weights, n_needs - len(cats))
        if evac:
            t0 = 5 + int(rng.betavariate(1.0, 4.0) * (REPORT_WINDOW_MIN - 10))
        else:
            t0 = 5 + int(rng.betavariate(1.4, 2.6) * (REPORT_WINDOW_MIN - 10))
        for i, cat in enumerate(cats):
            t = t0 if i == 0 else min(REPORT_WINDOW_MIN - 1, t0 + rng.randint(0, 240))
            needs.append({
                "household_key": hh["key"], "category": cat,
                "notes": _note(rng, cat, flags),
                "reported_at": iso(STARTED_AT + timedelta(minutes=t)),
            })
    needs.sort(key=lambda n: (n["reported_at"], n["household_key"],
                              NEED_CATEGORIES.index(n["category"])))
    return needs


def _note(rng: random.Random, category: str, flags: dict) -> str:
    if rng.random() < 0.25:
        return ""
    specific = [NOTES_VULNERABLE[(category, f)] for f in VULNERABILITY_FIELDS
                if flags[f] and (category, f) in NOTES_VULNERABLE]
    if specific and rng.random() < 0.6:
        return rng.choice(specific)
    return rng.choice(NOTES[category])
