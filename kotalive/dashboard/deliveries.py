"""How notices reached people in a period: per day, channel and gateway, attempts by outcome; the failures and the
undetermined deliveries; the subjects whose citizen no channel reached (the operator's delivery view)."""

import datetime as dt
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from kotalive.notifications.models import DeliveryAttempt, Notification

OUTCOMES = ("delivered", "failed", "undetermined", "sent", "queued")


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone  # noqa: PLC0415

    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def delivery_summary(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    since, until = _window(start, end)
    attempts = DeliveryAttempt.objects.filter(created_at__gte=since, created_at__lt=until)
    per_channel: dict[tuple[str, str], dict[str, Any]] = {}
    for channel, gateway, state, n in (
        attempts.values_list("channel", "gateway", "state")
        .annotate(n=Count("pk"))
        .values_list("channel", "gateway", "state", "n")
    ):
        row = per_channel.setdefault(
            (channel, gateway or "-"), {"channel": channel, "gateway": gateway or "-", **dict.fromkeys(OUTCOMES, 0)}
        )
        if state in OUTCOMES:
            row[state] += n
    for row in per_channel.values():
        ended = row["delivered"] + row["failed"] + row["undetermined"]
        row["attempts"] = ended + row["sent"] + row["queued"]
        row["success_share"] = row["delivered"] / ended if ended else None
    days: dict[dt.date, dict[str, Any]] = {}
    for day, state, n in (
        attempts.annotate(day=TruncDate("created_at"))
        .values_list("day", "state")
        .annotate(n=Count("pk"))
        .values_list("day", "state", "n")
    ):
        row = days.setdefault(day, {"day": day, **dict.fromkeys(OUTCOMES, 0)})
        if state in OUTCOMES:
            row[state] += n
    unreachable = (
        Notification.objects.filter(unreachable_at__gte=since, unreachable_at__lt=until)
        .values("subject")
        .annotate(notices=Count("pk"))
        .order_by("-notices", "subject")[:50]
    )
    return {
        "channels": sorted(per_channel.values(), key=lambda r: (r["channel"], r["gateway"])),
        "days": [days[d] for d in sorted(days)],
        "failures": list(
            attempts.filter(state="failed")
            .order_by("-created_at")
            .values("created_at", "channel", "gateway", "error", "notification__subject")[:20]
        ),
        "undetermined": list(
            attempts.filter(state="undetermined")
            .order_by("-created_at")
            .values("created_at", "channel", "gateway", "notification__subject", "receipt_status")[:20]
        ),
        "unreachable": list(unreachable),
    }
