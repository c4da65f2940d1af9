"""The applicants' and the reporters' notice consumers become the kernel's one (kotalive/workflow/notices.py).

Its cursor starts where the slower of the two old ones stood, so no event is skipped (an event the faster one had
already noticed is handed over again, and the unique notice per person and event ignores it); open dead letters of
either move to it, so the operator can still replay them. Applications' notices get the `case.` prefix that
reports' and escalations' notices already had (`verified` becomes `case.verified`).
"""

from django.db import migrations
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

OLD = ["notifications.applicant-notices", "complaints.reporter-notices"]
NEW = "workflow.subject-notices"


def one_consumer(apps, schema_editor):
    Cursor = apps.get_model("events", "ConsumerCursor")
    DeadLetter = apps.get_model("events", "ConsumerDeadLetter")
    Notification = apps.get_model("notifications", "Notification")
    old = list(Cursor.objects.filter(name__in=OLD))
    if old and not Cursor.objects.filter(name=NEW).exists():
        Cursor.objects.create(name=NEW, position=min(c.position for c in old))
    Cursor.objects.filter(name__in=OLD).delete()
    DeadLetter.objects.filter(consumer__in=OLD).update(consumer=NEW)
    # Only applications' notices lacked a prefix (every other kind has one: complaint.*, case.escalated).
    Notification.objects.filter(~Q(kind__contains=".")).update(kind=Concat(Value("case."), F("kind")))


def two_consumers(apps, schema_editor):
    Cursor = apps.get_model("events", "ConsumerCursor")
    Notification = apps.get_model("notifications", "Notification")
    new = Cursor.objects.filter(name=NEW).first()
    if new is not None:
        for name in OLD:
            Cursor.objects.update_or_create(name=name, defaults={"position": new.position})
        new.delete()
    for notice in Notification.objects.filter(kind__startswith="case.").exclude(kind="case.escalated"):
        notice.kind = notice.kind.removeprefix("case.")
        notice.save(update_fields=["kind"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0005_messages"),
        ("events", "0006_event_audiences"),
        ("notifications", "0002_in_app"),
    ]

    operations = [migrations.RunPython(one_consumer, two_consumers)]
