"""The complaint map on the pages, without a browser: the report form draws the city (kelurahan with their codes,
kecamatan, outline, names as text) and, without JavaScript, the server fills in the kelurahan from typed coordinates;
a report's page shows its own small map with its pin (for a follower, only the rounded place they may see)."""

import re

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.mapview import project
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import PIN, act_ok, file_report
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db

IN_KARAWACI = {"lat": "-6.18994", "lon": "106.62483"}  # centroid of Kelurahan Karawaci (36.71.07.1001)
EXACT = {"lat": -6.17813, "lon": 106.63187}


def _signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _form(**overrides: str) -> dict[str, str]:
    return {
        "kind": "complaint",
        "category": "street-lights",
        "title": "Lampu jalan mati",
        "description": "Tiga lampu PJU di depan sekolah mati sejak seminggu, jalan gelap malam hari.",
        "kelurahan": "",
        "address": "",
        **overrides,
    }


def _pin(page: str, svg_id: str) -> tuple[float, float] | None:
    found = re.search(rf'id="{svg_id}-pin" class="pin" transform="translate\(([-\d.]+) ([-\d.]+)\)"', page)
    return (float(found[1]), float(found[2])) if found else None


def test_the_form_s_map_draws_every_kelurahan_with_its_code_the_kecamatan_and_their_names(warga1: User) -> None:
    page = _signed_in(warga1).get("/laporan/baru/").content.decode()
    svg = page[page.index('<svg id="pin-map"') : page.index("</svg>")]

    codes = re.findall(r'<path class="kel[^"]*" data-code="(36\.71\.\d\d\.\d{4})" d="M', svg)
    assert len(set(codes)) == 104
    assert "36.71.07.1001" in codes
    assert len(re.findall(r'<path class="kec" data-code="36\.71\.\d\d"', svg)) == 13
    assert svg.count('<path class="city"') == 1
    assert re.search(r"<title[^>]*>[^<]*Kota Tangerang", svg)  # the map says what it is
    assert "<title>Kelurahan Karawaci, Kecamatan Karawaci</title>" in svg  # each kelurahan named on hover
    kecamatan = re.findall(r'<text class="kec-label"[^>]*>([^<]+)</text>', svg)
    assert {"Karawaci", "Cipondoh", "Larangan", "Benda"} <= set(kecamatan)
    assert len(re.findall(r'<text class="kel-label"', svg)) >= 20  # kelurahan named where they fit
    assert _pin(page, "pin-map") is None  # no pin yet


def test_without_javascript_the_server_fills_in_the_kelurahan_from_typed_coordinates(warga1: User) -> None:
    response = _signed_in(warga1).post("/laporan/baru/", _form(**IN_KARAWACI))

    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.kelurahan_id == "36.71.07.1001"


def test_a_kelurahan_that_does_not_hold_the_pin_is_shown_beside_its_field_with_the_pin_kept(warga1: User) -> None:
    response = _signed_in(warga1).post(
        "/laporan/baru/", _form(kelurahan="36.71.13.1001", **IN_KARAWACI), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 422
    field = page[page.index('<label for="kelurahan">') : page.index('id="kelurahan"')]
    assert "Larangan Utara" in field
    assert _pin(page, "pin-map") is not None  # the form comes back with its pin
    assert not Complaint.objects.exists()


def test_the_report_page_shows_its_pin_and_kelurahan_on_a_small_map(warga1: User, operator: User) -> None:
    _client, filed = file_report(warga1, location=PIN)

    for reader in (warga1, operator):
        page = _signed_in(reader).get(f"/laporan/{filed['tracking']}/").content.decode()
        svg = page[page.index('<svg id="report-map"') : page.index("</svg>", page.index('<svg id="report-map"'))]
        assert _pin(page, "report-map") == tuple(round(v, 1) for v in project(PIN["lat"], PIN["lon"]))
        assert re.findall(r'<path class="kel chosen" data-code="([\d.]+)"', svg) == ["36.71.01.1001"]
        assert svg.count('<path class="kel') == 1  # only the report's kelurahan: a light page
        assert svg.count('<path class="kec"') == 13
        assert re.findall(r'<text class="kec-label"[^>]*>([^<]+)</text>', svg) == ["Tangerang"]


def test_a_follower_s_map_shows_only_the_rounded_place(warga1: User, warga3: User, operator: User) -> None:
    _alice, filed = file_report(warga1, location=EXACT)
    _charlie, duplicate = file_report(warga3, location={"lat": PIN["lat"] + 0.0003, "lon": PIN["lon"]})
    act_ok(bearer_client(operator), duplicate["tracking"], "merge", into=filed["tracking"], reason="Laporan sama")

    followed = _signed_in(warga3).get(f"/laporan/{filed['tracking']}/").content.decode()
    own = _signed_in(warga1).get(f"/laporan/{filed['tracking']}/").content.decode()

    rounded = tuple(round(v, 1) for v in project(round(EXACT["lat"], 3), round(EXACT["lon"], 3)))
    exact = tuple(round(v, 1) for v in project(EXACT["lat"], EXACT["lon"]))
    assert rounded != exact
    assert _pin(followed, "report-map") == rounded
    assert _pin(own, "report-map") == exact
    assert "106.63187" not in followed
    assert "-6.17813" not in followed


def test_a_report_without_a_place_on_the_map_has_no_map(warga1: User) -> None:
    _client, filed = file_report(warga1, location=None, kelurahan="", address="Jl. Kisamaun depan SDN 1")

    page = _signed_in(warga1).get(f"/laporan/{filed['tracking']}/").content.decode()

    assert 'id="report-map"' not in page
