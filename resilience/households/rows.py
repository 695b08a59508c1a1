"""Checking the rows of a household spreadsheet: headers, Excel's traps, each field, the place,
duplicates within the file and NIKs already registered. Reads the database, writes nothing.

Every problem is a dict: ``row`` (as the spreadsheet numbers it), ``field`` (the column as
written in the file), ``column`` (our field name), ``code`` + ``params`` (stable, for pages to
word), ``message`` (English), ``suggestion`` and ``severity`` (``error`` or ``warning``).
Codes: see ``CODES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.core import crypto
from resilience.core.errors import Message
from resilience.core.geo import check_point
from resilience.core.invalid import InvalidValue
from resilience.events.models import FloodEvent
from resilience.households.columns import (
    CATEGORY_WORDS, HEADERS, IDENTITY, field_for_header, field_for_hxl, is_hxl_row, normalize_header,
    split_categories,
)
from resilience.households.columns import category as category_of
from resilience.households.models import Household
from resilience.households.places import CODE, Village, VillageIndex, _name_key
from resilience.households.schemas import normalize_rt_rw
from resilience.core.identity import normalize_phone, validate_kk, validate_nik
from resilience.vocabulary import NEED_CATEGORIES, VULNERABILITY_FIELDS

CODES = (
    # the header row
    "unknown_column", "duplicate_column", "missing_column",
    # Excel's traps
    "merged_cell", "formula_not_calculated", "formula_value_used", "excel_date", "number_lost_precision",
    "leading_zero_lost",
    # fields
    "required", "invalid", "invalid_location", "lat_lon_incomplete", "no_location", "unknown_kelurahan",
    "kelurahan_ambiguous", "kelurahan_mismatch", "unknown_category", "duplicate_category", "needs_without_event",
    # duplicates
    "duplicate_row_in_file", "duplicate_nik_in_file", "duplicate_kk_in_file", "nik_exists",
    "already_registered", "duplicate_household_in_file", "probable_duplicate",
)
IGNORED_HEADERS = ("no", "no_urut", "nomor_urut")  # the row number column of office sheets
SCHEMA_FIELDS = ("head_name", "phone", "nik", "kk_number", "address", "street", "rt", "rw", "landmark",
                 "members", "elderly", "children_under5", "pregnant_or_lactating", "disabled", "chronically_ill")
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+?\d+$")
_PHONE_WITHOUT_ZERO = re.compile(r"^8\d{8,11}$")
_TEXT_TIP = "Format the column as Text in Excel (or start the cell with ') and type the number again."


_LENGTHS = {"head_name": 200, "address": 500, "landmark": 300, "street": 200}
_VALIDATORS = {"phone": normalize_phone, "nik": validate_nik, "kk_number": validate_kk}


def _fields(line: int, body: dict[str, str], p: _Problems) -> dict[str, Any] | None:
    """The same rules as ``POST /households`` (HouseholdCreateSchema), without marshmallow's
    per-field machinery: a 50,000-row file spent most of its checking time there."""
    data: dict[str, Any] = {}
    ok = True

    def bad(name: str, message: str) -> None:
        nonlocal ok
        ok = False
        p.add(line, name, "invalid", message, "Correct the value.")

    for name, text in body.items():
        if name in _LENGTHS:
            if len(text) > _LENGTHS[name]:
                bad(name, Message("Longer than maximum length %(max)s.", max=_LENGTHS[name]))
            data[name] = text
        elif name in _VALIDATORS:
            try:
                data[name] = _VALIDATORS[name](text)
            except InvalidValue as exc:
                bad(name, exc.message)
        elif name in ("rt", "rw"):
            try:
                data[name] = normalize_rt_rw(text)
            except ValueError:
                bad(name, Message("Must be an RT/RW number of 1 to 3 digits, e.g. 3 or 003."))
        else:  # members and the vulnerable counts
            low = 1 if name == "members" else 0
            try:
                number = int(text)
            except ValueError:
                bad(name, Message("Not a valid integer."))
                continue
            if not low <= number <= 100:
                bad(name, Message("Must be greater than or equal to %(min)s and less than or equal to %(max)s.",
                                  min=low, max=100))
                continue
            data[name] = number
    members = data.get("members", 1)
    for name in VULNERABILITY_FIELDS:
        if ok and data.get(name, 0) > members:  # like the schema: only when every field is valid
            bad(name, Message("%(count)s is more than the %(members)s members", count=data[name], members=members))
    return data if ok else None


@dataclass
class GoodRow:
    line: int
    data: dict[str, Any]
    point: tuple[float, float] | None
    village: Village | None
    precision: str
    categories: list[str]
    nik_digest: str | None = None

    def values(self) -> tuple[dict[str, Any], str]:
        """The households row as column values (with the digests) and the point's WKT."""
        data = self.data
        lat_lon = self.point or (self.village.approximate_point.y, self.village.approximate_point.x)
        point = Point(lat_lon[1], lat_lon[0])
        values = {
            "head_name": data["head_name"].strip(), "phone": data.get("phone"), "nik": data.get("nik"),
            "kk_number": data.get("kk_number"), "nik_digest": self.nik_digest,
            "kk_digest": crypto.digest(data["kk_number"]) if data.get("kk_number") else None,
            "phone_digest": crypto.digest(data["phone"]) if data.get("phone") else None,
            "address": data.get("address") or "", "landmark": data.get("landmark") or "",
            "rt": data.get("rt"), "rw": data.get("rw"), "street": data.get("street") or "",
            # EWKT: GeoAlchemy2 passes it on as it is (a WKBElement costs a WKB→WKT round trip
            # per row on SpatiaLite)
            "location": f"SRID=4326;{point.wkt}", "location_precision": self.precision,
            "admin_area_id": self.village.id if self.village else None, "members": data.get("members") or 1,
            **{name: data.get(name) or 0 for name in VULNERABILITY_FIELDS},
        }
        return values, point.wkt


@dataclass
class Checked:
    rows: int = 0
    good: list[GoodRow] = field(default_factory=list)


class _Problems:
    def __init__(self, sink: list[dict[str, Any]], headers: dict[str, str]):
        self.sink, self.headers = sink, headers

    def add(self, line: int | None, column: str, code: str, message: str, suggestion: str = "",
            severity: str = "error", **params: Any) -> None:
        self.sink.append({"row": line, "field": self.headers.get(column, column), "column": column, "code": code,
                          "params": params, "message": message, "suggestion": suggestion, "severity": severity})


def _headers(sheet_rows: list[list[Any]], problems: _Problems) -> tuple[dict[int, str], int]:
    """Column index → field, and the index of the first data row."""
    header = sheet_rows[0] if sheet_rows else []
    hxl = None
    start = 1
    if header and is_hxl_row(header):
        hxl, header, start = header, [None] * len(header), 1
    elif len(sheet_rows) > 1 and is_hxl_row(sheet_rows[1]):
        hxl, start = sheet_rows[1], 2
    mapping: dict[int, str] = {}
    for index in range(max(len(header), len(hxl or []))):
        text = header[index] if index < len(header) else None
        tag = hxl[index] if hxl and index < len(hxl) else None
        name = (field_for_hxl(tag) if tag not in (None, "") else None) or (
            field_for_header(text) if text not in (None, "") else None)
        shown = str(tag if tag not in (None, "") and text in (None, "") else text or "").strip()
        if name is None:
            if text in (None, "") and tag in (None, ""):
                if any(index < len(r) and r[index] not in (None, "") for r in sheet_rows[start:start + 50]):
                    problems.add(1, f"(column {index + 1})", "unknown_column", "A column without a header holds "
                                 "values.", "Give it one of the known headers, or delete it.", column_number=index + 1)
                continue
            if normalize_header(shown) in IGNORED_HEADERS:
                continue
            problems.add(1, shown, "unknown_column", f"Unknown column {shown!r}.",
                         "Rename it to one of: " + ", ".join(a for aliases in HEADERS.values() for a in aliases[:2])
                         + "; or delete it.", header=shown)
            continue
        if name in mapping.values():
            problems.add(1, shown, "duplicate_column", f"Two columns mean {name}.", "Keep one of them.",
                         header=shown, meaning=name)
            continue
        mapping[index] = name
        problems.headers[name] = shown
    present = set(mapping.values())
    if "head_name" not in present:
        problems.add(1, "head_name", "missing_column", "There is no column with the head of household's name.",
                     "Add a column nama_kepala_keluarga (or head_name).", meaning="head_name")
    if not ({"lat", "lon"} <= present or "kelurahan" in present):
        problems.add(1, "lat/lon", "missing_column", "There is neither lat and lon nor a kelurahan column.",
                     "Add lintang and bujur (lat, lon), or a kelurahan column (name or code).", meaning="location")
    return mapping, start


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _number(text: str) -> float | None:
    try:
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        return float(text)
    except ValueError:
        return None


def _cell(line: int, column: str, value: Any, trap: str | None, p: _Problems) -> tuple[bool, Any]:
    """(usable, value): Excel's traps first, then the identity and phone numbers Excel mangles."""
    if trap == "merged":
        p.add(line, column, "merged_cell", "This cell is part of merged cells; the value of each row is not "
              "known.", "Unmerge the cells and fill in the value on every row.")
        return False, None
    if trap == "formula_not_calculated":
        p.add(line, column, "formula_not_calculated", "This cell holds a formula whose result was never "
              "calculated and saved.", "Open the file in Excel, let it calculate, and save it again; or paste "
              "the values only.")
        return False, None
    if trap == "formula":
        p.add(line, column, "formula_value_used", "This cell holds a formula; its last calculated value is "
              "used.", "Paste values only if that value may be stale.", severity="warning")
    if isinstance(value, (datetime, date, time)):
        shown = value.isoformat()
        p.add(line, column, "excel_date", f"Excel turned this cell into a date ({shown}).",
              _TEXT_TIP + (" RT/RW such as 03/01 must be two columns, rt and rw." if column in ("rt", "rw") else ""),
              date=shown)
        return False, None
    if column in IDENTITY or column == "phone":
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        text = _text(value)
        if (numeric and column in IDENTITY) or (text and _SCIENTIFIC.match(text)):
            p.add(line, column, "number_lost_precision", "This number was stored as a number: Excel keeps only "
                  "15 digits, so the last digits may be wrong (e.g. 6,27105E+15).", _TEXT_TIP)
            return False, None
        if column == "phone" and text and (numeric or _PHONE_WITHOUT_ZERO.match(text)):
            p.add(line, column, "leading_zero_lost", f"The phone number {'was stored as a number and ' if numeric else ''}"
                  "lost its leading 0.", _TEXT_TIP + " Write it as 0812…")
            return False, None
    return True, value


def check(session: Session, sheet, event: FloodEvent | None, villages: VillageIndex,
          sink: list[dict[str, Any]]) -> Checked:
    p = _Problems(sink, {})
    mapping, start = _headers(sheet.rows, p)
    checked = Checked()
    body_rows = [(line, row) for line, row in enumerate(sheet.rows[start:], start=start + 1)
                 if any(v is not None and v != "" for v in row)]
    checked.rows = len(body_rows)
    if any(x["row"] == 1 and x["severity"] == "error" for x in sink):
        return checked
    candidates: list[GoodRow] = []
    seen_rows: dict[tuple, int] = {}
    seen_nik: dict[str, int] = {}
    seen_kk: dict[str, int] = {}
    for line, row in body_rows:
        before = len(sink)
        values: dict[str, Any] = {}
        blocked: set[str] = set()  # columns whose cell could not be read (already reported)
        raw_key = []
        for index, name in mapping.items():
            value = row[index] if index < len(row) else None
            raw_key.append(value)
            ok, value = _cell(line, name, value, sheet.traps.get((line, index + 1)), p)
            if not ok:
                blocked.add(name)
            elif _text(value) is not None:
                values[name] = value
        key = tuple(raw_key)
        if key in seen_rows:
            p.add(line, "(row)", "duplicate_row_in_file", f"This row repeats row {seen_rows[key]}.",
                  "Delete one of the two rows.", first_row=seen_rows[key])
            continue
        seen_rows[key] = line
        body = {name: _text(values[name]) for name in SCHEMA_FIELDS if name in values}
        data = _fields(line, body, p)
        if "head_name" not in body and "head_name" not in blocked:
            p.add(line, "head_name", "required", "The head of household's name is missing.", "Fill it in.")
            data = None
        place = _place(line, values, villages, p, blocked)
        categories = _categories(line, _text(values.get("needs")) or "", event, p)
        if data is None or place is None or any(x["severity"] == "error" for x in sink[before:]):
            continue
        point, village, precision = place
        good = GoodRow(line, data, point, village, precision, categories)
        if data.get("nik"):
            good.nik_digest = crypto.digest(data["nik"])
        if data.get("kk_number"):
            if data["kk_number"] in seen_kk:
                p.add(line, "kk_number", "duplicate_kk_in_file", f"The same KK number is on row "
                      f"{seen_kk[data['kk_number']]}.", "One family card is one household: merge the two rows.",
                      first_row=seen_kk[data["kk_number"]])
                continue
            seen_kk[data["kk_number"]] = line
        candidates.append(good)
    _derive_villages(candidates, villages, p)
    existing = _existing_niks(session, [g.nik_digest for g in candidates if g.nik_digest])
    for good in candidates:
        if good.precision == "mismatch":
            continue
        if good.nik_digest in existing:  # the stronger fact: reported on every such row
            p.add(good.line, "nik", "nik_exists", f"A household with this NIK is already registered (id "
                  f"{existing[good.nik_digest]}).", "Leave the row out, or correct the NIK.",
                  existing_id=existing[good.nik_digest])
            continue
        if good.nik_digest is not None:
            if good.nik_digest in seen_nik:
                first = seen_nik[good.nik_digest]
                p.add(good.line, "nik", "duplicate_nik_in_file", f"The same NIK is on row {first}.",
                      "Keep one row per household; correct the NIK if it was mistyped.", first_row=first)
                continue
            seen_nik[good.nik_digest] = good.line
        checked.good.append(good)
    checked.good = _duplicates(session, checked.good, p)
    return checked


def _duplicates(session: Session, rows: list[GoodRow], p: _Problems) -> list[GoodRow]:
    """Rows that are households already registered, or the same household as an earlier row
    (``households.duplicates``): a pair that is surely one family (the same KK number; the same
    name with the same phone, point, RT or address) is an error — the row is not stored, so the
    same file imported twice stores nothing twice; a probable one is a warning naming the
    household or row, and the row is stored (it then waits in the duplicates review list)."""
    from resilience.households.duplicates import Index, Record, registry_records

    if not rows:
        return rows
    registry = Index(registry_records(session))
    in_file = Index()
    kept = []
    for good in rows:
        values, _ = good.values()
        lat, lon = good.point if good.point else (None, None)
        record = Record.of(-good.line, values["head_name"], phone_digest=values["phone_digest"],
                           kk_digest=values["kk_digest"], area=values["admin_area_id"], rt=values["rt"],
                           rw=values["rw"], lat=lat, lon=lon, precision=good.precision,
                           address=values["address"], landmark=values["landmark"])
        existing = registry.probe(record)
        earlier = in_file.probe(record)
        sure = next((x for x in existing if x.exact), None)
        if sure is not None:
            other = sure.b if sure.a == record.id else sure.a
            p.add(good.line, "head_name", "already_registered", f"This household is already registered (id {other}): "
                  + ", ".join(r["code"] for r in sure.reasons) + ".",
                  "Leave the row out (mode=valid_rows skips it), or merge the two after importing if they differ.",
                  existing_id=other, reasons=[r["code"] for r in sure.reasons])
            continue
        same = next((x for x in earlier if x.exact), None)
        if same is not None:
            first = -(same.a if same.b == record.id else same.b)
            p.add(good.line, "head_name", "duplicate_household_in_file", f"The same household as row {first}: "
                  + ", ".join(r["code"] for r in same.reasons) + ".", "Keep one row per household.",
                  first_row=first, reasons=[r["code"] for r in same.reasons])
            continue
        for pair in existing[:3]:
            other = pair.b if pair.a == record.id else pair.a
            p.add(good.line, "head_name", "probable_duplicate", f"Perhaps the same family as household {other} "
                  f"(score {pair.score}: " + ", ".join(r["code"] for r in pair.reasons) + ").",
                  "Check it in the duplicates list after importing; merge or mark as different.",
                  severity="warning", existing_id=other, score=pair.score, reasons=[r["code"] for r in pair.reasons])
        for pair in earlier[:3]:
            first = -(pair.a if pair.b == record.id else pair.b)
            p.add(good.line, "head_name", "probable_duplicate", f"Perhaps the same family as row {first} "
                  f"(score {pair.score}: " + ", ".join(r["code"] for r in pair.reasons) + ").",
                  "Check both rows; keep one if they are one family.", severity="warning", first_row=first,
                  score=pair.score, reasons=[r["code"] for r in pair.reasons])
        in_file.add(record)
        kept.append(good)
    return kept


def _place(line: int, values: dict[str, Any], villages: VillageIndex, p: _Problems, blocked: set[str]):
    """(point, village given, precision) or None when the row cannot be placed."""
    lat, lon = _text(values.get("lat")), _text(values.get("lon"))
    village = None
    given = _text(values.get("kelurahan"))
    if given:
        village, candidates = villages.lookup(given)
        if village is None:
            ambiguous = len(villages.by_name.get(_name_key(given), [])) > 1
            if ambiguous:
                p.add(line, "kelurahan", "kelurahan_ambiguous", f"Several kelurahan are called {given!r}: "
                      + ", ".join(candidates) + ".", "Write the kelurahan code instead.", candidates=candidates)
            else:
                what = "code" if CODE.match(given) else "name"
                p.add(line, "kelurahan", "unknown_kelurahan", f"Unknown kelurahan {what} {given!r}.",
                      ("Did you mean " + " or ".join(candidates) + "?") if candidates
                      else "Write the kelurahan name or its code (e.g. 62.71.05.1004).", value=given,
                      candidates=candidates)
            return None
    if lat or lon:
        if not (lat and lon):
            missing = "lon" if lat else "lat"
            p.add(line, missing, "lat_lon_incomplete", "Only one of latitude and longitude is given.",
                  "Give both, or neither and the kelurahan.")
            return None
        numbers = (_number(lat), _number(lon))
        try:
            point = check_point(numbers[0] if numbers[0] is not None else lat,
                                numbers[1] if numbers[1] is not None else lon)
        except InvalidValue as exc:
            p.add(line, exc.path or "lat", "invalid_location", exc.message, "Correct the coordinates "
                  "(decimal degrees, e.g. -1.6346 and 113.6858).")
            return None
        return point, village, "gps"
    if village is None:
        if blocked & {"lat", "lon", "kelurahan"}:
            return None  # the unreadable cell is reported already
        p.add(line, "lat/lon", "no_location", "The row has neither coordinates nor a kelurahan.",
              "Give lintang and bujur, or at least the kelurahan (an approximate point is used).")
        return None
    return None, village, "kelurahan"


def _categories(line: int, text: str, event: FloodEvent | None, p: _Problems) -> list[str]:
    out: list[str] = []
    for word in split_categories(text):
        category = category_of(word)
        if category is None:
            p.add(line, "needs", "unknown_category", f"Unknown need category {word!r}.",
                  "Use one of: " + ", ".join(sorted(CATEGORY_WORDS)) + ".", value=word, known=list(NEED_CATEGORIES))
        elif category in out:
            p.add(line, "needs", "duplicate_category", f"The need {category} is listed twice.", "List it once.",
                  category=category)
        else:
            out.append(category)
    if out and event is None:
        p.add(line, "needs", "needs_without_event", "Needs can only be imported into a flood event.",
              "Choose the event (event=ID), or leave the needs column empty.")
    return out


def _derive_villages(rows: list[GoodRow], villages: VillageIndex, p: _Problems) -> None:
    with_point = [g for g in rows if g.point is not None]
    for good, found in zip(with_point, villages.containing([g.point for g in with_point])):
        given = good.village
        if given is not None and (found is None or found.id != given.id):
            where = f"in {found.name} ({found.code})" if found else "outside every known kelurahan"
            p.add(good.line, "kelurahan", "kelurahan_mismatch", f"The point lies {where}, not in {given.name} "
                  f"({given.code}).", "Correct the coordinates or the kelurahan.",
                  point_kelurahan=found.code if found else None, given=given.code)
            good.precision = "mismatch"
            continue
        good.village = found


def _existing_niks(session: Session, digests: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(digests), 900):
        query = select(Household.id, Household.nik_digest).where(
            Household.nik_digest.in_(digests[start:start + 900])).order_by(Household.id)
        for household_id, value in session.execute(query):
            found.setdefault(value, household_id)
    return found
