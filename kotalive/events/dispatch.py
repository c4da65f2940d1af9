"""The worker's delivery of outbox events: fan-out, webhook deliveries with retries and per-subject order, and the
in-process consumers.

Three steps, each in short transactions, so a worker killed at any point loses nothing:

1. Fan-out (`fan_out`): undelivered outbox rows, oldest first, become one `WebhookDelivery` per subscription that
   wants them and get their feed `position`. Only one fan-out runs at a time (a PostgreSQL advisory lock; SQLite
   has a single writer anyway), which is what makes positions appear in increasing order and per-subject order
   hold: events of one case are written under the case's row lock, so event N+1 never commits before event N, and
   one fan-out at a time never creates N+1's deliveries before N's.
2. Delivery (`deliver_due`): each (subscription, subject) is a queue whose head alone is `pending`; the rest
   wait. Due heads of active subscriptions are claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers
   share the work and never claim one delivery twice), leased for the timeout, sent concurrently, and their
   outcomes written in one transaction; a head that ends (success or dead letter) promotes the next delivery of
   its queue. A worker that dies mid-batch leaves leased deliveries that any worker takes again when the lease
   ends: delivery is at least once, and receivers deduplicate by `webhook-id`.
3. In-process consumers (`consumers_run`, kotalive/events/consumers.py): each reads the feed from its own cursor,
   in its own transactions, so a consumer that fails waits (and finally dead-letters) alone.

Every change to the queues (fan-out, promotion, redelivery, replay) holds one advisory lock until its commit, so
"is anything before me unfinished?" is never answered from a stale snapshot.
"""

import datetime as dt
import logging
import random
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from kotalive.core.errors import ValidationFailed
from kotalive.core.httpclient import Client
from kotalive.core.ssrf import Destination, destination_vet
from kotalive.events.catalogue import cloudevent_json_of
from kotalive.events.consumers import consumer, consumers_run
from kotalive.events.models import (
    DeliveryAttempt,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
    audience_agencies,
    cloudevent_attributes,
)
from kotalive.events.queues import deliveries_enqueue, queue_lock
from kotalive.events.webhooks import live_secrets, signature_headers

logger = logging.getLogger("kotalive.events")

LEASE_MARGIN_SECONDS = 5
ENDED = (WebhookDelivery.SUCCEEDED, WebhookDelivery.DEAD)

__all__ = ["consumer", "deliver_due", "dispatch_once", "fan_out"]  # `consumer` also importable from here

# --- fan-out --------------------------------------------------------------------------------------------------


_FANNED_OUT_SQL = f"UPDATE {OutboxEvent._meta.db_table} SET dispatched_at = %s, position = %s WHERE id = %s"  # noqa: S608


def fan_out(*, batch: int = 500) -> int:
    """Fan out up to `batch` outbox rows; returns how many."""
    with transaction.atomic():
        if not queue_lock(wait=False):
            return 0  # another worker is fanning out or recording; the next pass comes soon
        events = list(OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")[:batch])
        if not events:
            return 0
        subscriptions = list(
            WebhookSubscription.objects.filter(status=WebhookSubscription.ACTIVE).select_related("agency")
        )
        now = timezone.now()
        also = audience_agencies(events) if subscriptions else {}
        deliveries_enqueue(
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
                if subscription.wants(event, also.get(event.pk, frozenset()))
            ]
        )
        last = OutboxEvent.objects.aggregate(last=Max("position"))["last"] or 0
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:  # as in _record: bulk_update's CASE per row costs more than the rest
            cursor.executemany(_FANNED_OUT_SQL, [(stamp, last + n, e.pk) for n, e in enumerate(events, start=1)])
    return len(events)


# --- delivery -------------------------------------------------------------------------------------------------


@dataclass
class Claimed:
    """A claimed delivery as the sender needs it: columns, not model instances (building three instances per
    delivery, with their signals, was a tenth of a delivery's cost)."""

    pk: int
    subscription: WebhookSubscription
    subject: str
    attempts: int
    created_at: dt.datetime
    event_id: int
    message_id: str  # the CloudEvent id, sent as webhook-id
    event_time: dt.datetime
    body: bytes
    # the outcome, filled by _record
    status: str = WebhookDelivery.IN_FLIGHT
    last_status: int | None = None
    last_error: str = ""
    delivered_at: dt.datetime | None = None
    lag_ms: int | None = None
    next_attempt_at: dt.datetime | None = None

    @property
    def subscription_id(self) -> int:
        return self.subscription.pk


@dataclass
class Outcome:
    delivery: Claimed
    status_code: int | None
    latency_ms: int
    error: str
    excerpt: str
    at: dt.datetime

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


_CLAIMED_FIELDS = (
    "id",
    "subscription_id",
    "subject",
    "sequence",
    "attempts",
    "created_at",
    "event_id",
    "event__event_id",
    "event__source",
    "event__type",
    "event__time",
    "event__data",
    "event__agency",
)


def _claimed(ids: list[int]) -> list[Claimed]:
    rows = list(WebhookDelivery.objects.filter(id__in=ids).order_by("id").values(*_CLAIMED_FIELDS))
    subscriptions = WebhookSubscription.objects.in_bulk({row["subscription_id"] for row in rows})
    bodies: dict[int, bytes] = {}
    found = []
    for row in rows:
        if row["event_id"] not in bodies:
            attributes = cloudevent_attributes(
                event_id=row["event__event_id"],
                source=row["event__source"],
                type=row["event__type"],
                subject=row["subject"],
                time=row["event__time"],
                data=row["event__data"],
                sequence=row["sequence"],
                agency=row["event__agency"],
            )
            bodies[row["event_id"]] = cloudevent_json_of(attributes, row["event__time"])
        found.append(
            Claimed(
                pk=row["id"],
                subscription=subscriptions[row["subscription_id"]],
                subject=row["subject"],
                attempts=row["attempts"],
                created_at=row["created_at"],
                event_id=row["event_id"],
                message_id=str(row["event__event_id"]),
                event_time=row["event__time"],
                body=bodies[row["event_id"]],
            )
        )
    return found


def _claim(limit: int) -> list[Claimed]:
    now = timezone.now()
    due = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING, next_attempt_at__lte=now)
        .filter(subscription__status=WebhookSubscription.ACTIVE)
        .order_by("next_attempt_at", "id")
    )
    with transaction.atomic():
        # Leases of a worker that died mid-batch: those deliveries are heads again.
        WebhookDelivery.objects.filter(status=WebhookDelivery.IN_FLIGHT, lease_until__lt=now).update(
            status=WebhookDelivery.PENDING
        )
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        lease = now + dt.timedelta(seconds=settings.KOTALIVE_WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
        WebhookDelivery.objects.filter(id__in=ids).update(
            status=WebhookDelivery.IN_FLIGHT, lease_until=lease, attempts=F("attempts") + 1
        )
    return _claimed(ids)


_http = Client()


def _send(delivery: Claimed, secrets_of: dict[int, list[str]], checked: dict[str, Destination]) -> Outcome:
    subscription = delivery.subscription
    started = time.monotonic()
    at = timezone.now()
    body = delivery.body
    try:
        destination = checked.get(subscription.url)
        if destination is None:
            # Again at send time (the name may point elsewhere now); the request goes to the addresses checked here.
            destination = checked[subscription.url] = destination_vet(subscription.url)
        headers = {
            "content-type": "application/cloudevents+json",
            "user-agent": "KotaLIVE-Webhooks/1",
            **signature_headers(
                secrets_=secrets_of[subscription.pk],
                message_id=delivery.message_id,
                at=at,
                body=body.decode(),
            ),
        }
        answer = _http.post(destination, body, headers, settings.KOTALIVE_WEBHOOK_TIMEOUT_SECONDS)
        error = "" if 200 <= answer.status < 300 else f"HTTP {answer.status}"
        return Outcome(delivery, answer.status, _ms(started), error, answer.excerpt[:500], at)
    except ValidationFailed as exc:
        reason = "; ".join(str(r) for reasons in exc.errors.values() for r in reasons)
        return Outcome(delivery, None, _ms(started), f"refused destination: {reason}"[:300], "", at)
    except TimeoutError:
        return Outcome(delivery, None, _ms(started), "timed out", "", at)
    except (OSError, ValueError) as exc:  # refused, reset, TLS, or an answer that is not HTTP
        return Outcome(delivery, None, _ms(started), f"{type(exc).__name__}: {exc}"[:300], "", at)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter: about base * 2^(attempts-1) seconds, capped, times 0.5-1.0."""
    base = settings.KOTALIVE_WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    capped = min(base, settings.KOTALIVE_WEBHOOK_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=capped * random.uniform(0.5, 1.0))  # noqa: S311 (jitter, not secrecy)


_OUTCOME_SQL = f"""
UPDATE {WebhookDelivery._meta.db_table}
SET status = %s, last_status = %s, last_error = %s, lease_until = NULL, delivered_at = %s, lag_ms = %s,
    next_attempt_at = COALESCE(%s, next_attempt_at)
WHERE id = %s
"""  # noqa: S608 (a table name, not input)

_ATTEMPT_SQL = f"""
INSERT INTO {DeliveryAttempt._meta.db_table} (delivery_id, at, status_code, latency_ms, error, response_excerpt)
VALUES (%s, %s, %s, %s, %s, %s)
"""  # noqa: S608 (a table name, not input)


def _promote(ended: set[tuple[int, str]], now: dt.datetime) -> None:
    """Make the next waiting delivery of each ended queue its head, unless the queue has a head already (a manual
    redelivery). One statement for the whole batch; call holding queue_lock()."""
    table = WebhookDelivery._meta.db_table
    subjects = sorted({subject for _sub, subject in ended})
    subscriptions = sorted({sub for sub, _subject in ended})
    sql = f"""
    UPDATE {table} SET status = 'pending', next_attempt_at = %s
    WHERE id IN (
        SELECT id FROM (
            SELECT id, subscription_id, subject,
                   ROW_NUMBER() OVER (PARTITION BY subscription_id, subject ORDER BY sequence, id) AS place
            FROM {table}
            WHERE status = 'waiting' AND subject IN ({", ".join(["%s"] * len(subjects))})
              AND subscription_id IN ({", ".join(["%s"] * len(subscriptions))})
        ) queued
        WHERE place = 1 AND NOT EXISTS (
            SELECT 1 FROM {table} head
            WHERE head.subscription_id = queued.subscription_id AND head.subject = queued.subject
              AND head.status IN ('pending', 'in_flight')
        )
    )
    """  # noqa: S608 (a table name and placeholders, not input)
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *subjects, *subscriptions])


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
        if outcome.succeeded:
            delivery.status = WebhookDelivery.SUCCEEDED
            delivery.delivered_at = now
            delivery.lag_ms = max(0, int((now - delivery.event_time).total_seconds() * 1000))
            succeeded_subscriptions.add(delivery.subscription_id)
        else:
            failed_subscriptions.add(delivery.subscription_id)
            if now - delivery.created_at >= give_up_after:
                delivery.status = WebhookDelivery.DEAD
            else:
                delivery.status = WebhookDelivery.PENDING
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            d.status,
            d.last_status,
            d.last_error,
            adapt(d.delivered_at),
            d.lag_ms,
            adapt(d.next_attempt_at),
            d.pk,
        )
        for d in (o.delivery for o in outcomes)
    ]
    with transaction.atomic():
        # One prepared statement run per row (psycopg pipelines executemany): Django's bulk_update builds a CASE
        # per field and row, which cost more than the HTTP requests themselves (docs/performance.md).
        with connection.cursor() as cursor:
            cursor.executemany(_OUTCOME_SQL, rows)
            ended = {(d.subscription_id, d.subject) for d in (o.delivery for o in outcomes) if d.status in ENDED}
            if ended:
                queue_lock()
                _promote(ended, now)
        with connection.cursor() as cursor:
            cursor.executemany(
                _ATTEMPT_SQL,
                [(o.delivery.pk, adapt(o.at), o.status_code, o.latency_ms, o.error, o.excerpt) for o in outcomes],
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
    # Per pass: each subscription's secrets decrypted once, each destination checked once.
    now = timezone.now()
    secrets_of = {d.subscription.pk: live_secrets(d.subscription, now) for d in claimed}
    checked: dict[str, Destination] = {}
    outcomes = list(_executor().map(lambda d: _send(d, secrets_of, checked), claimed))
    _record(outcomes)
    return len(outcomes)


def dispatch_once(*, fan_out_batch: int = 1000, delivery_batch: int = 500, consumer_batch: int = 500) -> dict[str, Any]:
    """One pass of the worker: fan out what is new, send what is due, then hand the in-process consumers what is
    new to them. Larger batches spread each pass's fixed database work over more deliveries (500 per pass measured
    ~25% faster than 200: docs/performance.md). Consumers come after the sends so that their work never adds to the
    webhooks' lag; each has its own cursor, so a failing consumer holds up neither the sends nor the others."""
    fanned = fan_out(batch=fan_out_batch)
    sent = deliver_due(batch=delivery_batch)
    consumed = consumers_run(batch=consumer_batch)
    return {"fanned_out": fanned, "attempted": sent, "consumed": consumed}
