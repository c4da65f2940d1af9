"""Subjects outside the registry in the one-open-case rule, and ended applications that never read as done (issue 14).

1. `Case.subject_key` says who the subject is when the registry does not hold them: "" for a citizen outside the
   registry applying for themself, a newborn's key (the child's name and date of birth) for a birth certificate.
   The partial unique constraint over open live cases without a registry subject becomes (service, applicant,
   subject_key) under the name case_one_open_per_unregistered_subject: a parent's second child is a second
   application, the same child twice is refused, and the database still decides a race.
2. Birth certificates filed before this migration named the parent as their subject ("For: Budi Santoso"). Each
   case whose service version records a birth (`registry_effect` "record_birth", the mark such a service carried
   before subjects were data) becomes the child's: no registry subject, the child's name as `subject_name`, the
   child's key. Before, one parent had at most one open birth certificate, so the new constraint holds.
3. The applicant's stored view (`snapshot`, docs/adr/0006) follows: the child's name for those births, and for
   rejected and cancelled cases their own public status (ditolak, dibatalkan, not selesai) and no SLA verdict.

Backwards the data stays as it is (a parent may by then have two open birth certificates, which the old constraint
would refuse): reversing needs those resolved first.
"""

import hashlib
import unicodedata
from typing import Any

from django.db import migrations, models

# Copies, not imports: a migration must keep meaning what it meant when it was written.
OPEN_CATEGORY_LIST = ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]
ENDED_WORDS = {"rejected": "ditolak", "cancelled": "dibatalkan"}
BATCH = 1000


def newborn_key(*, name: Any, birth_date: Any) -> str:
    """As cases.filing.newborn_key when this migration was written."""
    name = " ".join(unicodedata.normalize("NFKC", str(name or "")).casefold().split())
    return hashlib.sha256(f"newborn|{str(birth_date or '').strip()}|{name}".encode()).hexdigest()


def _patched(snapshot: Any, changes: dict[str, Any]) -> Any:
    if not isinstance(snapshot, dict):
        return snapshot
    return {lang: ({**view, **changes} if isinstance(view, dict) else view) for lang, view in snapshot.items()}


def backfill(apps: Any, schema_editor: Any) -> None:
    case_model = apps.get_model("cases", "Case")
    births = case_model.objects.filter(service_version__registry_effect="record_birth").only(
        "id", "data", "subject_name", "snapshot", "state_category"
    )
    changed = []
    for case in births.iterator(chunk_size=BATCH):
        data = case.data if isinstance(case.data, dict) else {}
        name = " ".join(str(data.get("child_name") or "").split())
        case.subject_person_id = None
        case.subject_key = newborn_key(name=name, birth_date=data.get("child_birth_date"))
        case.subject_name = (name or case.subject_name)[:150]
        case.snapshot = _patched(case.snapshot, {"subject_name": case.subject_name})
        changed.append(case)
        if len(changed) >= BATCH:
            case_model.objects.bulk_update(changed, ["subject_person", "subject_key", "subject_name", "snapshot"])
            changed = []
    if changed:
        case_model.objects.bulk_update(changed, ["subject_person", "subject_key", "subject_name", "snapshot"])

    ended = case_model.objects.filter(state_category__in=list(ENDED_WORDS)).only("id", "snapshot", "state_category")
    changed = []
    for case in ended.iterator(chunk_size=BATCH):
        case.snapshot = _patched(case.snapshot, {"public_status": ENDED_WORDS[case.state_category], "sla_status": None})
        changed.append(case)
        if len(changed) >= BATCH:
            case_model.objects.bulk_update(changed, ["snapshot"])
            changed = []
    if changed:
        case_model.objects.bulk_update(changed, ["snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_citizen_unreachable"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="case",
            name="case_one_open_per_unregistered_applicant",
        ),
        migrations.AddField(
            model_name="case",
            name="subject_key",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("state_category__in", OPEN_CATEGORY_LIST),
                    ("is_test", False),
                    ("subject_person__isnull", True),
                ),
                fields=("service", "applicant", "subject_key"),
                name="case_one_open_per_unregistered_subject",
            ),
        ),
    ]
