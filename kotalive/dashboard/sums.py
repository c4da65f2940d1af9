"""Reading the rollups over a period (kotalive/dashboard/models.py): sums per group, whole months from the month
twins and the period's ragged ends from the day rows (`span_sums`), and the median and p90 of a duration from its
summed histogram. Every dashboard and public figure about volumes and clocks comes from here."""

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import QuerySet, Sum

from kotalive.agencies.models import Agency
from kotalive.catalogue.models import Service
from kotalive.complaints.models import Category
from kotalive.dashboard.models import (
    BUCKETS,
    DURATION_BOUNDS,
    DURATIONS,
    IKM_ELEMENTS,
    SubjectDayRollup,
    SubjectMonthRollup,
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
    "staff_steps",
    "system_steps",
    "ikm_answers",
    *(f"ikm_{element}" for element in IKM_ELEMENTS),
]
SUMMED = COUNTS + [field for measure in DURATIONS for field in bucket_fields(measure)]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _spans(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """[start, end] cut into the whole months it holds (the first day of the first and of the last, or None) and
    the day ranges before and after them."""
    first = start if start.day == 1 else next_month(start)
    after = next_month(end) if next_month(end) - dt.timedelta(days=1) == end else month_start(end)
    if first >= after:  # no whole month: days only
        return None, [(start, end)]
    edges = [(start, first - dt.timedelta(days=1)), (after, end)]
    return (first, month_start(after - dt.timedelta(days=1))), [(a, b) for a, b in edges if a <= b]


def span_sums(
    day_model: type[models.Model],
    month_model: type[models.Model],
    *,
    start: dt.date,
    end: dt.date,
    by: tuple[str, ...],
    fields: list[str],
    narrow: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda rows: rows,
    days_only: bool = False,
) -> list[dict[str, Any]]:
    """`fields` summed per `by` over [start, end]: the whole months from `month_model`, the rest from `day_model`
    (grouping by "day", or `days_only`, reads the days alone), each set of rows narrowed by `narrow`; one dict per
    group, ordered by `by`. A sum over no rows is 0."""
    months, days = (None, [(start, end)]) if "day" in by or days_only else _spans(start, end)
    parts = [day_model.objects.filter(day__gte=a, day__lte=b) for a, b in days]  # type: ignore[attr-defined]
    if months:
        parts.append(month_model.objects.filter(day__gte=months[0], day__lte=months[1]))  # type: ignore[attr-defined]
    sums = {field: Sum(field) for field in fields}
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rows in parts:
        found = [narrow(rows).aggregate(**sums)] if not by else narrow(rows).values(*by).annotate(**sums).order_by()
        for row in found:
            key = tuple(row.get(name) for name in by)
            total = groups.setdefault(key, {**dict(zip(by, key, strict=True)), **dict.fromkeys(fields, 0)})
            for field in fields:
                total[field] += row[field] or 0
    if not by and not groups:
        return [dict.fromkeys(fields, 0)]
    return [groups[key] for key in sorted(groups, key=lambda key: tuple((v is not None, v) for v in key))]


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
    wanted: dict[str, Any] = {"kind": kind}
    narrowing = [
        ("agency_id", Agency, agency),
        ("service_id", Service, service),
        ("category_id", Category, category),
    ]
    for column, model, code in narrowing:
        if code:
            wanted[column] = model.objects.filter(code=code).values_list("pk", flat=True).first()  # type: ignore[attr-defined]
            if wanted[column] is None:
                return []  # no such agency, service or category (None would be the Live Room's own rows)
    if kecamatan:
        wanted["kecamatan"] = kecamatan
    return span_sums(
        SubjectDayRollup,
        SubjectMonthRollup,
        start=start,
        end=end,
        by=by,
        fields=fields or SUMMED,
        narrow=lambda rows: rows.filter(**wanted),
        days_only=bool(kecamatan) or "kecamatan" in by,  # the month twin has no kecamatan
    )


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
