"""The report form's city map in a real browser on a 360 px phone: a tap inside a kelurahan fills in the kelurahan
and says its kecamatan, the arrow keys drop a pin the same way, and the report filed from the tap keeps that
kelurahan; the page stays axe-clean and phone-wide."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from kotalive.complaints.mapview import city_map, project
from kotalive.complaints.models import Complaint
from kotalive.regions.locate import kelurahan_at
from kotalive.web.tests.test_browser import PHONE, _fits_the_phone, _serious_violations, _sign_in, browser

__all__ = ["browser"]  # the module-scoped browser fixture, shared with test_browser.py
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KENANGA = (-6.19375, 106.68706)  # centroid of Kelurahan Kenanga, Kecamatan Cipondoh (36.71.05.1005)


def _form_on_a_phone(browser: Browser, base: str) -> Page:
    page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    _sign_in(page, base, "warga1")
    page.goto(base + "/laporan/baru/")
    page.locator("#pin-map").scroll_into_view_if_needed()
    return page


def _tap(page: Page, lat: float, lon: float) -> None:
    """Tap the map where the point is drawn (the SVG keeps its drawing's proportions)."""
    box = page.locator("#pin-map").bounding_box()
    assert box is not None
    x, y = project(lat, lon)
    drawn = city_map([])
    page.locator("#pin-map").click(
        position={"x": x * box["width"] / drawn.width, "y": y * box["height"] / drawn.height}
    )


def test_a_tap_inside_a_kelurahan_fills_in_the_kelurahan_and_says_its_kecamatan(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    page = _form_on_a_phone(browser, live_server.url)

    _tap(page, *KENANGA)

    assert page.input_value("#kelurahan") == "36.71.05.1005"
    assert "Kenanga" in page.inner_text("#kelurahan-place")
    assert "Cipondoh" in page.inner_text("#kelurahan-place")
    assert page.locator('#pin-map path.kel.chosen[data-code="36.71.05.1005"]').count() == 1
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert abs(lat - KENANGA[0]) < 0.002
    assert abs(lon - KENANGA[1]) < 0.002
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)

    page.select_option("#category", "street-lights")
    page.fill("#title", "Lampu jalan mati")
    page.fill("#description", "Tiga lampu PJU di depan sekolah mati sejak seminggu.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/laporan/LAKSA-*/")
    assert Complaint.objects.get().kelurahan_id == "36.71.05.1005"
    assert page.locator('#report-map path.kel.chosen[data-code="36.71.05.1005"]').count() == 1
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)


def test_the_arrow_keys_drop_a_pin_and_the_browser_agrees_with_the_server_on_its_kelurahan(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    page = _form_on_a_phone(browser, live_server.url)

    page.locator("#pin-map").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")

    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    place = kelurahan_at(lat, lon)
    assert place is not None
    assert page.input_value("#kelurahan") == place.kelurahan
    assert place.kecamatan_name in page.inner_text("#kelurahan-place")
    assert page.locator("#pin-map-keys").is_visible()
