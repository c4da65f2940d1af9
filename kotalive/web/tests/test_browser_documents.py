"""Signed documents in a real browser: the holder's pages, the verification page, and the offline verifier that
checks a QR's seal with the browser's own WebCrypto (valid, invalid, cannot decide)."""

import json
import threading
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page

from kotalive.accounts.models import User
from kotalive.cases.tests.test_output_documents import _complete, _pdf, _qr_text
from kotalive.documents.services import documents_sign_due
from kotalive.web.tests.test_browser import _fits_the_phone, _serious_violations, _sign_in, browser, page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "page"]  # the fixtures, shared with the portal's browser tests


def _in_a_thread(function: Any) -> None:
    """pyHanko runs its own event loop, and Playwright's sync API holds one in this thread: sign beside it, as the
    worker's thread would."""

    def run() -> None:
        try:
            function()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


@pytest.fixture
def signed(personas: dict[str, User]) -> dict[str, Any]:
    case = _complete(personas["warga1"], personas["dukcapil.verifikator"], personas["dukcapil.kadis"])
    _in_a_thread(documents_sign_due)
    return {**case, "qr": _qr_text(_pdf(personas["warga1"], case["tracking"]))}


def _verdict(page: Page) -> str:
    page.locator("#verdict:not([hidden])").wait_for()
    return page.locator("#verdict strong").inner_text()


def test_the_holder_finds_and_downloads_the_document_and_anyone_verifies_it(
    page: Page, live_server: Any, signed: dict[str, Any]
) -> None:
    _sign_in(page, live_server.url, "warga1")
    page.goto(f"{live_server.url}/kasus/{signed['tracking']}/")
    assert page.get_by_role("link", name="Unduh PDF").count() == 1
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
    page.goto(f"{live_server.url}/dokumen/")
    assert signed["output"]["number"] in page.content()
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").first.click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.goto(signed["qr"].split("#")[0].replace("http://127.0.0.1:8000", live_server.url))
    assert page.locator(".verdict strong").first.inner_text() == "Sah"
    assert "BA** SA*****" in page.content()
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)


def test_the_offline_verifier_says_valid_invalid_or_cannot_decide(
    page: Page, live_server: Any, signed: dict[str, Any]
) -> None:
    page.goto(f"{live_server.url}/v/offline")
    page.locator("#lists-status", has_text="Daftar kunci dari").wait_for()
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)

    page.fill("#qr-text", signed["qr"])
    page.click("#qr-check")
    assert _verdict(page) == "Sah"

    seal = signed["qr"].split("#", 1)[1]
    tampered = seal[:-6] + ("A" if seal[-6] != "A" else "B") + seal[-5:]
    page.fill("#qr-text", tampered)
    page.click("#qr-check")
    assert _verdict(page) == "Tidak sah"

    # Offline with lists two days old: the signature holds, but a revocation since then would be unknown.
    page.context.set_offline(True)
    page.evaluate(
        """() => {
            const keys = JSON.parse(localStorage.getItem('kotalive-verifier-keys'));
            keys.fetched -= 48 * 3600 * 1000;
            localStorage.setItem('kotalive-verifier-keys', JSON.stringify(keys));
        }"""
    )
    page.fill("#qr-text", signed["qr"])
    page.click("#qr-check")
    assert _verdict(page) == "Tidak dapat memutuskan"
    assert "48" in page.locator("#verdict p").inner_text()
    page.context.set_offline(False)


def test_the_offline_verifier_knows_a_revoked_document(
    page: Page, live_server: Any, signed: dict[str, Any], personas: dict[str, User]
) -> None:
    from kotalive.conftest import bearer_client

    revoked = bearer_client(personas["dukcapil.kadis"]).post(
        f"/api/v1/documents/{signed['output']['document_id']}/revocation",
        json.dumps({"reason": "superseded"}),
        content_type="application/json",
    )
    assert revoked.status_code == 200
    page.goto(f"{live_server.url}/v/offline")
    page.locator("#lists-status", has_text="Daftar kunci dari").wait_for()
    page.fill("#qr-text", signed["qr"])
    page.click("#qr-check")
    assert _verdict(page) == "Tidak sah"
    assert "diganti dengan dokumen yang lebih baru" in page.locator("#verdict p").inner_text()


def test_the_citizen_sees_a_notification_for_each_step_in_the_bell_and_on_the_page(
    page: Page, live_server: Any, signed: dict[str, Any]
) -> None:
    from kotalive.events.tests.helpers import drain

    _in_a_thread(drain)  # the notices of every step, and of the signed document
    _sign_in(page, live_server.url, "warga1")
    bell = page.locator("a.bell .count")
    assert int(bell.inner_text()) >= 5
    page.click("a.bell")
    page.wait_for_url("**/notifikasi/")
    text = page.locator("main").inner_text()
    for step in ("Verifikasi berkas", "Diproses", "Menunggu persetujuan", "Selesai"):
        assert f"Permohonan Anda kini: {step}" in text
    assert "Dokumen Anda sudah ditandatangani dan siap diunduh" in text
    assert _serious_violations(page) == []
    assert _fits_the_phone(page)
    page.click("main button[type=submit]")  # mark all as read
    page.wait_for_load_state()
    assert page.locator("a.bell .count").count() == 0
