"""Region boundaries as data (the region pack's boundaries GeoJSON, `packs/kota-tangerang/boundaries-3671.geojson`
with README-boundaries.md beside it) and their drawing as SVG paths: a map of the kelurahan needs no tiles, no
script and no outside server. Every reader of the boundaries (the drawings here, the point-in-polygon of
regions.locate) finds the file through `boundary_features`."""

import functools
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kotalive.regions.pack import region_pack_file


def _features(region_code: str) -> tuple[dict[str, Any], ...]:
    path = region_pack_file("boundaries", region_code)
    return _read_features(path) if path is not None else ()


@functools.cache
def _read_features(path: Path) -> tuple[dict[str, Any], ...]:
    if not path.exists():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


def boundary_features(region_code: str) -> tuple[dict[str, Any], ...]:
    """The GeoJSON features (kota, kecamatan, kelurahan) of the region's boundary file; empty without one."""
    return _features(region_code)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def kelurahan_points(region_code: str) -> list[tuple[str, float, float]]:
    """(code, latitude, longitude) of a point inside each kelurahan of the region (its label point)."""
    return [
        (f["properties"]["code"], f["properties"]["label_point"][1], f["properties"]["label_point"][0])
        for f in _features(region_code)
        if f["properties"].get("level") == "kelurahan" and f["properties"].get("label_point")
    ]


# --- the city map: city outline, kecamatan and kelurahan with their names -------------------------------------------

# Label sizes in drawing units; web/static/web/site.css uses the same sizes in its container queries. Shown wide
# (about 1 unit a pixel) the kecamatan names are 12 units and the kelurahan names 8, drawn only where they fit; on a
# phone the kecamatan names are 22 units, and are moved apart where they would cover one another at that size.
KECAMATAN_FONT = 12.0
KECAMATAN_FONT_NARROW = 22.0
KELURAHAN_FONT = 8.0
CHAR_WIDTH = 0.56  # average glyph width of a sans-serif face, in ems
MARGIN = 0.03  # room around the city, as a share of its extent
# Where a kecamatan name may move to clear another, in font sizes from its label point, nearest first.
NUDGES = [(dx, dy) for dy in (0.0, 1.0, -1.0, 2.0, -2.0) for dx in (0.0, -1.5, 1.5, -3.0, 3.0)]

Box = tuple[float, float, float, float]
XY = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Frame:
    """A drawing's window on the ground, `width` units wide: equirectangular, x scaled by the cosine of the middle
    latitude so shapes keep their proportions (at city scale the error is far below a pixel)."""

    south: float
    west: float
    north: float
    east: float
    width: int

    @property
    def height(self) -> int:
        squeeze = math.cos(math.radians((self.south + self.north) / 2))
        return round(self.width * (self.north - self.south) / ((self.east - self.west) * squeeze))

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """Drawing coordinates of a point; the browser inverts this linear map (web/static/web/complaint-map.js)."""
        return (
            (lon - self.west) / (self.east - self.west) * self.width,
            (self.north - lat) / (self.north - self.south) * self.height,
        )


@dataclass(frozen=True)
class DrawnRegion:
    code: str
    name: str
    parent: str  # the kecamatan of a kelurahan, the kota of a kecamatan
    parent_name: str
    path: str  # SVG path data, one subpath a ring (holes and the parts of a MultiPolygon included: even-odd)
    label_x: float
    label_y: float
    # How far a kecamatan's name moves on a phone to clear the others (the page shows it moved below 40rem).
    narrow_dx: float
    narrow_dy: float
    label_fits: bool  # a kelurahan's name fits inside it without covering another label (at KELURAHAN_FONT)


@dataclass(frozen=True)
class Drawing:
    frame: Frame
    city: tuple[DrawnRegion, ...]
    kecamatan: tuple[DrawnRegion, ...]
    kelurahan: tuple[DrawnRegion, ...]


def ring_crosses(ring: Sequence[Sequence[float]], x: float, y: float) -> bool:
    """Ray casting: whether a ray from (x, y) towards +x crosses the ring an odd number of times. A point is inside
    a shape when an odd number of its rings say so (even-odd: holes and the parts of a MultiPolygon count right);
    regions.locate and complaint-map.js test the same way."""
    inside = False
    x2, y2 = ring[-1][0], ring[-1][1]
    for point in ring:
        x1, y1 = point[0], point[1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
        x2, y2 = x1, y1
    return inside


def _tenths(n: int) -> str:
    """A whole number of tenths as SVG's shortest number: 12 -> "1.2", -5 -> "-.5", 30 -> "3"."""
    whole, tenth = divmod(abs(n), 10)
    sign = "-" if n < 0 else ""
    return f"{sign}{whole}" if not tenth else f"{sign}{whole or ''}.{tenth}"


def _path(rings: list[XY]) -> str:
    """Rings as SVG subpaths, "Mx,y l dx,dy dx,dy ... Z": the first point, then each step from the one before (the
    shape complaint-map.js and path_rings read), to a tenth of a unit (about 4 m of ground at 600 units wide), points
    that round onto the previous one dropped. The steps are taken between the rounded points, in whole tenths, so
    nothing drifts along a ring; they are a third shorter to write than the points themselves. Whole units would
    be lighter still, but the browser's point-in-polygon over them would then disagree with the server's over the
    exact rings for about one pin in fifty (against one in four hundred)."""
    parts = []
    for ring in rings:
        kept: list[tuple[int, int]] = []
        for x, y in ring:
            point = (round(x * 10), round(y * 10))
            if not kept or kept[-1] != point:
                kept.append(point)
        if len(kept) >= 3:
            steps = " ".join(f"{_tenths(b[0] - a[0])},{_tenths(b[1] - a[1])}" for a, b in itertools.pairwise(kept))
            parts.append(f"M{_tenths(kept[0][0])},{_tenths(kept[0][1])}l{steps}Z")
    return "".join(parts)


def path_rings(path: str) -> list[list[tuple[float, float]]]:
    """The rings of a path _path wrote, in drawing units (what complaint-map.js reads back in the browser)."""
    rings = []
    for subpath in filter(None, path.split("M")):
        start, _l, steps = subpath.rstrip("Z").partition("l")
        x, y = (round(float(n) * 10) for n in start.split(","))
        ring = [(x, y)]
        for step in steps.split():
            dx, dy = (round(float(n) * 10) for n in step.split(","))
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append([(px / 10, py / 10) for px, py in ring])
    return rings


def _box(x: float, y: float, text: str, size: float) -> Box:
    half = len(text) * CHAR_WIDTH * size / 2
    return x - half, y - size * 0.8, x + half, y + size * 0.3


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _spread(names: list[tuple[str, float, float, list[XY]]], frame: Frame) -> list[tuple[float, float]]:
    """Label points for the kecamatan names that keep them apart at the phone's size: each name at its label
    point, or moved by the nearest of NUDGES that clears the names placed before it, stays inside its kecamatan
    and inside the drawing."""
    placed: list[Box] = []
    points = []
    for name, x0, y0, rings in names:
        size = KECAMATAN_FONT_NARROW
        chosen = (x0, y0)
        for dx, dy in NUDGES:
            x, y = x0 + dx * size, y0 + dy * size
            box = _box(x, y, name, size)
            inside = sum(ring_crosses(ring, x, y - size * 0.3) for ring in rings) % 2 == 1
            if (
                inside
                and box[0] >= 0
                and box[2] <= frame.width
                and box[1] >= 0
                and box[3] <= frame.height
                and not any(_overlaps(box, other) for other in placed)
            ):
                chosen = (x, y)
                break
        placed.append(_box(chosen[0], chosen[1], name, size))
        points.append(chosen)
    return points


@functools.cache
def region_drawing(region_code: str, width: int = 600) -> Drawing | None:
    """The region's city outline, kecamatan and kelurahan as SVG paths in a `width`-wide drawing framed on the
    city (with a small margin), with their label points; None without boundary data."""
    features = sorted(
        (f for f in _features(region_code) if f["properties"].get("level") in ("kota", "kecamatan", "kelurahan")),
        key=lambda f: str(f["properties"]["code"]),
    )
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    if not points:
        return None
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    dx, dy = (east - west) * MARGIN, (north - south) * MARGIN
    frame = Frame(south=south - dy, west=west - dx, north=north + dy, east=east + dx, width=width)
    names = {str(f["properties"]["code"]): str(f["properties"]["name"]) for f in features}

    def rings_of(feature: dict[str, Any]) -> list[XY]:
        return [tuple(frame.project(p[1], p[0]) for p in ring) for ring in _rings(feature["geometry"])]

    def label_of(feature: dict[str, Any]) -> tuple[float, float]:
        point = feature["properties"].get("label_point") or _rings(feature["geometry"])[0][0]
        return frame.project(point[1], point[0])

    def drawn(
        feature: dict[str, Any],
        label: tuple[float, float],
        fits: bool = False,
        narrow: tuple[float, float] | None = None,
    ) -> DrawnRegion:
        code = str(feature["properties"]["code"])
        parent = code.rsplit(".", 1)[0]
        return DrawnRegion(
            code=code,
            name=str(feature["properties"]["name"]),
            parent=parent,
            parent_name=names.get(parent, ""),
            path=_path(rings_of(feature)),
            label_x=round(label[0], 1),
            label_y=round(label[1], 1),
            narrow_dx=round(narrow[0] - label[0], 1) if narrow else 0.0,
            narrow_dy=round(narrow[1] - label[1], 1) if narrow else 0.0,
            label_fits=fits,
        )

    level = {f["properties"]["code"]: f["properties"]["level"] for f in features}
    city = [f for f in features if level[f["properties"]["code"]] == "kota"]
    kecamatan_features = [f for f in features if level[f["properties"]["code"]] == "kecamatan"]
    spread = _spread([(str(f["properties"]["name"]), *label_of(f), rings_of(f)) for f in kecamatan_features], frame)
    kecamatan = [drawn(f, label_of(f), narrow=moved) for f, moved in zip(kecamatan_features, spread, strict=True)]
    taken = [_box(k.label_x, k.label_y, k.name, KECAMATAN_FONT) for k in kecamatan]
    kelurahan = []
    for feature in (f for f in features if level[f["properties"]["code"]] == "kelurahan"):
        x, y = label_of(feature)
        box = _box(x, y, str(feature["properties"]["name"]), KELURAHAN_FONT)
        xs = [p[0] for ring in rings_of(feature) for p in ring]
        # Inside the kelurahan's own width, and clear of every kecamatan name and kelurahan name placed so far.
        fits = min(xs) <= box[0] and box[2] <= max(xs) and not any(_overlaps(box, other) for other in taken)
        if fits:
            taken.append(box)
        kelurahan.append(drawn(feature, (x, y), fits))
    return Drawing(
        frame=frame,
        city=tuple(drawn(f, label_of(f)) for f in city),
        kecamatan=tuple(kecamatan),
        kelurahan=tuple(kelurahan),
    )
