"""Households that may be one family: exact matches (the same KK number) and probable ones (the
head's name, normalised the Indonesian way, together with the place or the phone).

Names. Titles and honorifics are set aside (Ibu, Bu, Bapak, Pak, H., Hj., Alm., …); the
spellings of one name are brought together: Muhammad/Muhamad/Moh./M. are one token; the old
spelling (oe→u, dj→j, tj→c, sj→sy, ch→kh, nj→ny), f/v/p (Yusuf/Yusup), doubled letters, a ``y``/``w`` glide between
vowels (Sumiyati/Sumiati), a final ``h`` after a vowel (Aminah/Amina), ``ie``→``i`` at the end
(Arief/Arif) and q→k. Then names are compared token by token (Levenshtein); a changed final
vowel (Sunarto/Sunarti: a man and a woman) is not a spelling variant. A name that is only part
of the other ("Sumiati" / "Sumiati Rahayu") is not similar enough alone; with the same phone
it is proposed.

When a pair is proposed (``Pair``; its ``reasons`` name each fact, its ``score`` is 0..1):
- the same KK number: always (one family card is one family; ``exact``);
- a similar name (``NAME_SIMILAR``) with the same place: both measured points within
  ``NEAR_M``, or the same kelurahan and RT (and RW when both have one), or the same kelurahan
  and the same address text when one of them has neither a measured point nor an RT; two
  measured points more than ``APART_M`` apart are two places, whatever RT or address was typed;
- the same phone with a similar-enough name (``PHONE_NAME_SIMILAR``). The same phone with a
  different name is not proposed: neighbours give each other's numbers.
Common names far apart (different RT, more than ``NEAR_M`` apart) are never proposed.
``exact`` also marks the pairs that are surely one family (the same KK; the same name with the
same phone, or with points within ``SAME_POINT_M``, or in the same RT, or with the same address
in the same kelurahan): the importer refuses those rows and reports the others as warnings.

Speed: nothing compares every pair. Each household goes into blocks — its KK digest, its phone
digest, its kelurahan and address text, and per name token (its consonant skeleton): its RT and
its grid cell of about 110 m — and only households sharing a block are compared (a point is compared with the
eight cells around its own). ``scan`` over the whole registry, ``probe`` for one household or
one spreadsheet row.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from geoalchemy2 import functions as geo
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from resilience.households.models import Household, NotDuplicate
from resilience.vocabulary import APPROXIMATE_PRECISIONS

NEAR_M = 100.0
SAME_POINT_M = 25.0
# Two measured points farther apart than this are two places, whatever RT was typed: an RT is a
# neighbourhood of a few hundred metres, and a map click may be off by a street or two.
APART_M = 500.0
NAME_SIMILAR = 0.85
PHONE_NAME_SIMILAR = 0.7
CELL_DEG = 0.001  # about 111 m north-south; NEAR_M fits within the neighbouring cells
MAX_BLOCK = 100  # a block this big (a street name as address, one name token in one RT or 110 m cell) means nothing

TITLES = frozenset((
    "ibu", "bu", "bapak", "pak", "bpk", "bp", "h", "hj", "haji", "hajah", "hajjah", "alm", "almh", "almarhum",
    "almarhumah", "sdr", "sdri", "saudara", "saudari", "ny", "nyonya", "tn", "tuan", "nn", "nona", "mbah", "mbak",
    "mas", "kak", "dr", "drs", "dra", "ir", "ust", "ustad", "ustadz", "ustaz", "ustazah", "ustadzah", "kyai", "kh",
    "spd", "skm", "amd", "sh", "se", "ssos", "spdi", "sag",
))
MUHAMMAD = frozenset((
    "m", "moh", "mohd", "muh", "mhd", "md", "mochammad", "mochamad", "mohammad", "mohamad", "muhammad", "muhamad",
    "muchammad", "muchamad", "mukhammad", "mukhamad", "mohamed", "muhamed", "mokhamad", "mokhammad",
))
_WORDS = re.compile(r"[a-z0-9]+")
_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"), ("nj", "ny"), ("q", "k"),
                 ("ph", "f"), ("v", "f"), ("f", "p"))  # Yusuf/Yusup, Arif/Arip, Novi/Nopi
_DOUBLE = re.compile(r"([a-z])\1+")
_GLIDE = re.compile(r"(?<=[iu])[yw](?=[aeiou])")
_VOWELS = "aeiou"


def _token(word: str) -> str:
    for old, new in _OLD_SPELLING:
        word = word.replace(old, new)
    word = _DOUBLE.sub(r"\1", word)
    word = _GLIDE.sub("", word)
    if len(word) > 3 and word.endswith("ie"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == "h" and word[-2] in _VOWELS:
        word = word[:-1]
    return word


def normalize_name(name: str) -> tuple[str, ...]:
    """The head's name as comparable tokens: ``"Hj. Siti Aminah"`` → ``("siti", "amina")``."""
    words = _WORDS.findall((name or "").lower().replace("'", ""))
    tokens = []
    for word in words:
        if word in TITLES and len(words) > 1:
            continue
        tokens.append("muhamad" if word in MUHAMMAD else _token(word))
    return tuple(tokens)


@lru_cache(maxsize=100_000)
def skeleton(token: str) -> str:
    """A token's block key: its first letter and its consonants (f and v as p)."""
    rest = "".join(c for c in token[1:] if c not in _VOWELS and c not in "hyw")
    return (token[:1] + rest).replace("f", "p").replace("v", "p")


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@lru_cache(maxsize=500_000)
def _token_similarity(x: str, y: str) -> float:
    if x == y:
        return 1.0
    if not (x.isalpha() and y.isalpha()):
        return 0.0  # "Warga 12" / "Warga 13": numbers are not spelled differently
    if len(x) == 1 or len(y) == 1:  # an initial
        return 0.8 if x[0] == y[0] else 0.0
    if x[:-1] == y[:-1] and x[-1] in _VOWELS and y[-1] in _VOWELS:
        return 0.5  # Sunarto / Sunarti: another person, not another spelling
    return 1.0 - levenshtein(x, y) / max(len(x), len(y))


def name_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """0..1: how likely two normalised names are one name."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if "".join(a) == "".join(b):
        return 0.97  # Nur Hayati / Nurhayati
    if len(a) == len(b):
        return min(_aligned(a, b), _aligned(b, a))
    return _aligned(a, b) if len(a) < len(b) else _aligned(b, a)


def _aligned(short: tuple[str, ...], long_: tuple[str, ...]) -> float:
    """Each token of ``short`` with its best partner in ``long_`` (greedy), weighted by length;
    one token far from any partner (Sri / Siti) pulls the whole name down; tokens of ``long_``
    left over lower it a little (Sumiati / Sumiati Rahayu)."""
    free = list(long_)
    total = weight = 0.0
    worst = 1.0
    for token in short:
        best, best_index = 0.0, -1
        for index, other in enumerate(free):
            score = _token_similarity(token, other)
            if score > best:
                best, best_index = score, index
        if best_index >= 0:
            free.pop(best_index)
        total += best * len(token)
        weight += len(token)
        worst = min(worst, best)
    core = total / weight * min(1.0, worst + 0.4)
    coverage = len(short) / len(long_)
    return round(core if coverage == 1 else core * (0.6 + 0.3 * coverage), 3)


@dataclass(slots=True)
class Record:
    """What duplicate detection knows of a household (or a spreadsheet row: ``id`` is then the
    negative row number)."""

    id: int
    name: tuple[str, ...]
    phone_digest: str | None = None
    kk_digest: str | None = None
    area: int | None = None
    rt: str | None = None
    rw: str | None = None
    lat: float | None = None
    lon: float | None = None
    precise: bool = False
    address: str = ""

    @classmethod
    def of(cls, id: int, head_name: str, *, phone_digest=None, kk_digest=None, area=None, rt=None, rw=None,
           lat=None, lon=None, precision: str = "gps", address: str = "", landmark: str = "") -> "Record":
        text = " ".join(_WORDS.findall(f"{address} {landmark}".lower()))
        return cls(id, normalize_name(head_name), phone_digest, kk_digest, area, rt, rw, lat, lon,
                   precision not in APPROXIMATE_PRECISIONS and lat is not None, text)


@dataclass
class Pair:
    a: int
    b: int
    score: float
    exact: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"household_ids": [self.a, self.b], "score": self.score, "exact": self.exact,
                "reasons": self.reasons}

    def other(self, household_id: int) -> int:
        return self.b if self.a == household_id else self.a

    def as_candidate(self, household_id: int) -> dict[str, Any]:
        """The pair seen from ``household_id``: the other household, the score and reasons."""
        return {"household_id": self.other(household_id), "score": self.score, "exact": self.exact,
                "reasons": self.reasons}


def _distance_m(a: Record, b: Record) -> float:
    mean = math.radians((a.lat + b.lat) / 2)
    dx = math.radians(b.lon - a.lon) * math.cos(mean)
    dy = math.radians(b.lat - a.lat)
    return 6_371_008.8 * math.hypot(dx, dy)


def compare(a: Record, b: Record) -> Pair | None:
    """The pair if it should be proposed, with its reasons and score; else None."""
    same_kk = bool(a.kk_digest) and a.kk_digest == b.kk_digest
    same_phone = bool(a.phone_digest) and a.phone_digest == b.phone_digest
    place, place_weight, distance = None, 0.0, None
    if a.precise and b.precise:
        distance = _distance_m(a, b)
    same_address = bool(a.address) and a.address == b.address and a.area is not None and a.area == b.area
    if distance is not None and distance <= NEAR_M:
        place, place_weight = {"code": "near", "distance_m": round(distance, 1)}, 0.35
    elif a.area is not None and a.area == b.area and (distance is None or distance <= APART_M):
        if a.rt and b.rt:
            if a.rt == b.rt and (not a.rw or not b.rw or a.rw == b.rw):
                place, place_weight = {"code": "same_rt"}, 0.35
        elif same_address and not (a.precise and b.precise):
            # nothing finer is known of one of them, but the address text is the same
            place, place_weight = {"code": "same_kelurahan"}, 0.2
    if not (same_kk or same_phone or place):
        return None  # the cheap facts first: most candidates of a block end here
    similarity = _similarity(a.name, b.name)
    named = similarity >= NAME_SIMILAR and place is not None
    phoned = same_phone and similarity >= PHONE_NAME_SIMILAR
    if not (same_kk or named or phoned):
        return None
    reasons: list[dict[str, Any]] = []
    if same_kk:
        reasons.append({"code": "same_kk"})
    if same_phone:
        reasons.append({"code": "same_phone"})
    if similarity >= PHONE_NAME_SIMILAR:
        reasons.append({"code": "similar_name", "similarity": similarity})
    if place is not None:
        reasons.append(place)
    score = 0.4 * similarity + place_weight + (0.25 if same_phone else 0.0)
    if same_kk:
        score = max(score, 0.95)
    exact = same_kk or (similarity >= 0.95 and (
        same_phone or (distance is not None and distance <= SAME_POINT_M)
        or (place is not None and place["code"] == "same_rt") or same_address))
    low, high = (a.id, b.id) if a.id < b.id else (b.id, a.id)
    return Pair(low, high, round(min(score, 1.0), 3), exact, reasons)


@lru_cache(maxsize=200_000)
def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    return name_similarity(a, b) if a <= b else name_similarity(b, a)


class Index:
    """Records in blocks; ``pairs`` compares only records that share a block."""

    def __init__(self, records: Iterable[Record] = ()):
        self.records: dict[int, Record] = {}
        self.blocks: dict[tuple, list[int]] = defaultdict(list)
        for record in records:
            self.add(record)

    @staticmethod
    def _cell(record: Record) -> tuple[int, int]:
        return int(math.floor(record.lat / CELL_DEG)), int(math.floor(record.lon / CELL_DEG))

    def _keys(self, record: Record, looking: bool) -> list[tuple]:
        keys: list[tuple] = []
        if record.kk_digest:
            keys.append(("kk", record.kk_digest))
        if record.phone_digest:
            keys.append(("phone", record.phone_digest))
        if record.area is not None and record.address:
            keys.append(("address", record.area, record.address))  # same_kelurahan needs the same address
        tokens = {skeleton(t) for t in record.name if len(t) > 1}
        if len(record.name) > 1:
            tokens.add(skeleton("".join(record.name)))  # Nur Hayati / Nurhayati
        for token in tokens:
            if record.area is not None and record.rt:
                keys.append(("rt", record.area, record.rt, token))
            if record.precise:
                y, x = self._cell(record)
                cells = [(y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)] if looking else [(y, x)]
                keys.extend(("cell", cy, cx, token) for cy, cx in cells)
        return keys

    def add(self, record: Record) -> None:
        self.records[record.id] = record
        for key in self._keys(record, looking=False):
            self.blocks[key].append(record.id)

    def candidates(self, record: Record) -> set[int]:
        found: set[int] = set()
        for key in self._keys(record, looking=True):
            members = self.blocks.get(key)
            if members and len(members) <= MAX_BLOCK:
                found.update(members)
        found.discard(record.id)
        return found

    def probe(self, record: Record, *, skip: set[tuple[int, int]] = frozenset()) -> list[Pair]:
        """The proposed pairs of ``record`` (stored or not) with the stored records."""
        pairs = []
        for other_id in self.candidates(record):
            pair = compare(record, self.records[other_id])
            if pair is not None and (pair.a, pair.b) not in skip:
                pairs.append(pair)
        pairs.sort(key=lambda p: (-p.score, p.a, p.b))
        return pairs

    def pairs(self, *, skip: set[tuple[int, int]] = frozenset()) -> list[Pair]:
        """Every proposed pair among the stored records, best first (each pair compared once)."""
        seen: set[tuple[int, int]] = set(skip)
        out = []
        for record in self.records.values():
            for other_id in self.candidates(record):
                key = (record.id, other_id) if record.id < other_id else (other_id, record.id)
                if key in seen:
                    continue
                seen.add(key)
                pair = compare(record, self.records[other_id])
                if pair is not None:
                    out.append(pair)
        return sorted(out, key=lambda p: (-p.score, p.a, p.b))


# --- the registry ---------------------------------------------------------------------------------
def registry_records(session: Session, *, include: Iterable[int] = (), where=None) -> list[Record]:
    """Every household not merged into another nor erased (and matching ``where``, when given),
    as records (one query, nothing decrypted)."""
    query = select(Household.id, Household.head_name, Household.phone_digest, Household.kk_digest,
                   Household.admin_area_id, Household.rt, Household.rw, geo.ST_Y(Household.location),
                   geo.ST_X(Household.location), Household.location_precision, Household.address,
                   Household.landmark).where(Household.merged_into_id.is_(None),
                                             Household.erased_at.is_(None))  # nothing left to compare
    if where is not None:
        query = query.where(where)
    return [Record.of(hid, name, phone_digest=phone, kk_digest=kk, area=area, rt=rt, rw=rw, lat=lat, lon=lon,
                      precision=precision, address=address or "", landmark=landmark or "")
            for hid, name, phone, kk, area, rt, rw, lat, lon, precision, address, landmark in session.execute(query)]


def not_duplicates(session: Session) -> set[tuple[int, int]]:
    return {(low, high) for low, high in session.execute(select(NotDuplicate.low_id, NotDuplicate.high_id))}


def scan(session: Session, household_id: int | None = None) -> list[Pair]:
    """The proposed pairs of the registry (or those of one household), best first; pairs said
    to be different families are left out."""
    index = Index(registry_records(session))
    skip = not_duplicates(session)
    if household_id is None:
        return index.pairs(skip=skip)
    record = index.records.get(household_id)
    return [] if record is None else index.probe(record, skip=skip)


def candidates(session: Session, household: Household) -> list[Pair]:
    """The registered households that may be the same family as ``household`` (new or changed,
    flushed), best first: what the household form warns about before saving, and what the API's
    create answers in ``duplicates``. The pairs ``compare`` proposes among the households that
    share its KK number, its phone or its kelurahan, and also every household with the same
    phone whatever its name (``same_phone`` alone: not proposed in the review list, where
    neighbours sharing a number would crowd it, but worth a look before adding one more)."""
    own = [Household.kk_digest == household.kk_digest] if household.kk_digest else []
    if household.phone_digest:
        own.append(Household.phone_digest == household.phone_digest)
    if household.admin_area_id is not None:
        own.append(Household.admin_area_id == household.admin_area_id)
    if not own:
        return []
    records = registry_records(session, where=or_(Household.id == household.id, *own))
    record = next((r for r in records if r.id == household.id), None)
    if record is None:
        return []
    index = Index(r for r in records if r.id != household.id)
    pairs = {(p.a, p.b): p for p in index.probe(record)}
    for other in index.records.values():
        if record.phone_digest and other.phone_digest == record.phone_digest:
            key = (min(record.id, other.id), max(record.id, other.id))
            pairs.setdefault(key, Pair(*key, 0.25, False, [{"code": "same_phone"}]))
    return sorted(pairs.values(), key=lambda p: (-p.score, p.a, p.b))
