"""Reading a resident's ``TOLONG …`` SMS: is it one, and what can be read from it for the
coordinator who calls back (people, RT/RW, a landmark, vulnerable words, the likely need).
Pure: no database; the kelurahan is looked up by the caller (``operations.hints``)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

KEYWORD = "TOLONG"
_START = re.compile(r"^\W*tolong\b[\s:,.!-]*", re.IGNORECASE)
_PEOPLE = re.compile(r"\b(\d{1,3})\s*(?:orang|org|jiwa|org\.|anggota|kk)\b", re.IGNORECASE)
_RT = re.compile(r"\bRT\.?\s*0*(\d{1,3})\b", re.IGNORECASE)
_RW = re.compile(r"\bRW\.?\s*0*(\d{1,3})\b", re.IGNORECASE)
_LANDMARK = re.compile(r"\b(dekat|depan|samping|belakang|sebelah|seberang)\b\s+([^,.;]{2,60})", re.IGNORECASE)
VULNERABLE_WORDS = {
    "elderly": ("nenek", "kakek", "lansia", "orang tua", "manula", "mbah"),
    "children_under5": ("balita", "bayi", "anak kecil"),
    "pregnant_or_lactating": ("hamil", "menyusui", "bumil", "melahirkan"),
    "disabled": ("disabilitas", "difabel", "lumpuh", "cacat", "kursi roda", "tuna"),
    "chronically_ill": ("sakit", "stroke", "diabetes", "jantung", "asma", "cuci darah"),
}
CATEGORY_WORDS = (  # the first that appears wins: rescue first
    ("evacuation", ("evakuasi", "perahu", "terjebak", "terendam", "tenggelam", "atap", "naik air")),
    ("medical", ("luka", "obat", "pingsan", "demam", "berdarah", "sakit", "sesak")),
    ("water", ("air bersih", "air minum")),
    ("food", ("makan", "lapar", "beras", "sembako", "susu")),
    ("clothing", ("pakaian", "baju", "selimut")),
)


def is_help_request(body: str | None) -> bool:
    """True when the SMS starts with TOLONG (any case, spaces and punctuation tolerated)."""
    return bool(body) and _START.match(body) is not None


def text_of(body: str) -> str:
    """The request without the keyword."""
    return _START.sub("", body or "", count=1).strip()


@dataclass
class Hints:
    people: int | None = None
    rt: str | None = None
    rw: str | None = None
    landmark: str = ""
    vulnerable: list[str] = field(default_factory=list)
    category: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def read(body: str) -> Hints:
    text = text_of(body)
    lower = text.lower()
    hints = Hints()
    if (match := _PEOPLE.search(text)) and 0 < int(match.group(1)) <= 100:
        hints.people = int(match.group(1))
    if (match := _RT.search(text)) and int(match.group(1)) > 0:
        hints.rt = f"{int(match.group(1)):03d}"
    if (match := _RW.search(text)) and int(match.group(1)) > 0:
        hints.rw = f"{int(match.group(1)):03d}"
    if match := _LANDMARK.search(text):
        hints.landmark = f"{match.group(1).lower()} {match.group(2).strip()}"
    hints.vulnerable = [name for name, words in VULNERABLE_WORDS.items() if any(w in lower for w in words)]
    hints.category = next((category for category, words in CATEGORY_WORDS if any(w in lower for w in words)), None)
    return hints
