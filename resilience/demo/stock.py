"""Aid stock of the demo: items, depots (the city gudang and five posko) and movements.

Its own random stream (``random.Random(f"stock:{seed}")``), so the rest of the demo does
not change with it.
"""

from __future__ import annotations

import math
import random

from resilience.demo.places import all_kelurahan
from resilience.demo.volunteers import CITY_BASES

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
    kel = {k[0]: k for k in all_kelurahan()}
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
