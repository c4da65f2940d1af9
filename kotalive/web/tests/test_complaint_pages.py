"""The LAKSA pages in a real browser: a citizen files a street-light report with a photo on a phone screen, the Live
Room disposes it, the wrong agency hands it on, the right one resolves it, the Live Room verifies and the citizen
confirms; every page axe-clean and 360 px wide. Plus the public list and map, without personal data."""

import io
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page

from kotalive.complaints.models import Complaint
from kotalive.web.tests.test_browser import PHONE, _fits_the_phone, _serious_violations, _sign_in, browser

__all__ = ["browser"]  # the module-scoped browser fixture, shared with test_browser.py
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser: Browser, base: str, login: str) -> Page:
    page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    _sign_in(page, base, login)
    return page


def _checked(page: Page, what: str) -> None:
    assert _serious_violations(page) == [], what
    assert _fits_the_phone(page), what


def _act(page: Page, action: str, *, agency: str | None = None, reason: str = "") -> None:
    form = page.locator(f"form:has(input[name=action][value={action}])")
    if agency is not None:
        form.locator("select[name=agency]").select_option(agency)
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".message.error").count() == 0, page.locator(".messages").inner_text()
    assert page.locator(".message.success").count() == 1


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (250, 200, 0)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_report_goes_from_citizen_to_agency_and_back_on_a_phone(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    base = live_server.url
    citizen = _as(browser, base, "warga1")
    citizen.goto(base + "/laporan/baru/")
    _checked(citizen, "report form")
    citizen.select_option("#category", "street-lights")
    citizen.fill("#title", "Lampu jalan mati")
    citizen.fill("#description", "Tiga lampu PJU di depan sekolah mati sejak seminggu.")
    citizen.locator("#pin-map").scroll_into_view_if_needed()
    box = citizen.locator("#pin-map").bounding_box()
    assert box is not None
    citizen.locator("#pin-map").click(position={"x": box["width"] * 0.4, "y": box["height"] * 0.45})  # a tap pins
    assert citizen.input_value("#lat").startswith("-6.")
    assert citizen.input_value("#kelurahan").startswith("36.71.")  # the tap chose the kelurahan that holds the pin
    photo: FilePayload = {"name": "lampu.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    citizen.set_input_files("#photos", [photo])
    citizen.click("main form button[type=submit]")
    citizen.wait_for_url("**/laporan/LAKSA-*/")
    _checked(citizen, "report page (reporter)")
    tracking = citizen.url.rstrip("/").rsplit("/", 1)[1]
    complaint = Complaint.objects.get(tracking=tracking)
    assert complaint.photos.count() == 1
    assert complaint.lat is not None

    operator = _as(browser, base, "kominfo.operator")
    operator.goto(base + "/kantor/live-room/")
    _checked(operator, "live room")
    operator.click(f"a:text('{tracking}')")
    _checked(operator, "report page (live room)")
    _act(operator, "dispose", agency="PUPR")

    pupr = _as(browser, base, "pupr.penghubung")
    pupr.goto(base + "/kantor/PUPR/pengaduan/")
    _checked(pupr, "agency complaints")
    pupr.click(f"a:text('{tracking}')")
    _act(pupr, "hand_off", agency="DISHUB", reason="PJU dikelola Dinas Perhubungan")

    dishub = _as(browser, base, "dishub.penghubung")
    dishub.goto(f"{base}/laporan/{tracking}/")
    _checked(dishub, "report page (agency)")
    _act(dishub, "accept")
    _act(dishub, "resolve", reason="Tiga lampu diganti")

    operator.goto(f"{base}/laporan/{tracking}/")
    _act(operator, "verify_completion")

    citizen.goto(f"{base}/laporan/{tracking}/")
    _act(citizen, "confirm")
    _checked(citizen, "closed report")
    assert Complaint.objects.get(tracking=tracking).state == "closed"
    times = citizen.locator("table tbody tr")
    assert times.count() == 2  # PUPR, then DISHUB
    assert "PUPR" in times.nth(0).inner_text()
    assert "PJU dikelola Dinas Perhubungan" in citizen.content()
    citizen.goto(base + "/laporan/")
    _checked(citizen, "my reports")
    assert tracking in citizen.content()

    operator.goto(base + "/kantor/live-room/kategori/")
    _checked(operator, "routing rules")


def test_the_public_page_shows_reports_without_personal_data(
    browser: Browser, live_server: Any, personas: dict
) -> None:
    from kotalive.complaints.tests.helpers import file_report

    warga1 = personas["warga1"]
    _client, shown = file_report(warga1)
    _client, hidden = file_report(warga1, confidential=True, title="Pungli di kantor kelurahan")
    page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    page.goto(live_server.url + "/laporan/publik/")
    _checked(page, "public reports")
    content = page.content()
    assert shown["tracking"] in content
    assert hidden["tracking"] not in content
    assert warga1.full_name not in content
    assert "Lampu jalan mati" not in content  # titles may name people: not published
    assert page.locator("#city-map .dot").count() == 1  # its mark (a path: its shape says its status)
