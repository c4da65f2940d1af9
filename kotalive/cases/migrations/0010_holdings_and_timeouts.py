"""Applications' holders in the kernel (issue 10): every filed case gets its agency's stretch (from submission to its
end) and, when an officer holds it, that officer's stretch as workflow.Holding rows; and the kernel's timeout_at.

Assignments were not timeline steps before, so a backfilled officer's stretch starts at the case's submission (the
best date recorded); stretches from now on start when the officer takes the case.
"""

from django.conf import settings
from django.db import migrations, models

HOLDINGS = """
INSERT INTO workflow_holding
    (subject_type, subject_id, holder, agency_id, unit_id, person_id, role, received_at, accepted_at, left_at,
     outcome, reason)
SELECT 'case', id, %s, agency_id, NULL, {person}, 'lead', submitted_at, {accepted}, closed_at,
       CASE WHEN closed_at IS NULL THEN '' ELSE 'closed' END, ''
FROM cases_case WHERE state_category <> 'draft' {where}
"""


def holdings_backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(HOLDINGS.format(person="NULL", accepted="NULL", where=""), ["agency"])
        cursor.execute(
            HOLDINGS.format(person="assignee_id", accepted="submitted_at", where="AND assignee_id IS NOT NULL"),
            ["person"],
        )


def holdings_remove(apps, schema_editor):
    apps.get_model("workflow", "Holding").objects.filter(subject_type="case").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0003_reconcile_url'),
        ('cases', '0009_ratings_in_workflow'),
        ('catalogue', '0001_initial'),
        ('registry', '0002_mediation'),
        ('workflow', '0004_holding'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='timeout_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('timeout_at__isnull', False)), fields=['timeout_at'], name='case_timeout_idx'),
        ),
        migrations.RunPython(holdings_backfill, holdings_remove),
    ]
