"""The main journeys walked in a real browser as the people in them would, on a 360 px phone in both languages and
on a desktop screen: a citizen's application through a revision round to the signed document (with the officer's
inbox and decisions and the head's approval), and a report from the citizen through the Live Room's triage and the
agency to the citizen's confirmation. On every page: axe finds no serious or critical violation, the page fits the
screen, and no raw code or text of the other language shows. Every page is saved as a screenshot under
var/screenshots/<journey>-<screen>-<language>/ for review (CI keeps the folder)."""

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize

from kotalive.conftest import DEMO_PASSWORD
from kotalive.web.tests.test_browser import CHROMIUM_FLAGS, _serious_violations, browser
from kotalive.web.tests.test_browser_documents import _in_a_thread
from kotalive.web.tests.visible_text import Rules, raw_text_problems, rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["CHROMIUM_FLAGS", "browser"]

SCREENS: dict[str, ViewportSize] = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 860}}
LOCALES = {"id": "id-ID", "en": "en-GB"}
WALKS = [("phone", "id"), ("phone", "en"), ("desktop", "id")]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
A_PDF: FilePayload = {"name": "laporan-polisi.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}

# What a person reads on the buttons they press, in each language (the workflows' and templates' own words).
WORDS = {
    "id": {
        "start_verification": "Mulai verifikasi",
        "request_revision": "Minta perbaikan",
        "verify": "Berkas lengkap dan benar",
        "submit_for_approval": "Ajukan persetujuan",
        "approve": "Setujui dan terbitkan",
        "dispose": "Teruskan ke perangkat daerah",
        "accept": "Terima",
        "resolve": "Selesai ditangani",
        "verify_completion": "Verifikasi penyelesaian",
        "confirm": "Konfirmasi selesai",
    },
    "en": {
        "start_verification": "Start verification",
        "request_revision": "Request a revision",
        "verify": "Verified",
        "submit_for_approval": "Submit for approval",
        "approve": "Approve and issue",
        "dispose": "Forward to an agency",
        "accept": "Accept",
        "resolve": "Resolved",
        "verify_completion": "Verify completion",
        "confirm": "Confirm it is done",
    },
}


# The elements that reach past the right edge of the screen (none when the page fits), named for the failure message.
WIDEST = """() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return [];
    return [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(-5)
        .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${Math.round(e.getBoundingClientRect().right)} px`);
}"""


class Walk:
    """One journey on one screen in one language: each person has their own browser context; `look` checks the
    page in front of them and saves its screenshot."""

    def __init__(self, browser: Browser, base_url: str, journey: str, screen: str, language: str) -> None:
        self.browser, self.base_url, self.screen, self.language = browser, base_url, screen, language
        self.folder = SHOTS / f"{journey}-{screen}-{language}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.seen = 0
        self.rules = Rules.of(rules()[language])  # from the data loaded for the walk

    def person(self, login: str) -> Page:
        context = self.browser.new_context(viewport=SCREENS[self.screen], locale=LOCALES[self.language])
        page = context.new_page()
        page.goto(f"{self.base_url}/masuk/")
        page.fill("#id_login", login)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert "/masuk/" not in page.url, f"{login} could not sign in"
        return page

    def go(self, page: Page, path: str, name: str) -> None:
        page.goto(self.base_url + path)
        self.look(page, name)

    def look(self, page: Page, name: str) -> None:
        page.wait_for_load_state()
        self.seen += 1
        page.screenshot(path=self.folder / f"{self.seen:02d}-{name}.png", full_page=True)
        where = f"{name} ({page.url}, {self.screen}, {self.language})"
        assert page.locator("h1").count() == 1, where
        assert page.evaluate(WIDEST) == [], f"too wide: {where}"
        assert _serious_violations(page) == [], where
        assert raw_text_problems(page.content(), self.rules) == [], where

    def press(self, page: Page, action: str, name: str) -> None:
        """Press the workflow button of `action` and look at the page it leads to."""
        page.get_by_role("button", name=WORDS[self.language][action], exact=True).first.click()
        self.look(page, name)


def _tracking(page: Page) -> str:
    found = re.search(r"DISDUKCAPIL-\d{8}-\d{5}|LAKSA-[\w-]+", page.url)
    assert found, page.url
    return found.group(0)


@pytest.mark.parametrize(("screen", "language"), WALKS)
def test_an_application_goes_through_a_revision_round_to_its_signed_document(
    browser: Browser, live_server: Any, personas: dict, screen: str, language: str
) -> None:
    from kotalive.documents.services import documents_sign_due

    walk = Walk(browser, live_server.url, "application", screen, language)
    citizen = walk.person("warga1")
    walk.look(citizen, "citizen-home")
    walk.go(citizen, "/layanan/kk-hilang/", "service")
    walk.go(citizen, "/layanan/kk-hilang/ajukan/", "form")
    citizen.click("button[name=intent][value=check]")  # nothing chosen: every problem at once
    walk.look(citizen, "form-errors")
    assert citizen.locator(".error-summary li").count() >= 2
    citizen.select_option("#f_lost_or_damaged", "hilang")
    citizen.set_input_files("#doc_laporan-kehilangan", files=[A_PDF])
    citizen.click("button[name=intent][value=check]")
    walk.look(citizen, "check-answers")
    citizen.click("button[name=intent][value=submit]")
    walk.look(citizen, "submitted")
    tracking = re.search(r"DISDUKCAPIL-\d{8}-\d{5}", citizen.locator("main").inner_text())
    assert tracking, "the confirmation page names the tracking number"
    case = f"/kantor/DISDUKCAPIL/kasus/{tracking.group(0)}/"

    officer = walk.person("dukcapil.verifikator")
    walk.look(officer, "officer-home")
    walk.go(officer, "/kantor/DISDUKCAPIL/kotak-masuk/", "inbox")
    officer.get_by_role("link", name=tracking.group(0)).first.click()
    walk.look(officer, "officer-case")
    walk.press(officer, "start_verification", "verification")
    officer.locator("input[name=requirements][value=laporan-kehilangan]").check()
    officer.locator("form:has(input[name=requirements]) input[name=reason]").fill("Foto laporan tidak terbaca.")
    walk.press(officer, "request_revision", "revision-requested")

    walk.go(citizen, f"/kasus/{tracking.group(0)}/", "citizen-revision")
    banner = citizen.locator(".notification-banner")
    assert banner.count() == 1
    assert ("Surat keterangan hilang" if language == "id" else "Police loss report") in banner.inner_text()
    resubmit = citizen.locator("form.resubmit button[type=submit]")
    assert resubmit.is_disabled()  # nothing changed yet
    citizen.locator("form.resubmit input[type=file]").first.set_input_files(files=[A_PDF])
    assert resubmit.is_enabled()
    resubmit.click()
    walk.look(citizen, "resubmitted")

    walk.go(officer, case, "officer-case-again")
    walk.press(officer, "verify", "verified")
    walk.press(officer, "submit_for_approval", "for-approval")
    head = walk.person("dukcapil.kadis")
    walk.go(head, case, "head-case")
    walk.press(head, "approve", "approved")

    _in_a_thread(documents_sign_due)
    walk.go(citizen, f"/kasus/{tracking.group(0)}/", "citizen-issued")
    download = "Unduh PDF" if language == "id" else "Download PDF"
    assert citizen.get_by_role("link", name=download).count() >= 1
    walk.go(citizen, "/dokumen/", "documents")
    with citizen.expect_download() as pdf:
        citizen.get_by_role("link", name=download).first.click()
    assert pdf.value.suggested_filename.endswith(".pdf")

    # A draft put away: discarding it asks first, and only the second answer discards it.
    walk.go(citizen, "/layanan/ktp-hilang/ajukan/", "another-form")
    citizen.click("button[name=intent][value=draft]")
    walk.go(citizen, "/kasus/", "my-applications")
    citizen.locator("li.draft form button.danger").click()
    walk.look(citizen, "discard-confirmation")
    assert citizen.locator("li.draft").count() == 0  # the question, not the list
    citizen.locator("main form button[type=submit]").click()
    walk.look(citizen, "discarded")
    assert citizen.locator("li.draft").count() == 0
    walk.go(citizen, "/kasus/", "my-applications-after")
    assert citizen.locator("li.draft").count() == 0


@pytest.mark.parametrize(("screen", "language"), WALKS)
def test_a_report_goes_from_the_citizen_through_triage_and_the_agency_to_confirmation(
    browser: Browser, live_server: Any, personas: dict, screen: str, language: str
) -> None:
    walk = Walk(browser, live_server.url, "report", screen, language)
    citizen = walk.person("warga1")
    walk.go(citizen, "/laporan/baru/", "report-form")
    citizen.locator("main form button[type=submit]").last.click()  # empty: every problem at once
    walk.look(citizen, "report-errors")
    citizen.select_option("#category", index=1)
    citizen.fill("#title", "Lampu jalan mati")
    citizen.fill("#description", "Lampu jalan di depan sekolah mati sejak Senin malam.")
    citizen.fill("#lat", "-6.1783")
    citizen.fill("#lon", "106.6319")
    citizen.locator("main form button[type=submit]").last.click()
    walk.look(citizen, "report-sent")
    tracking = _tracking(citizen)

    operator = walk.person("kominfo.operator")
    walk.look(operator, "operator-home")
    walk.go(operator, "/kantor/live-room/", "live-room")
    walk.go(operator, f"/laporan/{tracking}/", "triage")
    operator.locator("form:has(input[name=action][value=dispose]) select[name=agency]").select_option("PUPR")
    walk.press(operator, "dispose", "forwarded")

    agency = walk.person("pupr.penghubung")
    walk.go(agency, "/kantor/PUPR/pengaduan/", "agency-reports")
    walk.go(agency, f"/laporan/{tracking}/", "agency-report")
    walk.press(agency, "accept", "accepted")
    agency.locator("form:has(input[name=action][value=resolve]) textarea[name=reason]").fill("Lampu sudah diganti.")
    walk.press(agency, "resolve", "resolved")

    walk.go(operator, f"/laporan/{tracking}/", "operator-check")
    walk.press(operator, "verify_completion", "verified")

    walk.go(citizen, f"/laporan/{tracking}/", "citizen-confirm")
    walk.press(citizen, "confirm", "confirmed")
    citizen.locator("form.rating label").nth(3).click()
    citizen.locator("form.rating button[type=submit]").click()
    walk.look(citizen, "rated")
