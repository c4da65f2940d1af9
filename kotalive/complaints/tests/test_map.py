"""The city map: dots placed inside the drawing, tiles only when a tile server is configured."""

import pytest

from kotalive.complaints.mapview import city_map, project
from kotalive.complaints.reference import city_bounds


def test_points_land_inside_the_map_and_corners_on_its_edges():
    south, west, north, east = city_bounds()
    drawn = city_map([(-6.18, 106.63, "A", "proses"), (None, None, "no pin", "menunggu")])
    assert len(drawn.dots) == 1
    dot = drawn.dots[0]
    assert 0 < dot.x < drawn.width
    assert 0 < dot.y < drawn.height
    assert project(north, west) == (0, 0)
    x, y = project(south, east)
    assert round(x) == drawn.width
    assert round(y) == drawn.height


def test_no_tiles_without_a_tile_server(settings):
    settings.KOTALIVE_MAP_TILE_URL = ""
    assert city_map([]).tiles == []


@pytest.mark.parametrize("template", ["https://tiles.example/{z}/{x}/{y}.png"])
def test_tiles_cover_the_city_when_configured(settings, template):
    settings.KOTALIVE_MAP_TILE_URL = template
    tiles = city_map([]).tiles
    assert tiles
    assert all(t.url.startswith("https://tiles.example/12/") for t in tiles)
    drawn = city_map([])
    assert min(t.x for t in tiles) <= 0
    assert min(t.y for t in tiles) <= 0
    assert max(t.x + t.width for t in tiles) >= drawn.width
    assert max(t.y + t.height for t in tiles) >= drawn.height
