"""At most one open live application per service and person, enforced by the database.

Two partial unique constraints on Case, over open cases (state category submitted, in_progress, awaiting_citizen
or awaiting_agency) that are not synthetic (is_test false):
- (service, subject_person) when the case is about a registry person;
- (service, applicant) when it is not (a citizen outside the registry applying for themself).

A database deployed before this migration may already hold such duplicates (simultaneous submissions got past the
old check-then-insert). Adding the constraints would then fail with an opaque error, and closing or cancelling a
citizen's application silently is not something a migration may do. So the first step only looks: if any
duplicate exists, the migration stops with an error that lists each group's tracking numbers (oldest first) and
changes nothing. An operator then resolves every group through the normal workflow (for example the agency
cancels or rejects the later applications with a reason the citizen sees) and runs `kotalive migrate` again.
"""

from typing import Any

from django.db import migrations, models
from django.db.models import Count

# A copy, not an import: a migration must keep meaning what it meant when it was written.
OPEN_CATEGORY_LIST = ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]
OPEN_LIVE = models.Q(state_category__in=OPEN_CATEGORY_LIST, is_test=False)


def duplicate_open_cases(apps: Any) -> list[list[str]]:
    """Each group of open live cases that the new constraints would refuse, as tracking numbers oldest first."""
    case_model = apps.get_model("cases", "Case")
    groups: list[list[str]] = []
    scopes = [
        (["service_id", "subject_person_id"], models.Q(subject_person__isnull=False)),
        (["service_id", "applicant_id"], models.Q(subject_person__isnull=True)),
    ]
    for fields, scope in scopes:
        live = case_model.objects.filter(OPEN_LIVE & scope)
        repeated = live.values(*fields).annotate(n=Count("id")).filter(n__gt=1).order_by(*fields)
        for key in repeated:
            members = live.filter(**{name: key[name] for name in fields}).order_by("submitted_at", "id")
            groups.append(list(members.values_list("tracking", flat=True)))
    return groups


def refuse_duplicates(apps: Any, schema_editor: Any) -> None:
    groups = duplicate_open_cases(apps)
    if groups:
        lines = "\n".join(f"  - {', '.join(group)}" for group in groups)
        raise RuntimeError(
            f"{len(groups)} group(s) of open applications for the same service and person exist; the constraints "
            "case_one_open_per_person and case_one_open_per_unregistered_applicant cannot be added. Nothing was changed. Resolve each group through the workflow "
            "(keep one open, cancel or reject the others with a reason), then run the migration again "
            f"(kotalive/cases/migrations/0004_one_open_case_per_person.py):\n{lines}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_output_document"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("state_category__in", ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]),
                    ("is_test", False),
                    ("subject_person__isnull", False),
                ),
                fields=("service", "subject_person"),
                name="case_one_open_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("state_category__in", ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]),
                    ("is_test", False),
                    ("subject_person__isnull", True),
                ),
                fields=("service", "applicant"),
                name="case_one_open_per_unregistered_applicant",
            ),
        ),
    ]
