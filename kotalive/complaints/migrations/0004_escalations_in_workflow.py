"""Complaint escalations move into the kernel's one escalation record model (workflow.Escalation): every row is
copied with its clock and the code of the agency its assignment named (the holder when it escalated; "" while the
Live Room held the report), then complaints.Escalation is dropped. Reversible: going back copies the rows into
complaints.Escalation again, each with the lead assignment of that agency that was running when it escalated."""

from django.db import migrations


def copy_to_workflow(apps, schema_editor):
    Old = apps.get_model("complaints", "Escalation")
    New = apps.get_model("workflow", "Escalation")
    rows = Old.objects.select_related("assignment__agency").order_by("id").iterator(chunk_size=2000)
    batch = []
    for old in rows:
        batch.append(
            New(
                subject_type="complaint",
                subject_id=old.complaint_id,
                clock_started_at=old.clock_started_at,
                rule=old.rule,
                when=old.when,
                target=old.target,
                holder=old.assignment.agency.code if old.assignment_id else "",
                notified_id=old.notified_id,
                at=old.at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Old = apps.get_model("complaints", "Escalation")
    New = apps.get_model("workflow", "Escalation")
    Assignment = apps.get_model("complaints", "Assignment")
    batch = []
    for row in New.objects.filter(subject_type="complaint").order_by("id"):
        assignment = None
        if row.holder:
            assignment = (
                Assignment.objects.filter(
                    complaint_id=row.subject_id, agency__code=row.holder, role="lead", received_at__lte=row.at
                )
                .order_by("-received_at")
                .first()
            )
        batch.append(
            Old(
                complaint_id=row.subject_id,
                assignment=assignment,
                clock_started_at=row.clock_started_at,
                rule=row.rule,
                when=row.when,
                target=row.target,
                notified_id=row.notified_id,
                at=row.at,
            )
        )
    Old.objects.bulk_create(batch, batch_size=2000)
    New.objects.filter(subject_type="complaint").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_photos_are_core_uploads"),
        ("workflow", "0002_escalation"),
    ]

    operations = [
        migrations.RunPython(copy_to_workflow, copy_back),
        migrations.DeleteModel(name="Escalation"),
    ]
