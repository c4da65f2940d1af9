"""Shares and percentiles as the dashboards define them: a ratio to four decimals, and the nearest-rank percentile
(the value at rank ceil(p x n)) that kotalive/dashboard/sums.py also applies to the rollups' duration histograms."""

import math
from typing import Any


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


def durations_spread_empty() -> dict[str, Any]:
    return {"median": None, "p90": None, "n": 0}
