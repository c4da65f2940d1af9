"""Week by week over a period: applications and reports submitted and closed (the Live Room's trend lines; the formula
is a count per local week, Monday first, docs/coordination-metrics.md), from the day rollups."""

import datetime as dt
from typing import Any

from kotalive.dashboard.handoffs import period_dates
from kotalive.dashboard.public import rows_csv
from kotalive.dashboard.sums import rollup_sums

SERIES = ("applications_submitted", "applications_closed", "reports_submitted", "reports_closed")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_trend(*, start: dt.date, end: dt.date, **filters: str | None) -> list[dict[str, Any]]:
    """One row per week touching the period (`week` is its Monday), each series summed from the day rollups of the
    period's days; weeks with nothing are there with zeros, so a line has no gaps. `filters` are the dashboard's
    (agency, service, category, kecamatan: dashboard.sums.rollup_sums)."""
    start, end = period_dates(start, end)
    weeks: dict[dt.date, dict[str, Any]] = {}
    monday = _monday(start)
    while monday <= end:
        weeks[monday] = {"week": monday, **dict.fromkeys(SERIES, 0)}
        monday += dt.timedelta(days=7)
    for kind, prefix in (("case", "applications"), ("complaint", "reports")):
        for day in rollup_sums(kind, start=start, end=end, by=("day",), fields=["submitted", "closed"], **filters):
            week = weeks[_monday(day["day"])]
            week[f"{prefix}_submitted"] += day["submitted"]
            week[f"{prefix}_closed"] += day["closed"]
    return list(weeks.values())


def trend_csv(rows: list[dict[str, Any]]) -> str:
    return rows_csv(rows, ["week", *SERIES])
