"""The city's service and complaint performance over a period, per agency and for the city (docs/coordination-metrics.md
gives each formula): volumes, backlog, SLA compliance, time to first response and to completion, the reopened
share of reports, escalations. Summed from the day rollups (kotalive/dashboard/rollups.py), the backlog counted on the
subjects' own rows; applications and reports side by side."""

import csv
import datetime as dt
import io
from typing import Any

from django.db.models import Count

from kotalive.agencies.models import Agency
from kotalive.cases.models import OPEN_CATEGORY_LIST, Case
from kotalive.complaints.models import Complaint
from kotalive.dashboard.handoffs import period_dates
from kotalive.dashboard.spread import ratio
from kotalive.dashboard.sums import histogram_spread, rollup_sums, sums_add

__all__ = ["city_performance", "performance_csv", "subjects_filtered"]
KINDS: dict[str, Any] = {"case": Case, "complaint": Complaint}
FIGURES = ["submitted", "closed", "met", "missed", "reopened", "escalations"]


def _finish(sums: dict[str, Any]) -> dict[str, Any]:
    """A row of the page from a row of rollup sums (and the backlog counted now)."""
    out: dict[str, Any] = {name: int(sums.get(name, 0)) for name in FIGURES}
    out["backlog"] = int(sums.get("backlog", 0))
    out["sla_compliance"] = ratio(out["met"], out["met"] + out["missed"])
    out["reopened_share"] = ratio(out["reopened"], out["closed"])
    out["first_response_seconds"] = histogram_spread(sums, "first_response")
    out["completion_seconds"] = histogram_spread(sums, "completion")
    return out


def subjects_filtered(
    kind: str,
    *,
    agency: str | None = None,
    service: str | None = None,
    category: str | None = None,
    kecamatan: str | None = None,
) -> Any:
    """The live subjects of `kind` the dashboard filters keep: `service` narrows applications, `category` and
    `kecamatan` (a Kemendagri code) reports; a filter of one kind leaves the other kind out."""
    model = KINDS[kind]
    subjects = model.objects.filter(is_test=False) if kind == "case" else model.objects.all()
    if kind == "case" and (category or kecamatan) or kind == "complaint" and service:
        return subjects.none()  # the filter is about the other kind
    if kind == "case" and service:
        subjects = subjects.filter(service__code=service)
    if kind == "complaint" and category:
        subjects = subjects.filter(category__code=category)
    if kind == "complaint" and kecamatan:
        subjects = subjects.filter(kelurahan__parent_id=kecamatan)
    return subjects.filter(agency__code=agency) if agency else subjects


def city_performance(
    *,
    start: dt.date,
    end: dt.date,
    agency: str | None = None,
    service: str | None = None,
    category: str | None = None,
    kecamatan: str | None = None,
) -> dict[str, Any]:
    """Per kind ("case", "complaint"): the city's figures and one row per agency (or only `agency`'s). `service`
    narrows the applications to one service, `category` and `kecamatan` (a Kemendagri code) the reports; a filter
    of one kind leaves the other kind out. What happened in the period is summed from the day rollups (kept by the
    worker, kotalive/dashboard/rollups.py); the backlog is what is open now, counted on the subjects' rows."""
    first, last = period_dates(start, end)
    codes: dict[int | None, str] = dict(Agency.objects.values_list("pk", "code"))
    # A report the Live Room holds counts for the platform operator's agency.
    codes[None] = (
        Agency.objects.filter(role=Agency.OPERATOR).order_by("id").values_list("code", flat=True).first() or ""
    )
    filters: dict[str, Any] = {"agency": agency, "service": service, "category": category, "kecamatan": kecamatan}
    result: dict[str, Any] = {"from": start, "to": end, "kinds": {}}
    for kind in KINDS:
        rows: dict[str, dict[str, Any]] = {}
        for summed in rollup_sums(kind, start=first, end=last, by=("agency_id",), **filters):
            sums_add(rows.setdefault(codes.get(summed["agency_id"], ""), {}), summed)
        open_now = subjects_filtered(kind, **filters).filter(state_category__in=OPEN_CATEGORY_LIST)
        by_agency = open_now.values("agency_id").annotate(n=Count("*")).order_by()  # COUNT(*): from the index alone
        backlog = dict(by_agency.values_list("agency_id", "n"))
        for agency_id, n in backlog.items():
            rows.setdefault(codes.get(agency_id, ""), {})["backlog"] = n
        city: dict[str, Any] = {"backlog": sum(backlog.values())}
        for row in rows.values():
            sums_add(city, row)
        result["kinds"][kind] = {
            "city": _finish(city),
            "agencies": [{"agency": code, **_finish(row)} for code, row in sorted(rows.items())],
        }
    return result


CSV_COLUMNS = [
    "kind",
    "agency",
    "submitted",
    "backlog",
    "closed",
    "met",
    "missed",
    "sla_compliance",
    "reopened",
    "reopened_share",
    "escalations",
    "first_response_seconds_median",
    "first_response_seconds_p90",
    "completion_seconds_median",
    "completion_seconds_p90",
]


def performance_csv(performance: dict[str, Any]) -> str:
    """One row per kind and agency, and the city's row per kind (agency "*")."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for kind, figures in performance["kinds"].items():
        for row in [{"agency": "*", **figures["city"]}, *figures["agencies"]]:
            flat = {name: row.get(name) for name in CSV_COLUMNS}
            flat["kind"] = kind
            for spread in ("first_response_seconds", "completion_seconds"):
                flat[f"{spread}_median"] = row[spread]["median"]
                flat[f"{spread}_p90"] = row[spread]["p90"]
            writer.writerow({name: "" if value is None else value for name, value in flat.items()})
    return out.getvalue()
