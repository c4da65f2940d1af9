"""The agency x agency hand-off matrix over a period: the kernel's ledger of transfers (kotalive/workflow/ledger.py)
for applications and reports, with the coordination requests asked along each pair (docs/coordination-metrics.md)."""

import csv
import datetime as dt
import io
import statistics
from typing import Any

from django.utils import timezone

from kotalive.coordination.models import OPEN_CATEGORY_LIST, CoordinationRequest
from kotalive.core.calendar import JAKARTA
from kotalive.dashboard.models import HandoffDayRollup, HandoffMonthRollup, bucket_fields
from kotalive.dashboard.sums import histogram_spread, span_sums

COLUMNS = [
    "from_agency",
    "to_agency",
    "transfers",
    "accepted",
    "acceptance_seconds_median",
    "bounced",
    "bounce_rate",
    "ping_pong",
    "requests",
    "requests_answered",
    "request_turnaround_seconds_median",
    "requests_unanswered_overdue",
]


# The dates a period may name: far enough for any record, near enough that no date arithmetic overflows.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def date_in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


def period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end] as local (Asia/Jakarta) days, as the moments they begin and end (dates clamped to the range
    a period may name)."""
    start, end = min(max(start, EARLIEST), LATEST), min(max(end, EARLIEST), LATEST)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=JAKARTA)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=JAKARTA)
    return since, until


def period_dates(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last local day of `period(start, end)` (clamped as it is)."""
    since, until = period(start, end)
    return since.date(), (until - dt.timedelta(days=1)).date()


PAIR_SUMS = ["transfers", "accepted", "bounced", "ping_pong", *bucket_fields("acceptance")]
LEDGER_SUMS = ["held_elsewhere_seconds", "subjects"]  # an agency's row, the day's row


def handoff_matrix(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The ledger of applications and reports whose first lead stretch began in the period, summed from the day
    and month rollups (kotalive/dashboard/rollups.py), with the coordination requests asked in the period."""
    since, until = period(start, end)
    first, last = period_dates(start, end)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    wrong: dict[str, int] = {}
    subjects = 0
    by = ("from_agency", "to_agency")
    summed_pairs = span_sums(
        HandoffDayRollup, HandoffMonthRollup, start=first, end=last, by=by, fields=PAIR_SUMS + LEDGER_SUMS
    )
    for summed in summed_pairs:
        if not summed["from_agency"]:
            subjects += summed["subjects"]
            continue
        if not summed["to_agency"]:
            wrong[summed["from_agency"]] = summed["held_elsewhere_seconds"]
            continue
        row = _empty(summed["from_agency"], summed["to_agency"])
        for name in ("transfers", "accepted", "bounced", "ping_pong"):
            row[name] = summed[name]
        row["acceptance_seconds_median"] = histogram_spread(summed, "acceptance")["median"]
        row["bounce_rate"] = round(row["bounced"] / row["transfers"], 4) if row["transfers"] else None
        rows[(row["from_agency"], row["to_agency"])] = row
    now = timezone.now()
    requests = CoordinationRequest.objects.filter(submitted_at__gte=since, submitted_at__lt=until).values_list(
        "from_agency__code", "to_agency__code", "state", "state_category", "submitted_at", "closed_at", "due_at"
    )
    turnaround: dict[tuple[str, str], list[float]] = {}
    for source, target, state, category, submitted, closed, due in requests:
        row = rows.setdefault((source, target), _empty(source, target))
        row["requests"] += 1
        if state == "answered" and closed is not None:
            row["requests_answered"] += 1
            turnaround.setdefault((source, target), []).append((closed - submitted).total_seconds())
        if category in OPEN_CATEGORY_LIST and due is not None and now > due:
            row["requests_unanswered_overdue"] += 1
    for key, spans in turnaround.items():
        rows[key]["request_turnaround_seconds_median"] = round(statistics.median(spans))
    for row in rows.values():
        for name in ("requests", "requests_answered", "requests_unanswered_overdue"):
            row.setdefault(name, 0)
        row.setdefault("request_turnaround_seconds_median", None)
    ordered = sorted(rows.values(), key=lambda r: (-r["transfers"] - r["requests"], r["from_agency"], r["to_agency"]))
    return {
        "from": start,
        "to": end,
        "subjects": subjects,
        "pairs": ordered,
        "wrong_agency_seconds": dict(sorted(wrong.items())),
    }


def _empty(source: str, target: str) -> dict[str, Any]:
    return {
        "from_agency": source,
        "to_agency": target,
        "transfers": 0,
        "accepted": 0,
        "acceptance_seconds_median": None,
        "bounced": 0,
        "bounce_rate": None,
        "ping_pong": 0,
        "requests": 0,
        "requests_answered": 0,
        "request_turnaround_seconds_median": None,
        "requests_unanswered_overdue": 0,
    }


def matrix_csv(matrix: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in matrix["pairs"]:
        writer.writerow({name: "" if row.get(name) is None else row[name] for name in COLUMNS})
    return out.getvalue()
