"""Charts drawn as SVG on the server (no script, no tiles): each goes with a data table on its page, which is what
a screen reader reads; the SVG carries a title saying so."""

from typing import Any

from django.conf import settings

from kotalive.regions.boundaries import region_shapes
from kotalive.regions.models import Region

CHART_WIDTH, CHART_HEIGHT, MARGIN = 640, 220, 28


def line_chart(rows: list[dict[str, Any]], series: list[tuple[str, str]], *, x_key: str) -> dict[str, Any]:
    """Lines over `rows` (one point a row) for each (key, label) of `series`, scaled to the largest value; the
    first, middle and last rows label the x axis."""
    top = max((int(row[key]) for row in rows for key, _label in series), default=0) or 1
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
    """The region's kelurahan shaded by their reports (0-4), kecamatan outlined; None without boundary data."""
    shapes, width, height = region_shapes(settings.KOTALIVE_REGION_CODE)
    if not shapes:
        return None
    top = max(counts.values(), default=0)
    kelurahan = [
        {
            "shape": s,
            "count": counts.get(s.code, 0),
            "shade": 0 if not counts.get(s.code) else 1 + (3 * counts[s.code]) // max(top, 1),
        }
        for s in shapes
        if s.level == "kelurahan"
    ]
    return {
        "width": width,
        "height": height,
        "kelurahan": kelurahan,
        "kecamatan": [s for s in shapes if s.level == "kecamatan"],
    }


def kelurahan_named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row of reports per kelurahan (dashboard.public.kelurahan_rows) the kelurahan's `name`."""
    names = dict(Region.objects.filter(code__in=[r["kelurahan"] for r in rows]).values_list("code", "name"))
    for row in rows:
        row["name"] = names.get(row["kelurahan"], row["kelurahan"])
    return rows
