"""The dashboards' kelurahan map is the city drawn from its boundary data, offline, as the complaint map draws it:
every kelurahan shaded by its reports, the kecamatan and the city outlined, names where they fit, a legend of what
each shade means, and the same numbers in a table."""

import re

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.tests.helpers import file_report
from kotalive.events.tests.helpers import drain

pytestmark = pytest.mark.django_db

FILED_IN = "36.71.01.1001"  # the kelurahan of the test reports (complaints.tests.helpers): Sukarasa


def _figure(page: str) -> str:
    found = re.search(r'<figure class="citymap kelmap">.*?</figure>', page, flags=re.S)
    assert found, "no kelurahan map on the page"
    return found.group(0)


def test_the_live_room_dashboard_draws_the_city_s_kelurahan_shaded_by_their_reports(
    warga1: User, warga2: User, operator: User
) -> None:
    file_report(warga1)
    file_report(warga2)
    file_report(warga1, kelurahan="36.71.05.1005", location={"lat": -6.19375, "lon": 106.68706})  # Kenanga
    drain()  # the worker's pass: the dashboards' day rollups counted
    live_room = Client()
    live_room.force_login(operator)

    page = live_room.get("/kantor/dasbor/", headers={"Accept-Language": "en"}).content.decode()
    figure = _figure(page)

    shaded = re.findall(r'<path class="kel shade-(\d)" data-code="([\d.]+)"', figure)
    by_code = {code: int(shade) for shade, code in shaded}
    assert len(by_code) == 104  # every kelurahan of the city, with its real shape
    assert by_code[FILED_IN] == 4  # the most reports: the darkest
    assert 1 <= by_code["36.71.05.1005"] < 4
    assert sum(1 for shade in by_code.values() if shade == 0) == 102
    assert figure.count('<path class="kec"') == 13
    assert figure.count('<path class="city"') == 1
    assert len(re.findall(r'<text class="kec-label"[^>]*>[^<]+</text>', figure)) == 13
    kelurahan_names = re.findall(r'<text class="kel-label"[^>]*>([^<]+)</text>', figure)
    assert len(kelurahan_names) >= 20  # those that fit inside their kelurahan (shown on a wide screen)
    assert "Cipete" in kelurahan_names
    drawn = re.search(rf'data-code="{FILED_IN}" data-count="2" d="M[^"]+Z"><title>([^<]+)</title>', figure)
    assert drawn
    assert drawn.group(1) == "Kelurahan Sukarasa, Kecamatan Tangerang · Submitted: 2"
    # The legend says what each shade holds, and the table holds the same numbers
    assert re.findall(r'<span class="swatch shade-(\d)" aria-hidden="true"></span>([\d–]+)</li>', figure) == [
        ("0", "0"),
        ("2", "1"),
        ("4", "2"),
    ]
    assert re.search(r'<tr><th scope="row">Sukarasa</th><td>2</td></tr>', page)
