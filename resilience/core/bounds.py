"""Sane ranges for what a client sends, checked once for every API request before a view runs:
ids and integers fit a signed 32-bit integer (the INTEGER columns ids and counts are stored in
on PostgreSQL; a larger id in a lookup is a driver error there, and SQLite cannot bind beyond
64 bits at all),
JSON nests at most ``MAX_DEPTH`` levels, floats are finite, and times lie between 1900 and 2100
(core.schemas.UTCDateTime), and no text holds the NUL character (PostgreSQL cannot store or
even compare it; SQLite would store it silently). A value outside is a 422 naming the field, before any query runs —
never an overflow in the driver (a 500) or a stored date no page can show.
"""

from __future__ import annotations

import math
from typing import Any

from werkzeug.routing import IntegerConverter

from resilience.core.errors import Message, ValidationFailed

MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
MAX_DEPTH = 32
MIN_YEAR, MAX_YEAR = 1900, 2100


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` up to 2^31 - 1: a larger id in a path matches no route (404), as an id
    that does not exist."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


NUL = Message("must not contain the NUL character")


def _bad(field: str, message: Message) -> ValidationFailed:
    return ValidationFailed.field(field or "(body)", message)


def check_value(value: Any, field: str = "") -> None:
    """Walk a parsed JSON document (iteratively: a deep one must not exhaust the stack)."""
    stack = [(value, field, 1)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _bad(path, Message("nested more than %(depth)s levels deep", depth=MAX_DEPTH))
        if isinstance(item, str):
            if "\x00" in item:
                raise _bad(path, NUL)
            continue
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not MIN_INT <= item <= MAX_INT:
                raise _bad(path, Message("must be between %(low)s and %(high)s", low=MIN_INT, high=MAX_INT))
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise _bad(path, Message("must be a finite number"))
        elif isinstance(item, dict):
            for key, inner in item.items():
                if "\x00" in key:
                    raise _bad(path, NUL)
                stack.append((inner, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                stack.append((inner, f"{path}.{index}" if path else str(index), depth + 1))


def check_query(args) -> None:
    """A query parameter written as an integer must fit (``?event=9223372036854775808``)."""
    for name, value in args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise _bad(name.replace("\x00", ""), NUL)
        digits = value.strip().lstrip("+-")
        if digits.isdigit() and len(digits) >= 10:
            try:
                check_value(int(value.strip()), name)
            except ValueError:
                continue


def has_nul(values) -> bool:
    """A form (or any multi-dict) with the NUL character in a name or value."""
    return any("\x00" in name or "\x00" in value for name, value in values.items(multi=True)
               if isinstance(value, str))
