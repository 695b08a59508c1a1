"""Units of aid items and exact quantities. Pure: stdlib only.

Quantities are kept as integers in thousandths of the unit ("milli"): exact on both databases
and in Python. kg and l allow 3 decimals (1 g, 1 ml); pcs and paket are counted whole.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from resilience.core.invalid import InvalidValue, Message
from resilience.vocabulary import UNITS  # unit -> decimals a quantity may have

MILLI = 1000
MAX_QUANTITY = Decimal(1_000_000_000)  # per movement, in units


def parse_decimal(value: object) -> Decimal:
    """A JSON number (or a numeric string) → Decimal, exactly as written (0.1 stays 0.1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InvalidValue(Message("must be a number, e.g. 14 or 2.5"))
    text = value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str) and "," in text:
        raise InvalidValue(Message("write decimals with a point, not a comma: %(fixed)s", fixed=text.replace(",", ".")))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(Message("must be a number, e.g. 14 or 2.5; got %(got)r", got=text[:30])) from None
    if not number.is_finite():
        raise InvalidValue(Message("must be a finite number"))
    if abs(number) > MAX_QUANTITY:
        raise InvalidValue(Message("must be at most %(max)s in one movement", max=f"{MAX_QUANTITY:,}"))
    return number


def to_milli(quantity: Decimal, unit: str) -> int:
    """Thousandths of ``unit``; rejects more decimals than the unit allows."""
    decimals = UNITS[unit]
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        if decimals == 0:
            raise InvalidValue(Message("%(unit)s is counted in whole units; got %(quantity)s",
                                       unit=unit, quantity=quantity))
        raise InvalidValue(Message("%(unit)s allows at most %(decimals)s decimals; got %(quantity)s",
                                   unit=unit, decimals=decimals,
                           quantity=quantity))
    return int(quantity * MILLI)


def number(milli: int) -> int | float:
    """Thousandths of a unit → the JSON number a person reads (14, 2.5, -0.25)."""
    milli = int(milli)  # PostgreSQL sums BIGINT as NUMERIC
    whole, rest = divmod(milli, MILLI)
    return whole if rest == 0 else float(Decimal(milli) / MILLI)
