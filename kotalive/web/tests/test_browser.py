"""The portal in a real browser (Debian's chromium through Playwright): accessibility by axe, a 360 px phone
screen, and the sign-up flow a newcomer follows."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, sync_playwright

from kotalive.accounts.models import User
from kotalive.accounts.tests.helpers import last_code_sent_to
from kotalive.conftest import DEMO_PASSWORD
from kotalive.demo.data import BUDI
from kotalive.registry.models import Person
from kotalive.registry.services import registry_seed_synthetic

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
A_PDF: FilePayload = {"name": "laporan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    opened = context.new_page()
    yield opened
    context.close()


def _serious_violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _fits_the_phone(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/masuk/")
    page.fill("#id_login", login)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/daftar/",
        "/masuk/",
        "/lupa-sandi/",
        "/lupa-sandi/kode/",
        "/layanan/",
        "/layanan/akta-kelahiran/",
        "/kinerja/",
        "/data/",
    ],
)
def test_public_pages_are_accessible_and_fit_a_phone(page: Page, live_server: Any, reference: None, path: str) -> None:
    page.goto(live_server.url + path)

    assert _serious_violations(page) == []
    assert _fits_the_phone(page)


def test_a_citizen_s_pages_are_accessible_and_fit_a_phone(page: Page, live_server: Any, personas: dict) -> None:
    _sign_in(page, live_server.url, "warga1")
    for path in ["/profil/", "/verifikasi/"]:
        page.goto(live_server.url + path)

        assert _serious_violations(page) == [], path
        assert _fits_the_phone(page), path


def test_the_back_office_is_accessible_and_fits_a_phone(page: Page, live_server: Any, personas: dict) -> None:
    _sign_in(page, live_server.url, "admin")
    for path in ["/kantor/", "/kantor/DISDUKCAPIL/", "/kantor/DISDUKCAPIL/petugas/"]:
        page.goto(live_server.url + path)

        assert _serious_violations(page) == [], path
        assert _fits_the_phone(page), path


def test_the_sign_up_errors_are_accessible(page: Page, live_server: Any, reference: None) -> None:
    page.goto(live_server.url + "/daftar/")
    page.fill("#id_nik", "3671051513900001")
    page.fill("#id_full_name", "Budi")
    page.fill("#id_birth_date", "1990-01-15")
    page.fill("#id_phone", "081377700012")
    page.fill("#id_password", "taman-kota-2026!")
    page.click("main button[type=submit]")

    assert page.locator("#id_nik-error").is_visible()
    assert _serious_violations(page) == []


def test_a_newcomer_signs_up_verifies_and_sees_their_family(page: Page, live_server: Any, reference: None) -> None:
    registry_seed_synthetic(actor=None, people=40, seed=31, region_code="36.71")
    person = Person.objects.filter(relationship="KEPALA KELUARGA", family__members__relationship="ANAK").first()
    assert person is not None

    page.goto(live_server.url + "/daftar/")
    page.fill("#id_nik", person.nik)
    page.fill("#id_full_name", person.full_name.title())
    page.fill("#id_birth_date", person.birth_date.isoformat())
    page.fill("#id_phone", "081377700011")
    page.fill("#id_password", "taman-kota-2026!")
    page.click("main button[type=submit]")
    page.wait_for_url("**/verifikasi/")

    page.fill("#id_code", last_code_sent_to("+6281377700011"))
    page.click("main form:not(:has([name=resend])) button[type=submit]")
    page.wait_for_url("**/profil/")

    assert page.locator("h1").inner_text() == person.full_name.title()
    assert page.locator("table tbody tr").count() == person.family.members.count()
    assert person.nik not in page.content()
    assert User.objects.get(phone="+6281377700011").phone_verified_at is not None


def test_the_language_switch_works_without_javascript(browser: Browser, live_server: Any, reference: None) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "id"

    page.select_option("#language", "en")
    page.click(".lang button")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Sign up", exact=True).first.is_visible()
    context.close()


@pytest.mark.parametrize("path", ["/", "/api/v1/docs"])
def test_every_asset_comes_from_the_app_itself(page: Page, live_server: Any, reference: None, path: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    assert requested
    assert [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")] == []


def test_the_api_docs_render_under_the_content_security_policy(page: Page, live_server: Any, reference: None) -> None:
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )

    page.goto(live_server.url + "/api/v1/docs")

    page.get_by_text("/api/v1/accounts/register", exact=True).first.wait_for()
    assert blocked == []


def test_applying_and_following_a_case_is_accessible_and_fits_a_phone(
    page: Page, live_server: Any, personas: dict
) -> None:
    _sign_in(page, live_server.url, "warga1")
    page.goto(live_server.url + "/layanan/kk-hilang/ajukan/")
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)

    page.select_option("#f_lost_or_damaged", "hilang")
    page.set_input_files(
        "#doc_laporan-kehilangan",
        files=[A_PDF],
    )
    page.click("button[name=intent][value=check]")
    page.wait_for_url("**/ajukan/?subject=self&langkah=periksa")
    assert _serious_violations(page) == []  # check your answers
    assert _fits_the_phone(page)
    page.click("button[name=intent][value=submit]")
    page.wait_for_url("**/kasus/DISDUKCAPIL-*/?terkirim=1")
    assert _serious_violations(page) == []  # the confirmation
    assert _fits_the_phone(page)
    page.click("main a.button >> nth=0")
    page.wait_for_url("**/kasus/DISDUKCAPIL-*/")

    assert page.locator(".badge").first.get_attribute("class") == "badge badge-menunggu"  # its label: the language's
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
    page.goto(live_server.url + "/kasus/")
    assert _serious_violations(page) == []


def test_filing_a_birth_with_one_form_is_accessible_and_fits_a_phone(
    page: Page, live_server: Any, personas: dict
) -> None:
    _sign_in(page, live_server.url, "warga1")
    page.goto(live_server.url + "/layanan/")
    page.click("a[href='/layanan/peristiwa/kelahiran/']")
    page.wait_for_url("**/layanan/peristiwa/kelahiran/")
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
    assert page.input_value("#f_kk_number") == "3671051501209001"  # from the registry, not typed

    page.fill("#f_child_name", "Bayu Santoso")
    page.select_option("#f_child_sex", "L")
    page.fill("#f_child_birth_date", "2026-11-20")
    page.fill("#f_child_birth_place", "Tangerang")
    page.select_option("#f_birth_facility", "rumah-sakit")
    page.fill("#f_faskes", "Puskesmas Cipondoh")
    for requirement in ("buku-nikah", "kk", "ktp-el"):
        page.set_input_files(f"#doc_{requirement}", files=[A_PDF])
    page.click("main button[type=submit]")
    page.wait_for_url("**/peristiwa/PH-*/")

    assert page.locator(".parts li").count() == 4
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
    page.goto(live_server.url + "/kasus/")
    assert "Kelahiran" in page.locator("main").inner_text()


def test_the_officer_s_inbox_and_case_page_are_accessible(browser: Browser, live_server: Any, personas: dict) -> None:
    citizen = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    _sign_in(citizen, live_server.url, "warga1")
    citizen.goto(live_server.url + "/layanan/kk-hilang/ajukan/")
    citizen.select_option("#f_lost_or_damaged", "rusak")
    citizen.set_input_files(
        "#doc_laporan-kehilangan",
        files=[A_PDF],
    )
    citizen.click("button[name=intent][value=check]")
    citizen.wait_for_url("**/ajukan/?subject=self&langkah=periksa")
    citizen.click("button[name=intent][value=submit]")
    citizen.wait_for_url("**/kasus/DISDUKCAPIL-*/?terkirim=1")
    tracking = citizen.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]

    officer = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    _sign_in(officer, live_server.url, "dukcapil.verifikator")
    for path in ["/kantor/DISDUKCAPIL/kotak-masuk/", f"/kantor/DISDUKCAPIL/kasus/{tracking}/"]:
        officer.goto(live_server.url + path)
        assert _serious_violations(officer) == [], path
        assert _fits_the_phone(officer), path
    # Ask DINKES from the case page; DINKES's coordination inbox and the request's page.
    officer.fill("#coord-message", "Mohon cek laporan kehilangan dari kepolisian.")
    officer.click("text=Kirim permintaan")
    officer.wait_for_load_state()
    assert "KOORD-" in officer.content()
    dinkes = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    _sign_in(dinkes, live_server.url, "dinkes.petugas")
    dinkes.goto(live_server.url + "/kantor/DINKES/koordinasi/")
    assert _serious_violations(dinkes) == []
    assert _fits_the_phone(dinkes)
    dinkes.click("text=KOORD-")
    dinkes.wait_for_load_state()
    assert _serious_violations(dinkes) == []
    assert _fits_the_phone(dinkes)
    operator = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    _sign_in(operator, live_server.url, "kominfo.operator")
    for path in ["/kantor/kalender/", "/kantor/dasbor/", "/kantor/pengumuman/"]:  # the dashboard shows the request
        operator.goto(live_server.url + path)
        assert _serious_violations(operator) == [], path
        assert _fits_the_phone(operator), path


def test_the_integration_pages_are_accessible_and_fit_a_phone(
    page: Page, live_server: Any, personas: dict, settings: Any
) -> None:
    from kotalive.events.dispatch import dispatch_once
    from kotalive.events.services import subscription_create
    from kotalive.registry.mediation import registry_lookup

    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    subscription_create(
        actor=personas["admin"], agency=None, url="http://127.0.0.1:9/unreachable", event_types=[]
    )  # nobody listens on port 9: the console shows failed attempts
    registry_lookup(actor=personas["dinsos.petugas"], nik=BUDI.nik, purpose="verifikasi-bansos")
    from django.db import transaction

    from kotalive.events.services import outbox_write

    with transaction.atomic():
        outbox_write(event="case.assigned", subject="DISDUKCAPIL-20261127-00001", agency="DISDUKCAPIL", data={})
    dispatch_once()

    _sign_in(page, live_server.url, "admin")
    for path in ["/kantor/integrasi/", "/kantor/perjanjian-data/"]:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1, path
        assert _serious_violations(page) == [], path
        assert _fits_the_phone(page), path
    page.goto(live_server.url + "/kantor/integrasi/")
    # Attempts, all failed: the success chart is drawn; no delivery arrived, so the lag chart says "nothing yet".
    assert page.locator("svg[role=img]").count() == 1
    assert page.locator(".chart-empty").count() == 1
    assert "127.0.0.1:9" in page.content()

    page.context.clear_cookies()
    _sign_in(page, live_server.url, "warga1")
    page.goto(live_server.url + "/profil/akses-data/")
    assert "DINSOS" in page.content()
    assert "Verifikasi calon penerima bantuan sosial" in page.content()  # the purpose in words, not its code
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
