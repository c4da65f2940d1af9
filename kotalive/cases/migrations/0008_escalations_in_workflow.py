"""Case escalations move into the kernel's one escalation record model (workflow.Escalation): every row is copied
with the case's clock (its started_at) and agency, then cases.Escalation is dropped. Reversible: going back copies
the case rows into cases.Escalation again."""

from django.db import migrations


def copy_to_workflow(apps, schema_editor):
    Old = apps.get_model("cases", "Escalation")
    New = apps.get_model("workflow", "Escalation")
    rows = Old.objects.select_related("case__agency").order_by("id").iterator(chunk_size=2000)
    batch = []
    for old in rows:
        batch.append(
            New(
                subject_type="case",
                subject_id=old.case_id,
                clock_started_at=old.case.started_at,
                rule=old.rule,
                when=old.when,
                target=old.target,
                holder=old.case.agency.code,
                notified_id=old.notified_id,
                at=old.at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Old = apps.get_model("cases", "Escalation")
    New = apps.get_model("workflow", "Escalation")
    Old.objects.bulk_create(
        [
            Old(case_id=row.subject_id, rule=row.rule, when=row.when, target=row.target, notified_id=row.notified_id, at=row.at)
            for row in New.objects.filter(subject_type="case").order_by("id")
        ],
        batch_size=2000,
        ignore_conflicts=True,  # one row per case and rule there: a later clock's repeat has nowhere to go
    )
    New.objects.filter(subject_type="case").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_applicants_in_event_audiences"),
        ("workflow", "0002_escalation"),
    ]

    operations = [
        migrations.RunPython(copy_to_workflow, copy_back),
        migrations.DeleteModel(name="Escalation"),
    ]
