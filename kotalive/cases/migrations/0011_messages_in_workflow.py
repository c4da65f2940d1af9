"""Applications' messages and internal notes move to the kernel's one message model (workflow.Message, issue 10),
with the author's role the case pages showed (staff or citizen); reversing copies them back."""

from django.db import migrations


def messages_to_kernel(apps, schema_editor):
    Old = apps.get_model("cases", "CaseMessage")
    New = apps.get_model("workflow", "Message")
    batch = []
    for m in Old.objects.select_related("author").order_by("id").iterator(chunk_size=2000):
        batch.append(
            New(
                subject_type="case", subject_id=m.case_id, author_id=m.author_id,
                author_role="staff" if m.author.kind == "staff" else "citizen", body=m.body, internal=m.internal,
                created_at=m.created_at,
            )
        )  # fmt: skip
    New.objects.bulk_create(batch, batch_size=2000)


def messages_back(apps, schema_editor):
    Old = apps.get_model("cases", "CaseMessage")
    New = apps.get_model("workflow", "Message")
    Old.objects.bulk_create(
        [
            Old(case_id=m.subject_id, author_id=m.author_id, body=m.body, internal=m.internal, created_at=m.created_at)
            for m in New.objects.filter(subject_type="case").order_by("id")
        ],
        batch_size=2000,
    )
    New.objects.filter(subject_type="case").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_holdings_and_timeouts"),
        ("workflow", "0005_messages"),
    ]

    operations = [
        migrations.RunPython(messages_to_kernel, messages_back),
        migrations.DeleteModel(name="CaseMessage"),
    ]
