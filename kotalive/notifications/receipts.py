"""Delivery receipts from the SMS and WhatsApp gateways (their signed callback, kotalive/notifications/api.py). A
receipt only records what the gateway said; the worker (kotalive/workflow/delivery.py) puts the outcome on the feed
and tries the next channel when needed."""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from kotalive.notifications.models import ContactPreference, DeliveryAttempt

DELIVERED_STATUSES = frozenset({"delivered", "read"})
FAILED_STATUSES = frozenset({"failed", "rejected", "undeliverable", "expired"})


def receipt_record(*, provider_id: str, reference: str, status: str) -> DeliveryAttempt | None:
    """A gateway's delivery receipt (the signed callback). A receipt after the attempt was given up as
    undetermined still says what happened; the next channel was tried meanwhile."""
    match = Q(pk=int(reference)) if reference.isdigit() else Q(pk__in=[])
    if provider_id:
        match |= Q(provider_id=provider_id)
    attempt = DeliveryAttempt.objects.filter(match).exclude(channel=ContactPreference.EMAIL).first()
    if attempt is None:
        return None
    now = timezone.now()
    outcome = None
    if status in DELIVERED_STATUSES:
        outcome = DeliveryAttempt.DELIVERED
    elif status in FAILED_STATUSES:
        outcome = DeliveryAttempt.FAILED
    fields: dict[str, Any] = {"receipt_at": now, "receipt_status": status[:30]}
    if outcome and attempt.state in (DeliveryAttempt.SENT, DeliveryAttempt.UNDETERMINED):
        late = attempt.state == DeliveryAttempt.UNDETERMINED
        fields["state"] = outcome
        fields["settled"] = late and outcome == DeliveryAttempt.FAILED  # nothing new to do for a late failure
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(**fields)
    attempt.refresh_from_db()
    return attempt
