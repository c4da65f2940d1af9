"""Cursors for the in-process consumers that existed before consumers had cursors, at the feed's current end.

Until now the fan-out handed every event to every consumer inside its own transaction, so every event that already
has a feed position was consumed by all of them. Their cursors start at the last position: nothing is consumed
twice, and events not fanned out yet (no position) reach the consumers through their cursors. A consumer without a
cursor row (one added later) starts from the beginning of the feed. (An old worker that fans out between this
migration and its own restart hands a few events over twice; the consumers ignore repeats.)
"""

from typing import Any

from django.db import migrations
from django.db.models import Max

# A copy, not an import of the registry: a migration must keep meaning what it meant when it was written.
EXISTING_CONSUMERS = ["notifications.applicant-notices", "complaints.reporter-notices", "complaints.lapor-outbox"]


def cursors_at_the_end(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("events", "OutboxEvent")
    cursor_model = apps.get_model("events", "ConsumerCursor")
    last = event_model.objects.aggregate(last=Max("position"))["last"] or 0
    cursor_model.objects.bulk_create(
        [cursor_model(name=name, position=last) for name in EXISTING_CONSUMERS], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_consumer_cursors"),
    ]

    operations = [
        migrations.RunPython(cursors_at_the_end, migrations.RunPython.noop, elidable=True),
    ]
