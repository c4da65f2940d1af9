"""Holders, clocks and timeouts move to the kernel (issue 10, ADR 0012).

- Each report's assignments (an agency's stretch with it) become workflow.Holding rows, and the complaints table of
  them goes; reversing copies them back.
- `confirm_by` becomes the kernel's `timeout_at` (kept only while a report awaits its reporter's confirmation).
- What the services did by action name is now declared in the workflow definition: every stored version of
  `complaint-standard` gets the effects its transitions always had (the same holders and clocks as before), its
  first clock and the timeout of the awaiting-confirmation state. A stored version otherwise never changes; these
  documents change only to say what the code did for them, so running reports behave as they did.
- The open-report indexes filter on the state's category instead of a list of state names.
"""

from django.conf import settings
from django.db import migrations, models

E = lambda name, **extra: {"effect": name, **extra}  # noqa: E731
EFFECTS = {
    "dispose": [E("holder_take"), E("helpers_add"), E("clock_start", working_days=5)],
    "resubmit": [E("clock_start", working_days=3)],
    "accept": [E("holder_accept")],
    "hand_off": [E("holder_leave", outcome="handed_off"), E("holder_take"), E("clock_start", working_days=5)],
    "hand_back": [
        E("holder_leave", outcome="returned_to_operator"),
        E("holder_clear"),
        E("helpers_release", outcome="returned_to_operator"),
        E("clock_start", working_days=3),
    ],
    "resolve": [E("holder_leave", outcome="resolved"), E("clock_stop")],
    "return_to_agency": [E("holder_again"), E("clock_start", working_days=5)],
    "reopen": [E("holder_again"), E("clock_start", working_days=5)],
    "confirm": [E("helpers_release", outcome="closed")],
    "close_unconfirmed": [E("helpers_release", outcome="closed")],
    "reject": [E("helpers_release", outcome="closed")],
    "merge": [E("helpers_release", outcome="closed")],
}
TIMEOUT = {"days": 10, "action": "close_unconfirmed", "name": "confirm_by"}


def declare_effects(apps, schema_editor):
    WorkflowDefinition = apps.get_model("workflow", "WorkflowDefinition")
    for definition in WorkflowDefinition.objects.filter(code="complaint-standard"):
        document = definition.document
        document.setdefault("sla_working_days", 3)
        for t in document.get("transitions", []):
            if t.get("action") in EFFECTS and "effects" not in t:
                t["effects"] = EFFECTS[t["action"]]
        for state in document.get("states", []):
            if state.get("code") == "awaiting_confirmation" and "timeout" not in state:
                state["timeout"] = TIMEOUT
        definition.save(update_fields=["document"])


def clear_stale_timeouts(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.exclude(state="awaiting_confirmation").exclude(timeout_at=None).update(timeout_at=None)


def assignments_to_holdings(apps, schema_editor):
    Assignment = apps.get_model("complaints", "Assignment")
    Holding = apps.get_model("workflow", "Holding")
    batch = []
    for a in Assignment.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(
            Holding(
                subject_type="complaint", subject_id=a.complaint_id, holder="agency", agency_id=a.agency_id,
                role=a.role, received_at=a.received_at, accepted_at=a.accepted_at, left_at=a.left_at,
                outcome=a.outcome, reason=a.reason,
            )
        )  # fmt: skip
        if len(batch) >= 2000:
            Holding.objects.bulk_create(batch)
            batch = []
    Holding.objects.bulk_create(batch)


def holdings_to_assignments(apps, schema_editor):
    Assignment = apps.get_model("complaints", "Assignment")
    Holding = apps.get_model("workflow", "Holding")
    held = Holding.objects.filter(subject_type="complaint", holder="agency")
    Assignment.objects.bulk_create(
        [
            Assignment(
                complaint_id=h.subject_id, agency_id=h.agency_id, role=h.role, received_at=h.received_at,
                accepted_at=h.accepted_at, left_at=h.left_at, outcome=h.outcome, reason=h.reason,
            )
            for h in held.order_by("id")
        ],
        batch_size=2000,
    )  # fmt: skip
    Holding.objects.filter(subject_type="complaint").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0003_reconcile_url'),
        ('complaints', '0005_ratings_in_workflow'),
        ('regions', '0001_initial'),
        ('workflow', '0004_holding'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='assignment',
            name='assignment_current_idx',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_agency_open_idx',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_sweep_idx',
        ),
        migrations.RenameField(
            model_name='complaint',
            old_name='confirm_by',
            new_name='timeout_at',
        ),
        migrations.RunPython(clear_stale_timeouts, migrations.RunPython.noop),
        migrations.RunPython(assignments_to_holdings, holdings_to_assignments),
        migrations.RunPython(declare_effects, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('state_category__in', ['submitted', 'in_progress', 'awaiting_citizen', 'awaiting_agency'])), fields=['agency', 'due_at'], name='complaint_agency_open_idx'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('state_category__in', ['submitted', 'in_progress', 'awaiting_citizen', 'awaiting_agency'])), fields=['due_at'], name='complaint_sweep_idx'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('timeout_at__isnull', False)), fields=['timeout_at'], name='complaint_timeout_idx'),
        ),
        migrations.DeleteModel(
            name='Assignment',
        ),
    ]
