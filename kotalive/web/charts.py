"""Charts drawn as SVG on the server (no script, no tiles): each goes with a data table on its page, which is what
a screen reader reads; the SVG carries a title saying so."""

from typing import Any

from django.conf import settings

from kotalive.regions.boundaries import region_drawing
from kotalive.regions.models import Region

CHART_WIDTH, CHART_HEIGHT, MARGIN = 640, 220, 28
MAP_WIDTH = 600  # the complaint map's drawing width (complaints.mapview), so both read alike


def line_chart(rows: list[dict[str, Any]], series: list[tuple[str, str]], *, x_key: str) -> dict[str, Any]:
    """Lines over `rows` (one point a row) for each (key, label) of `series`, scaled to the largest value; the
    first, middle and last rows label the x axis. `empty` when there is nothing to draw (no rows, or every value
    zero): the page says "nothing yet" in a sentence instead of an empty chart area (web/_linechart.html)."""
    largest = max((int(row[key]) for row in rows for key, _label in series), default=0)
    top = largest or 1
    count = max(len(rows) - 1, 1)
    inner_w, inner_h = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN

    def x(i: int) -> float:
        return round(MARGIN + inner_w * i / count, 1)

    def y(value: int) -> float:
        return round(MARGIN + inner_h * (1 - value / top), 1)

    lines = [
        {
            "key": key,
            "label": label,
            "n": n,
            "points": " ".join(f"{x(i)},{y(int(row[key]))}" for i, row in enumerate(rows)),
        }
        for n, (key, label) in enumerate(series, start=1)
    ]
    ticks = sorted({0, len(rows) // 2, len(rows) - 1}) if rows else []
    return {
        "empty": largest == 0,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "lines": lines,
        "top": top,
        "top_y": y(top),
        "base_y": y(0),
        "x_labels": [{"x": x(i), "label": rows[i][x_key]} for i in ticks],
        "left": MARGIN,
        "right": CHART_WIDTH - MARGIN,
    }


def report_map(counts: dict[str, int]) -> dict[str, Any] | None:
    """The city as the complaint map draws it (regions.boundaries.region_drawing: its outline, kecamatan and kelurahan
    with their names, offline), each kelurahan shaded by its reports from 0 (none) to 4 (the most), with the legend's
    range of reports per shade; None without boundary data. The page's table holds the same numbers."""
    drawing = region_drawing(settings.KOTALIVE_REGION_CODE, MAP_WIDTH)
    if drawing is None:
        return None
    top = max((counts.get(k.code, 0) for k in drawing.kelurahan), default=0)

    def shade(count: int) -> int:
        return 0 if not count or not top else 1 + (3 * count) // top

    kelurahan: list[dict[str, Any]] = [
        {"region": k, "count": counts.get(k.code, 0), "shade": shade(counts.get(k.code, 0))} for k in drawing.kelurahan
    ]
    spans: dict[int, list[int]] = {}
    for k in kelurahan:
        spans.setdefault(k["shade"], []).append(k["count"])
    legend = [{"shade": n, "low": min(spans[n]), "high": max(spans[n])} for n in sorted(spans)]
    return {
        "width": drawing.frame.width,
        "height": drawing.frame.height,
        "drawing": drawing,
        "kelurahan": kelurahan,
        "legend": legend,
    }


def kelurahan_named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row of reports per kelurahan (dashboard.public.kelurahan_rows) the kelurahan's `name`."""
    names = dict(Region.objects.filter(code__in=[r["kelurahan"] for r in rows]).values_list("code", "name"))
    for row in rows:
        row["name"] = names.get(row["kelurahan"], row["kelurahan"])
    return rows
