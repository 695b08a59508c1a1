"""Problem files for ``resilience match-file PROBLEM.json`` (see SPEC, "Matching").

Input::

    {"max_distance_m": 8000,
     "households": [{"id": "h1", "lat": -1.63, "lon": 113.68, "need": "evacuation",
                     "requires": "boat", "priority": 5}],
     "volunteers": [{"id": "v1", "lat": -1.65, "lon": 113.70, "skills": ["boat"],
                     "capacity": 3}]}

Optional top-level key ``forbidden``: a list of ``[household_id, volunteer_id]``
pairs that must not be matched (e.g. the volunteer declined that need before).

Output (``run_problem`` / ``run_problem_file``)::

    {"assignments": [{"household": "h1", "volunteer": "v1", "distance_m": 3104.2}],
     "unassigned": [],
     "summary": {"served": 1, "priority_served": 5, "total_distance_m": 3104.2,
                 "seconds": 0.01}}

Assignments and unassigned households follow the input order of households;
distances are rounded to 0.1 m and seconds to 0.01 s. In a problem file
``requires`` (a skill or ``null``) is authoritative; ``need`` is informational.

Skills (``requires`` and a volunteer's ``skills``) are the SPEC's: boat,
first_aid, counseling, logistics, driving, cooking. Bad input raises ``ProblemError`` (a ``ValueError``) whose message names the
record and the field, e.g. ``households[3] (id "h7"): lat is NaN``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from resilience.matching import engine
from resilience.vocabulary import NEED_CATEGORIES, SKILLS

TOP_LEVEL_REQUIRED = ("max_distance_m", "households", "volunteers")
TOP_LEVEL_OPTIONAL = ("forbidden",)
HOUSEHOLD_REQUIRED = ("id", "lat", "lon", "priority")
HOUSEHOLD_OPTIONAL = ("need", "requires")
VOLUNTEER_REQUIRED = ("id", "lat", "lon", "capacity")
VOLUNTEER_OPTIONAL = ("skills",)


class ProblemError(ValueError):
    """A problem file or object that cannot be matched; the message names the field."""


def run_problem_file(path: str | Path) -> dict:
    """Read a problem JSON file, solve it, return the output dict."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ProblemError(f"{path}: not UTF-8 text") from None
    try:
        obj = json.loads(text, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise ProblemError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    return run_problem(obj)


def run_problem(obj: dict) -> dict:
    """Validate a problem object, solve it exactly, return the output dict."""
    problem = _validate(obj)
    households = problem["households"]
    volunteers = problem["volunteers"]
    result = engine.solve(
        [h["lat"] for h in households],
        [h["lon"] for h in households],
        [h["priority"] for h in households],
        [h["requires"] for h in households],
        [v["lat"] for v in volunteers],
        [v["lon"] for v in volunteers],
        [v["skills"] for v in volunteers],
        [v["capacity"] for v in volunteers],
        problem["max_distance_m"],
        forbidden=problem["forbidden"],
        need_labels=[h["id"] for h in households],
        volunteer_labels=[v["id"] for v in volunteers],
    )
    assignments = [
        {
            "household": households[i]["id"],
            "volunteer": volunteers[k]["id"],
            "distance_m": round(d, 1),
        }
        for i, k, d in result.assignments
    ]
    return {
        "assignments": assignments,
        "unassigned": [households[i]["id"] for i in result.unassigned],
        "summary": {
            "served": len(assignments),
            "priority_served": result.priority_served,
            "total_distance_m": round(result.total_distance_m, 1),
            "seconds": round(result.seconds, 2),
        },
    }


# --------------------------------------------------------------------------- validation


def _json_constant(name: str):
    # JSON has no NaN or Infinity, but files written by Python may contain them;
    # they are parsed so that validation can name the field that holds one.
    return float(name.replace("Infinity", "inf"))


def _where(kind: str, index: int, record: Any) -> str:
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return f'{kind}[{index}] (id "{record["id"]}")'
    return f"{kind}[{index}]"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _number(where: str, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"{where}: {field} must be a number, got {_type_name(value)}")
    if isinstance(value, float) and math.isnan(value):
        raise ProblemError(f"{where}: {field} is NaN")
    if isinstance(value, float) and math.isinf(value):
        raise ProblemError(f"{where}: {field} is infinite")
    return float(value)


def _integer(where: str, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"{where}: {field} must be an integer, got {_type_name(value)}")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise ProblemError(f"{where}: {field} must be an integer, got {value!r}")
    return int(value)


def _keys(where: str, record: Any, required: tuple, optional: tuple) -> dict:
    if not isinstance(record, dict):
        raise ProblemError(f"{where}: must be an object, got {_type_name(record)}")
    for key in required:
        if key not in record:
            raise ProblemError(f"{where}: missing field {key}")
    unknown = sorted(set(record) - set(required) - set(optional))
    if unknown:
        raise ProblemError(f"{where}: unknown field {unknown[0]}")
    return record


def _coordinates(where: str, record: dict) -> tuple[float, float]:
    lat = _number(where, "lat", record["lat"])
    lon = _number(where, "lon", record["lon"])
    if not -90 <= lat <= 90:
        hint = " (lat and lon swapped?)" if -90 <= lon <= 90 and abs(lat) <= 180 else ""
        raise ProblemError(f"{where}: lat {lat:g} out of range [-90, 90]{hint}")
    if not -180 <= lon <= 180:
        raise ProblemError(f"{where}: lon {lon:g} out of range [-180, 180]")
    return lat, lon


def _identifier(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{where}: id must be a non-empty string, got {_type_name(value)}")
    return value


def _household(index: int, record: Any) -> dict:
    where = _where("households", index, record)
    _keys(where, record, HOUSEHOLD_REQUIRED, HOUSEHOLD_OPTIONAL)
    hid = _identifier(where, record["id"])
    lat, lon = _coordinates(where, record)
    priority = record["priority"]
    if (
        isinstance(priority, bool)
        or not isinstance(priority, (int, float))
        or (isinstance(priority, float) and (not math.isfinite(priority) or priority != int(priority)))
        or not 1 <= priority <= 5
    ):
        raise ProblemError(f"{where}: priority must be an integer 1..5, got {priority!r}")
    need = record.get("need")
    if need is not None and need not in NEED_CATEGORIES:
        raise ProblemError(
            f"{where}: need must be one of {', '.join(NEED_CATEGORIES)} or null, got {need!r}"
        )
    requires = record.get("requires")
    if requires is not None and requires not in SKILLS:
        raise ProblemError(f"{where}: requires must be one of {', '.join(SKILLS)} or null, got {requires!r}")
    return {"id": hid, "lat": lat, "lon": lon, "priority": int(priority), "requires": requires}


def _volunteer(index: int, record: Any) -> dict:
    where = _where("volunteers", index, record)
    _keys(where, record, VOLUNTEER_REQUIRED, VOLUNTEER_OPTIONAL)
    vid = _identifier(where, record["id"])
    lat, lon = _coordinates(where, record)
    capacity = _integer(where, "capacity", record["capacity"])
    if capacity < 0:
        raise ProblemError(f"{where}: capacity must not be negative, got {capacity}")
    skills = record.get("skills", [])
    if skills is None:
        skills = []
    if not isinstance(skills, list):
        raise ProblemError(f"{where}: skills must be a list of strings, got {_type_name(skills)}")
    for j, skill in enumerate(skills):
        if skill not in SKILLS:
            raise ProblemError(f"{where}: skills[{j}] must be one of {', '.join(SKILLS)}, got {skill!r}")
    return {"id": vid, "lat": lat, "lon": lon, "capacity": capacity, "skills": list(skills)}


def _unique(kind: str, records: list[dict]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        first = seen.setdefault(record["id"], index)
        if first != index:
            raise ProblemError(
                f'{kind}[{index}]: duplicate id "{record["id"]}" (first at {kind}[{first}])'
            )
    return seen


def _validate(obj: Any) -> dict:
    if not isinstance(obj, dict):
        raise ProblemError(f"problem must be a JSON object, got {_type_name(obj)}")
    for key in TOP_LEVEL_REQUIRED:
        if key not in obj:
            raise ProblemError(f"missing top-level field {key}")
    unknown = sorted(set(obj) - set(TOP_LEVEL_REQUIRED) - set(TOP_LEVEL_OPTIONAL))
    if unknown:
        raise ProblemError(f"unknown top-level field {unknown[0]}")

    max_d = obj["max_distance_m"]
    if isinstance(max_d, bool) or not isinstance(max_d, (int, float)):
        raise ProblemError(f"max_distance_m must be a positive number, got {_type_name(max_d)}")
    if not (math.isfinite(max_d) and max_d > 0):
        raise ProblemError(f"max_distance_m must be a positive number, got {max_d!r}")

    for key in ("households", "volunteers"):
        if not isinstance(obj[key], list):
            raise ProblemError(f"{key} must be a list, got {_type_name(obj[key])}")
    households = [_household(i, r) for i, r in enumerate(obj["households"])]
    volunteers = [_volunteer(i, r) for i, r in enumerate(obj["volunteers"])]
    household_index = _unique("households", households)
    volunteer_index = _unique("volunteers", volunteers)

    forbidden = []
    pairs = obj.get("forbidden", [])
    if not isinstance(pairs, list):
        raise ProblemError(f"forbidden must be a list of [household, volunteer] pairs, got {_type_name(pairs)}")
    for j, pair in enumerate(pairs):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise ProblemError(f"forbidden[{j}]: must be a [household_id, volunteer_id] pair of strings")
        hid, vid = pair
        if hid not in household_index:
            raise ProblemError(f'forbidden[{j}]: unknown household "{hid}"')
        if vid not in volunteer_index:
            raise ProblemError(f'forbidden[{j}]: unknown volunteer "{vid}"')
        forbidden.append((household_index[hid], volunteer_index[vid]))

    return {
        "max_distance_m": float(max_d),
        "households": households,
        "volunteers": volunteers,
        "forbidden": forbidden,
    }
