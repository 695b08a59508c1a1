"""The report rendered as HXL-tagged CSV or GeoJSON (JSON is the report itself).

CSV: a header row in Bahasa Indonesia, then a row of HXL hashtags (https://hxlstandard.org:
core hashtags such as ``#adm4``, ``#affected``, ``#inneed``, ``#reached``, ``#sector``,
``#severity``; attributes ``+code``, ``+name``, ``+hh``, ``+ind``, ``+num`` and a few of our
own, as HXL allows), then the data. Three tables: ``kelurahan`` (one row per kelurahan, the
default), ``waiting`` (needs not yet served, without personal data) and ``aid`` (aid handed
out per kelurahan and item). Every row carries the event, the report time and the audit
chain's state, so a row copied out of the file still says what it rests on. A text cell that starts like a
formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written with a leading ``'`` (core/cells.py).

GeoJSON: one feature per kelurahan with its boundary and the same counts as properties; no
household point, so no household can be located from it.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.areas.models import AdminArea
from resilience.core.cells import neutralise_row
from resilience.core.geo import area_to_geojson
from resilience.reports.operations import PRIORITIES
from resilience.vocabulary import NEED_CATEGORIES as CATEGORIES

CSV_TABLES = ("kelurahan", "waiting", "aid")
COORDINATE_DECIMALS = 5  # ~1 m: enough for a kelurahan boundary, a third of the size

Column = tuple[str, str, Callable[[dict[str, Any]], Any]]

CATEGORY_ID = {"evacuation": "evakuasi", "medical": "medis", "psychosocial": "psikososial", "food": "makanan",
               "water": "air bersih", "clothing": "pakaian", "logistics": "logistik"}


def _anchor(report: dict[str, Any]) -> list[Column]:
    audit = report["audit"]
    return [
        ("Dibuat (UTC)", "#date+reported", lambda _r: report["generated_at"]),
        ("Log audit utuh", "#meta+audit+ok", lambda _r: "true" if audit["ok"] else "false"),
        ("Entri log audit", "#meta+audit+entries", lambda _r: audit["entries"]),
        ("Hash kepala log audit", "#meta+audit+head_hash", lambda _r: audit.get("head_hash") or ""),
    ]


def _event(report: dict[str, Any]) -> list[Column]:
    return [("Kejadian", "#event+name", lambda _r: report["event"]["name"]),
            ("ID kejadian", "#event+id", lambda _r: report["event"]["id"])]


def _area_columns() -> list[Column]:
    return [
        ("Kode kecamatan", "#adm3+code", lambda r: (r.get("kecamatan") or {}).get("code") or ""),
        ("Kecamatan", "#adm3+name", lambda r: (r.get("kecamatan") or {}).get("name") or ""),
        ("Kode kelurahan", "#adm4+code", lambda r: r["code"] or ""),
        ("Kelurahan", "#adm4+name", lambda r: r["name"] or "(di luar wilayah terdata)"),
    ]


def _blank(value: Any) -> Any:
    return "" if value is None else value


def kelurahan_columns(report: dict[str, Any]) -> list[Column]:
    columns = _event(report) + _area_columns() + [
        ("RT terdampak", "#affected+hh", lambda r: r["households"]["affected"]),
        ("Jiwa terdampak", "#affected+ind", lambda r: r["households"]["people"]),
        ("RT menunggu", "#inneed+hh+waiting", lambda r: r["households"]["waiting"]),
        ("RT dalam proses", "#inneed+hh+in_progress", lambda r: r["households"]["in_progress"]),
        ("RT terlayani", "#reached+hh", lambda r: r["households"]["served"]),
        ("RT menerima bantuan", "#reached+hh+aid", lambda r: r["households"]["received_aid"]),
        ("RT rentan terdampak", "#affected+hh+vulnerable", lambda r: r["vulnerable_households"]["affected"]),
        ("RT rentan belum terlayani", "#inneed+hh+vulnerable", lambda r: r["vulnerable_households"]["not_reached"]),
        ("Kebutuhan dilaporkan", "#affected+num+needs", lambda r: r["needs"]["total"] - r["needs"]["cancelled"]),
        ("Kebutuhan menunggu", "#inneed+num+waiting", lambda r: r["needs"]["waiting"]),
        ("Kebutuhan dalam proses", "#inneed+num+in_progress", lambda r: r["needs"]["in_progress"]),
        ("Kebutuhan terlayani", "#reached+num+needs", lambda r: r["needs"]["served"]),
    ]
    for category in CATEGORIES:
        columns.append((f"Menunggu: {CATEGORY_ID[category]}", f"#inneed+num+waiting+{category}",
                        lambda r, c=category: r["needs_by_category"][c]["waiting"]))
    for priority in PRIORITIES:
        columns.append((f"Menunggu: prioritas {priority}", f"#inneed+num+waiting+p{priority}",
                        lambda r, p=priority: r["needs_by_priority"][str(p)]["waiting"]))
    for key, label in (("to_accepted", "diterima relawan"), ("to_done", "selesai")):
        columns += [
            (f"Menit sampai {label} (median)", f"#indicator+minutes+{key}+median",
             lambda r, k=key: _blank(r["response_minutes"][k]["median_minutes"])),
            (f"Menit sampai {label} (p90)", f"#indicator+minutes+{key}+p90",
             lambda r, k=key: _blank(r["response_minutes"][k]["p90_minutes"])),
        ]
    columns.append(("Menunggu sejak (tertua, UTC)", "#date+waiting+oldest", lambda r: r["oldest_waiting_since"] or ""))
    return columns + _anchor(report)


def waiting_columns(report: dict[str, Any]) -> list[Column]:
    return _event(report) + [
        ("ID kebutuhan", "#meta+id", lambda r: r["need_id"]),
        ("Kode kelurahan", "#adm4+code", lambda r: r["kelurahan"]["code"] or ""),
        ("Kelurahan", "#adm4+name", lambda r: r["kelurahan"]["name"] or "(di luar wilayah terdata)"),
        ("Jenis kebutuhan", "#sector+code", lambda r: r["category"]),
        ("Jenis kebutuhan (nama)", "#sector+name", lambda r: CATEGORY_ID[r["category"]]),
        ("Prioritas", "#severity+num", lambda r: r["priority"]),
        ("Status", "#status+code", lambda r: r["status"]),
        ("Dilaporkan (UTC)", "#date+reported+need", lambda r: r["reported_at"]),
        ("Menunggu (menit)", "#indicator+minutes+waiting", lambda r: r["waiting_minutes"]),
    ] + _anchor(report)


def aid_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**row, "aid_item": aid} for row in report["kelurahan"] for aid in row["aid"]]


def aid_columns(report: dict[str, Any]) -> list[Column]:
    return _event(report) + _area_columns() + [
        ("Kode barang", "#item+code", lambda r: r["aid_item"]["item_code"]),
        ("Barang", "#item+name", lambda r: r["aid_item"]["item_name"]),
        ("Satuan", "#item+unit", lambda r: r["aid_item"]["unit"]),
        ("Jumlah disalurkan", "#item+num+distributed", lambda r: r["aid_item"]["quantity"]),
        ("RT menerima bantuan (semua barang)", "#reached+hh+aid", lambda r: r["households"]["received_aid"]),
    ] + _anchor(report)


def to_csv(report: dict[str, Any], table: str = "kelurahan") -> str:
    if table == "waiting":
        columns, rows = waiting_columns(report), report["waiting"]
    elif table == "aid":
        columns, rows = aid_columns(report), aid_rows(report)
    else:
        columns, rows = kelurahan_columns(report), report["kelurahan"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c[0] for c in columns])
    writer.writerow([c[1] for c in columns])
    for row in rows:  # names typed by people (events, items, kelurahan) may start like a formula
        writer.writerow(neutralise_row(getter(row) for _, _, getter in columns))
    return out.getvalue()


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, COORDINATE_DECIMALS)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _properties(row: dict[str, Any]) -> dict[str, Any]:
    households, needs = row["households"], row["needs"]
    props: dict[str, Any] = {
        "code": row["code"], "name": row["name"],
        "kecamatan": (row.get("kecamatan") or {}).get("name"),
        "households_affected": households["affected"], "people_affected": households["people"],
        "households_waiting": households["waiting"], "households_in_progress": households["in_progress"],
        "households_served": households["served"], "households_received_aid": households["received_aid"],
        "needs_total": needs["total"] - needs["cancelled"], "needs_waiting": needs["waiting"],
        "needs_in_progress": needs["in_progress"], "needs_served": needs["served"],
    }
    props.update({f"waiting_{c}": row["needs_by_category"][c]["waiting"] for c in CATEGORIES})
    props.update({f"waiting_p{p}": row["needs_by_priority"][str(p)]["waiting"] for p in PRIORITIES})
    for key in ("to_accepted", "to_done"):
        props[f"minutes_{key}_median"] = row["response_minutes"][key]["median_minutes"]
        props[f"minutes_{key}_p90"] = row["response_minutes"][key]["p90_minutes"]
    props["oldest_waiting_since"] = row["oldest_waiting_since"]
    return props


def to_geojson(session: Session, report: dict[str, Any]) -> dict[str, Any]:
    codes = [row["code"] for row in report["kelurahan"] if row["code"]]
    boundaries = dict(session.execute(
        select(AdminArea.code, AdminArea.boundary).where(AdminArea.code.in_(codes))).all()) if codes else {}
    features = []
    outside = None
    for row in report["kelurahan"]:
        boundary = boundaries.get(row["code"])
        if boundary is None:
            outside = _properties(row)
            continue
        geometry = area_to_geojson(to_shape(boundary))
        geometry["coordinates"] = _rounded(geometry["coordinates"])
        features.append({"type": "Feature", "id": row["code"], "geometry": geometry, "properties": _properties(row)})
    return {
        "type": "FeatureCollection",
        "features": features,
        # RFC 7946 foreign members: what the map rests on, and the households no kelurahan holds.
        "event": report["event"],
        "generated_at": report["generated_at"],
        "audit": report["audit"],
        "totals": _properties({**report["totals"], "code": None, "name": None}),
        "outside_kelurahan": outside,
    }
