"""The columns and words of a household spreadsheet, in Bahasa Indonesia, English and HXL.

A header is matched case-insensitively after spaces, dashes, dots and slashes become ``_``
(``Nama Kepala Keluarga`` = ``nama_kepala_keluarga``). An HXL hashtag row (``#beneficiary+name``)
may stand under the header row or instead of it; attributes match in any order.
"""

from __future__ import annotations

import re

from resilience.vocabulary import NEED_CATEGORIES, VULNERABILITY_FIELDS

# field -> accepted headers (the first is the canonical English one)
HEADERS: dict[str, tuple[str, ...]] = {
    "head_name": ("head_name", "nama_kepala_keluarga", "nama_kk", "kepala_keluarga", "nama"),
    "nik": ("nik", "nik_kepala_keluarga"),
    "kk_number": ("kk_number", "no_kk", "nomor_kk", "nomor_kartu_keluarga", "kk"),
    "phone": ("phone", "telepon", "telp", "no_hp", "nomor_hp", "hp", "no_telepon"),
    "address": ("address", "alamat"),
    "street": ("street", "jalan", "dusun", "jalan_dusun"),
    "rt": ("rt",),
    "rw": ("rw",),
    "kelurahan": ("kelurahan", "kelurahan_code", "kode_kelurahan", "desa", "kelurahan_desa", "admin_area"),
    "landmark": ("landmark", "patokan"),
    "lat": ("lat", "latitude", "lintang"),
    "lon": ("lon", "lng", "longitude", "bujur"),
    "members": ("members", "jumlah_jiwa", "jumlah_anggota", "anggota_keluarga"),
    "elderly": ("elderly", "lansia"),
    "children_under5": ("children_under5", "balita"),
    "pregnant_or_lactating": ("pregnant_or_lactating", "ibu_hamil_menyusui", "bumil_busui", "ibu_hamil"),
    "disabled": ("disabled", "disabilitas", "difabel"),
    "chronically_ill": ("chronically_ill", "sakit_kronis", "penyakit_kronis"),
    "needs": ("needs", "need", "kebutuhan"),
}
HXL: dict[str, tuple[str, ...]] = {
    "head_name": ("#beneficiary+name", "#contact+name"),
    "nik": ("#beneficiary+id+nik",),
    "kk_number": ("#beneficiary+id+kk",),
    "phone": ("#contact+phone",),
    "address": ("#loc+address",),
    "street": ("#loc+street",),
    "rt": ("#loc+rt",),
    "rw": ("#loc+rw",),
    "kelurahan": ("#adm4+code", "#adm4+name", "#adm4"),
    "landmark": ("#loc+landmark",),
    "lat": ("#geo+lat",),
    "lon": ("#geo+lon",),
    "members": ("#affected+ind", "#beneficiary+ind"),
    "elderly": ("#affected+elderly",),
    "children_under5": ("#affected+children+u5",),
    "pregnant_or_lactating": ("#affected+pregnant",),
    "disabled": ("#affected+disabled",),
    "chronically_ill": ("#affected+chronic",),
    "needs": ("#sector", "#need+type"),
}
IDENTITY = ("nik", "kk_number")
NUMBERS = ("members", *VULNERABILITY_FIELDS)
CATEGORY_WORDS: dict[str, str] = {
    **{c: c for c in NEED_CATEGORIES},
    "evakuasi": "evacuation", "makanan": "food", "pangan": "food", "air": "water", "air_bersih": "water",
    "pakaian": "clothing", "sandang": "clothing", "kesehatan": "medical", "medis": "medical",
    "psikososial": "psychosocial", "logistik": "logistics",
}
_SEPARATORS = re.compile(r"[ \-./\\()]+")


def normalize_header(text: object) -> str:
    return _SEPARATORS.sub("_", str(text or "").strip().lower()).strip("_")


def _hxl_key(tag: str) -> tuple[str, frozenset[str]]:
    parts = tag.strip().lower().split("+")
    return parts[0], frozenset(p.strip() for p in parts[1:] if p.strip())


_BY_HEADER = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
_BY_HXL = {_hxl_key(tag): name for name, tags in HXL.items() for tag in tags}


def field_for_header(text: object) -> str | None:
    return _BY_HEADER.get(normalize_header(text))


def is_hxl_row(row: list) -> bool:
    filled = [str(v).strip() for v in row if v not in (None, "")]
    return bool(filled) and all(v.startswith("#") for v in filled)


def field_for_hxl(tag: object) -> str | None:
    return _BY_HXL.get(_hxl_key(str(tag or "")))


def category(word: str) -> str | None:
    return CATEGORY_WORDS.get(normalize_header(word))


def split_categories(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,/|+]", text) if part.strip()]
