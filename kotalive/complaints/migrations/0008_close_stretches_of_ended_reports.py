"""Close the holders' stretches that the old code left open on reports that had already ended (a report merged or
rejected while an agency held it kept that agency's assignment open), so "time with each agency" stops counting
them: each ends when its report closed (or was last updated, for rows from before closing times were kept)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

ENDED = ["completed", "rejected", "cancelled"]


def close_stretches(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Holding = apps.get_model("workflow", "Holding")
    ended = Complaint.objects.filter(pk=OuterRef("subject_id"), state_category__in=ENDED)
    end = Subquery(ended.values(at=Coalesce("closed_at", "updated_at"))[:1])
    open_rows = Holding.objects.filter(
        subject_type="complaint",
        left_at__isnull=True,
        subject_id__in=Complaint.objects.filter(state_category__in=ENDED).values("pk"),
    )
    open_rows.update(left_at=end, outcome="closed")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_messages_in_workflow")]

    operations = [migrations.RunPython(close_stretches, migrations.RunPython.noop)]
