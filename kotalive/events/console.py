"""Numbers for the integration console: delivery success rate and lag per hour, counts per status, and where each
in-process event consumer stands (its cursor, a failing event's retries, its dead letters)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncHour
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.events.consumers import CONSUMER_LABELS, CONSUMERS
from kotalive.events.models import (
    ConsumerCursor,
    ConsumerDeadLetter,
    DeliveryAttempt,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)


@dataclass
class Hour:
    start: dt.datetime
    attempts: int
    succeeded: int
    average_lag_ms: int | None
    worst_lag_ms: int | None

    @property
    def success_percent(self) -> int | None:
        return round(100 * self.succeeded / self.attempts) if self.attempts else None


def delivery_hours(*, subscriptions: list[WebhookSubscription], hours: int = 24) -> list[Hour]:
    """The last `hours` hours, oldest first: attempts and successes, and the lag of the deliveries that succeeded."""
    now = timezone.now()
    since = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=hours - 1)
    attempts = (
        DeliveryAttempt.objects.filter(at__gte=since, delivery__subscription__in=subscriptions)
        .annotate(hour=TruncHour("at"))
        .values("hour")
        .annotate(total=Count("id"), ok=Count("id", filter=Q(status_code__gte=200, status_code__lt=300)))
    )
    lags = (
        WebhookDelivery.objects.filter(delivered_at__gte=since, subscription__in=subscriptions)
        .annotate(hour=TruncHour("delivered_at"))
        .values("hour")
        .annotate(average=Avg("lag_ms"), worst=Max("lag_ms"))
    )
    by_attempts: dict[dt.datetime, dict[str, Any]] = {row["hour"]: dict(row) for row in attempts}
    by_lag: dict[dt.datetime, dict[str, Any]] = {row["hour"]: dict(row) for row in lags}
    found = []
    for offset in range(hours):
        start = since + dt.timedelta(hours=offset)
        a, lag = by_attempts.get(start, {}), by_lag.get(start, {})
        found.append(
            Hour(
                start=start,
                attempts=a.get("total", 0),
                succeeded=a.get("ok", 0),
                average_lag_ms=round(lag["average"]) if lag.get("average") is not None else None,
                worst_lag_ms=lag.get("worst"),
            )
        )
    return found


@dataclass
class SubscriptionDeliveries:
    counts: dict[str, int]  # {status: deliveries}
    dead: list[WebhookDelivery]  # the newest dead letters, newest first
    recent: list[WebhookDelivery]  # the newest deliveries, newest first


def _newest(rows: QuerySet[WebhookDelivery], subscriptions: list[int], limit: int) -> list[WebhookDelivery]:
    """The newest `limit` of `rows` for each subscription, by subscription and newest first, in two queries that
    never read old deliveries: the limit-th newest id of each subscription (one probe of the (subscription, -id)
    index each), then the rows at or above it."""
    nth = rows.filter(subscription_id=OuterRef("pk")).order_by("-id").values("id")[limit - 1 : limit]
    floors = WebhookSubscription.objects.filter(pk__in=subscriptions).annotate(floor=Subquery(nth))
    above = Q(pk__in=[])
    for pk, floor in floors.values_list("pk", "floor"):
        above |= Q(subscription_id=pk, id__gte=floor or 0)
    return list(rows.filter(above).select_related("event").order_by("subscription_id", "-id"))


def subscription_deliveries(
    *, subscriptions: list[WebhookSubscription], recent: int = 10, dead: int = 20
) -> dict[int, SubscriptionDeliveries]:
    """Each subscription's deliveries by status, its newest dead letters and its newest deliveries: five queries
    for any number of subscriptions."""
    found = {s.pk: SubscriptionDeliveries(counts={}, dead=[], recent=[]) for s in subscriptions}
    if not found:
        return found
    rows = WebhookDelivery.objects.filter(subscription_id__in=list(found))
    for row in rows.values("subscription_id", "status").annotate(n=Count("id")):
        found[row["subscription_id"]].counts[row["status"]] = row["n"]
    for delivery in _newest(rows.filter(status=WebhookDelivery.DEAD), list(found), dead):
        found[delivery.subscription_id].dead.append(delivery)
    for delivery in _newest(rows, list(found), recent):
        found[delivery.subscription_id].recent.append(delivery)
    return found


# --- in-process consumers -------------------------------------------------------------------------------------


def consumers_visible(*, actor: User) -> bool:
    """Consumers serve every agency and resident: the platform's staff (operator, administrators, auditors) see
    them; an agency's administrators see their own subscriptions only."""
    return StaffRole.objects.filter(user=actor, agency__isnull=True).exists()


@dataclass
class ConsumerState:
    name: str
    label: str
    position: int  # every event up to here is done
    waiting: int  # events after it (positions have no gaps)
    attempts: int  # failed attempts at the next event, while it keeps failing
    next_attempt_at: dt.datetime | None
    last_error: str
    dead_letters: int  # not replayed yet


def consumer_states(*, actor: User) -> list[ConsumerState]:
    """Every registered consumer, in registration order (one that has not run yet stands at 0). Three queries."""
    if not consumers_visible(actor=actor):
        return []
    cursors = ConsumerCursor.objects.in_bulk(list(CONSUMERS))
    last = OutboxEvent.objects.aggregate(last=Max("position"))["last"] or 0
    rows = ConsumerDeadLetter.objects.filter(replayed_at__isnull=True).order_by().values("consumer")
    dead = {row["consumer"]: row["n"] for row in rows.annotate(n=Count("id"))}
    states = []
    for name in CONSUMERS:
        cursor = cursors.get(name) or ConsumerCursor(name=name)
        states.append(
            ConsumerState(
                name=name,
                label=str(CONSUMER_LABELS.get(name, name)),
                position=cursor.position,
                waiting=max(0, last - cursor.position),
                attempts=cursor.attempts,
                next_attempt_at=cursor.next_attempt_at,
                last_error=cursor.last_error,
                dead_letters=dead.get(name, 0),
            )
        )
    return states


def consumer_dead_letters_open(*, actor: User, limit: int = 50) -> list[ConsumerDeadLetter]:
    """The latest dead letters of the consumers that nobody replayed yet, newest first."""
    if not consumers_visible(actor=actor):
        return []
    letters = list(ConsumerDeadLetter.objects.filter(replayed_at__isnull=True).select_related("event")[:limit])
    for letter in letters:
        letter.label = str(CONSUMER_LABELS.get(letter.consumer, letter.consumer))  # type: ignore[attr-defined]
    return letters


# --- the operator's home page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntegrationHealth:
    """What the operator's home page says about the flow of events to agency systems."""

    subscriptions_failing: int  # active subscriptions whose deliveries fail since their last success
    subscriptions_disabled: int
    deliveries_dead: int  # webhook deliveries that gave up, waiting for someone to send them again
    deliveries_waiting: int  # webhook deliveries still to be made (waiting, pending, in flight)
    outbox_waiting: int  # events not fanned out yet by the worker
    outbox_oldest_at: dt.datetime | None
    consumer_dead_letters: int

    @property
    def healthy(self) -> bool:
        return not (self.subscriptions_failing or self.deliveries_dead or self.consumer_dead_letters)


def integration_health(*, actor: User) -> IntegrationHealth | None:
    """Failing webhooks and the backlog of the outbox, platform-wide, for the platform's staff (consumers_visible);
    None for anyone else. Four aggregate queries."""
    if not consumers_visible(actor=actor):
        return None
    subscriptions = WebhookSubscription.objects.aggregate(
        failing=Count("id", filter=Q(status=WebhookSubscription.ACTIVE, failing_since__isnull=False)),
        disabled=Count("id", filter=Q(status=WebhookSubscription.DISABLED)),
    )
    deliveries = WebhookDelivery.objects.filter(
        status__in=[*WebhookDelivery.UNFINISHED, WebhookDelivery.DEAD]
    ).aggregate(
        dead=Count("id", filter=Q(status=WebhookDelivery.DEAD)),
        waiting=Count("id", filter=Q(status__in=WebhookDelivery.UNFINISHED)),
    )
    outbox = OutboxEvent.objects.filter(dispatched_at__isnull=True).aggregate(n=Count("id"), oldest=Min("time"))
    letters = ConsumerDeadLetter.objects.filter(replayed_at__isnull=True).count()
    return IntegrationHealth(
        subscriptions_failing=subscriptions["failing"] or 0,
        subscriptions_disabled=subscriptions["disabled"] or 0,
        deliveries_dead=deliveries["dead"] or 0,
        deliveries_waiting=deliveries["waiting"] or 0,
        outbox_waiting=outbox["n"] or 0,
        outbox_oldest_at=outbox["oldest"],
        consumer_dead_letters=letters,
    )
