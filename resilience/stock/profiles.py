"""Minimum-needs profiles (BNPB, Sphere): read from data, and the needs they give.

Pure: stdlib only, no database, no Flask. The figures live in ``data/minimum_needs.json``
(or an operator's copy at ``<instance>/minimum_needs.json``), each with its source; this module
only reads, checks and applies them. Arithmetic is exact (fractions); what is needed is rounded
up to whole units, so no one is planned for as a fraction.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from resilience.core.errors import DomainError, Message
from resilience.stock.units import MILLI, UNITS, number

PERIOD_DAYS = {"day": 1, "week": 7, "once": None}
PER_PERIOD = {"day": Message(" per day"), "week": Message(" per week")}  # "once": no period words
DATA_FILE = "minimum_needs.json"


class ProfileError(ValueError):
    """The profiles file is malformed; the message names the place."""


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    unit: str
    item_codes: tuple[str, ...]
    amount: Fraction
    per_people: int
    period: str
    extra_per_pregnant_or_lactating: Fraction
    source: str = ""

    def basis(self) -> Message:
        """The rule in words: "2.8 kg per person per week (+0.98 kg per pregnant or lactating woman)"."""
        who = Message("person") if self.per_people == 1 else Message("%(count)s people", count=self.per_people)
        when = PER_PERIOD.get(self.period, "")
        text = Message("%(amount)s %(unit)s per %(who)s%(when)s", amount=Decimal(_plain(self.amount)), unit=self.unit,
                       who=who, when=when)
        if self.extra_per_pregnant_or_lactating:
            text = Message("%(rule)s (+%(extra)s %(unit)s per pregnant or lactating woman%(when)s)", rule=text,
                           extra=Decimal(_plain(self.extra_per_pregnant_or_lactating)), unit=self.unit, when=when)
        return text

    def needed(self, people: int, pregnant_or_lactating: int, days: int) -> tuple[int, int]:
        """(total rounded up to whole units, of which in thousandths for pregnant or lactating
        women)."""
        span = Fraction(1) if self.period == "once" else Fraction(days, PERIOD_DAYS[self.period])
        base = self.amount * Fraction(people, self.per_people) * span
        extra = self.extra_per_pregnant_or_lactating * pregnant_or_lactating * span
        return math.ceil(base + extra), math.ceil(extra * MILLI)


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    source: str
    lines: tuple[Line, ...]


def _plain(value: Fraction | Decimal | int) -> str:
    text = format(Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value: Any, where: str, *, positive: bool) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ProfileError(f"{where} must be a number; got {value!r}")
    try:
        parsed = Fraction(Decimal(str(value)))
    except (ArithmeticError, ValueError) as exc:
        raise ProfileError(f"{where} must be a number; got {value!r}") from exc
    if parsed < 0 or (positive and parsed == 0):
        raise ProfileError(f"{where} must be {'more than' if positive else 'at least'} 0; got {value!r}")
    return parsed


def _text(entry: Mapping, key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProfileError(f"{where}.{key} must be a non-empty text")
    return value.strip()


def _line(entry: Any, where: str) -> Line:
    if not isinstance(entry, Mapping):
        raise ProfileError(f"{where} must be an object")
    codes = entry.get("item_codes", [])
    if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
        raise ProfileError(f"{where}.item_codes must be a list of item codes")
    unit = _text(entry, "unit", where)
    if codes and unit not in UNITS:
        raise ProfileError(f"{where}.unit must be one of {', '.join(UNITS)} when item_codes are given; got {unit!r}")
    period = entry.get("period")
    if period not in PERIOD_DAYS:
        raise ProfileError(f"{where}.period must be one of {', '.join(PERIOD_DAYS)}; got {period!r}")
    per_people = entry.get("per_people", 1)
    if isinstance(per_people, bool) or not isinstance(per_people, int) or per_people < 1:
        raise ProfileError(f"{where}.per_people must be a whole number of at least 1; got {per_people!r}")
    return Line(
        key=_text(entry, "key", where),
        label=_text(entry, "label", where),
        unit=unit,
        item_codes=tuple(c.strip().upper() for c in codes),
        amount=_number(entry.get("amount"), f"{where}.amount", positive=True),
        per_people=per_people,
        period=period,
        extra_per_pregnant_or_lactating=_number(
            entry.get("extra_per_pregnant_or_lactating", 0), f"{where}.extra_per_pregnant_or_lactating", positive=False
        ),
        source=_text(entry, "extra_source", where, required=False),
    )


def parse_profiles(data: Any) -> tuple[Profile, ...]:
    """Check a profiles document (see data/minimum_needs.json) and build the profiles."""
    if not isinstance(data, Mapping) or not isinstance(data.get("profiles"), list) or not data["profiles"]:
        raise ProfileError('the file must be an object with a non-empty "profiles" list')
    profiles: list[Profile] = []
    for index, entry in enumerate(data["profiles"]):
        where = f"profiles[{index}]"
        if not isinstance(entry, Mapping):
            raise ProfileError(f"{where} must be an object")
        lines_data = entry.get("lines")
        if not isinstance(lines_data, list) or not lines_data:
            raise ProfileError(f"{where}.lines must be a non-empty list")
        lines = tuple(_line(line, f"{where}.lines[{i}]") for i, line in enumerate(lines_data))
        keys = [line.key for line in lines]
        if len(set(keys)) != len(keys):
            raise ProfileError(f"{where}.lines have a repeated key")
        profiles.append(Profile(
            key=_text(entry, "key", where),
            name=_text(entry, "name", where),
            source=_text(entry, "source", where),
            lines=lines,
        ))
    keys = [p.key for p in profiles]
    if len(set(keys)) != len(keys):
        raise ProfileError("two profiles have the same key")
    return tuple(profiles)


def load_profiles(path: str | Path | None = None) -> tuple[Profile, ...]:
    """The profiles of ``path``, or the ones shipped with the package."""
    if path is None:
        text = resources.files("resilience.stock").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
        where = f"resilience/stock/data/{DATA_FILE}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        where = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{where}: not valid JSON ({exc})") from exc
    try:
        return parse_profiles(data)
    except ProfileError as exc:
        raise ProfileError(f"{where}: {exc}") from exc


class ProfilesUnusable(DomainError):
    status = 500
    code = "minimum-needs-profiles"
    title = "The minimum-needs profiles cannot be read"


def current_profiles() -> tuple[Profile, ...]:
    """The profiles the running application uses: the operator's copy in the instance folder,
    else the ones shipped with the package (the stock API and the official report both read
    them here). Needs an application context."""
    from flask import current_app

    override = Path(current_app.instance_path) / DATA_FILE
    try:
        return load_profiles(override if override.is_file() else None)
    except (ProfileError, OSError) as exc:
        raise ProfilesUnusable(str(exc)) from exc


def estimate(profile: Profile, *, people: int, pregnant_or_lactating: int, days: int,
             stock_milli: Mapping[str, int], item_units: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Needed, available and shortfall per line of ``profile`` for ``days``.

    ``stock_milli`` is the stock on hand per item code in thousandths of the item's unit;
    ``item_units`` the unit of each code: an item counted in another unit than the line is
    left out (and named in ``ignored_items``). A line without items has no available or
    shortfall: it is shown as needed only."""
    units = item_units or {}
    out = []
    for line in profile.lines:
        needed, extra = line.needed(people, pregnant_or_lactating, days)
        row: dict[str, Any] = {
            "key": line.key,
            "label": line.label,
            "unit": line.unit,
            "basis": line.basis(),
            "item_codes": list(line.item_codes),
            "needed": needed,
            "available": None,
            "shortfall": None,
        }
        if line.extra_per_pregnant_or_lactating:
            row["needed_for_pregnant_or_lactating"] = number(extra)
        if line.item_codes:
            usable = [c for c in line.item_codes if units.get(c, line.unit) == line.unit]
            ignored = [c for c in line.item_codes if c not in usable]
            available = sum(stock_milli.get(code, 0) for code in usable)
            row["available"] = number(available)
            row["shortfall"] = number(max(0, needed * MILLI - available))
            if ignored:
                row["ignored_items"] = [
                    {"code": c, "unit": units[c], "message": f"{c} is counted in {units[c]}, not {line.unit}"}
                    for c in ignored
                ]
        out.append(row)
    return out
