"""Output documents (issue 12): an output may carry the document KotaLIVE signs.

Issuing the output was done in code when a case completed; it is now the effect `output_issue`, declared on the
transitions that complete (kotalive/cases/outputs.py). Every stored workflow version that services run gets it on
those transitions, so running applications issue their output as before. A stored version otherwise never changes;
it changes here only to say what the code did for it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def declare_output_effect(apps, schema_editor):
    WorkflowDefinition = apps.get_model("workflow", "WorkflowDefinition")
    ServiceVersion = apps.get_model("catalogue", "ServiceVersion")
    used = set(ServiceVersion.objects.values_list("workflow_id", flat=True))
    for definition in WorkflowDefinition.objects.filter(pk__in=used):
        document = definition.document
        completed = {s["code"] for s in document.get("states", []) if s.get("category") == "completed"}
        changed = False
        for t in document.get("transitions", []):
            effects = t.get("effects") or []
            if t.get("to") in completed and not any(e.get("effect") == "output_issue" for e in effects):
                t["effects"] = [*effects, {"effect": "output_issue"}]
                changed = True
        if changed:
            definition.save(update_fields=["document"])


def issued_at_from_closing(apps, schema_editor):
    CaseOutput = apps.get_model("cases", "CaseOutput")
    for output in CaseOutput.objects.select_related("case").iterator():
        if output.case.closed_at is not None:
            CaseOutput.objects.filter(pk=output.pk).update(issued_at=output.case.closed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_case_open_backlog_idx"),
        ("catalogue", "0001_initial"),
        ("documents", "0001_initial"),
        ("workflow", "0009_day_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseoutput",
            name="issued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="caseoutput",
            name="signed_document",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="case_output",
                to="documents.document",
            ),
        ),
        migrations.RunPython(issued_at_from_closing, migrations.RunPython.noop),
        migrations.RunPython(declare_output_effect, migrations.RunPython.noop),
    ]
