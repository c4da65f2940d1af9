"""The city map: drawn on the city's shape from its boundary data, dots and the pin placed inside the drawing,
tiles only when a tile server is configured."""

import pytest

from kotalive.complaints.mapview import city_map, project


def test_points_land_inside_the_map_and_the_frame_s_corners_on_its_edges():
    drawn = city_map([(-6.18, 106.63, "A", "proses"), (None, None, "no pin", "menunggu")])
    frame = drawn.frame

    assert len(drawn.dots) == 1
    dot = drawn.dots[0]
    assert 0 < dot.x < drawn.width
    assert 0 < dot.y < drawn.height
    assert project(frame.north, frame.west) == (0, 0)
    x, y = project(frame.south, frame.east)
    assert round(x) == drawn.width
    assert round(y) == drawn.height


def test_the_map_is_the_city_s_shape_with_its_kecamatan_and_kelurahan():
    drawing = city_map([]).drawing

    assert drawing is not None
    assert len(drawing.city) == 1
    assert len(drawing.kecamatan) == 13
    assert len(drawing.kelurahan) == 104
    assert {k.parent for k in drawing.kelurahan} == {k.code for k in drawing.kecamatan}


def test_the_pin_and_its_kelurahan_are_marked_and_a_pin_off_the_drawing_is_left_out():
    marked = city_map([], pin=(-6.1781, 106.6319), kelurahan="36.71.01.1007")
    off = city_map([], pin=(-6.9, 107.6))

    assert marked.pin is not None
    assert (marked.pin.x, marked.pin.y) == tuple(round(v, 1) for v in project(-6.1781, 106.6319))
    assert (marked.kelurahan, marked.kecamatan) == ("36.71.01.1007", "36.71.01")
    assert off.pin is None


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
