"""Which kelurahan (and kecamatan) holds a point: ray casting over the rings of the region's boundary data
(regions.boundaries), holes and MultiPolygons included. The browser runs the same test over the same shapes as drawn
on the map (web/static/web/complaint-map.js), so a pin fills in the kelurahan before the form is sent; the server
decides again on submission (complaints.services), which is what counts and what works without JavaScript."""

import functools
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from kotalive.regions.boundaries import boundary_features, ring_crosses

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude), as GeoJSON orders them
Polygon = tuple[Ring, ...]  # the outer ring, then its holes
METRES_PER_DEGREE = 111_320


@dataclass(frozen=True)
class Place:
    kelurahan: str
    kelurahan_name: str
    kecamatan: str
    kecamatan_name: str


@dataclass(frozen=True)
class _Area:
    code: str
    name: str
    kecamatan: str
    west: float
    south: float
    east: float
    north: float
    polygons: tuple[Polygon, ...]


def _polygons(geometry: dict[str, Any]) -> tuple[Polygon, ...]:
    kind, coordinates = geometry["type"], geometry["coordinates"]
    parts = [coordinates] if kind == "Polygon" else list(coordinates) if kind == "MultiPolygon" else []
    return tuple(tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in polygon) for polygon in parts)


@functools.cache
def _index(region_code: str) -> tuple[tuple[_Area, ...], dict[str, str]]:
    """The region's kelurahan with their bounding boxes (in code order), and the kecamatan names by code."""
    features = boundary_features(region_code)
    names = {str(f["properties"]["code"]): str(f["properties"]["name"]) for f in features}
    areas = []
    for feature in sorted(features, key=lambda f: str(f["properties"]["code"])):
        if feature["properties"].get("level") != "kelurahan":
            continue
        polygons = _polygons(feature["geometry"])
        points = [p for polygon in polygons for ring in polygon for p in ring]
        if not points:
            continue
        code = str(feature["properties"]["code"])
        areas.append(
            _Area(
                code=code,
                name=str(feature["properties"]["name"]),
                kecamatan=code.rsplit(".", 1)[0],
                west=min(p[0] for p in points),
                south=min(p[1] for p in points),
                east=max(p[0] for p in points),
                north=max(p[1] for p in points),
                polygons=polygons,
            )
        )
    return tuple(areas), names


def _contains(area: _Area, lat: float, lon: float) -> bool:
    if not (area.west <= lon <= area.east and area.south <= lat <= area.north):
        return False
    # Even-odd over a polygon's rings: inside its outer ring and in none of its holes.
    return any(sum(ring_crosses(ring, lon, lat) for ring in polygon) % 2 == 1 for polygon in area.polygons)


@functools.lru_cache(maxsize=4096)  # a pin is looked up by the form, again on submission, and by the report page
def _kelurahan_at(region_code: str, lat: float, lon: float) -> Place | None:
    areas, names = _index(region_code)
    for area in areas:
        # Where the data's kelurahan overlap (slivers along a few borders), the first in code order holds the point.
        if _contains(area, lat, lon):
            return Place(area.code, area.name, area.kecamatan, names.get(area.kecamatan, area.kecamatan))
    return None


def kelurahan_at(lat: float, lon: float, *, region_code: str | None = None) -> Place | None:
    """The kelurahan of the region (the deployment's by default) that holds the point, with its kecamatan; None
    outside every kelurahan or without boundary data."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    return _kelurahan_at(region_code or settings.KOTALIVE_REGION_CODE, lat, lon)


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def distance_to_kelurahan_m(code: str, lat: float, lon: float, *, region_code: str | None = None) -> float | None:
    """Metres from the point to the kelurahan `code` (0 inside it); None when the boundary data do not have it."""
    areas, _names = _index(region_code or settings.KOTALIVE_REGION_CODE)
    area = next((a for a in areas if a.code == code), None)
    if area is None:
        return None
    if _contains(area, lat, lon):
        return 0.0
    # A local flat projection around the point, in metres: exact enough over a few kilometres.
    squeeze = math.cos(math.radians(lat))
    best = math.inf
    for polygon in area.polygons:
        for ring in polygon:
            previous = ring[-1]
            for point in ring:
                best = min(
                    best,
                    _segment_distance(
                        0.0,
                        0.0,
                        (previous[0] - lon) * squeeze,
                        previous[1] - lat,
                        (point[0] - lon) * squeeze,
                        point[1] - lat,
                    ),
                )
                previous = point
    return best * METRES_PER_DEGREE
