"""The Live Room's figures beside volumes and clocks (docs/coordination-metrics.md gives each formula):

- integration health: webhook deliveries owed in the period, how many succeeded, commit-to-delivery lag (median and
  p99 of the successful ones), and the dead letters waiting for the operator now (webhooks and in-process consumers);
- once-only: form fields pre-filled from the registry, and documents the citizen was not asked for again (an earlier
  part's output, or a bundle's upload that a later part reused);
- online share: services whose whole procedure runs online (the output is a signed PDF or a record, nothing to
  collect at an office), and the share of completed applications that needed no office visit;
- citizen effort per life-event bundle: forms filled, fields typed and documents uploaded with the one form, against
  the same parts applied for one by one;
- IKM per agency: the nine elements' means over every answer about the agency's services, its value and grade.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q

from kotalive.agencies.models import Agency
from kotalive.cases.bundles import bundle_kind_name
from kotalive.cases.models import Bundle, Case, CaseDocument
from kotalive.catalogue.models import Service, ServiceVersion
from kotalive.dashboard.documents import document_verifications
from kotalive.dashboard.handoffs import period, period_dates
from kotalive.dashboard.public import (
    ELEMENTS,
    MIN_ANSWERS,
    ikm_grade,
    ikm_means,
    ikm_rows,
    ikm_value,
    services_named,
)
from kotalive.dashboard.spread import percentile, ratio
from kotalive.dashboard.sums import rollup_sums
from kotalive.events.models import ConsumerDeadLetter, WebhookDelivery


def integration_health(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    since, until = period(start, end)
    deliveries = WebhookDelivery.objects.filter(created_at__gte=since, created_at__lt=until)
    counted = deliveries.aggregate(
        owed=Count("id"),
        succeeded=Count("id", filter=Q(status=WebhookDelivery.SUCCEEDED)),
        dead=Count("id", filter=Q(status=WebhookDelivery.DEAD)),
        unfinished=Count("id", filter=Q(status__in=WebhookDelivery.UNFINISHED)),
    )
    lags = [float(v or 0) for v in deliveries.filter(lag_ms__isnull=False).values_list("lag_ms", flat=True)]
    return {
        **counted,
        "success_share": ratio(counted["succeeded"], counted["owed"]),
        "lag_ms_median": percentile(lags, 0.5),
        "lag_ms_p99": percentile(lags, 0.99),
        "dead_letters_now": WebhookDelivery.objects.filter(status=WebhookDelivery.DEAD).count()
        + ConsumerDeadLetter.objects.filter(replayed_at__isnull=True).count(),
    }


def once_only(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    first, last = period_dates(start, end)
    spared = ["fields", "fields_prefilled", "documents_uploaded", "documents_shared", "documents_reused"]
    sums = rollup_sums("case", start=first, end=last, fields=spared)[0]
    # An upload attached to several parts of a bundle was asked for once: the later parts did not ask again.
    not_asked = sums["documents_reused"] + sums["documents_shared"]
    return {
        "fields": sums["fields"],
        "fields_prefilled": sums["fields_prefilled"],
        "prefilled_share": ratio(sums["fields_prefilled"], sums["fields"]),
        "documents_uploaded": sums["documents_uploaded"],
        "documents_not_asked_again": not_asked,
        "not_asked_again_share": ratio(not_asked, not_asked + sums["documents_uploaded"]),
    }


def onlineratio(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    first, last = period_dates(start, end)
    online = [ServiceVersion.SIGNED_PDF, ServiceVersion.RECORD]  # nothing to collect at an office
    services = Service.objects.filter(active=True, current__isnull=False)
    completed = rollup_sums("case", start=first, end=last, fields=["completed", "completed_online"])[0]
    fully_online = services.filter(current__output_kind__in=online).count()
    return {
        "services": services.count(),
        "services_fully_online": fully_online,
        "services_online_share": ratio(fully_online, services.count()),
        "completed": completed["completed"],
        "completed_without_visit": completed["completed_online"],
        "completed_without_visit_share": ratio(completed["completed_online"], completed["completed"]),
    }


def bundle_effort(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per life-event kind filed in the period: what the citizen did with the one form, against applying for the
    same filed parts one by one (each part's fields not pre-filled from the registry, each part's documents)."""
    since, until = period(start, end)
    bundles = list(
        Bundle.objects.filter(submitted_at__gte=since, submitted_at__lt=until).select_related("kind").order_by("pk")
    )
    parts = defaultdict(list)
    for case in Case.objects.filter(bundle__in=bundles).only("bundle_id", "data", "prefilled", "documents_reused"):
        parts[case.bundle_id].append(case)
    documents = dict(
        CaseDocument.objects.filter(case__bundle__in=bundles)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    kinds: dict[str, dict[str, Any]] = {}
    for bundle in bundles:
        row = kinds.setdefault(
            bundle.kind.code,
            {
                "kind": bundle.kind.code,
                "name": bundle_kind_name(bundle.kind),
                "bundles": 0,
                "completed": 0,
                "forms": 0,
                "forms_one_by_one": 0,
                "fields_typed": 0,
                "fields_typed_one_by_one": 0,
                "documents_uploaded": 0,
                "documents_one_by_one": 0,
            },
        )
        filed = parts[bundle.pk]
        schema = bundle.kind.document["form_schema"]["properties"]
        prefilled_fields = {name for name, prop in schema.items() if prop.get("x-prefill")}
        row["bundles"] += 1
        row["completed"] += int(bundle.state == "completed")
        row["forms"] += 1
        row["forms_one_by_one"] += len(filed)
        row["fields_typed"] += len(set(bundle.data) - prefilled_fields)
        row["fields_typed_one_by_one"] += sum(len(set(c.data) - set(c.prefilled)) for c in filed)
        row["documents_uploaded"] += len(bundle.documents)
        row["documents_one_by_one"] += sum(documents.get(c.pk, 0) + len(c.documents_reused) for c in filed)
    return list(kinds.values())


def ikm_per_agency(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per agency with at least MIN_ANSWERS answers in the period: the answers, each element's mean, the IKM value
    and grade (PermenPANRB 14/2017)."""
    first, last = period_dates(start, end)
    codes = dict(Agency.objects.values_list("pk", "code"))
    rows = []
    answers = ["ikm_answers", *(f"ikm_{e}" for e in ELEMENTS)]
    for summed in rollup_sums("case", start=first, end=last, by=("agency_id",), fields=answers):
        if summed["ikm_answers"] < MIN_ANSWERS:
            continue
        means = ikm_means(summed)
        value = ikm_value([means[e] for e in ELEMENTS])
        rows.append({"agency": codes.get(summed["agency_id"], ""), **means, "ikm": value, "grade": ikm_grade(value)})
    return sorted(rows, key=lambda row: row["agency"])


def ikm_per_service(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The public IKM rows per service (dashboard.public.ikm_rows) with the service's name, value and grade."""
    rows = services_named(ikm_rows(start=start, end=end))
    for row in rows:
        row["ikm"] = ikm_value([row[e] for e in ELEMENTS])
        row["grade"] = ikm_grade(row["ikm"])
    return rows


def service_quality(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Every figure of this module for the period, as the city API and the Live Room's page show them."""
    return {
        "integration": integration_health(start=start, end=end),
        "once_only": once_only(start=start, end=end),
        "online": onlineratio(start=start, end=end),
        "bundles": bundle_effort(start=start, end=end),
        "ikm_services": ikm_per_service(start=start, end=end),
        "ikm_agencies": ikm_per_agency(start=start, end=end),
        "documents": document_verifications(start=start, end=end),
    }
