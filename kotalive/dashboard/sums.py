"""Reading the day rollups over a period (kotalive/dashboard/models.py): sums per group, and the median and p90 of a
duration from its summed histogram. Every dashboard and public figure about volumes and clocks comes from here."""

import datetime as dt
import math
from typing import Any

from django.db.models import Sum

from kotalive.agencies.models import Agency
from kotalive.catalogue.models import Service
from kotalive.complaints.models import Category
from kotalive.dashboard.models import (
    BUCKETS,
    DURATION_BOUNDS,
    DURATIONS,
    IKM_ELEMENTS,
    SubjectDayRollup,
    bucket_fields,
)
from kotalive.dashboard.spread import durations_spread_empty

COUNTS = [
    "submitted",
    "responded",
    "fields",
    "fields_prefilled",
    "documents_uploaded",
    "documents_shared",
    "documents_reused",
    "closed",
    "met",
    "missed",
    "reopened",
    "completed",
    "completed_online",
    "escalations",
    "ikm_answers",
    *(f"ikm_{element}" for element in IKM_ELEMENTS),
]
SUMMED = COUNTS + [field for measure in DURATIONS for field in bucket_fields(measure)]


def rollup_sums(
    kind: str,
    *,
    start: dt.date,
    end: dt.date,
    by: tuple[str, ...] = (),
    fields: list[str] | None = None,
    agency: str | None = None,
    service: str | None = None,
    category: str | None = None,
    kecamatan: str | None = None,
) -> list[dict[str, Any]]:
    """The rollups of `kind` from `start` to `end` (local days) summed per `by` (columns of the rollup: "agency_id",
    "day", "category_id", ...), one dict per group with every count and histogram bucket (or only `fields`: a
    page that needs two counts does not sum seventy columns over tens of thousands of rows). The filters are the
    dashboard's, by code: `service` narrows applications, `category` and `kecamatan` reports, a filter of the other
    kind leaves nothing."""
    if kind == "case" and (category or kecamatan) or kind == "complaint" and service:
        return []
    rows = SubjectDayRollup.objects.filter(kind=kind, day__gte=start, day__lte=end)
    narrowing = [
        ("agency_id", Agency, agency),
        ("service_id", Service, service),
        ("category_id", Category, category),
    ]
    for column, model, code in narrowing:
        if code:
            found = model.objects.filter(code=code).values_list("pk", flat=True).first()  # type: ignore[attr-defined]
            rows = rows.filter(**{column: found})
    if kecamatan:
        rows = rows.filter(kecamatan=kecamatan)
    sums = {field: Sum(field) for field in fields or SUMMED}
    if not by:
        return [{k: v or 0 for k, v in rows.aggregate(**sums).items()}]
    # A sum over no rows is None: 0. The group's own columns stay as they are (agency None is the Live Room).
    grouped = rows.values(*by).annotate(**sums).order_by(*by)
    return [{k: v if k in by else v or 0 for k, v in row.items()} for row in grouped]


def sums_add(total: dict[str, Any], row: dict[str, Any]) -> None:
    for field in SUMMED:
        total[field] = total.get(field, 0) + row.get(field, 0)


def histogram_spread(row: dict[str, Any], measure: str) -> dict[str, Any]:
    """{"median", "p90", "n"} in seconds of `measure` ("first_response" or "completion") from a row of sums: the
    nearest rank (ceil(p x n)) found in the histogram, reported as its bucket's upper bound (the last bucket, which
    has none, as its lower bound: "that long or longer")."""
    counts = [int(row.get(field, 0)) for field in bucket_fields(measure)]
    n = sum(counts)
    if not n:
        return durations_spread_empty()

    def at(share: float) -> int:
        rank, seen = max(1, math.ceil(share * n)), 0
        for index, count in enumerate(counts):
            seen += count
            if seen >= rank:
                return DURATION_BOUNDS[min(index, BUCKETS - 2)]
        raise AssertionError("unreachable: the ranks are within n")

    return {"median": at(0.5), "p90": at(0.9), "n": n}
