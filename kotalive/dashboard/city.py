"""The city's service and complaint performance over a period, per agency and for the city (docs/coordination-metrics.md
gives each formula): volumes, backlog, SLA compliance, time to first response and to completion, the reopened
share of reports, escalations. Read from the subjects' own rows; applications and reports side by side."""

import csv
import datetime as dt
import io
import math
import statistics
from collections import defaultdict
from typing import Any

from django.db.models import Min, Q

from kotalive.agencies.models import Agency
from kotalive.cases.models import OPEN_CATEGORY_LIST, Case
from kotalive.complaints.models import Complaint
from kotalive.dashboard.handoffs import period
from kotalive.workflow.models import Escalation, WorkflowStep

# Who acts for the citizen's side or the system: their steps are no response from an agency.
NOT_A_RESPONSE = ["applicant", "reporter", "system", ""]
REOPENING = ["reopen", "return_to_agency"]
KINDS: dict[str, Any] = {"case": Case, "complaint": Complaint}


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (the value at rank ceil(share * n)); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _spread(values: list[float]) -> dict[str, float | None]:
    return {
        "median": round(statistics.median(values)) if values else None,
        "p90": round(percentile(values, 0.9) or 0) if values else None,
        "n": len(values),
    }


def _empty() -> dict[str, Any]:
    return {
        "submitted": 0,
        "backlog": 0,
        "closed": 0,
        "met": 0,
        "missed": 0,
        "reopened": 0,
        "escalations": 0,
        "_first_response": [],
        "_completion": [],
    }


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    decided = row["met"] + row["missed"]
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    out["sla_compliance"] = round(row["met"] / decided, 4) if decided else None
    out["reopened_share"] = round(row["reopened"] / row["closed"], 4) if row["closed"] else None
    out["first_response_seconds"] = _spread(row["_first_response"])
    out["completion_seconds"] = _spread(row["_completion"])
    return out


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
    of one kind leaves the other kind out."""
    since, until = period(start, end)
    codes: dict[int | None, str] = dict(Agency.objects.values_list("pk", "code"))
    # A report the Live Room holds counts for the platform operator's agency.
    codes[None] = (
        Agency.objects.filter(role=Agency.OPERATOR).order_by("id").values_list("code", flat=True).first() or ""
    )
    result: dict[str, Any] = {"from": start, "to": end, "kinds": {}}
    for kind, model in KINDS.items():
        rows: dict[str, dict[str, Any]] = defaultdict(_empty)
        subjects = model.objects.filter(is_test=False) if kind == "case" else model.objects.all()
        if kind == "case" and (category or kecamatan) or kind == "complaint" and service:
            subjects = subjects.none()  # the filter is about the other kind
        if kind == "case" and service:
            subjects = subjects.filter(service__code=service)
        if kind == "complaint" and category:
            subjects = subjects.filter(category__code=category)
        if kind == "complaint" and kecamatan:
            subjects = subjects.filter(kelurahan__parent_id=kecamatan)
        narrowed = subjects if (service or category or kecamatan) else None  # before the agency: escalations below
        if agency:
            subjects = subjects.filter(agency__code=agency)
        submitted = list(
            subjects.filter(submitted_at__gte=since, submitted_at__lt=until).values_list(
                "pk", "agency_id", "submitted_at"
            )
        )
        first_steps = dict(
            WorkflowStep.objects.filter(subject_type=kind, subject_id__in=[pk for pk, _a, _s in submitted])
            .exclude(actor_role__in=NOT_A_RESPONSE)
            .exclude(action="submit")
            .values("subject_id")
            .annotate(first=Min("at"))
            .values_list("subject_id", "first")
        )
        for pk, agency_id, at in submitted:
            row = rows[codes.get(agency_id, "")]
            row["submitted"] += 1
            if pk in first_steps:
                row["_first_response"].append((first_steps[pk] - at).total_seconds())
        for agency_id in subjects.filter(state_category__in=OPEN_CATEGORY_LIST).values_list("agency_id", flat=True):
            rows[codes.get(agency_id, "")]["backlog"] += 1
        closed = list(
            subjects.filter(closed_at__gte=since, closed_at__lt=until).values_list(
                "pk", "agency_id", "submitted_at", "closed_at", "sla_status", "state_category"
            )
        )
        reopened = set(
            WorkflowStep.objects.filter(
                subject_type=kind, subject_id__in=[c[0] for c in closed], action__in=REOPENING
            ).values_list("subject_id", flat=True)
        )
        for pk, agency_id, submitted_at, closed_at, sla, ended_as in closed:
            row = rows[codes.get(agency_id, "")]
            row["closed"] += 1
            row["met"] += int(sla == "met")
            row["missed"] += int(sla == "missed")
            row["reopened"] += int(pk in reopened)
            if ended_as == "completed":
                row["_completion"].append((closed_at - submitted_at).total_seconds())
        escalations = Escalation.objects.filter(subject_type=kind, at__gte=since, at__lt=until)
        if narrowed is not None:
            escalations = escalations.filter(subject_id__in=narrowed.values("pk"))
        if agency:
            escalations = escalations.filter(Q(holder=agency))
        for holder in escalations.values_list("holder", flat=True):
            rows[holder or codes[None]]["escalations"] += 1  # "": the Live Room held it
        city = _empty()
        for row in rows.values():
            for name, value in row.items():
                city[name] = city[name] + value
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
