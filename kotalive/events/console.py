"""Numbers for the integration console: delivery success rate and lag per hour, counts per status."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from kotalive.events.models import DeliveryAttempt, WebhookDelivery, WebhookSubscription


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


def status_counts(*, subscription: WebhookSubscription) -> dict[str, int]:
    rows = WebhookDelivery.objects.filter(subscription=subscription).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
