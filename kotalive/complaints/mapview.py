"""A map of reports that needs no JavaScript and no network: an SVG of the city drawn from the region's boundary
data (regions.boundaries: the city outline, kecamatan and kelurahan with their names) with one mark per report, over
map tiles when KOTALIVE_MAP_TILE_URL names a tile server ({z}/{x}/{y}). Without boundary data the drawing is the
city's bounding box (complaints.reference) with the marks only."""

import math
from dataclasses import dataclass

from django.conf import settings

from kotalive.complaints.reference import city_bounds
from kotalive.regions.boundaries import Drawing, Frame, region_drawing

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
class Pin:
    x: float
    y: float


@dataclass(frozen=True)
class CityMap:
    width: int
    height: int
    dots: list[Dot]
    tiles: list[Tile]
    frame: Frame  # south, west, north, east: the browser turns a tap into a point with them
    drawing: Drawing | None  # the city's shapes; None without boundary data
    pin: Pin | None = None
    kelurahan: str = ""  # the kelurahan to mark (the report's, or the one chosen on the form)

    @property
    def kecamatan(self) -> str:
        """The code of the marked kelurahan's kecamatan (a small map names only that one)."""
        return self.kelurahan.rsplit(".", 1)[0] if self.kelurahan else ""


def _drawing() -> Drawing | None:
    return region_drawing(settings.KOTALIVE_REGION_CODE, WIDTH)


def _frame() -> Frame:
    drawing = _drawing()
    if drawing is not None:
        return drawing.frame
    south, west, north, east = city_bounds()
    return Frame(south=south, west=west, north=north, east=east, width=WIDTH)


def project(lat: float, lon: float) -> tuple[float, float]:
    """SVG coordinates of a point in the city map's drawing."""
    return _frame().project(lat, lon)


def _tile_corner(x: int, y: int, zoom: int) -> tuple[float, float]:
    n = 2**zoom
    lon = x / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lon


def _tiles() -> list[Tile]:
    template = settings.KOTALIVE_MAP_TILE_URL
    if not template:
        return []
    frame = _frame()
    south, west, north, east = frame.south, frame.west, frame.north, frame.east
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
            x0, y0 = frame.project(top_lat, left_lon)
            x1, y1 = frame.project(bottom_lat, right_lon)
            url = template.replace("{z}", str(TILE_ZOOM)).replace("{x}", str(x)).replace("{y}", str(y))
            tiles.append(Tile(url=url, x=x0, y=y0, width=x1 - x0, height=y1 - y0))
    return tiles


def city_map(
    points: list[tuple[float | None, float | None, str, str]],
    *,
    pin: tuple[float | None, float | None] | None = None,
    kelurahan: str = "",
) -> CityMap:
    """`points`: (lat, lon, label, public status); points without a position are left out. `pin`: (lat, lon) of the
    place to mark (a report's, or the form's), left out without a position or outside the drawing; `kelurahan`: the
    code of the kelurahan to mark."""
    frame = _frame()
    dots = []
    for lat, lon, label, status in points:
        if lat is None or lon is None:
            continue
        x, y = frame.project(lat, lon)
        dots.append(Dot(x=round(x, 1), y=round(y, 1), label=label, status=status))
    marked = None
    if pin is not None and pin[0] is not None and pin[1] is not None:
        x, y = frame.project(pin[0], pin[1])
        if 0 <= x <= frame.width and 0 <= y <= frame.height:
            marked = Pin(x=round(x, 1), y=round(y, 1))
    return CityMap(
        width=frame.width,
        height=frame.height,
        dots=dots,
        tiles=_tiles(),
        frame=frame,
        drawing=_drawing(),
        pin=marked,
        kelurahan=kelurahan,
    )
