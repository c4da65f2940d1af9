"""Region boundaries as data (`regions/data/boundaries-<code>.geojson`, README-boundaries.md beside it) and their
drawing as SVG paths: a map of the kelurahan needs no tiles, no script and no outside server."""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    level: str
    path: str  # SVG path data in the drawing's coordinates


@functools.cache
def _features(region_code: str) -> tuple[dict[str, Any], ...]:
    path = DATA_DIR / f"boundaries-{region_code.replace('.', '')}.geojson"
    if not path.exists():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


@functools.cache
def region_shapes(region_code: str, width: int = 640) -> tuple[tuple[Shape, ...], int, int]:
    """The kelurahan and kecamatan of the region as SVG paths in a `width`-wide drawing (equirectangular, x scaled
    by the cosine of the middle latitude so the shapes keep their proportions), with the drawing's height."""
    features = [f for f in _features(region_code) if f["properties"].get("level") in ("kelurahan", "kecamatan")]
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    if not points:
        return (), width, 0
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = width / ((east - west) * squeeze)
    height = math.ceil((north - south) * scale)

    def xy(point: list[float]) -> str:
        return f"{(point[0] - west) * squeeze * scale:.1f},{(north - point[1]) * scale:.1f}"

    shapes = []
    for feature in features:
        rings = _rings(feature["geometry"])
        path = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for ring in rings)
        props = feature["properties"]
        shapes.append(Shape(props["code"], props["name"], props["level"], path))
    return tuple(shapes), width, height


def kelurahan_points(region_code: str) -> list[tuple[str, float, float]]:
    """(code, latitude, longitude) of a point inside each kelurahan of the region (its label point)."""
    return [
        (f["properties"]["code"], f["properties"]["label_point"][1], f["properties"]["label_point"][0])
        for f in _features(region_code)
        if f["properties"].get("level") == "kelurahan" and f["properties"].get("label_point")
    ]
