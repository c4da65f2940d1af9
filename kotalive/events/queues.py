"""The delivery queues: one per (subscription, subject), whose head alone may be sent (see dispatch.py)."""

from django.db import connection

from kotalive.core.locks import advisory_xact_lock
from kotalive.events.models import WebhookDelivery

QUEUE_LOCK = 0x6B6F7461  # "kota": PostgreSQL advisory lock key of the delivery queues
_INSERT_SQL = f"""
INSERT INTO {WebhookDelivery._meta.db_table}
    (subscription_id, event_id, subject, sequence, status, next_attempt_at, created_at, attempts, last_error)
VALUES (%s, %s, %s, %s, %s, %s, %s, 0, '')
"""  # noqa: S608 (a table name, not input)


def queue_lock(*, wait: bool = True) -> bool:
    """Take the queues' lock until the end of the current transaction (False: another process holds it)."""
    return advisory_xact_lock(QUEUE_LOCK, wait=wait)


def deliveries_enqueue(deliveries: list[WebhookDelivery]) -> None:
    """Add deliveries (in sequence order per subject) to their queues: the head of an empty queue is pending, the
    rest wait. Call inside a transaction holding queue_lock()."""
    if not deliveries:
        return
    busy = set(
        WebhookDelivery.objects.filter(
            status__in=WebhookDelivery.UNFINISHED,
            subscription_id__in={d.subscription_id for d in deliveries},
            subject__in={d.subject for d in deliveries},
        )
        .values_list("subscription_id", "subject")
        .distinct()
    )
    for delivery in deliveries:
        key = (delivery.subscription_id, delivery.subject)
        delivery.status = WebhookDelivery.WAITING if key in busy else WebhookDelivery.PENDING
        busy.add(key)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:  # one prepared statement, pipelined: bulk_create's SQL building cost more
        cursor.executemany(
            _INSERT_SQL,
            [
                (
                    d.subscription_id,
                    d.event_id,
                    d.subject,
                    d.sequence,
                    d.status,
                    adapt(d.next_attempt_at),
                    adapt(d.created_at),
                )
                for d in deliveries
            ],
        )
