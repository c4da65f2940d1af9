"""Signed documents in a period, per document type: how many were issued, and how often anyone verified them (by
answer). Verifications are anonymous counts per day (kotalive.documents.models.VerificationDay)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import get_language

from kotalive.catalogue.models import Service
from kotalive.documents.models import Document, VerificationDay

ANSWERS = ("valid", "revoked", "pending", "unknown", "mismatch")


def document_verifications(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One row per document type issued or verified in the period, busiest first; unknown ids are a row of their
    own (type "")."""
    issued = dict(
        Document.objects.filter(issued_on__range=(start, end), is_test=False)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    rows: dict[str, dict[str, Any]] = {}
    verified = (
        VerificationDay.objects.filter(day__range=(start, end))
        .values("kind", "status")
        .annotate(n=Sum("count"))
        .values_list("kind", "status", "n")
    )
    for kind, status, n in verified:
        row = rows.setdefault(kind, {"kind": kind, "issued": issued.get(kind, 0), **dict.fromkeys(ANSWERS, 0)})
        if status in ANSWERS:
            row[status] += n or 0
    for kind, n in issued.items():
        rows.setdefault(kind, {"kind": kind, "issued": n, **dict.fromkeys(ANSWERS, 0)})
    english = get_language() == "en"
    names = {
        code: (name_en if english and name_en else name_id)
        for code, name_id, name_en in Service.objects.filter(code__in=list(rows)).values_list(
            "code", "current__name_id", "current__name_en"
        )
    }
    for row in rows.values():
        row["verified"] = sum(row[a] for a in ANSWERS)
        row["name"] = names.get(row["kind"], "")
    return sorted(rows.values(), key=lambda r: (-r["verified"], -r["issued"], r["kind"]))
