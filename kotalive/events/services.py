"""Writing domain events to the outbox, inside the caller's transaction."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kotalive.events.models import OutboxEvent

TYPE_PREFIX = "id.kotalive."


def outbox_write(*, event: str, subject: str, data: dict[str, Any], agency: str = "") -> OutboxEvent:
    """Append event `event` (e.g. "case.submitted") about `subject` with the next per-subject sequence number.

    The caller must hold a lock on the subject (its row, selected for update) so two transactions never take the
    same sequence number; the unique constraint is the backstop.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_write must run inside the transaction of the change it describes")
    last = OutboxEvent.objects.filter(subject=subject).aggregate(last=Max("sequence"))["last"] or 0
    return OutboxEvent.objects.create(
        source=f"{settings.KOTALIVE_EVENT_SOURCE}/{event.split('.')[0]}s",
        type=TYPE_PREFIX + event,
        subject=subject,
        time=timezone.now(),
        sequence=last + 1,
        agency=agency,
        data=data,
    )
