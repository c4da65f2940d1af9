"""The delivery contract, against real components: a local SMTP server (aiosmtpd) and an HTTP gateway that answers
as told and receives our requests; receipts come back signed, as a gateway would post them."""

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import Mailbox, bearer_client
from kotalive.events.models import OutboxEvent
from kotalive.events.tests.helpers import drain
from kotalive.notifications.gateways import signature
from kotalive.notifications.models import ContactPreference, DeliveryAttempt, MessageTemplate, Notification
from kotalive.workflow.delivery import deliveries_run

pytestmark = pytest.mark.django_db


class _Gateway(BaseHTTPRequestHandler):
    """An SMS gateway: `answer` is the status it gives (202 takes the message; 400 refuses the number; 503 is down)."""

    answer = 202
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.headers["X-KotaLIVE-Signature"] == signature(body)
        message = json.loads(body)
        _Gateway.received.append(message)
        reply = json.dumps({"id": f"gw-{len(_Gateway.received)}"}).encode()
        self.send_response(self.answer)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings: Any) -> Iterator[type[_Gateway]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.KOTALIVE_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/messages"
    settings.KOTALIVE_WHATSAPP_GATEWAY_URL = ""
    settings.KOTALIVE_GATEWAY_SECRET = "gateway-secret"
    settings.NOTIFICATION_CHANNEL = "email"  # no development log: a channel without a gateway is unavailable
    _Gateway.answer, _Gateway.received = 202, []
    yield _Gateway
    server.shutdown()
    server.server_close()


def _verify(tracking: str, officer: User, version: int) -> None:
    response = bearer_client(officer).post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": "start_verification", "version": version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def _settle_all(passes: int = 12) -> None:
    """Run the delivery job until nothing is left to do, skipping the pauses between tries."""
    for _ in range(passes):
        drain()
        DeliveryAttempt.objects.filter(state=DeliveryAttempt.QUEUED).update(not_before=timezone.now())
        if not deliveries_run():
            return


def _notice(citizen: User, tracking: str) -> Notification:
    return Notification.objects.get(user=citizen, subject=tracking, kind="case.verification_started")


def test_a_notice_that_fails_on_sms_reaches_the_citizen_by_email(
    warga1: User, verifier: User, mailbox: Mailbox, gateway: type[_Gateway]
) -> None:
    gateway.answer = 400  # the number is refused
    _client, case = submit_birth_certificate(warga1)
    _verify(case["tracking"], verifier, case["version"])
    _settle_all()

    notice = _notice(warga1, case["tracking"])
    attempts = list(notice.attempts.values_list("channel", "state"))
    assert attempts == [("sms", "failed"), ("email", "delivered")]
    assert notice.delivered_at is not None
    assert notice.unreachable_at is None
    [mail] = mailbox.messages
    assert mail["To"] == warga1.email
    assert case["tracking"] in mail["Subject"]
    assert "Verifikasi berkas" in mail.get_payload(decode=True).decode()
    assert warga1.citizen.person.nik not in str(gateway.received)  # type: ignore[union-attr]
    outcomes = list(
        OutboxEvent.objects.filter(subject=f"notification:{notice.pk}").values_list("type", flat=True).order_by("id")
    )
    assert outcomes == ["id.kotalive.notification.failed", "id.kotalive.notification.delivered"]


def test_every_channel_failing_marks_the_citizen_unreachable_until_a_notice_gets_through(
    warga1: User, verifier: User, mailbox: Mailbox, gateway: type[_Gateway], personas: dict[str, User]
) -> None:
    gateway.answer, mailbox.refuse = 503, True
    _client, case = submit_birth_certificate(warga1)
    _verify(case["tracking"], verifier, case["version"])
    _settle_all()

    notice = _notice(warga1, case["tracking"])
    sms, email = notice.attempts.all()
    assert (sms.channel, sms.state, sms.tries) == ("sms", "failed", 3)  # a gateway that is down is tried 3 times
    assert (email.channel, email.state) == ("email", "failed")
    assert "550" in email.error
    assert notice.unreachable_at is not None
    assert Case.objects.get(tracking=case["tracking"]).citizen_unreachable_at is not None
    assert OutboxEvent.objects.filter(subject=f"notification:{notice.pk}", type__endswith=".unreachable").exists()
    officer = Client()
    officer.force_login(verifier)
    inbox = officer.get("/kantor/DISDUKCAPIL/kotak-masuk/", headers={"Accept-Language": "en"}).content.decode()
    assert "citizen unreachable" in inbox

    gateway.answer, mailbox.refuse = 202, False  # the next notice goes out, and its receipt says delivered
    version = bearer_client(verifier).get(f"/api/v1/cases/{case['tracking']}").json()["version"]
    moved = bearer_client(verifier).post(
        f"/api/v1/cases/{case['tracking']}/transitions",
        {"action": "verify", "version": version},
        content_type="application/json",
    )
    assert moved.status_code == 200
    _settle_all()
    sent = DeliveryAttempt.objects.get(state="sent")
    body = json.dumps({"reference": str(sent.pk), "id": sent.provider_id, "status": "delivered"}).encode()
    receipt = Client().post(
        "/api/v1/notifications/receipts",
        body,
        content_type="application/json",
        headers={"X-KotaLIVE-Signature": signature(body)},
    )
    assert receipt.status_code == 200
    _settle_all()
    assert Case.objects.get(tracking=case["tracking"]).citizen_unreachable_at is None


def test_no_receipt_in_time_is_undetermined_the_next_channel_is_tried_and_a_late_receipt_is_kept(
    warga1: User, verifier: User, mailbox: Mailbox, gateway: type[_Gateway], settings: Any
) -> None:
    settings.KOTALIVE_RECEIPT_TIMEOUT_SECONDS = 0
    _client, case = submit_birth_certificate(warga1)
    _verify(case["tracking"], verifier, case["version"])
    _settle_all()

    notice = _notice(warga1, case["tracking"])
    sms, email = notice.attempts.all()
    assert (sms.state, email.state) == ("undetermined", "delivered")
    assert len(mailbox.messages) == 1

    body = json.dumps({"reference": str(sms.pk), "status": "delivered"}).encode()
    forged = Client().post(
        "/api/v1/notifications/receipts", body, content_type="application/json", headers={"X-KotaLIVE-Signature": "x"}
    )
    assert forged.status_code == 403
    assert DeliveryAttempt.objects.get(pk=sms.pk).state == "undetermined"
    unknown = json.dumps({"reference": "999999", "status": "delivered"}).encode()
    assert (
        Client()
        .post(
            "/api/v1/notifications/receipts",
            unknown,
            content_type="application/json",
            headers={"X-KotaLIVE-Signature": signature(unknown)},
        )
        .status_code
        == 404
    )
    late = Client().post(
        "/api/v1/notifications/receipts",
        body,
        content_type="application/json",
        headers={"X-KotaLIVE-Signature": signature(body)},
    )
    assert late.status_code == 200
    sms.refresh_from_db()
    assert sms.state == "delivered"
    assert sms.receipt_status == "delivered"
    assert sms.receipt_at is not None


def test_quiet_hours_hold_the_message_and_the_api_shows_every_attempt(
    warga1: User, verifier: User, mailbox: Mailbox, gateway: type[_Gateway]
) -> None:
    now = timezone.localtime()
    ContactPreference.objects.create(
        user=warga1,
        ranking=["email"],
        quiet_start=(now - dt.timedelta(hours=1)).time(),
        quiet_end=(now + dt.timedelta(hours=1)).time(),
    )
    _client, case = submit_birth_certificate(warga1)
    _verify(case["tracking"], verifier, case["version"])
    drain()
    deliveries_run()

    attempt = _notice(warga1, case["tracking"]).attempts.get()
    assert attempt.state == "queued"
    assert attempt.not_before > timezone.now() + dt.timedelta(minutes=50)
    assert mailbox.messages == []
    listed = bearer_client(warga1).get("/api/v1/me/notifications", headers={"Accept-Language": "en"}).json()
    mine = next(n for n in listed if n["kind"] == "case.verification_started")
    assert mine["what"] == "Your application is now: Verification"
    assert mine["attempts"][0]["channel"] == "email"
    assert mine["attempts"][0]["state"] == "queued"
    assert "@" in mine["attempts"][0]["destination"]
    assert warga1.email not in mine["attempts"][0]["destination"]


def test_preferences_refuse_unknown_channels_and_half_quiet_hours(warga1: User) -> None:
    client = bearer_client(warga1)
    bad = client.put(
        "/api/v1/me/notification-preferences",
        {"ranking": ["pigeon"], "quiet_start": "21:00"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"ranking", "quiet_end"}
    assert not ContactPreference.objects.filter(user=warga1).exists()
    good = client.put(
        "/api/v1/me/notification-preferences",
        {"ranking": ["email", "sms"], "quiet_start": "21:00", "quiet_end": "06:00", "language": "en"},
        content_type="application/json",
    )
    assert good.status_code == 200, good.content
    assert good.json()["ranking"] == ["email", "sms"]


def test_an_officer_is_told_of_a_file_assigned_to_them(warga1: User, verifier: User, personas: dict) -> None:
    _client, case = submit_birth_certificate(warga1)
    head = bearer_client(personas["dukcapil.kadis"])
    assigned = head.post(
        f"/api/v1/cases/{case['tracking']}/assign", {"assignee": verifier.username}, content_type="application/json"
    )
    assert assigned.status_code == 200, assigned.content
    drain()
    notice = Notification.objects.get(user=verifier, subject=case["tracking"])
    assert notice.data["what"]["en"] == "A file was assigned to you"


def test_the_operator_words_a_notice_with_a_preview_and_the_next_sms_uses_it(
    warga1: User, verifier: User, operator: User, gateway: type[_Gateway], mailbox: Mailbox
) -> None:
    page = Client()
    page.force_login(operator)
    url = "/kantor/notifikasi/templat/"
    target = {"kind": "case.verification_started", "channel": "sms", "language": "id", "subject": ""}
    wrong = page.post(
        url, {**target, "body": "Halo {name}, {what}", "intent": "save"}, headers={"Accept-Language": "en"}
    )
    assert wrong.status_code == 422
    assert "{name} is not a placeholder" in wrong.content.decode()
    assert not MessageTemplate.objects.exists()
    preview = page.post(url, {**target, "body": "Berkas {tracking}: {what}", "intent": "preview"})
    assert "Berkas DISDUKCAPIL-20261205-00001: Permohonan Anda kini: Diproses" in preview.content.decode()
    saved = page.post(url, {**target, "body": "Berkas {tracking}: {what}. NIK 3671011501900001", "intent": "save"})
    assert saved.status_code == 200

    _client, case = submit_birth_certificate(warga1)
    _verify(case["tracking"], verifier, case["version"])
    _settle_all()
    sms = gateway.received[-1]["body"]
    assert sms == f"Berkas {case['tracking']}: Permohonan Anda kini: Verifikasi berkas. NIK 3671********0001"
    report = page.get("/kantor/notifikasi/", headers={"Accept-Language": "en"}).content.decode()
    assert "Per channel and gateway" in report
    assert "sms-gateway" in report


def test_the_asked_agency_s_liaison_officer_is_told_of_a_coordination_request(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    from kotalive.coordination.tests.test_requests import _ask

    _client, case = submit_birth_certificate(warga1)
    asked = _ask(bearer_client(verifier), case["tracking"])
    assert asked.status_code == 201, asked.content
    drain()
    notice = Notification.objects.get(user=personas["dinkes.petugas"], kind="coordination.requested")
    assert notice.data["what"]["en"] == "A new coordination request for your agency"
    listed = bearer_client(personas["dinkes.petugas"]).get("/api/v1/me/notifications").json()
    assert [n["subject"] for n in listed] == [asked.json()["tracking"]]
