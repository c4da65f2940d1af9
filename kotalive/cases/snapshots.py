"""The applicant's view of a case, stored on the case row and rewritten inside every transaction that changes it.

The citizen's status read is the hottest request of the platform: it answers from this one column instead of
seven queries and an ORM join of nine tables (docs/adr/0006). One snapshot per UI language, because labels are
translated.
"""

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import translation

from kotalive.cases.models import Case
from kotalive.cases.presenters import CaseParts, case_detail, case_labels
from kotalive.workflow.hooks import after_change


@after_change("case")
def _refresh_after_change(case: Case) -> None:
    case_snapshot_refresh(case=case)


def case_snapshot_build(case: Case, parts: CaseParts | None = None) -> dict[str, Any]:
    """The applicant's view of `case` in every UI language (from `parts` when the caller has them in hand)."""
    with translation.override(settings.LANGUAGE_CODE):
        base = case_detail(case, case.applicant, parts)
    snapshot: dict[str, Any] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # Only names and labels differ between languages: the queries behind the rest ran once, above.
            snapshot[code] = {**base, **case_labels(case, case.applicant)} if code != settings.LANGUAGE_CODE else base
    return snapshot


def case_snapshot_refresh(*, case: Case) -> None:
    """Recompute the stored applicant view from `case` as the caller holds it (call inside the transaction of
    the change, after the change)."""
    # The field's DjangoJSONEncoder writes dates and times as ISO strings, as the API would.
    Case.objects.filter(pk=case.pk).update(snapshot=case_snapshot_build(case))


# The hottest query of the platform, written out once (the ORM's compilation cost more than the query). The
# database hands back the stored view of one language as JSON text, which is answered as is: no parse, no dump.
_SNAPSHOT_SQL = f"""
SELECT COALESCE(snapshot ->> CAST(%s AS TEXT), snapshot ->> CAST(%s AS TEXT))
FROM {Case._meta.db_table} WHERE tracking = %s AND applicant_id = %s
"""  # noqa: S608 (a table name, not input)


def case_snapshot_for_applicant(*, user_id: int, tracking: str, language: str) -> str | None:
    """The stored view of `tracking` as JSON text when `user_id` filed it; None otherwise (the caller falls back)."""
    with connection.cursor() as cursor:
        cursor.execute(_SNAPSHOT_SQL, [language, settings.LANGUAGE_CODE, tracking, user_id])
        row = cursor.fetchone()
    return row[0] if row and row[0] else None
