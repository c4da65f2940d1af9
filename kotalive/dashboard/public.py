"""The public performance figures and the open data they come from (no personal data; docs/coordination-metrics.md):
every number on the public page (`/kinerja/`) is a sum or a formula over the rows of the open-data files (`/data/`).

- `services`: per agency, applications submitted, closed, met and missed in the period (the city is their sum);
- `complaints`: reports per category and kecamatan submitted, closed and open now (confidential ones counted but
  never described);
- `ikm`: per service, how many answered the satisfaction survey and the mean of each element U1-U9; the IKM value
  and grade follow by the PermenPANRB 14/2017 formula (`ikm_value`, `ikm_grade`).
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from kotalive.agencies.models import Agency
from kotalive.catalogue.models import Service
from kotalive.complaints.models import OPEN_CATEGORY_LIST, Category, Complaint
from kotalive.dashboard.handoffs import period_dates
from kotalive.dashboard.models import KelurahanDayRollup, KelurahanMonthRollup
from kotalive.dashboard.sums import rollup_sums, span_sums

ELEMENTS = [f"u{i}" for i in range(1, 10)]
MIN_ANSWERS = 5  # a service's IKM is published from this many answers in the period
# IKM grades (PermenPANRB 14/2017): the lowest value of each grade.
SERVICE_FIGURES = ["submitted", "closed", "met", "missed"]
GRADES = [(88.31, "A"), (76.61, "B"), (65.00, "C"), (25.00, "D")]


def ikm_value(means: list[float]) -> float:
    """IKM = sum over the nine elements of (mean score x 1/9) x 25, from 25 to 100, rounded to two decimals."""
    return round(sum(m / 9 for m in means) * 25, 2)


def ikm_grade(value: float) -> str:
    return next((grade for low, grade in GRADES if value >= low), "D")


def _codes(model: Any) -> dict[int | None, str]:
    return dict(model.objects.values_list("pk", "code"))


def services_rows(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    first, last = period_dates(start, end)
    agencies = _codes(Agency)
    rows: dict[str, dict[str, Any]] = {}
    for summed in rollup_sums("case", start=first, end=last, by=("agency_id",), fields=SERVICE_FIGURES):
        row = rows.setdefault(agencies.get(summed["agency_id"], ""), dict.fromkeys(SERVICE_FIGURES, 0))
        for name in SERVICE_FIGURES:
            row[name] += summed[name]
    return [{"agency": code, **row} for code, row in sorted(rows.items()) if any(row.values())]


def complaints_rows(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    first, last = period_dates(start, end)
    categories = _codes(Category)
    rows: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: {"submitted": 0, "closed": 0, "open": 0})
    by = ("category_id", "kecamatan")
    for summed in rollup_sums("complaint", start=first, end=last, by=by, fields=["submitted", "closed"]):
        if summed["submitted"] or summed["closed"]:
            row = rows[(categories.get(summed["category_id"], ""), summed["kecamatan"])]
            row["submitted"] += summed["submitted"]
            row["closed"] += summed["closed"]
    key = ("category__code", "kelurahan__parent_id")
    open_now = Complaint.objects.filter(state_category__in=OPEN_CATEGORY_LIST).values(*key).annotate(n=Count("id"))
    for category, kecamatan, n in open_now.order_by().values_list(*key, "n"):
        rows[(category, kecamatan or "")]["open"] += n
    return [{"category": c, "kecamatan": k, **row} for (c, k), row in sorted(rows.items())]


def kelurahan_rows(*, start: dt.date, end: dt.date, agency: str | None = None) -> list[dict[str, Any]]:
    """Reports submitted in the period per kelurahan (reports that named none are left out); with `agency`, only
    those the agency holds (its head's dashboard)."""
    first, last = period_dates(start, end)
    holder = Agency.objects.filter(code=agency).values_list("pk", flat=True).first() if agency else None
    counted = span_sums(
        KelurahanDayRollup,
        KelurahanMonthRollup,
        start=first,
        end=last,
        by=("kelurahan",),
        fields=["submitted"],
        narrow=lambda rows: rows.filter(agency_id=holder) if agency else rows,
    )
    return [row for row in counted if row["submitted"]]


def ikm_means(sums: dict[str, Any]) -> dict[str, Any]:
    """{"answers", "u1" ... "u9"} from a row of rollup sums: each element's mean to four decimals."""
    n = sums["ikm_answers"]
    return {"answers": n, **{e: round(sums[f"ikm_{e}"] / n, 4) for e in ELEMENTS}}


def ikm_rows(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per service with answers in the period: their number and each element's mean (4 decimals)."""
    first, last = period_dates(start, end)
    services = {pk: (code, agency) for pk, code, agency in Service.objects.values_list("pk", "code", "agency__code")}
    rows = []
    answers = ["ikm_answers", *(f"ikm_{e}" for e in ELEMENTS)]
    for summed in rollup_sums("case", start=first, end=last, by=("service_id",), fields=answers):
        if summed["service_id"] not in services or summed["ikm_answers"] < MIN_ANSWERS:
            continue  # too few to publish: a handful of answers could be told apart
        code, agency = services[summed["service_id"]]
        rows.append({"service": code, "agency": agency, **ikm_means(summed)})
    return sorted(rows, key=lambda row: row["service"])


def services_named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row with a `service` code the service's current `name`, as people read it."""
    services = Service.objects.filter(code__in={r["service"] for r in rows}).select_related("current")
    names = {s.code: s.current.name for s in services if s.current is not None}  # in the page's language
    for row in rows:
        row["name"] = names.get(row["service"], row["service"])
    return rows


def public_figures(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """What the public page shows, computed from the open-data rows only (so anyone can recompute it)."""
    services = services_rows(start=start, end=end)
    complaints = complaints_rows(start=start, end=end)
    ikm = ikm_rows(start=start, end=end)
    met = sum(r["met"] for r in services)
    decided = met + sum(r["missed"] for r in services)
    for row in ikm:
        row["ikm"] = ikm_value([row[e] for e in ELEMENTS])
        row["grade"] = ikm_grade(row["ikm"])
    return {
        "from": start,
        "to": end,
        "applications_submitted": sum(r["submitted"] for r in services),
        "applications_closed": sum(r["closed"] for r in services),
        "sla_compliance": round(met / decided, 4) if decided else None,
        "reports_submitted": sum(r["submitted"] for r in complaints),
        "reports_closed": sum(r["closed"] for r in complaints),
        "reports_open": sum(r["open"] for r in complaints),
        "services": services,
        "complaints": complaints,
        "ikm": ikm,
        "kelurahan": kelurahan_rows(start=start, end=end),
    }


DATASETS = {
    "services": (_("Applications per agency"), ["agency", "submitted", "closed", "met", "missed"]),
    "complaints": (_("Reports per category and kecamatan"), ["category", "kecamatan", "submitted", "closed", "open"]),
    "ikm": (_("Satisfaction survey (IKM) per service"), ["service", "agency", "answers", *ELEMENTS]),
    "kelurahan": (_("Reports per kelurahan"), ["kelurahan", "submitted"]),
}
DICTIONARY = {
    "agency": _("the agency's code (GET /api/v1/agencies)"),
    "submitted": _("how many were submitted in the period"),
    "closed": _("how many ended in the period (completed, rejected or cancelled; closed, rejected or merged reports)"),
    "met": _("closed within the service standard's time"),
    "missed": _("closed after the service standard's time"),
    "category": _("the complaint category's code (GET /api/v1/complaints/categories)"),
    "kecamatan": _("the kecamatan's Kemendagri code (GET /api/v1/regions), empty when the report named none"),
    "open": _("reports open now"),
    "kelurahan": _("the kelurahan's Kemendagri code (GET /api/v1/regions)"),
    "service": _("the service's code (GET /api/v1/services)"),
    "answers": _("how many applicants answered the survey in the period"),
}


def rows_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as CSV with these columns, in this order (the open-data files and the dashboards' downloads)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def data_dictionary() -> dict[str, str]:
    """Every column of the open data and what it holds, in the active language."""
    element = _("the mean score (1-4) of element %(element)s")
    return {
        **{k: str(v) for k, v in DICTIONARY.items()},
        **{e: str(element) % {"element": e.upper()} for e in ELEMENTS},
    }


def dataset_rows(name: str, *, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    readers = {"services": services_rows, "complaints": complaints_rows, "ikm": ikm_rows, "kelurahan": kelurahan_rows}
    return readers[name](start=start, end=end)
