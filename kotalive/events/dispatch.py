"""The worker's delivery of outbox events: fan-out, then webhook deliveries with retries and per-subject order.

Two steps, each in short transactions, so a worker killed at any point loses nothing:

1. Fan-out (`fan_out`): undelivered outbox rows, oldest first, become one `WebhookDelivery` per subscription that
   wants them, are handed to the in-process consumers, and get their feed `position`. Only one fan-out runs at a
   time (a PostgreSQL advisory lock; SQLite has a single writer anyway), which is what makes positions appear in
   increasing order and per-subject order hold: events of one case are written under the case's row lock, so
   event N+1 never commits before event N, and one fan-out at a time never creates N+1's deliveries before N's.
2. Delivery (`deliver_due`): due deliveries whose subscription is active and that have no unfinished earlier
   delivery of the same subject to the same subscription are claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
   several workers share the work and never claim one delivery twice), leased for the timeout, sent concurrently,
   and their outcomes written in one transaction. A worker that dies mid-batch leaves leased deliveries that any
   worker takes again when the lease ends: delivery is at least once, and receivers deduplicate by `webhook-id`.
"""

import datetime as dt
import http.client
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from kotalive.core.errors import ValidationFailed
from kotalive.events.catalogue import cloudevent_json
from kotalive.events.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookSubscription
from kotalive.events.webhooks import destination_check, live_secrets, signature_headers

logger = logging.getLogger("kotalive.events")

FAN_OUT_LOCK = 0x6B6F7461  # "kota": PostgreSQL advisory lock key of the fan-out
LEASE_MARGIN_SECONDS = 5

# In-process consumers: called inside the fan-out transaction with the batch of new events. They must only write
# to the database (a failure rolls the fan-out back and it is retried), never call out.
Consumer = Callable[[list[OutboxEvent]], None]
CONSUMERS: list[Consumer] = []


def consumer(function: Consumer) -> Consumer:
    """Register an in-process consumer of every event (see CONSUMERS)."""
    CONSUMERS.append(function)
    return function


# --- fan-out --------------------------------------------------------------------------------------------------


def _fan_out_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: BEGIN IMMEDIATE already makes this the only writer
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FAN_OUT_LOCK])
        return bool(cursor.fetchone()[0])


def fan_out(*, batch: int = 500) -> int:
    """Fan out up to `batch` outbox rows; returns how many."""
    with transaction.atomic():
        if not _fan_out_lock():
            return 0  # another worker is fanning out
        events = list(OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")[:batch])
        if not events:
            return 0
        subscriptions = list(
            WebhookSubscription.objects.filter(status=WebhookSubscription.ACTIVE).select_related("agency")
        )
        now = timezone.now()
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    subscription=subscription,
                    event=event,
                    subject=event.subject,
                    sequence=event.sequence,
                    next_attempt_at=now,
                    created_at=now,
                )
                for event in events
                for subscription in subscriptions
                if subscription.wants(event)
            ]
        )
        for handle in CONSUMERS:
            handle(events)
        last = OutboxEvent.objects.aggregate(last=Max("position"))["last"] or 0
        for offset, event in enumerate(events, start=1):
            event.dispatched_at, event.position = now, last + offset
        OutboxEvent.objects.bulk_update(events, ["dispatched_at", "position"])
    return len(events)


# --- delivery -------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    delivery: WebhookDelivery
    status_code: int | None
    latency_ms: int
    error: str
    excerpt: str
    at: dt.datetime

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _claim(limit: int) -> list[WebhookDelivery]:
    now = timezone.now()
    unfinished = [WebhookDelivery.PENDING, WebhookDelivery.IN_FLIGHT]
    earlier_unfinished = WebhookDelivery.objects.filter(
        subscription=OuterRef("subscription"),
        subject=OuterRef("subject"),
        sequence__lt=OuterRef("sequence"),
        status__in=unfinished,
    )
    due = (
        WebhookDelivery.objects.filter(status__in=unfinished, next_attempt_at__lte=now)
        .filter(Q(status=WebhookDelivery.PENDING) | Q(lease_until__lt=now))  # in flight: only when the lease ended
        .filter(subscription__status=WebhookSubscription.ACTIVE)
        .filter(~Exists(earlier_unfinished))
        .order_by("next_attempt_at", "id")
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        lease = now + dt.timedelta(seconds=settings.KOTALIVE_WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
        WebhookDelivery.objects.filter(id__in=ids).update(
            status=WebhookDelivery.IN_FLIGHT, lease_until=lease, attempts=F("attempts") + 1
        )
    return list(WebhookDelivery.objects.filter(id__in=ids).select_related("event", "subscription").order_by("id"))


class _Connections(threading.local):
    """Keep-alive HTTP connections per sending thread and destination."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}


_connections = _Connections()


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    key = (parts.scheme, parts.hostname or "", port)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    for attempt in (1, 2):  # a kept-alive connection the receiver closed meanwhile gets one fresh retry
        conn = _connections.open.get(key)
        if conn is None:
            factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = factory(key[1], port, timeout=timeout)
            _connections.open[key] = conn
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            excerpt = response.read(2048).decode("utf-8", "replace")
            if response.will_close:
                conn.close()
                _connections.open.pop(key, None)
            else:
                response.read()  # drain the rest so the connection can be reused
            return response.status, excerpt[:500]
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            conn.close()
            _connections.open.pop(key, None)
            if attempt == 2:
                raise
        except Exception:
            conn.close()
            _connections.open.pop(key, None)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _send(delivery: WebhookDelivery, body: bytes, checked: dict[str, str]) -> Outcome:
    subscription = delivery.subscription
    started = time.monotonic()
    at = timezone.now()
    try:
        if subscription.url not in checked:
            destination_check(subscription.url)  # again at send time: the name may point elsewhere now
            checked[subscription.url] = "ok"
        headers = {
            "content-type": "application/cloudevents+json",
            "user-agent": "KotaLIVE-Webhooks/1",
            **signature_headers(
                secrets_=live_secrets(subscription, at),
                message_id=str(delivery.event.event_id),
                at=at,
                body=body.decode(),
            ),
        }
        status, excerpt = _post(subscription.url, body, headers, settings.KOTALIVE_WEBHOOK_TIMEOUT_SECONDS)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(delivery, status, _ms(started), error, excerpt, at)
    except ValidationFailed as exc:
        reason = "; ".join(str(r) for reasons in exc.errors.values() for r in reasons)
        return Outcome(delivery, None, _ms(started), f"refused destination: {reason}"[:300], "", at)
    except TimeoutError:
        return Outcome(delivery, None, _ms(started), "timed out", "", at)
    except OSError as exc:
        return Outcome(delivery, None, _ms(started), f"{type(exc).__name__}: {exc}"[:300], "", at)
    except http.client.HTTPException as exc:
        return Outcome(delivery, None, _ms(started), f"{type(exc).__name__}: {exc}"[:300], "", at)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter: about base * 2^(attempts-1) seconds, capped, times 0.5-1.0."""
    base = settings.KOTALIVE_WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    capped = min(base, settings.KOTALIVE_WEBHOOK_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=capped * random.uniform(0.5, 1.0))  # noqa: S311 (jitter, not secrecy)


def _record(outcomes: Iterable[Outcome]) -> None:
    outcomes = list(outcomes)
    now = timezone.now()
    give_up_after = dt.timedelta(hours=settings.KOTALIVE_WEBHOOK_RETRY_HOURS)
    succeeded_subscriptions: set[int] = set()
    failed_subscriptions: set[int] = set()
    for outcome in outcomes:
        delivery = outcome.delivery
        delivery.last_status = outcome.status_code
        delivery.last_error = outcome.error
        delivery.lease_until = None
        if outcome.succeeded:
            delivery.status = WebhookDelivery.SUCCEEDED
            delivery.delivered_at = now
            delivery.lag_ms = max(0, int((now - delivery.event.time).total_seconds() * 1000))
            succeeded_subscriptions.add(delivery.subscription_id)
        else:
            failed_subscriptions.add(delivery.subscription_id)
            if now - delivery.created_at >= give_up_after:
                delivery.status = WebhookDelivery.DEAD
            else:
                delivery.status = WebhookDelivery.PENDING
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    with transaction.atomic():
        WebhookDelivery.objects.bulk_update(
            [o.delivery for o in outcomes],
            ["status", "last_status", "last_error", "lease_until", "delivered_at", "lag_ms", "next_attempt_at"],
        )
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery=o.delivery,
                    at=o.at,
                    status_code=o.status_code,
                    latency_ms=o.latency_ms,
                    error=o.error,
                    response_excerpt=o.excerpt,
                )
                for o in outcomes
            ]
        )
        if succeeded_subscriptions:
            WebhookSubscription.objects.filter(id__in=succeeded_subscriptions, failing_since__isnull=False).update(
                failing_since=None
            )
        failing_only = failed_subscriptions - succeeded_subscriptions
        if failing_only:
            WebhookSubscription.objects.filter(id__in=failing_only, failing_since__isnull=True).update(
                failing_since=now
            )
            _disable_long_failing(failing_only, now)


def _disable_long_failing(subscription_ids: set[int], now: dt.datetime) -> None:
    from kotalive.events.services import subscription_disable_for_failures  # services import this module

    limit = now - dt.timedelta(hours=settings.KOTALIVE_WEBHOOK_DISABLE_AFTER_HOURS)
    for subscription in WebhookSubscription.objects.filter(
        id__in=subscription_ids, status=WebhookSubscription.ACTIVE, failing_since__lte=limit
    ).select_related("agency"):
        subscription_disable_for_failures(subscription=subscription)


_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool  # noqa: PLW0603 (one pool per process, made on first use)
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=settings.KOTALIVE_WEBHOOK_SENDERS, thread_name_prefix="webhook")
    return _pool


def deliver_due(*, batch: int = 200) -> int:
    """Claim and send up to `batch` due deliveries; returns how many were attempted."""
    claimed = _claim(batch)
    if not claimed:
        return 0
    bodies: dict[int, bytes] = {}
    for delivery in claimed:
        if delivery.event_id not in bodies:
            bodies[delivery.event_id] = cloudevent_json(delivery.event)
    # Deliveries of one destination go through the same few threads; checking a destination once per batch.
    checked: dict[str, str] = {}
    outcomes = list(_executor().map(lambda d: _send(d, bodies[d.event_id], checked), claimed))
    _record(outcomes)
    return len(outcomes)


def dispatch_once(*, fan_out_batch: int = 500, delivery_batch: int = 200) -> dict[str, Any]:
    """One pass of the worker: fan out what is new, then send what is due."""
    fanned = fan_out(batch=fan_out_batch)
    sent = deliver_due(batch=delivery_batch)
    return {"fanned_out": fanned, "attempted": sent}
