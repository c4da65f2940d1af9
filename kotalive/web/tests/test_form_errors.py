"""Errors of the portal's forms read as sentences that name the field by its label, never a field's key or Python's
words; every problem of one submit shows at once in an error summary linking to its field; a refused report stores
none of its photos; back-office dates are typed DD-MM-YYYY; destructive back-office moves ask first."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.catalogue.models import Service
from kotalive.complaints.models import Complaint, Photo, RoutingRule
from kotalive.complaints.services import routing_rule_save
from kotalive.core.models import CalendarOverride, Upload
from kotalive.core.tests.images import jpeg, png_bomb
from kotalive.events.models import WebhookDelivery, WebhookSubscription
from kotalive.events.services import subscription_create
from kotalive.registry.models import LOOKUP_FIELDS, DataSharingAgreement
from kotalive.web.feedback import error_sentence

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\b(reason|date|valid_from|valid_until|since|version|rule|fee|lat|lon|location|photos?):")


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _signed_in(user: User) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _summary(page: str) -> list[tuple[str, str]]:
    """The error summary's lines as (link, text)."""
    found = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert found, "no error summary on the page"
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', found[0])


def _report(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "category": "street-lights",
        "title": "Lampu jalan mati",
        "description": "Tiga lampu PJU di depan sekolah mati sejak seminggu, jalan gelap malam hari.",
        "kelurahan": "36.71.01.1001",
        "address": "Jl. Kisamaun depan SDN 1",
        "lat": "",
        "lon": "",
        **overrides,
    }


def test_a_failed_report_shows_every_problem_at_once_in_sentences_and_stores_no_photo(
    warga1: User, media_root: Path
) -> None:
    """A coordinate that is no number, a refused photo and the service's own refusals come back in one answer."""
    photos = [
        SimpleUploadedFile("lampu.jpg", jpeg(), content_type="image/jpeg"),
        SimpleUploadedFile("bom.png", png_bomb(), content_type="image/png"),
    ]

    response = _signed_in(warga1).post(
        "/laporan/baru/", _report(title="Abc", lat="utara", lon="106.63", kelurahan="", photos=photos)
    )

    page = response.content.decode()
    assert response.status_code == 422
    lines = _summary(page)
    links = [href for href, _text in lines]
    assert links == ["#title", "#lat", "#photos"]  # in the form's order
    texts = " | ".join(text for _href, text in lines)
    assert "Give the report a title of 5 to 150 characters." in texts
    assert "Enter the latitude as a number, for example -6.178." in texts
    assert "The photo bom.png is too large an image" in texts
    assert not RAW.search(texts)
    assert "must be a number" not in page  # the fragment never shows
    for field in ("lat", "title", "photos"):
        assert f'id="{field}-error"' in page  # each beside its field too
    assert not Complaint.objects.exists()
    assert not Upload.objects.exists()  # the good photo is not kept either: nothing is stored until all is right
    assert [p for p in media_root.rglob("*") if p.is_file()] == []
    assert "choose them again" in page


def test_a_right_report_stores_its_checked_photo(warga1: User) -> None:
    photo = SimpleUploadedFile("lampu.jpg", jpeg(), content_type="image/jpeg")

    response = _signed_in(warga1).post("/laporan/baru/", _report(photos=[photo]))

    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = Complaint.objects.get()
    assert Photo.objects.filter(complaint=complaint).count() == 1
    assert Upload.objects.count() == 1


def test_a_report_sent_twice_by_a_double_tap_keeps_no_second_copy_of_its_photo(warga1: User, media_root: Path) -> None:
    browser = _signed_in(warga1)
    browser.post("/laporan/baru/", _report(photos=[SimpleUploadedFile("lampu.jpg", jpeg(), "image/jpeg")]))
    files = sorted(p for p in media_root.rglob("*") if p.is_file())

    again = browser.post("/laporan/baru/", _report(photos=[SimpleUploadedFile("lampu.jpg", jpeg(), "image/jpeg")]))

    assert again.status_code == 409
    assert "You sent this same report a moment ago" in again.content.decode()
    assert Complaint.objects.count() == 1
    assert Upload.objects.count() == 1  # the refused copy's photo is not stored
    assert sorted(p for p in media_root.rglob("*") if p.is_file()) == files


def test_a_half_given_pin_is_one_sentence_linking_to_the_latitude(warga1: User) -> None:
    response = _signed_in(warga1).post("/laporan/baru/", _report(lat="-6.1781", lon=""))

    assert response.status_code == 422
    assert _summary(response.content.decode()) == [("#lat", "Give both the latitude and the longitude, or neither.")]


def test_a_sentence_names_the_field_by_its_label_and_never_by_its_key() -> None:
    assert error_sentence("reason", "is required for this action") == "Reason is required for this action."
    assert error_sentence("valid_until", "must not be before the start date") == (
        "Valid until must not be before the start date."
    )
    assert error_sentence("unknown_key", "is wrong") == "Is wrong."
    assert error_sentence("reason", "Already a sentence.") == "Already a sentence."


def test_an_officer_s_refusal_names_the_reason_field(verifier: User, warga1: User) -> None:
    _api, body = submit_birth_certificate(warga1)
    officer = _signed_in(verifier)
    url = f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/"
    case = Case.objects.get(tracking=body["tracking"])
    officer.post(url, {"action": "start_verification", "version": case.version})
    case.refresh_from_db()

    response = officer.post(url, {"action": "request_revision", "version": case.version, "reason": ""}, follow=True)

    page = response.content.decode()
    assert "Reason is required for this action." in page
    assert "reason: is required" not in page
    case.refresh_from_db()
    assert case.state == "verification"


def test_the_calendar_takes_a_day_typed_dd_mm_yyyy_and_shows_it_so(operator: User) -> None:
    browser = _signed_in(operator)
    form = browser.get("/kantor/kalender/").content.decode()
    assert 'type="date"' not in form
    assert 'placeholder="DD-MM-YYYY"' in form
    assert "Day, month and year, for example 17-08-1990." in form

    response = browser.post("/kantor/kalender/", {"date": "28-12-2026", "working": "0", "reason": "Banjir"})

    assert response.status_code == 302
    assert CalendarOverride.objects.get().date == dt.date(2026, 12, 28)
    assert "28-12-2026" in browser.get("/kantor/kalender/").content.decode()


def test_a_failed_calendar_form_stays_with_both_problems_in_its_summary(operator: User) -> None:
    response = _signed_in(operator).post("/kantor/kalender/", {"date": "31-02-2026", "working": "0", "reason": ""})

    page = response.content.decode()
    assert response.status_code == 422
    assert _summary(page) == [
        ("#date", "Date must be a real date written as day, month and year, for example 17-08-1990."),
        ("#reason", "Reason is required."),
    ]
    assert 'value="31-02-2026"' in page  # what was typed stays
    assert not CalendarOverride.objects.exists()


def test_removing_a_calendar_change_asks_first(operator: User) -> None:
    browser = _signed_in(operator)
    browser.post("/kantor/kalender/", {"date": "28-12-2026", "working": "0", "reason": "Banjir"})
    page = browser.get("/kantor/kalender/").content.decode()
    assert re.search(r'name="intent" value="remove">.*?class="danger"', page)

    asked = browser.post("/kantor/kalender/", {"intent": "remove", "date": "28-12-2026"})

    assert asked.status_code == 200
    assert "28-12-2026" in asked.content.decode()
    assert CalendarOverride.objects.exists()
    done = browser.post("/kantor/kalender/", {"intent": "remove", "date": "28-12-2026", "confirmed": "1"})
    assert done.status_code == 302
    assert not CalendarOverride.objects.exists()


def _agreement(**overrides: Any) -> dict[str, Any]:
    return {
        "consumer": "DINSOS",
        "purpose": "uji-coba",
        "purpose_name": "Uji coba",
        "fields": list(LOOKUP_FIELDS[:2]),
        "legal_basis": "Permendagri 17/2023",
        "valid_from": "01-01-2027",
        "valid_until": "31-12-2027",
        **overrides,
    }


def test_an_agreement_s_bad_end_date_is_blamed_on_valid_until_with_the_other_problems(
    dukcapil_admin: User,
) -> None:
    before = DataSharingAgreement.objects.count()

    response = _signed_in(dukcapil_admin).post(
        "/kantor/perjanjian-data/", _agreement(valid_until="kemarin", legal_basis="")
    )

    page = response.content.decode()
    assert response.status_code == 422
    lines = {text: href for href, text in _summary(page)}
    assert lines["Valid until must be a real date written as day, month and year, for example 17-08-1990."] == (
        "#valid_until"
    )
    assert any(href == "#legal_basis" for href in lines.values())
    assert not any("Valid from" in text for text in lines)
    assert 'value="Uji coba"' in page  # the form keeps what was typed
    assert DataSharingAgreement.objects.count() == before


def test_an_agreement_takes_dates_typed_dd_mm_yyyy(dukcapil_admin: User) -> None:
    browser = _signed_in(dukcapil_admin)
    assert 'type="date"' not in browser.get("/kantor/perjanjian-data/").content.decode()

    response = browser.post("/kantor/perjanjian-data/", _agreement())

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = DataSharingAgreement.objects.get(purpose="uji-coba")
    assert (saved.valid_from, saved.valid_until) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))


def test_a_service_edit_s_errors_name_their_fields_in_a_summary(operator: User) -> None:
    browser = _signed_in(operator)
    fields = {
        "code": "uji",
        "name_id": "",
        "name_en": "Test",
        "sla_working_days": "lima",
        "fee": "0",
        "output_kind": "signed_pdf",
        "workflow": "standard-approval",
        "requirements": '[{"types": ["pdf"]}]',
        "form_schema": "{",
        "ui_hints": "{}",
        "eligibility": "{}",
        "escalation": "[]",
        "standard": "{}",
    }

    response = browser.post("/kantor/DISDUKCAPIL/layanan/baru/", fields)

    page = response.content.decode()
    assert response.status_code == 422
    lines = _summary(page)
    assert ("#sla_working_days", "SLA (working days) must be a whole number.") in lines
    assert any(href == "#form_schema" and text == "Form is not valid JSON (line 1, column 2)." for href, text in lines)
    # The fields that did parse are checked in the same submit, not on the next one.
    assert any(href == "#name_id" and "is required" in text for href, text in lines), lines
    assert any(href == "#requirements" and text == "Each requirement needs its own code." for href, text in lines)
    assert not Service.objects.filter(code="uji").exists()
    # From the top of the page down.
    assert [href for href, _text in lines] == ["#name_id", "#sla_working_days", "#requirements", "#form_schema"]
    assert "sla_working_days:" not in page
    assert "form_schema (JSON)" not in page


def test_a_routing_rule_for_a_region_outside_the_city_is_a_summary_line_linking_to_its_field(operator: User) -> None:
    rules = RoutingRule.objects.count()

    response = _signed_in(operator).post(
        "/kantor/live-room/kategori/",
        {"intent": "rule", "category": "street-lights", "region": "32.73.01", "agency": "DISHUB"},
        headers={"Accept-Language": "en"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    summary = page.split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    assert 'href="#rule-region"' in summary
    assert RoutingRule.objects.count() == rules


def test_removing_a_routing_rule_asks_first(operator: User) -> None:
    agency = Agency.objects.filter(handles_complaints=True, active=True).order_by("code").first()
    assert agency is not None
    rule = routing_rule_save(actor=operator, category="street-lights", region="36.71.01", agency=agency.code)
    browser = _signed_in(operator)

    asked = browser.post("/kantor/live-room/kategori/", {"intent": "delete", "rule": rule.pk})

    assert asked.status_code == 200
    assert "are you sure" in asked.content.decode()
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    done = browser.post("/kantor/live-room/kategori/", {"intent": "delete", "rule": rule.pk, "confirmed": "1"})
    assert done.status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


@pytest.fixture
def subscription(settings: Any, operator: User) -> WebhookSubscription:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    created, _secret = subscription_create(actor=operator, agency=None, url="http://127.0.0.1:9/hook", event_types=[])
    return created


def test_disabling_a_webhook_subscription_asks_first(operator: User, subscription: WebhookSubscription) -> None:
    browser = _signed_in(operator)
    console = browser.get("/kantor/integrasi/").content.decode()
    assert 'type="datetime-local"' not in console
    assert re.search(r'value="disable" class="danger"', console)

    asked = browser.post("/kantor/integrasi/aksi/", {"intent": "disable", "subscription": subscription.pk})

    assert asked.status_code == 200
    assert "http://127.0.0.1:9/hook" in asked.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == "active"
    done = browser.post(
        "/kantor/integrasi/aksi/", {"intent": "disable", "subscription": subscription.pk, "confirmed": "1"}
    )
    assert done.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status != "active"


def test_a_replay_takes_a_day_typed_dd_mm_yyyy(operator: User, subscription: WebhookSubscription) -> None:
    response = _signed_in(operator).post(
        "/kantor/integrasi/aksi/", {"intent": "replay", "subscription": subscription.pk, "since": "01-12-2026"}
    )

    assert response.status_code == 302


def test_a_replay_s_bad_time_names_its_field(operator: User, subscription: WebhookSubscription) -> None:
    response = _signed_in(operator).post(
        "/kantor/integrasi/aksi/", {"intent": "replay", "subscription": subscription.pk, "since": "kemarin"}
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert _summary(page) == [
        (
            f"#since-{subscription.pk}",
            "Replay events from must be a real date written as day, month and year, for example 17-08-1990.",
        )
    ]
    assert "since:" not in page
    assert not WebhookDelivery.objects.exists()


def test_a_refused_move_on_the_report_page_is_a_summary_line_linking_to_its_field(warga1: User, operator: User) -> None:
    from kotalive.complaints.tests.helpers import file_report

    _client, filed = file_report(warga1)
    before = Complaint.objects.get(tracking=filed["tracking"])

    response = _signed_in(operator).post(
        f"/laporan/{filed['tracking']}/",
        {"action": "reject", "version": str(before.version), "reason": ""},
        headers={"Accept-Language": "en"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    summary = page.split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    assert 'href="#reason-reject"' in summary
    assert Complaint.objects.get(tracking=filed["tracking"]).state == before.state
