"""Duplicate detection: speed of a full scan and quality on a synthetic registry with known truth.

    .venv/bin/python bench/duplicates_bench.py [--households 100000] [--duplicates 0.05] [--seed 1]

Pure (no database): the records are what ``duplicates.registry_records`` reads (one query), so
this measures the blocking and the comparisons. The registry: families spread over kelurahan of
~4 km and ~2,500 households (RT of ~60), names drawn from common Indonesian first and last names (so many different families
share a name), a third with only their kelurahan and RT (approximate points), half with a phone.
Planted duplicates are a re-registration of a family: the title added or dropped (Ibu, Bapak,
H., Hj.), a spelling variant (Muhammad/Moh./M., oe/u, dj/j, f/p, doubled letters, a y glide, a
final h), a one-letter typo, the point moved by up to 30 m, the same phone or none. Neighbours
sharing a phone (a different family within 50 m using the same number) are planted too: they
must not be proposed. Prints the scan time, pairs proposed, precision and recall.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resilience.households.duplicates import Index, Record  # noqa: E402

FIRST = ["Siti", "Muhammad", "Ahmad", "Sri", "Dewi", "Budi", "Nur", "Agus", "Yohanes", "Maria", "Rahmat", "Sumiyati",
         "Suparmi", "Bambang", "Joko", "Yusuf", "Abdul", "Fatimah", "Rusmini", "Hendra", "Eko", "Wahyu", "Andi",
         "Rina", "Lestari", "Aminah", "Indah", "Slamet", "Sugeng", "Komang", "Made", "Ketut", "Yosep", "Markus",
         "Arif", "Taufik", "Chairul", "Soekarno", "Djoko", "Hasan", "Husin", "Idris", "Jumadi", "Kartini", "Nining"]
LAST = ["Aminah", "Rahayu", "Santoso", "Hidayat", "Wati", "Susanto", "Lestari", "Yusuf", "Saputra", "Pratama",
        "Setiawan", "Kurniawan", "Nugroho", "Wibowo", "Siregar", "Nasution", "Harahap", "Dehen", "Nyahu", "Ilham",
        "Ramadhan", "Hakim", "Syahputra", "Anggraini", "Purnomo", "Suryadi", "Hartono", "Gunawan", "", "", ""]
TITLES = ["Ibu", "Bapak", "Bu", "Pak", "H.", "Hj."]
VARIANTS = [("Muhammad", "Moh."), ("Muhammad", "M."), ("Muhammad", "Muhamad"), ("oe", "u"), ("u", "oe"),
            ("Dj", "J"), ("J", "Dj"), ("f", "p"), ("ss", "s"), ("iya", "ia"), ("ia", "iya"), ("ah", "a"),
            ("Ch", "Kh"), ("k", "kk")]


def _name(rng: random.Random) -> str:
    middle = rng.choice(FIRST) if rng.random() < 0.4 else ""
    return " ".join(part for part in (rng.choice(FIRST), middle, rng.choice(LAST)) if part)


def _variant(rng: random.Random, name: str) -> str:
    kind = rng.random()
    if kind < 0.3:
        return f"{rng.choice(TITLES)} {name}"
    if kind < 0.75:
        for old, new in rng.sample(VARIANTS, len(VARIANTS)):
            if old in name:
                return name.replace(old, new, 1)
    letters = list(name)  # a one-letter typo inside a long word
    positions = [i for i, c in enumerate(letters) if c.isalpha() and 1 < i < len(letters) - 1]
    if positions and len(name) >= 9:
        i = rng.choice(positions)
        letters[i] = rng.choice("aeioun") if letters[i] not in "aeioun" else letters[i]
        return "".join(letters)
    return f"{rng.choice(TITLES)} {name}"


def build(n: int, share: float, seed: int):
    rng = random.Random(seed)
    records: list[Record] = []
    truth: set[tuple[int, int]] = set()
    count = max(30, n // 2500)  # kelurahan of ~2,500 households, RT of ~60
    areas = [(-1.60 - 0.04 * (k // 6), 113.60 + 0.04 * (k % 6)) for k in range(count)]
    originals = int(n / (1 + share))
    for i in range(1, originals + 1):
        area = rng.randrange(count)
        lat0, lon0 = areas[area]
        approximate = rng.random() < 0.33
        lat, lon = lat0 + rng.random() * 0.036, lon0 + rng.random() * 0.036
        rt = f"{rng.randint(1, 40):03d}" if approximate or rng.random() < 0.5 else None
        records.append(Record.of(i, _name(rng), phone_digest=f"p{i}" if rng.random() < 0.5 else None, area=area,
                                 rt=rt, lat=lat0 + 0.018 if approximate else lat, lon=lon0 + 0.018 if approximate else lon,
                                 precision="kelurahan" if approximate else "gps"))
    next_id = originals + 1
    while next_id <= n:
        original = records[rng.randrange(originals)]
        if rng.random() < 0.2 and original.precise and original.phone_digest:  # a neighbour with the same phone
            records.append(Record.of(next_id, _name(rng), phone_digest=original.phone_digest, area=original.area,
                                     rt=original.rt, lat=original.lat + rng.uniform(-0.0004, 0.0004),
                                     lon=original.lon + rng.uniform(-0.0004, 0.0004)))
            next_id += 1
            continue
        name = _variant(rng, " ".join(t.capitalize() for t in original.name))
        moved = original.precise
        records.append(Record.of(
            next_id, name, phone_digest=original.phone_digest if rng.random() < 0.5 else None, area=original.area,
            rt=original.rt, lat=original.lat + (rng.uniform(-0.00027, 0.00027) if moved else 0),
            lon=original.lon + (rng.uniform(-0.00027, 0.00027) if moved else 0),
            precision="gps" if moved else "kelurahan"))
        truth.add((original.id, next_id))
        next_id += 1
    return records, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.05, help="planted duplicates per original")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records, truth = build(args.households, args.duplicates, args.seed)
    start = time.perf_counter()
    index = Index(records)
    pairs = index.pairs()
    seconds = time.perf_counter() - start
    proposed = {(p.a, p.b) for p in pairs}
    hits = len(proposed & truth)
    family = {}  # two re-registrations of one family are a true pair too
    for a, b in truth:
        family[b] = family.get(a, a)
    true_pairs = {(a, b) for a, b in proposed if family.get(a, a) == family.get(b, b)}
    print(f"households {len(records):,}  planted duplicate pairs {len(truth):,}")
    print(f"full scan (blocking + comparisons): {seconds:.2f} s")
    print(f"pairs proposed {len(proposed):,}  of them true {len(true_pairs):,}")
    print(f"precision {len(true_pairs) / max(1, len(proposed)):.3f}  recall {hits / max(1, len(truth)):.3f}")


if __name__ == "__main__":
    main()
