"""Spreadsheet cells that cannot run: OWASP's defence against CSV (formula) injection.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(…)``, ``@SUM(…)``,
``-2+3+cmd|' /C calc'!A0``) when an official opens the file. Every text cell written to a CSV
or XLSX file goes through :func:`neutralise`, which puts a single quote in front of such a
value: the spreadsheet then shows it as text, and a reader still sees the whole value.
Numbers stay numbers (``-2`` is a number, not a formula).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value as a safe cell: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values) -> list[Any]:
    return [neutralise(value) for value in values]
