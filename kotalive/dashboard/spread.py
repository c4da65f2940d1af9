"""How long something took across many subjects: the median and the 90th percentile of a duration between two of
their timestamps, per agency and for all of them, by the nearest-rank definition (the value at rank ceil(p x n)).

PostgreSQL computes them where the rows are (`percentile_disc`, the same definition), so a period of a million
subjects sends back one row per agency; other databases (the embedded SQLite) send the durations and Python ranks
them. Both give the same numbers (the suite runs on both)."""

import datetime as dt
import math
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, QuerySet


def ratio(part: int, whole: int) -> float | None:
    """part / whole to four decimals; None when there is no whole (the dashboards' shares)."""
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (the value at rank ceil(share * n)); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class _PercentileDisc(Aggregate):  # type: ignore[type-arg]
    function = "PERCENTILE_DISC"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def durations_spread_empty() -> dict[str, Any]:
    return {"median": None, "p90": None, "n": 0}


def _seconds(value: dt.timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def _figures(durations: list[float]) -> dict[str, Any]:
    median, p90 = percentile(durations, 0.5), percentile(durations, 0.9)
    return {
        "median": None if median is None else round(median),
        "p90": None if p90 is None else round(p90),
        "n": len(durations),
    }


def durations_spread(rows: QuerySet[Any], start_field: str, end_field: str) -> dict[Any, dict[str, Any]]:
    """{agency id: {"median", "p90", "n"}} of `end_field - start_field` in seconds over `rows`, per agency, and the
    whole under the key "*"."""
    if connection.vendor == "postgresql":
        took = ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
        figures = {
            "median": _PercentileDisc(took, share=0.5),
            "p90": _PercentileDisc(took, share=0.9),
            "n": Count("id"),
        }
        found: dict[Any, dict[str, Any]] = {}
        for row in rows.values("agency_id").annotate(**figures).order_by():
            found[row["agency_id"]] = {"median": _seconds(row["median"]), "p90": _seconds(row["p90"]), "n": row["n"]}
        whole = rows.aggregate(**figures)
        found["*"] = {"median": _seconds(whole["median"]), "p90": _seconds(whole["p90"]), "n": whole["n"]}
        return found
    per_agency: dict[Any, list[float]] = {}
    for agency_id, began, ended in rows.values_list("agency_id", start_field, end_field):
        per_agency.setdefault(agency_id, []).append((ended - began).total_seconds())
    spread = {agency_id: _figures(values) for agency_id, values in per_agency.items()}
    spread["*"] = _figures([v for values in per_agency.values() for v in values])
    return spread
