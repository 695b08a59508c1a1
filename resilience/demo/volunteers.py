"""Volunteer groups of the demo and their members.

Eight groups: youth groups (Karang Taruna), women's groups (PKK), community groups and a
boat community in the affected kelurahan, and two city groups (PMI, Tagana). Members live
around their group's base; their skills follow the group's skill weights.
"""

from __future__ import annotations

import random

from resilience.demo.draws import gauss_point, sample_without_replacement, weighted
from resilience.demo.names import Names, Phones
from resilience.demo.places import kelurahan_at
from resilience.vocabulary import SKILLS

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


def make_groups(rng: random.Random, names: Names, settlements: dict) -> tuple[list, dict]:
    """The groups (with their leaders) and each group's base: key -> (lat, lon)."""
    groups = []
    group_bases = {}
    for key, gname, kind, home, size, male_share, _skills, _tr in GROUPS:
        if home is None:
            lat, lon = CITY_BASES[key]
        else:
            lat, lon = settlements[home][0][0], settlements[home][0][1]
        lat, lon = round(lat, 6), round(lon, 6)
        if not kelurahan_at(lon, lat):
            raise RuntimeError(f"group base of {key} is outside Palangka Raya")
        group_bases[key] = (lat, lon)
        female = rng.random() >= male_share
        ethnic = (0.55, 0.3, 0.15) if home and home.startswith("62.71.05") else (0.4, 0.35, 0.25)
        leader_age = rng.randint(22, 32) if kind == "youth" else rng.randint(30, 58)
        leader = names.make(ethnic, female, age=leader_age)
        groups.append({"key": key, "name": gname, "kind": kind, "leader": leader,
                       "base_location": {"lat": lat, "lon": lon}})
    return groups, group_bases


def make_volunteers(rng: random.Random, names: Names, phones: Phones, groups: list,
                    group_bases: dict) -> list:
    """Every group's members; the first is its leader."""
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
                    lat, lon = gauss_point(rng, CITY_CENTER[0], CITY_CENTER[1], 2200.0)
                else:
                    lat, lon = gauss_point(rng, blat, blon, 600.0)
                lat, lon = round(lat, 6), round(lon, 6)
                owners = kelurahan_at(lon, lat)
                if len(owners) != 1:
                    continue
                if home is None and owners[0][:8] in CITY_DISTRICTS:
                    break
                if home is not None and owners[0] == home:
                    break
            else:
                raise RuntimeError(f"no home location for a volunteer of {key}")
            k = weighted(rng, [1, 2, 3], [0.4, 0.42, 0.18])
            chosen = []
            core = CORE_SKILL.get(key)
            if core is not None and rng.random() < core[1]:
                chosen.append(core[0])
            rest = {s: w for s, w in skill_w.items() if s not in chosen}
            chosen += sample_without_replacement(rng, rest, k - len(chosen))
            skills = [s for s in SKILLS if s in chosen]
            n_tr = weighted(rng, [0, 1, 2], [0.3, 0.5, 0.2])
            tr = sample_without_replacement(rng, {t: 1.0 for t in trainings}, n_tr)
            if "first_aid" in skills and kind == "ngo" and "PMI Pertolongan Pertama" not in tr:
                tr = ["PMI Pertolongan Pertama"] + tr
            availability = availabilities[len(volunteers)]
            capacity = weighted(rng, [1, 2, 3, 4], [0.2, 0.4, 0.28, 0.12])
            volunteers.append({
                "name": name, "phone": phones.make(), "group_key": key,
                "skills": skills, "trainings": tr,
                "location": {"lat": lat, "lon": lon},
                "availability": availability, "capacity": capacity,
            })
    return volunteers
