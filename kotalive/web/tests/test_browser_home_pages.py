"""The home pages and the error pages in a real browser on a 360 px phone: axe finds nothing serious, nothing is wider
than the screen."""

from typing import Any

import pytest
from playwright.sync_api import Page

from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.tests.helpers import file_report
from kotalive.web.tests.test_browser import _fits_the_phone, _serious_violations, _sign_in, browser, page

__all__ = ["browser", "page"]  # the shared browser and phone-sized page fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("login", "paths"),
    [
        ("warga1", ["/", "/tidak-ada/"]),
        ("dukcapil.verifikator", ["/kantor/", "/kantor/DISDUKCAPIL/petugas/"]),
        ("kominfo.operator", ["/kantor/", "/kantor/tidak/ada/"]),
    ],
)
def test_home_and_error_pages_are_accessible_and_fit_a_phone(
    page: Page, live_server: Any, personas: dict, login: str, paths: list[str]
) -> None:
    submit_birth_certificate(personas["warga1"])
    file_report(personas["warga1"])
    _sign_in(page, live_server.url, login)
    for path in paths:
        page.goto(live_server.url + path)
        assert _serious_violations(page) == [], path
        assert _fits_the_phone(page), path
