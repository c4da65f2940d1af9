"""A tampered form (a hidden number that is none, a number beyond any id, a time that is no time) is answered with a
page that says which field was wrong, as a 4xx, never a server error, and changes nothing."""

from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.catalogue.models import ServiceVersion
from kotalive.complaints.models import Complaint, RoutingRule
from kotalive.complaints.services import routing_rule_save
from kotalive.complaints.tests.helpers import file_report
from kotalive.core.models import AuditEntry
from kotalive.events.models import WebhookDelivery, WebhookSubscription
from kotalive.events.services import subscription_create
from kotalive.workflow.models import Rating

pytestmark = pytest.mark.django_db

GARBAGE = ["abc", "1.5", "99999999999999999999999", "0x10", "1e3"]


def _signed_in(user: User) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=True)
    browser.force_login(user)
    return browser


def _refused(response: Any, field: str) -> None:
    """A 4xx page that names the field in a sentence."""
    page = response.content.decode()
    assert 400 <= response.status_code < 500, page[:2000]
    assert f"{field} must be a whole number." in page, page[:4000]
    assert "invalid literal" not in page


@pytest.mark.parametrize("value", GARBAGE)
def test_a_citizen_s_rating_with_a_score_that_is_no_number_is_refused(warga1: User, value: str) -> None:
    _api, body = submit_birth_certificate(warga1)

    response = _signed_in(warga1).post(
        f"/kasus/{body['tracking']}/", {"intent": "rating", **{f"u{i}": "4" for i in range(1, 10)}, "u3": value}
    )

    assert 400 <= response.status_code < 500
    assert "Each rating must be a whole number." in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.parametrize("value", GARBAGE)
def test_a_citizen_s_move_with_a_version_that_is_no_number_changes_nothing(warga1: User, value: str) -> None:
    _api, body = submit_birth_certificate(warga1)
    before = Case.objects.get(tracking=body["tracking"])

    response = _signed_in(warga1).post(
        f"/kasus/{body['tracking']}/", {"action": "cancel", "version": value, "confirmed": "1"}
    )

    _refused(response, "Version of the page")
    after = Case.objects.get(tracking=body["tracking"])
    assert (after.state, after.version) == (before.state, before.version)


@pytest.mark.parametrize("value", GARBAGE)
def test_an_officer_s_move_with_a_version_that_is_no_number_changes_nothing(
    warga1: User, verifier: User, value: str
) -> None:
    _api, body = submit_birth_certificate(warga1)
    before = Case.objects.get(tracking=body["tracking"])

    response = _signed_in(verifier).post(
        f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/", {"action": "start_verification", "version": value}
    )

    _refused(response, "Version of the page")
    after = Case.objects.get(tracking=body["tracking"])
    assert (after.state, after.version) == (before.state, before.version)


@pytest.mark.parametrize("value", GARBAGE)
def test_a_report_s_rating_with_a_score_that_is_no_number_is_refused(warga1: User, value: str) -> None:
    _api, filed = file_report(warga1)

    response = _signed_in(warga1).post(f"/laporan/{filed['tracking']}/", {"intent": "rating", "score": value})

    _refused(response, "Rating")
    assert not Rating.objects.exists()


@pytest.mark.parametrize("value", GARBAGE)
def test_a_report_s_move_with_a_version_that_is_no_number_changes_nothing(
    warga1: User, operator: User, value: str
) -> None:
    _api, filed = file_report(warga1)
    before = Complaint.objects.get(tracking=filed["tracking"])
    agency = Agency.objects.filter(handles_complaints=True, active=True).order_by("code").first()
    assert agency is not None

    response = _signed_in(operator).post(
        f"/laporan/{filed['tracking']}/", {"action": "dispose", "version": value, "agency": agency.code}
    )

    _refused(response, "Version of the page")
    after = Complaint.objects.get(tracking=filed["tracking"])
    assert (after.state, after.version) == (before.state, before.version)


@pytest.mark.parametrize("value", GARBAGE)
def test_deleting_a_routing_rule_by_an_id_that_is_no_number_changes_nothing(operator: User, value: str) -> None:
    agency = Agency.objects.filter(handles_complaints=True, active=True).order_by("code").first()
    assert agency is not None
    routing_rule_save(actor=operator, category="street-lights", region="36.71.01", agency=agency.code)
    rules = RoutingRule.objects.count()

    response = _signed_in(operator).post(
        "/kantor/live-room/kategori/", {"intent": "delete", "rule": value, "confirmed": "1"}
    )

    _refused(response, "Routing rule")
    assert RoutingRule.objects.count() == rules


@pytest.fixture
def subscription(settings: Any, operator: User) -> WebhookSubscription:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    created, _secret = subscription_create(actor=operator, agency=None, url="http://127.0.0.1:9/hook", event_types=[])
    return created


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"intent": "redeliver", "delivery": "{value}"}, "Delivery"),
        ({"intent": "replay", "subscription": "{value}", "since": "01-12-2026"}, "Subscription"),
        ({"intent": "disable", "subscription": "{value}", "confirmed": "1"}, "Subscription"),
        ({"intent": "enable", "subscription": "{value}"}, "Subscription"),
        ({"intent": "consumer_replay", "dead_letter": "{value}"}, "Dead letter"),
    ],
)
@pytest.mark.parametrize("value", ["abc", "99999999999999999999999"])
def test_the_integration_console_refuses_an_id_that_is_no_number_naming_it(
    operator: User, subscription: WebhookSubscription, fields: dict[str, str], label: str, value: str
) -> None:
    audited = AuditEntry.objects.count()

    response = _signed_in(operator).post(
        "/kantor/integrasi/aksi/", {name: v.format(value=value) for name, v in fields.items()}
    )

    _refused(response, label)
    assert "since:" not in response.content.decode()  # never blamed on the replay's time
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert not WebhookDelivery.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_a_replay_s_time_that_is_no_time_changes_nothing(operator: User, subscription: WebhookSubscription) -> None:
    response = _signed_in(operator).post(
        "/kantor/integrasi/aksi/", {"intent": "replay", "subscription": subscription.pk, "since": "2026-13-45T99"}
    )

    assert response.status_code == 422
    assert not WebhookDelivery.objects.exists()


def test_a_service_fee_beyond_any_number_is_refused_without_a_new_version(operator: User) -> None:
    versions = ServiceVersion.objects.count()

    response = _signed_in(operator).post(
        "/kantor/DISDUKCAPIL/layanan/baru/",
        {
            "code": "uji",
            "name_id": "Uji",
            "name_en": "Test",
            "sla_working_days": "5",
            "fee": "9" * 30,
            "output_kind": "signed_pdf",
            "workflow": "standard-approval",
            "requirements": "[]",
            "form_schema": '{"type": "object", "properties": {}, "required": []}',
            "ui_hints": "{}",
            "eligibility": "{}",
            "escalation": "[]",
            "standard": "{}",
        },
    )

    _refused(response, "Fee (rupiah)")
    assert ServiceVersion.objects.count() == versions
