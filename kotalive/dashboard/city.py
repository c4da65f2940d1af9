"""The city's service and complaint performance over a period, per agency and for the city (docs/coordination-metrics.md
gives each formula): volumes, backlog, SLA compliance, time to first response and to completion, the reopened
share of reports, escalations. Read from the subjects' own rows; applications and reports side by side."""

import csv
import datetime as dt
import io
from typing import Any

from django.db.models import Count, Q

from kotalive.agencies.models import Agency
from kotalive.cases.models import OPEN_CATEGORY_LIST, Case
from kotalive.complaints.models import Complaint
from kotalive.dashboard.handoffs import period
from kotalive.dashboard.spread import durations_spread, durations_spread_empty, percentile
from kotalive.workflow.models import Escalation, WorkflowStep

__all__ = ["city_performance", "percentile", "performance_csv", "subjects_filtered"]
REOPENING = ["reopen", "return_to_agency"]
KINDS: dict[str, Any] = {"case": Case, "complaint": Complaint}


def _empty() -> dict[str, Any]:
    return {
        "submitted": 0,
        "backlog": 0,
        "closed": 0,
        "met": 0,
        "missed": 0,
        "reopened": 0,
        "escalations": 0,
        "first_response_seconds": durations_spread_empty(),
        "completion_seconds": durations_spread_empty(),
    }


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    decided = row["met"] + row["missed"]
    out = dict(row)
    out["sla_compliance"] = round(row["met"] / decided, 4) if decided else None
    out["reopened_share"] = round(row["reopened"] / row["closed"], 4) if row["closed"] else None
    return out


def _counted(rows: Any, **counts: Any) -> dict[int | None, dict[str, int]]:
    """{agency id: {name: count}} of `rows` grouped by agency, and the whole under the key "*"."""
    grouped = {r["agency_id"]: r for r in rows.values("agency_id").annotate(**counts).order_by()}
    grouped["*"] = rows.aggregate(**counts)
    return grouped  # type: ignore[return-value]


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
    of one kind leaves the other kind out. Every figure is an aggregate the database computes over the subjects'
    own rows (indexed by submission and closing time), so the cost follows the period, not the whole history."""
    since, until = period(start, end)
    codes: dict[int | None, str] = dict(Agency.objects.values_list("pk", "code"))
    # A report the Live Room holds counts for the platform operator's agency.
    codes[None] = (
        Agency.objects.filter(role=Agency.OPERATOR).order_by("id").values_list("code", flat=True).first() or ""
    )
    result: dict[str, Any] = {"from": start, "to": end, "kinds": {}}
    for kind in KINDS:
        narrowed = subjects_filtered(kind, service=service, category=category, kecamatan=kecamatan)
        subjects = narrowed.filter(agency__code=agency) if agency else narrowed
        if not (service or category or kecamatan):
            narrowed = None  # escalations below need no narrowing
        submitted = subjects.filter(submitted_at__gte=since, submitted_at__lt=until)
        closed = subjects.filter(closed_at__gte=since, closed_at__lt=until)
        reopening = WorkflowStep.objects.filter(subject_type=kind, action__in=REOPENING).values("subject_id")
        tallies = {
            "submitted": _counted(submitted, submitted=Count("id")),
            "backlog": _counted(subjects.filter(state_category__in=OPEN_CATEGORY_LIST), backlog=Count("id")),
            "closed": _counted(
                closed,
                closed=Count("id"),
                met=Count("id", filter=Q(sla_status="met")),
                missed=Count("id", filter=Q(sla_status="missed")),
                reopened=Count("id", filter=Q(pk__in=reopening)),
            ),
        }
        spreads = {
            "first_response_seconds": durations_spread(
                submitted.filter(first_response_at__isnull=False), "submitted_at", "first_response_at"
            ),
            "completion_seconds": durations_spread(
                closed.filter(state_category="completed"), "submitted_at", "closed_at"
            ),
        }
        rows: dict[str, dict[str, Any]] = {}
        for tally in tallies.values():
            for agency_id, counts in tally.items():
                code = "*" if agency_id == "*" else codes.get(agency_id, "")
                rows.setdefault(code, _empty()).update({k: v for k, v in counts.items() if k != "agency_id"})
        for name, spread in spreads.items():
            for agency_id, figures in spread.items():
                code = "*" if agency_id == "*" else codes.get(agency_id, "")
                rows.setdefault(code, _empty())[name] = figures
        escalations = Escalation.objects.filter(subject_type=kind, at__gte=since, at__lt=until)
        if narrowed is not None:
            escalations = escalations.filter(subject_id__in=narrowed.values("pk"))
        if agency:
            escalations = escalations.filter(Q(holder=agency))
        total = 0
        for holder, n in escalations.values("holder").annotate(n=Count("id")).values_list("holder", "n"):
            rows.setdefault(holder or codes[None], _empty())["escalations"] += n  # "": the Live Room held it
            total += n
        city = rows.pop("*", None) or _empty()
        city["escalations"] = total
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
