"""Case ratings move into the kernel's one rating model (workflow.Rating, scale "ikm"): every CaseRating row is
copied with its scores, comment and time, rated by the case's applicant (only the applicant could rate), then
cases.CaseRating is dropped. Reversible: going back copies the case rows into cases.CaseRating again."""

from django.db import migrations


def copy_to_workflow(apps, schema_editor):
    Old = apps.get_model("cases", "CaseRating")
    New = apps.get_model("workflow", "Rating")
    rows = Old.objects.select_related("case").order_by("id").iterator(chunk_size=2000)
    batch = []
    for old in rows:
        batch.append(
            New(
                subject_type="case",
                subject_id=old.case_id,
                scale="ikm",
                scores=old.scores,
                comment=old.comment,
                by_id=old.case.applicant_id,
                at=old.created_at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Old = apps.get_model("cases", "CaseRating")
    New = apps.get_model("workflow", "Rating")
    Old.objects.bulk_create(
        [
            Old(case_id=row.subject_id, scores=row.scores, comment=row.comment, created_at=row.at)
            for row in New.objects.filter(subject_type="case").order_by("id")
        ],
        batch_size=2000,
    )
    New.objects.filter(subject_type="case").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_escalations_in_workflow"),
        ("workflow", "0003_rating"),
    ]

    operations = [
        migrations.RunPython(copy_to_workflow, copy_back),
        migrations.DeleteModel(name="CaseRating"),
    ]
