"""Week by week over a period: applications and reports submitted and closed (the Live Room's trend lines; the formula
is a count per local week, Monday first, docs/coordination-metrics.md)."""

import datetime as dt
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from kotalive.dashboard.city import subjects_filtered
from kotalive.dashboard.handoffs import period
from kotalive.dashboard.public import rows_csv

SERIES = ("applications_submitted", "applications_closed", "reports_submitted", "reports_closed")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _per_day(rows: Any, field: str, since: dt.datetime, until: dt.datetime) -> dict[dt.date, int]:
    counted = (
        rows.filter(**{f"{field}__gte": since, f"{field}__lt": until})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return dict(counted)


def weekly_trend(*, start: dt.date, end: dt.date, **filters: str | None) -> list[dict[str, Any]]:
    """One row per week touching the period (`week` is its Monday), each series counted by local day and summed
    per week; weeks with nothing are there with zeros, so a line has no gaps. `filters` are the dashboard's
    (agency, service, category, kecamatan: dashboard.city.subjects_filtered)."""
    since, until = period(start, end)
    start, end = since.date(), (until - dt.timedelta(days=1)).date()  # the period's clamped days
    cases = subjects_filtered("case", **filters)
    reports = subjects_filtered("complaint", **filters)
    days = {
        "applications_submitted": _per_day(cases, "submitted_at", since, until),
        "applications_closed": _per_day(cases, "closed_at", since, until),
        "reports_submitted": _per_day(reports, "submitted_at", since, until),
        "reports_closed": _per_day(reports, "closed_at", since, until),
    }
    weeks: dict[dt.date, dict[str, Any]] = {}
    monday = _monday(start)
    while monday <= end:
        weeks[monday] = {"week": monday, **dict.fromkeys(SERIES, 0)}
        monday += dt.timedelta(days=7)
    for name, counts in days.items():
        for day, n in counts.items():
            week = weeks.get(_monday(day))
            if week is not None:
                week[name] += n
    return list(weeks.values())


def trend_csv(rows: list[dict[str, Any]]) -> str:
    return rows_csv(rows, ["week", *SERIES])
