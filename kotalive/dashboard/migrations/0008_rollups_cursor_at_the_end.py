"""The consumer `dashboard.rollups` starts at the feed's current end instead of replaying the whole feed.

A consumer without a cursor row reads the feed from its beginning (kotalive/events/consumers.py): on a platform with
years of events the worker would spend hours marking past days. The past is counted once by
`kotalive rollups-rebuild` after this upgrade (docs/adr/0013-dashboard-rollups.md); the consumer marks what comes
after. On a new database (no events yet) the cursor starts at 0, as it would have.
"""

from typing import Any

from django.db import migrations
from django.db.models import Max

CONSUMER = "dashboard.rollups"  # a copy, not an import: a migration keeps meaning what it meant when written


def cursor_at_the_end(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("events", "OutboxEvent")
    cursor_model = apps.get_model("events", "ConsumerCursor")
    last = event_model.objects.aggregate(last=Max("position"))["last"] or 0
    cursor_model.objects.bulk_create([cursor_model(name=CONSUMER, position=last)], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0007_rollup_dirty_days"),
        ("events", "0006_event_audiences"),
    ]

    operations = [
        migrations.RunPython(cursor_at_the_end, migrations.RunPython.noop, elidable=True),
    ]
