"""Reports' messages move to the kernel's one message model (workflow.Message, issue 10). A message's timeline step
names it by id (`message_id`), so each step is pointed at the message's new row; reversing does the same back."""

from django.db import migrations


def _repoint(apps, mapping: dict[int, int]) -> None:
    WorkflowStep = apps.get_model("workflow", "WorkflowStep")
    for step in WorkflowStep.objects.filter(subject_type="complaint", action="message").iterator(chunk_size=2000):
        old = step.data.get("message_id")
        if old in mapping:
            step.data["message_id"] = mapping[old]
            step.save(update_fields=["data"])


def messages_to_kernel(apps, schema_editor):
    Old = apps.get_model("complaints", "Message")
    New = apps.get_model("workflow", "Message")
    mapping = {}
    for m in Old.objects.order_by("id").iterator(chunk_size=2000):
        mapping[m.pk] = New.objects.create(
            subject_type="complaint", subject_id=m.complaint_id, author_id=m.author_id, author_role=m.author_role,
            body=m.body, internal=False, created_at=m.created_at,
        ).pk  # fmt: skip
    _repoint(apps, mapping)


def messages_back(apps, schema_editor):
    Old = apps.get_model("complaints", "Message")
    New = apps.get_model("workflow", "Message")
    mapping = {}
    # The old table had no internal notes: a report's notes cannot go back and are dropped with the kernel's rows.
    for m in New.objects.filter(subject_type="complaint", internal=False).order_by("id").iterator(chunk_size=2000):
        mapping[m.pk] = Old.objects.create(
            complaint_id=m.subject_id, author_id=m.author_id, author_role=m.author_role, body=m.body,
            created_at=m.created_at,
        ).pk  # fmt: skip
    _repoint(apps, mapping)
    New.objects.filter(subject_type="complaint").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_holdings_in_workflow"),
        ("workflow", "0005_messages"),
    ]

    operations = [
        migrations.RunPython(messages_to_kernel, messages_back),
        migrations.DeleteModel(name="Message"),
    ]
