"""The report's first-page figures as plain geometry, drawn by the web page (SVG) and the PDF
(fpdf2) alike: the kelurahan map shaded by households still waiting, needs reported vs served
per day, and the response-time distribution.

Everything is in a figure's own units (x to the right, y down, origin top left), so the page
writes the numbers into ``<svg viewBox>`` and the PDF scales them to millimetres. No tiles, no
internet, no script: the kelurahan boundaries come from the database, projected here
(equirectangular, x shrunk by cos(latitude): at Palangka Raya's 2° south that is true to
shape) and simplified to what a page-wide map can show. No household point is drawn.
"""

from __future__ import annotations

import math
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.areas.models import AdminArea

# Waiting households, none → many: light to dark orange (ColorBrewer "Oranges", 5 classes);
# the darkest two carry white labels.
MAP_COLOURS = ("#f1f3f5", "#fdd0a2", "#fdae6b", "#f16913", "#a63603")
NO_DATA_COLOUR = "#ffffff"
REPORTED_COLOUR = "#4a6fa5"
SERVED_COLOUR = "#2e8b57"
ACCEPTED_COLOUR = "#d6602a"
MAP_WIDTH = 600.0
MAP_MAX_HEIGHT = 560.0
CHART_WIDTH = 460.0
CHART_HEIGHT = 220.0
MARGIN = {"left": 40.0, "right": 6.0, "top": 10.0, "bottom": 26.0}


def boundaries(session: Session, codes: list[str]) -> dict[str, Any]:
    """Shapely geometries of the kelurahan with these codes (those that have a boundary)."""
    if not codes:
        return {}
    rows = session.execute(select(AdminArea.code, AdminArea.boundary).where(AdminArea.code.in_(codes)))
    return {code: to_shape(boundary) for code, boundary in rows if boundary is not None}


def nice_step(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … at least ``value``."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return int(factor * power)
    return int(10 * power)


def map_classes(maximum: int) -> list[tuple[int, int | None]]:
    """The shading classes as (from, to) counts of waiting households: 0, then four equal,
    round steps up to the largest count (the last open-ended)."""
    step = nice_step(maximum / 4) if maximum > 0 else 1
    return [(0, 0), (1, step), (step + 1, 2 * step), (2 * step + 1, 3 * step), (3 * step + 1, None)]


def map_class(waiting: int, classes: list[tuple[int, int | None]]) -> int:
    for index, (low, high) in enumerate(classes):
        if waiting >= low and (high is None or waiting <= high):
            return index
    return len(classes) - 1


def _rings(geometry) -> list[list[tuple[float, float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    return [list(polygon.exterior.coords) for polygon in polygons if not polygon.is_empty]


def kelurahan_map(report: dict[str, Any], shapes: dict[str, Any], width: float = MAP_WIDTH,
                  max_height: float = MAP_MAX_HEIGHT) -> dict[str, Any] | None:
    """The map: one area per kelurahan of the report that has a boundary, its rings projected
    and simplified, its shading class by households waiting, and where its name goes."""
    rows = [row for row in report["kelurahan"] if row["code"] in shapes]
    if not rows:
        return None
    minx = min(shapes[r["code"]].bounds[0] for r in rows)
    miny = min(shapes[r["code"]].bounds[1] for r in rows)
    maxx = max(shapes[r["code"]].bounds[2] for r in rows)
    maxy = max(shapes[r["code"]].bounds[3] for r in rows)
    shrink = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = max((maxx - minx) * shrink, 1e-6), max(maxy - miny, 1e-6)
    pad = 6.0
    scale = min((width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
    height = span_y * scale + 2 * pad
    width = span_x * scale + 2 * pad  # the map's own width: a tall city is not padded sideways
    tolerance = 1.2 / scale  # degrees: about a unit of the figure

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (round(pad + (lon - minx) * shrink * scale, 1), round(pad + (maxy - lat) * scale, 1))

    classes = map_classes(max(r["households"]["waiting"] for r in rows))
    areas = []
    for row in rows:
        geometry = shapes[row["code"]]
        simple = geometry.simplify(tolerance, preserve_topology=True)
        rings = [[project(x, y) for x, y in ring] for ring in _rings(simple if not simple.is_empty else geometry)]
        point = geometry.representative_point()
        waiting = row["households"]["waiting"]
        shade = map_class(waiting, classes)
        areas.append({
            "code": row["code"], "name": row["name"], "waiting": waiting,
            "affected": row["households"]["affected"], "class": shade, "colour": MAP_COLOURS[shade],
            "dark": shade >= 3, "rings": rings, "label": project(point.x, point.y),
            "d": " ".join("M" + " L".join(f"{x} {y}" for x, y in ring) + " Z" for ring in rings),
        })
    return {"width": round(width, 1), "height": round(height, 1), "areas": areas,
            "legend": [{"class": i, "colour": MAP_COLOURS[i], "from": low, "to": high}
                       for i, (low, high) in enumerate(classes)]}


def _axis(maximum: int) -> tuple[int, list[int]]:
    """A round top for the value axis and its ticks (0 and up to four steps)."""
    step = nice_step(maximum / 4) if maximum > 0 else 1
    top = step * max(1, math.ceil(maximum / step))
    return top, list(range(0, top + 1, step))


def bar_chart(categories: list[str], series: list[tuple[str, str, list[int]]],
              width: float = CHART_WIDTH, height: float = CHART_HEIGHT) -> dict[str, Any]:
    """Grouped vertical bars: one group per category, one bar per series (key, colour, values).
    Returns the bars, the value ticks and where each category's label goes."""
    left, right, top, bottom = MARGIN["left"], MARGIN["right"], MARGIN["top"], MARGIN["bottom"]
    plot_w, plot_h = width - left - right, height - top - bottom
    maximum = max((v for _key, _colour, values in series for v in values), default=0)
    top_value, ticks = _axis(maximum)
    group = plot_w / max(1, len(categories))
    bar = min(24.0, group * 0.8 / max(1, len(series)))
    bars = []
    for i, _category in enumerate(categories):
        start = left + i * group + (group - bar * len(series)) / 2
        for j, (key, colour, values) in enumerate(series):
            value = values[i]
            h = plot_h * value / top_value
            bars.append({"series": key, "index": i, "value": value, "colour": colour,
                         "x": round(start + j * bar, 2), "y": round(top + plot_h - h, 2),
                         "w": round(bar * 0.92, 2), "h": round(h, 2)})
    # Label every category when they fit, else every n-th.
    every = max(1, math.ceil(len(categories) * 52 / plot_w))
    labels = [{"text": c, "x": round(left + (i + 0.5) * group, 2), "y": round(top + plot_h + 16, 2)}
              for i, c in enumerate(categories) if i % every == 0]
    return {"width": width, "height": height, "left": left, "top": top, "plot_w": plot_w, "plot_h": plot_h,
            "bottom_y": top + plot_h, "bars": bars, "labels": labels,
            "ticks": [{"value": t, "y": round(top + plot_h - plot_h * t / top_value, 2)} for t in ticks],
            "series": [{"key": key, "colour": colour} for key, colour, _values in series]}


def timeline_chart(report: dict[str, Any], day_label) -> dict[str, Any] | None:
    """Needs reported and served per day; ``day_label`` words an ISO date for the axis."""
    rows = report.get("timeline") or []
    if not rows:
        return None
    return bar_chart([day_label(r["date"]) for r in rows],
                     [("reported", REPORTED_COLOUR, [r["reported"] for r in rows]),
                      ("served", SERVED_COLOUR, [r["served"] for r in rows])])


def response_chart(report: dict[str, Any], span_label) -> dict[str, Any] | None:
    """Needs per span of minutes to accepted and to done; ``span_label(low, high)`` words a span."""
    dist = report.get("response_distribution")
    if not dist or not (sum(dist["to_accepted"]) or sum(dist["to_done"])):
        return None
    edges = dist["bucket_minutes"]
    spans = [span_label(low, edges[i + 1] if i + 1 < len(edges) else None) for i, low in enumerate(edges)]
    return bar_chart(spans, [("to_accepted", ACCEPTED_COLOUR, dist["to_accepted"]),
                             ("to_done", SERVED_COLOUR, dist["to_done"])])
