"""A map of reports that needs no JavaScript and no network: an SVG of the city's bounding box with one dot per
report, over map tiles when KOTALIVE_MAP_TILE_URL names a tile server ({z}/{x}/{y}). Without tiles the page still
shows where reports are, relative to each other and to the city's edges."""

import math
from dataclasses import dataclass

from django.conf import settings

from kotalive.complaints.reference import city_bounds

WIDTH = 600
TILE_ZOOM = 12


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    status: str


@dataclass(frozen=True)
class Tile:
    url: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class CityMap:
    width: int
    height: int
    dots: list[Dot]
    tiles: list[Tile]


def _height() -> int:
    south, west, north, east = city_bounds()
    middle = math.radians((south + north) / 2)
    return round(WIDTH * (north - south) / ((east - west) * math.cos(middle)))


def project(lat: float, lon: float) -> tuple[float, float]:
    """SVG coordinates of a point (a plain scaled projection: at city scale the error is far below a dot)."""
    south, west, north, east = city_bounds()
    return (lon - west) / (east - west) * WIDTH, (north - lat) / (north - south) * _height()


def _tile_corner(x: int, y: int, zoom: int) -> tuple[float, float]:
    n = 2**zoom
    lon = x / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lon


def _tiles() -> list[Tile]:
    template = settings.KOTALIVE_MAP_TILE_URL
    if not template:
        return []
    south, west, north, east = city_bounds()
    n = 2**TILE_ZOOM

    def tile_x(lon: float) -> int:
        return int((lon + 180) / 360 * n)

    def tile_y(lat: float) -> int:
        rad = math.radians(lat)
        return int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * n)

    tiles = []
    for x in range(tile_x(west), tile_x(east) + 1):
        for y in range(tile_y(north), tile_y(south) + 1):
            top_lat, left_lon = _tile_corner(x, y, TILE_ZOOM)
            bottom_lat, right_lon = _tile_corner(x + 1, y + 1, TILE_ZOOM)
            x0, y0 = project(top_lat, left_lon)
            x1, y1 = project(bottom_lat, right_lon)
            url = template.replace("{z}", str(TILE_ZOOM)).replace("{x}", str(x)).replace("{y}", str(y))
            tiles.append(Tile(url=url, x=x0, y=y0, width=x1 - x0, height=y1 - y0))
    return tiles


def city_map(points: list[tuple[float | None, float | None, str, str]]) -> CityMap:
    """`points`: (lat, lon, label, public status); points without a position are left out."""
    dots = []
    for lat, lon, label, status in points:
        if lat is None or lon is None:
            continue
        x, y = project(lat, lon)
        dots.append(Dot(x=round(x, 1), y=round(y, 1), label=label, status=status))
    return CityMap(width=WIDTH, height=_height(), dots=dots, tiles=_tiles())
