"""Point in polygon over the region's boundary data: real points of Kota Tangerang land in their kelurahan and
kecamatan, points outside the city in none; holes and the parts of a MultiPolygon count; the distance to a
kelurahan measures how far a pin lies outside it; the map's drawing keeps its names apart."""

from collections.abc import Iterator
from typing import Any

import pytest

from kotalive.regions import boundaries, locate
from kotalive.regions.boundaries import KECAMATAN_FONT_NARROW, boundary_features, path_rings, region_drawing
from kotalive.regions.locate import Place, distance_to_kelurahan_m, kelurahan_at

CITY = "36.71"


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        # Centroids of the kelurahan's outer rings, computed from boundaries-3671.geojson.
        (-6.18227, 106.6358, Place("36.71.01.1007", "Sukasari", "36.71.01", "Tangerang")),
        (-6.19375, 106.68706, Place("36.71.05.1005", "Kenanga", "36.71.05", "Cipondoh")),
        (-6.18994, 106.62483, Place("36.71.07.1001", "Karawaci", "36.71.07", "Karawaci")),
        (-6.14633, 106.62662, Place("36.71.10.1001", "Neglasari", "36.71.10", "Neglasari")),
        (-6.23281, 106.7257, Place("36.71.13.1001", "Larangan Utara", "36.71.13", "Larangan")),
        # The city's northern tip, north of the complaint bounds box.
        (-6.100, 106.685, Place("36.71.04.1003", "Benda", "36.71.04", "Benda")),
    ],
)
def test_a_point_of_the_city_is_in_its_kelurahan_and_kecamatan(lat: float, lon: float, expected: Place) -> None:
    assert kelurahan_at(lat, lon, region_code=CITY) == expected


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (-6.1754, 106.8272),  # Monas, Jakarta
        (-6.25, 106.56),  # Kabupaten Tangerang, inside the city's bounding box
        (-6.9, 107.6),  # Bandung
        (float("nan"), 106.63),
    ],
)
def test_a_point_outside_the_city_is_in_no_kelurahan(lat: float, lon: float) -> None:
    assert kelurahan_at(lat, lon, region_code=CITY) is None


def test_without_boundary_data_no_point_is_placed() -> None:
    assert kelurahan_at(-6.18, 106.63, region_code="36.03") is None
    assert distance_to_kelurahan_m("36.03.01.2001", -6.18, 106.63, region_code="36.03") is None


def test_every_kelurahan_s_label_point_lies_in_it_or_within_the_pin_slack() -> None:
    """The data's label points (the demo files its reports there) are in their kelurahan, except one that lies
    52 m outside its polygon: what complaints.services.PIN_SLACK_M allows for."""
    misplaced = {}
    for feature in boundary_features(CITY):
        props = feature["properties"]
        if props["level"] != "kelurahan":
            continue
        lon, lat = props["label_point"]
        place = kelurahan_at(lat, lon, region_code=CITY)
        if place is None or place.kelurahan != props["code"]:
            misplaced[props["code"]] = distance_to_kelurahan_m(props["code"], lat, lon, region_code=CITY)

    assert set(misplaced) == {"36.71.07.1016"}
    assert 40 < (misplaced["36.71.07.1016"] or 0) < 100


def test_the_distance_to_a_kelurahan_is_zero_inside_and_metres_to_its_edge_outside() -> None:
    sukasari = (-6.1781, 106.6319)  # the complaint tests' pin, 24 m from the border with Sukarasa

    assert distance_to_kelurahan_m("36.71.01.1007", *sukasari, region_code=CITY) == 0
    assert 15 < (distance_to_kelurahan_m("36.71.01.1001", *sukasari, region_code=CITY) or 0) < 35
    assert (distance_to_kelurahan_m("36.71.13.1001", *sukasari, region_code=CITY) or 0) > 5000


# --- holes and MultiPolygons, on made-up shapes ----------------------------------------------------------------------

SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
HOLE = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6], [0.4, 0.4]]
FAR_SQUARE = [[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 6.0], [5.0, 5.0]]


def _kelurahan(code: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, "name": code, "level": "kelurahan"}, "geometry": geometry}


@pytest.fixture
def made_up_region(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    features = (
        {"type": "Feature", "properties": {"code": "99.01.01", "name": "Tengah", "level": "kecamatan"}},
        _kelurahan("99.01.01.1001", {"type": "Polygon", "coordinates": [SQUARE, HOLE]}),
        _kelurahan("99.01.01.1002", {"type": "Polygon", "coordinates": [HOLE]}),  # fills the hole
        _kelurahan(
            "99.01.01.1003", {"type": "MultiPolygon", "coordinates": [[[[2, 0], [3, 0], [3, 1], [2, 0]]], [FAR_SQUARE]]}
        ),
    )
    monkeypatch.setattr(locate, "boundary_features", lambda region_code: features)
    locate._index.cache_clear()
    locate._kelurahan_at.cache_clear()
    yield "99.01"
    locate._index.cache_clear()
    locate._kelurahan_at.cache_clear()


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (0.2, 0.2, "99.01.01.1001"),  # in the square, outside its hole
        (0.5, 0.5, "99.01.01.1002"),  # in the hole: the kelurahan that fills it
        (5.5, 5.5, "99.01.01.1003"),  # the far part of a MultiPolygon
        (0.5, 2.8, "99.01.01.1003"),  # its first part, a triangle
        (0.9, 2.1, None),  # beside the triangle
        (0.5, 1.5, None),  # between the shapes
    ],
)
def test_holes_and_the_parts_of_a_multipolygon_count(
    made_up_region: str, lat: float, lon: float, code: str | None
) -> None:
    place = kelurahan_at(lat, lon, region_code=made_up_region)

    assert (place.kelurahan if place else None) == code
    if place:
        assert (place.kecamatan, place.kecamatan_name) == ("99.01.01", "Tengah")


# --- the map's drawing ---------------------------------------------------------------------------------------------


def test_the_drawing_has_one_subpath_a_ring_inside_its_frame() -> None:
    drawing = region_drawing(CITY)
    assert drawing is not None
    rings = {
        str(f["properties"]["code"]): len(boundaries._rings(f["geometry"]))
        for f in boundary_features(CITY)
        if f["properties"]["level"] == "kelurahan"
    }

    for kelurahan in drawing.kelurahan:
        assert kelurahan.path.count("M") == rings[kelurahan.code]
        points = [point for ring in path_rings(kelurahan.path) for point in ring]
        assert all(0 <= x <= drawing.frame.width and 0 <= y <= drawing.frame.height for x, y in points)


def test_a_path_reads_back_as_its_rings_to_a_tenth_without_drift() -> None:
    feature = next(f for f in boundary_features(CITY) if f["properties"]["level"] == "kelurahan")
    drawing = region_drawing(CITY)
    assert drawing is not None
    exact = [
        [drawing.frame.project(lat, lon) for lon, lat, *_rest in ring]
        for ring in boundaries._rings(feature["geometry"])
    ]

    read = path_rings(boundaries._path([tuple(ring) for ring in exact]))

    assert len(read) == len(exact)
    for drawn, ring in zip(read, exact, strict=True):
        # Every point read back is within half a tenth of a point of the ring, the last as well as the first.
        assert all(min(abs(x - px) + abs(y - py) for px, py in ring) <= 0.1 for x, y in drawn)
        assert abs(drawn[-1][0] - ring[-1][0]) <= 0.05
        assert abs(drawn[-1][1] - ring[-1][1]) <= 0.05
    assert boundaries._path([((0.0, 0.0), (1.25, 0.0), (1.25, -0.5), (0.0, 0.0))]) == "M0,0l1.2,0 0,-.5 -1.2,.5Z"


def test_the_kecamatan_names_do_not_cover_one_another_on_a_phone() -> None:
    drawing = region_drawing(CITY)
    assert drawing is not None
    boxes = [
        boundaries._box(k.label_x + k.narrow_dx, k.label_y + k.narrow_dy, k.name, KECAMATAN_FONT_NARROW)
        for k in drawing.kecamatan
    ]

    crossing = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if boundaries._overlaps(a, b)]
    assert crossing == []
    assert sum(k.label_fits for k in drawing.kelurahan) >= 20  # and a good share of the kelurahan are named when wide
