"""Deterministic demo data for the Rakumpit flood scenario.

``generate(seed)`` returns plain JSON-able data (dicts, lists, str, int, float,
None) describing one flood event on the Rungan and Kahayan rivers in Kota
Palangka Raya: the affected area, volunteer groups and volunteers, affected
households and their needs.  The same seed always gives byte-for-byte the same
result (``json.dumps(generate(s), sort_keys=False)`` is stable): every random
choice comes from one ``random.Random(seed)``, passed through the parts below in
a fixed order, and nothing iterates over a set. ``generate_stock(data, seed)``
adds the aid stock from a stream of its own.

Pure Python: stdlib and shapely only; no database, no Flask.

The parts: ``scenario.py`` (dates, affected kelurahan, streets), ``places.py``
(boundaries, affected area, settlements), ``volunteers.py`` (groups and their
members), ``households.py`` (households and their needs), ``stock.py`` (aid
stock), with ``names.py`` (names, phone numbers) and ``draws.py`` (random draws).

Run ``python -m resilience.demo.generate [--seed N]`` to print the data set.
"""

from __future__ import annotations

import json
import random

from resilience.demo.draws import iso
from resilience.demo.households import make_households, make_needs
from resilience.demo.names import Names, Phones
from resilience.demo.places import affected_area, all_kelurahan, settlements
from resilience.demo.scenario import AFFECTED_KELURAHAN, EVENT_NAME, OFFER_TIMEOUT_MINUTES, STARTED_AT
from resilience.demo.stock import generate_stock
from resilience.demo.volunteers import make_groups, make_volunteers
from resilience.vocabulary import GROUP_KINDS, NEED_CATEGORIES, SKILLS

__all__ = [
    "generate",
    "generate_stock",
    "EVENT_NAME",
    "GROUP_KINDS",
    "SKILLS",
    "NEED_CATEGORIES",
    "AFFECTED_KELURAHAN",
]


def generate(seed: int = 2024) -> dict:
    """Build the Rakumpit flood demo data set for ``seed`` (deterministic)."""
    rng = random.Random(seed)
    kel = {k[0]: k for k in all_kelurahan()}
    area_text, area_geom = affected_area()
    names = Names(rng)
    phones = Phones(rng)

    places = settlements(rng, kel, area_geom)
    groups, group_bases = make_groups(rng, names, places)
    volunteers = make_volunteers(rng, names, phones, groups, group_bases)
    households, hh_meta = make_households(rng, names, phones, kel, places, area_geom)
    needs = make_needs(rng, households, hh_meta)

    return {
        "event": {"name": EVENT_NAME, "started_at": iso(STARTED_AT),
                  "affected_area": json.loads(area_text),
                  "offer_timeout_minutes": OFFER_TIMEOUT_MINUTES},
        "groups": groups,
        "volunteers": volunteers,
        "households": households,
        "needs": needs,
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
