"""Webhook deliveries to a real HTTP receiver on loopback, driven pass by pass in this process."""

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client
from kotalive.events.dispatch import dispatch_once
from kotalive.events.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookSubscription
from kotalive.events.tests.helpers import drain, subscribe, three_steps
from kotalive.events.tests.receiver import Receiver
from kotalive.notifications.models import DevOutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def fast_retries(settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_RETRY_BASE_SECONDS = 0  # a failed delivery is due again at once
    settings.KOTALIVE_WEBHOOK_TIMEOUT_SECONDS = 1


def _verified(secret: str, receiver: Receiver) -> list[dict[str, Any]]:
    """Every accepted request, checked with the Standard Webhooks library, deduplicated by webhook-id."""
    seen: dict[str, dict[str, Any]] = {}
    for request in receiver.accepted():
        event = Webhook(secret).verify(request.body, request.headers)
        seen.setdefault(request.headers["webhook-id"], event)
    return list(seen.values())


def test_three_steps_arrive_signed_and_in_order(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver
) -> None:
    subscription = subscribe(bearer_client(dukcapil_admin), receiver.url)
    assert subscription["secret"].startswith("whsec_")
    assert subscription["agency"] == "DISDUKCAPIL"

    tracking = three_steps(warga1, verifier)
    drain()

    events = _verified(subscription["secret"], receiver)
    assert [(e["subject"], e["sequence"]) for e in events] == [(tracking, 1), (tracking, 2), (tracking, 3)]
    assert [e["type"] for e in events] == [
        "id.kotalive.case.submitted",
        "id.kotalive.case.verification_started",
        "id.kotalive.case.verified",
    ]
    assert events[0]["specversion"] == "1.0"
    assert receiver.accepted()[0].headers["content-type"] == "application/cloudevents+json"
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.SUCCEEDED).count() == 3


def test_the_secret_is_shown_only_once(dukcapil_admin: User, receiver: Receiver) -> None:
    admin = bearer_client(dukcapil_admin)
    subscribe(admin, receiver.url)
    listed = admin.get("/api/v1/webhooks/subscriptions").json()
    assert len(listed) == 1
    assert "secret" not in listed[0]
    assert "whsec_" not in WebhookSubscription.objects.get().secret_encrypted  # encrypted at rest


def test_a_subscription_only_gets_its_agency_s_events_of_the_chosen_types(
    warga1: User, verifier: User, dukcapil_admin: User, operator: User, receiver: Receiver
) -> None:
    other = Receiver().start()
    try:
        subscribe(bearer_client(dukcapil_admin), receiver.url, event_types=["id.kotalive.case.verified"])
        response = bearer_client(operator).post(
            "/api/v1/webhooks/subscriptions",
            {"url": other.url, "agency": "DINSOS"},
            content_type="application/json",
        )
        assert response.status_code == 201
        three_steps(warga1, verifier)
        drain()
        assert [json.loads(r.body)["type"] for r in receiver.accepted()] == ["id.kotalive.case.verified"]
        assert other.accepted() == []
    finally:
        other.stop()


def test_a_receiver_that_fails_for_a_while_still_gets_every_event_in_order(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, fast_retries: None
) -> None:
    subscription = subscribe(bearer_client(dukcapil_admin), receiver.url)
    tracking = three_steps(warga1, verifier)

    receiver.mode = "fail"  # 500 on every request
    for _ in range(3):
        dispatch_once()
    receiver.mode = "hang"  # then too slow: past the timeout
    dispatch_once()
    receiver.stop()  # then not listening at all
    dispatch_once()
    errors = set(DeliveryAttempt.objects.values_list("error", flat=True))
    assert "HTTP 500" in errors
    assert "timed out" in errors
    assert any("ConnectionRefusedError" in e for e in errors), errors
    # Order per case: only the first event was ever attempted while it kept failing.
    assert set(DeliveryAttempt.objects.values_list("delivery__sequence", flat=True)) == {1}

    receiver.mode = "ok"
    receiver.start()  # same port again
    drain()
    events = _verified(subscription["secret"], receiver)
    assert [(e["subject"], e["sequence"]) for e in events] == [(tracking, 1), (tracking, 2), (tracking, 3)]


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_deadline(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, fast_retries: None
) -> None:
    """Each byte comes well within the 1 s timeout, but the answer as a whole would take 10 s."""
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    three_steps(warga1, verifier)
    receiver.mode, receiver.trickle_seconds, receiver.trickle_bytes = "trickle", 0.1, 100
    dispatch_once()  # fans out and starts sending the first event, which the receiver trickles
    started = time.monotonic()

    dispatch_once()

    assert time.monotonic() - started < 3  # the answer would take 10 s
    assert list(DeliveryAttempt.objects.values_list("error", flat=True)) == ["timed out", "timed out"]


def test_a_receiver_streaming_without_end_is_read_only_as_far_as_is_kept(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, fast_retries: None
) -> None:
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    three_steps(warga1, verifier)
    receiver.mode = "endless"
    started = time.monotonic()

    drain()

    assert time.monotonic() - started < 8  # an answer without end would never finish
    attempts = list(DeliveryAttempt.objects.values_list("status_code", "response_excerpt"))
    assert attempts == [(200, "x" * 500)] * 3
    assert receiver.hung_up.wait(5)


def test_every_attempt_is_logged_for_the_agency_administrator(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, fast_retries: None
) -> None:
    admin = bearer_client(dukcapil_admin)
    subscription = subscribe(admin, receiver.url)
    three_steps(warga1, verifier)
    receiver.mode = "fail"
    dispatch_once()
    receiver.mode = "ok"
    drain()
    deliveries = admin.get(f"/api/v1/webhooks/subscriptions/{subscription['id']}/deliveries").json()
    first = next(d for d in deliveries if d["sequence"] == 1)
    assert [a["status_code"] for a in first["attempt_log"]] == [500, 204]
    assert all(a["latency_ms"] >= 0 for a in first["attempt_log"])
    assert first["status"] == "succeeded"


def test_a_dead_letter_is_redelivered_on_request(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, settings: Any
) -> None:
    settings.KOTALIVE_WEBHOOK_RETRY_HOURS = 0  # give up after the first failure
    admin = bearer_client(dukcapil_admin)
    subscription = subscribe(admin, receiver.url)
    three_steps(warga1, verifier)
    receiver.mode = "fail"
    drain()
    dead = admin.get(f"/api/v1/webhooks/subscriptions/{subscription['id']}/deliveries?status=dead").json()
    assert len(dead) == 3  # the first died, which let the next go, and so on

    receiver.mode = "ok"
    settings.KOTALIVE_WEBHOOK_RETRY_HOURS = 24
    statuses = []
    for delivery in sorted(dead, key=lambda d: d["sequence"]):
        response = admin.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver")
        assert response.status_code == 200
        statuses.append(response.json()["status"])
    assert statuses == ["pending", "waiting", "waiting"]  # still one at a time, in order
    drain()
    assert len(_verified(subscription["secret"], receiver)) == 3


def test_a_subscription_is_replayed_from_a_feed_position(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver
) -> None:
    admin = bearer_client(dukcapil_admin)
    subscription = subscribe(admin, receiver.url)
    three_steps(warga1, verifier)
    drain()
    second = OutboxEvent.objects.get(sequence=2)
    assert second.position is not None

    response = admin.post(
        f"/api/v1/webhooks/subscriptions/{subscription['id']}/replay",
        {"after_position": second.position - 1},
        content_type="application/json",
    )
    assert response.json() == {"queued": 2}
    drain()
    ids = [r.headers["webhook-id"] for r in receiver.accepted()]
    assert len(ids) == 5
    assert ids[3:] == [str(second.event_id), str(OutboxEvent.objects.get(sequence=3).event_id)]  # same ids again


def test_a_subscription_failing_too_long_is_disabled_and_the_operator_alerted(
    warga1: User,
    verifier: User,
    dukcapil_admin: User,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.KOTALIVE_WEBHOOK_DISABLE_AFTER_HOURS = 0
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    three_steps(warga1, verifier)
    receiver.mode = "fail"
    with django_capture_on_commit_callbacks(execute=True):  # the alert goes out after the worker's commit
        drain()
    subscription = WebhookSubscription.objects.get()
    assert subscription.status == WebhookSubscription.DISABLED
    assert WebhookDelivery.objects.filter(status__in=WebhookDelivery.UNFINISHED).count() == 3  # they wait, not lost
    alert = DevOutboxMessage.objects.get(subject="KotaLIVE: webhook disabled")
    assert alert.destination == "kominfo.operator@example.id"

    receiver.mode = "ok"
    enabled = bearer_client(dukcapil_admin).post(f"/api/v1/webhooks/subscriptions/{subscription.pk}/enable")
    assert enabled.json()["status"] == "active"
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    drain()
    assert len(receiver.accepted()) == 3


def test_during_a_rotation_both_secrets_sign(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver
) -> None:
    admin = bearer_client(dukcapil_admin)
    subscription = subscribe(admin, receiver.url)
    rotated = admin.post(f"/api/v1/webhooks/subscriptions/{subscription['id']}/secret").json()
    assert rotated["secret"] != subscription["secret"]
    three_steps(warga1, verifier)
    drain()
    request = receiver.accepted()[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(subscription["secret"]).verify(request.body, request.headers)
    Webhook(rotated["secret"]).verify(request.body, request.headers)

    WebhookSubscription.objects.update(previous_secret_until=timezone.now() - dt.timedelta(seconds=1))
    receiver.requests.clear()
    WebhookDelivery.objects.update(status=WebhookDelivery.PENDING, next_attempt_at=timezone.now())
    drain()
    assert len(receiver.accepted()[0].headers["webhook-signature"].split(" ")) == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://10.1.2.3/hook", "internal address"),
        ("https://169.254.169.254/latest/meta-data", "internal address"),
        ("https://[fd00::1]/hook", "internal address"),
        ("https://[64:ff9b::a9fe:a9fe]/latest/meta-data", "internal address"),  # NAT64 of 169.254.169.254
        ("https://[::ffff:10.1.2.3]/hook", "internal address"),
        ("https://[2002:a01:203::1]/hook", "internal address"),  # 6to4 of 10.1.2.3
        ("ftp://example.id/hook", "https://"),
        ("https://user:pw@example.id/hook", "user name"),
    ],
)
def test_internal_or_odd_destinations_are_refused(dukcapil_admin: User, url: str, reason: str) -> None:
    response = bearer_client(dukcapil_admin).post(
        "/api/v1/webhooks/subscriptions",
        {"url": url},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert reason in response.json()["errors"][0]["message"]
    assert WebhookSubscription.objects.count() == 0


def test_loopback_is_refused_unless_allow_listed(dukcapil_admin: User, settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = []
    response = bearer_client(dukcapil_admin).post(
        "/api/v1/webhooks/subscriptions", {"url": "http://127.0.0.1:9/hook"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"


def test_unknown_event_types_are_refused(dukcapil_admin: User, receiver: Receiver) -> None:
    response = bearer_client(dukcapil_admin).post(
        "/api/v1/webhooks/subscriptions",
        {"url": receiver.url, "event_types": ["id.kotalive.case.exploded"]},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "id.kotalive.case.exploded" in response.json()["errors"][0]["message"]


def test_officers_and_citizens_cannot_manage_webhooks(verifier: User, warga1: User, receiver: Receiver) -> None:
    for user in (verifier, warga1):
        response = bearer_client(user).post(
            "/api/v1/webhooks/subscriptions", {"url": receiver.url}, content_type="application/json"
        )
        assert response.status_code == 403
    assert WebhookSubscription.objects.count() == 0


def test_the_console_counts_attempts_successes_and_lag_per_hour(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, fast_retries: None
) -> None:
    from kotalive.events.console import delivery_hours

    subscribe(bearer_client(dukcapil_admin), receiver.url)
    three_steps(warga1, verifier)
    receiver.mode = "fail"
    dispatch_once()  # the first event fails once
    receiver.mode = "ok"
    drain()

    hours = delivery_hours(subscriptions=list(WebhookSubscription.objects.all()))
    assert len(hours) == 24
    busy = [h for h in hours if h.attempts]  # one hour, or two if the test crossed the hour
    assert (sum(h.attempts for h in busy), sum(h.succeeded for h in busy)) == (4, 3)
    assert busy[-1] is hours[-1]
    if len(busy) == 1:
        assert busy[0].success_percent == 75
    assert all(h.average_lag_ms is not None and h.worst_lag_ms is not None for h in busy if h.succeeded)
