"""The public transparency view of an event (``/transparansi/{id}``): the official report
reduced to what anyone may read, per kelurahan, with small cells suppressed.

What it shows: per kelurahan the households affected, helped (served), in progress and still
waiting, those that received aid, the needs still waiting per category and the median time to
help (reported → done); per item the aid handed out, in total and per kelurahan; the audit chain's head, so a reader can
later check that the log it rests on was not rewritten. No need ids, no times per need, no
people counts below the threshold.

Small-cell suppression: a count of households or needs from 1 to 4 is shown as ``<5``, so no
family in a small RT can be singled out ("the one waiting household in Kelurahan X"). Zero is
shown (it reveals nobody). A median time rests on at least 5 needs or is not shown. A column
with exactly one suppressed kelurahan would let a reader subtract it from the total, so the
smallest other non-zero cell of that column is suppressed as well (secondary suppression), and
totals are suppressed by the same rule.
"""

from __future__ import annotations

from typing import Any

from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES

THRESHOLD = 5
SMALL = "<5"
HOUSEHOLD_COLUMNS = ("affected", "served", "in_progress", "waiting", "received_aid")


def suppress(count: int | None) -> int | str | None:
    """A count as the public may read it: 0, or at least THRESHOLD, else ``"<5"``."""
    if count is None or count == 0 or count >= THRESHOLD:
        return count
    return SMALL


def _median(summary: dict[str, Any]) -> float | None:
    return summary["median_minutes"] if summary.get("count", 0) >= THRESHOLD else None


def _secondary(rows: list[dict[str, Any]], raw: list[dict[str, int]], column: str) -> None:
    """When exactly one row of a column is suppressed, suppress the next smallest non-zero one
    too: the total minus the shown cells would otherwise give the hidden count."""
    hidden = [i for i, row in enumerate(rows) if row[column] == SMALL]
    if len(hidden) != 1:
        return
    others = sorted((raw[i][column], i) for i, row in enumerate(rows)
                    if row[column] not in (SMALL, 0, None))
    if others:
        rows[others[0][1]][column] = SMALL


def aid_by_kelurahan(report: dict[str, Any]) -> dict[str, Any]:
    """Aid received per item per kelurahan, by the same rules: the households that got an item
    in a kelurahan shown as ``<5`` below the threshold, and then no quantity either (it would
    tell what one family got); per item, one hidden kelurahan takes the next smallest with it."""
    items = [{"code": a.get("item_code", a["item_name"]), "name": a["item_name"], "unit": a["unit"]}
             for a in report["aid"] if a["households"]]
    rows, raw = [], []
    for kelurahan in report["kelurahan"]:
        got = {a["item_code"]: a for a in kelurahan.get("aid", ()) if a.get("households")}
        if not got:
            continue
        counts = {"item:" + item["code"]: got[item["code"]]["households"] if item["code"] in got else 0
                  for item in items}
        raw.append(counts)
        rows.append({"code": kelurahan["code"], "name": kelurahan["name"],
                     **{code: suppress(n) for code, n in counts.items()},
                     "quantity": {code: got[code]["quantity"] for code in got}})
    for item in items:
        _secondary(rows, raw, "item:" + item["code"])
    out = []
    for row in rows:
        cells = {}
        for item in items:
            households = row["item:" + item["code"]]
            shown = households not in (SMALL, 0, None)
            cells[item["code"]] = {"households": households,
                                   "quantity": row["quantity"].get(item["code"]) if shown else None}
        out.append({"code": row["code"], "name": row["name"], "cells": cells})
    return {"items": items, "kelurahan": out}


def public_view(report: dict[str, Any]) -> dict[str, Any]:
    """The public part of a report built by :func:`resilience.reports.operations.build_report`."""
    rows, raw = [], []
    for kelurahan in report["kelurahan"]:
        counts = {key: kelurahan["households"].get(key, 0) for key in HOUSEHOLD_COLUMNS}
        waiting = {f"waiting_{c}": kelurahan["needs_by_category"].get(c, {}).get("waiting", 0) for c in CATEGORIES}
        raw.append({**counts, **waiting})
        rows.append({
            "code": kelurahan["code"], "name": kelurahan["name"],
            **{key: suppress(value) for key, value in counts.items()},
            **{key: suppress(value) for key, value in waiting.items()},
            "median_to_done_minutes": _median(kelurahan["response_minutes"]["to_done"]),
            "median_to_accepted_minutes": _median(kelurahan["response_minutes"]["to_accepted"]),
        })
    for column in (*HOUSEHOLD_COLUMNS, *(f"waiting_{c}" for c in CATEGORIES)):
        _secondary(rows, raw, column)
    totals = report["totals"]
    total = {
        **{key: suppress(totals["households"].get(key, 0)) for key in HOUSEHOLD_COLUMNS},
        **{f"waiting_{c}": suppress(totals["needs_by_category"].get(c, {}).get("waiting", 0)) for c in CATEGORIES},
        "median_to_done_minutes": _median(totals["response_minutes"]["to_done"]),
        "median_to_accepted_minutes": _median(totals["response_minutes"]["to_accepted"]),
    }
    aid = []
    for item in report["aid"]:
        small = 0 < item["households"] < THRESHOLD
        aid.append({"item_name": item["item_name"], "unit": item["unit"], "category": item["category"],
                    "households": suppress(item["households"]), "quantity": None if small else item["quantity"]})
    audit = report["audit"]
    return {
        "aid_by_kelurahan": aid_by_kelurahan(report),
        "event": {key: report["event"][key] for key in ("id", "name", "status", "started_at", "ended_at")},
        "generated_at": report["generated_at"],
        "kelurahan": rows,
        "totals": total,
        "waiting_categories": [c for c in CATEGORIES if any(raw_row[f"waiting_{c}"] for raw_row in raw)],
        "aid": aid,
        "audit": {"ok": audit["ok"], "head_seq": audit.get("head_seq"), "head_hash": audit.get("head_hash")},
        "threshold": THRESHOLD,
    }
