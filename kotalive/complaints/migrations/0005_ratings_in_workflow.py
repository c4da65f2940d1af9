"""Complaint ratings move into the kernel's one rating model (workflow.Rating, scale "stars"): every rated report's
score and comment are copied, rated by its reporter (only the reporter could rate) at the time of its "rate" step
(the report's last change when there is none), then Complaint.rating and rating_comment are dropped. Reversible:
going back puts each score and comment on its report again."""

from django.db import migrations


def copy_to_workflow(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Step = apps.get_model("workflow", "WorkflowStep")
    New = apps.get_model("workflow", "Rating")
    rated = Complaint.objects.filter(rating__isnull=False).order_by("id")
    rows = rated.values_list("id", "rating", "rating_comment", "reporter_id", "updated_at").iterator(chunk_size=2000)
    batch = []

    def flush():
        ids = [row.subject_id for row in batch]
        steps = Step.objects.filter(subject_type="complaint", subject_id__in=ids, action="rate").order_by("at")
        when = {subject_id: at for subject_id, at in steps.values_list("subject_id", "at")}
        for row in batch:
            row.at = when.get(row.subject_id, row.at)
        New.objects.bulk_create(batch)

    for pk, score, comment, reporter_id, updated_at in rows:
        batch.append(
            New(
                subject_type="complaint",
                subject_id=pk,
                scale="stars",
                scores=[score],
                comment=comment,
                by_id=reporter_id,
                at=updated_at,
            )
        )
        if len(batch) >= 2000:
            flush()
            batch = []
    flush()


def copy_back(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    New = apps.get_model("workflow", "Rating")
    for row in New.objects.filter(subject_type="complaint").order_by("id").iterator(chunk_size=2000):
        Complaint.objects.filter(pk=row.subject_id).update(rating=row.scores[0], rating_comment=row.comment)
    New.objects.filter(subject_type="complaint").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_escalations_in_workflow"),
        ("workflow", "0003_rating"),
    ]

    operations = [
        migrations.RunPython(copy_to_workflow, copy_back),
        migrations.RemoveField(model_name="complaint", name="rating"),
        migrations.RemoveField(model_name="complaint", name="rating_comment"),
    ]
