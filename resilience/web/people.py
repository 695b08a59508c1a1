"""What the household pages and the roster pages share: reading a map point from a form,
paging a list, and turning validation errors into messages a coordinator can act on.

The API's messages are English; each carries a message id and parameters, so on these pages it
is worded from the catalogue in the page language, next to the field's own label, with a link
to the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import request, url_for

from resilience.core.errors import DomainError, Message
from resilience.core.schemas import point_dict
from resilience.web.forms import FormErrors
from resilience.web.i18n import Translated, message_text
from resilience.web.labels import LABELS, label
from resilience.web.query import Query

PER_PAGE = 50

# --------------------------------------------------------------------------- messages
# Which label a field's error shows, and which input its link jumps to.
_FIELDS = {
    "location": ("hh_lat_lon", "lat"), "location.lat": ("lat", "lat"), "location.lon": ("lon", "lon"),
    "base_location": ("hh_lat_lon", "lat"), "base_location.lat": ("lat", "lat"),
    "base_location.lon": ("lon", "lon"),
    "admin_area": ("hh_admin_area", "admin_area"), "rt": ("hh_rt", "rt"), "rw": ("hh_rw", "rw"),
    "street": ("hh_street", "street"), "reason": ("erase_reason", "reason"), "confirm": ("erase_confirm", "confirm"), "location_precision": ("hh_precision", "lat"),
    "category": ("need_category", "category"), "event_id": ("hh_event", "event_id"),
    "priority_reason": ("hh_priority_reason", "priority_reason"), "group_id": ("group", "group_id"),
    "kind": ("grp_kind", "kind"), "leader": ("grp_leader", "leader"), "trainings": ("vol_trainings", "trainings"),
}

# A conflict names no field; its message id says which input it is about.
_CONFLICT_FIELDS = {
    "a household with this NIK is already registered (id %(other)s)": "nik",
    "household %(household_id)s already has an open %(category)s need in this event (id %(duplicate)s)": "category",
    "the event '%(name)s' is closed; reopen it to record needs": "event_id",
    "%(entity)s is '%(current)s' and cannot become '%(wanted)s'; allowed: %(allowed)s": "status",
    "a volunteer group named '%(name)s' already exists": "name",
}


def localise(errors: list[dict]) -> list[dict]:
    """Errors as ``{"field", "anchor", "label", "message"}`` in the page language."""
    out = []
    for error in errors:
        field = error.get("field") or ""
        label_key, anchor = _FIELDS.get(field, (field.split(".")[0], field.split(".")[0]))
        text = label(label_key) if label_key and label_key in LABELS else ""
        out.append({"field": field, "anchor": f"f-{anchor}" if anchor else "",
                    "label": text, "message": Translated(message_text(error.get("message")))})
    return out


def failure(exc: FormErrors | DomainError) -> tuple[list[dict], int]:
    """A rejected form's errors for the page, and the HTTP status to answer with."""
    if isinstance(exc, FormErrors):
        return localise(exc.errors), 422
    errors = exc.errors
    if not errors:
        msgid = exc.message.msgid if exc.message is not None else ""
        field = exc.extra.get("field") or _CONFLICT_FIELDS.get(msgid, "")
        errors = [{"field": field, "message": exc.detail}]
    return localise(errors), exc.status


# --------------------------------------------------------------------------- form input
def parse_number(form, name: str, errors: list[dict], field: str | None = None) -> float | None:
    raw = (form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append({"field": field or name, "message": Message("Not a valid number.")})
        return None
    if not math.isfinite(value):
        errors.append({"field": field or name, "message": Message("Not a valid number.")})
        return None
    return value


def point_input(form, errors: list[dict], field: str, required: bool) -> dict | None:
    """The ``lat``/``lon`` inputs as the API's point object (None when absent)."""
    present = [bool((form.get(n) or "").strip()) for n in ("lat", "lon")]
    lat = parse_number(form, "lat", errors, f"{field}.lat")
    lon = parse_number(form, "lon", errors, f"{field}.lon")
    if not any(present):
        if required:
            errors.append({"field": field, "message": Message("Missing data for required field.")})
        return None
    if not all(present):
        if required:
            missing = "lat" if not present[0] else "lon"
            errors.append({"field": f"{field}.{missing}", "message": Message("Missing data for required field.")})
        else:
            errors.append({"field": field, "message": Message("give both lat and lon, or neither")})
        return None
    if lat is None or lon is None:
        return None
    return {"lat": lat, "lon": lon}


def changed_fields(obj, loaded: dict, points: tuple[str, ...] = (), unordered: tuple[str, ...] = ()) -> dict:
    """The loaded form values that differ from what ``obj`` holds, for an edit that sends only
    what changed: ``points`` compare as lat/lon, ``unordered`` lists as sorted, and a blank
    text field equals a missing value."""
    changed = {}
    for key, value in loaded.items():
        current = getattr(obj, key)
        if key in points:
            same = point_dict(value) == point_dict(current)
        elif key in unordered:
            same = sorted(value or []) == sorted(current or [])
        else:
            same = value == current or (value == "" and current is None)
        if not same:
            changed[key] = value
    return changed


def integer_input(form, name: str, errors: list[dict], blank=None):
    raw = (form.get(name) or "").strip()
    if not raw:
        return blank
    try:
        return int(raw)
    except ValueError:
        errors.append({"field": name, "message": Message("Not a valid integer.")})
        return None


# --------------------------------------------------------------------------- paging
@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def url(self, page: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(page)
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_number() -> int:
    """The ``page`` asked for (1 when absent); anything but a positive integer is a 422."""
    q = Query()
    page = q.page()
    q.done()
    return page
