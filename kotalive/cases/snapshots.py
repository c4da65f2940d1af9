"""The applicant's view of a case, stored on the case row and rewritten inside every transaction that changes it.

The citizen's status read is the hottest request of the platform: it answers from this one column instead of
seven queries and an ORM join of nine tables (docs/adr/0006). One snapshot per UI language, because labels are
translated.
"""

from typing import Any

from django.conf import settings
from django.utils import translation

from kotalive.cases.models import Case
from kotalive.cases.presenters import case_detail, case_labels


def case_snapshot_refresh(*, case: Case) -> None:
    """Recompute the stored applicant view from `case` as the caller holds it (call inside the transaction of
    the change, after the change)."""
    with translation.override(settings.LANGUAGE_CODE):
        base = case_detail(case, case.applicant)
    snapshot: dict[str, Any] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # Only names and labels differ between languages: the queries behind the rest ran once, above.
            snapshot[code] = {**base, **case_labels(case, case.applicant)} if code != settings.LANGUAGE_CODE else base
    # The field's DjangoJSONEncoder writes dates and times as ISO strings, as the API would.
    Case.objects.filter(pk=case.pk).update(snapshot=snapshot)


def case_snapshot_for_applicant(*, user_id: int, tracking: str, language: str) -> dict[str, Any] | None:
    """The stored view of `tracking` when `user_id` filed it; None otherwise (the caller falls back)."""
    snapshot = Case.objects.filter(tracking=tracking, applicant_id=user_id).values_list("snapshot", flat=True).first()
    if not snapshot:
        return None
    return snapshot.get(language) or snapshot.get(settings.LANGUAGE_CODE)
