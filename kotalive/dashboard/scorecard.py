"""The five-element scorecard: the study's elements of coordination (communication, integration, synchronization,
simplification, mechanism), each as numbers measured from the platform's own records over a period, with the
formula shown beside each (docs/coordination-metrics.md, "The five-element scorecard")."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from kotalive.cases.models import Case
from kotalive.dashboard.handoffs import handoff_matrix, period
from kotalive.events.models import WebhookDelivery
from kotalive.registry.models import RegistryAccess
from kotalive.workflow.models import WorkflowStep


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def scorecard(*, start: dt.date, end: dt.date, city: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per element: its measures, each {"name", "value", "unit", "formula"}; `city` is the period's
    city_performance (so the same figures are not computed twice)."""
    since, until = period(start, end)
    matrix = handoff_matrix(start=start, end=end)
    pairs = matrix["pairs"]
    cases, reports = city["kinds"]["case"]["city"], city["kinds"]["complaint"]["city"]
    requests = sum(p["requests"] for p in pairs)
    answered = sum(p["requests_answered"] for p in pairs)
    overdue = sum(p["requests_unanswered_overdue"] for p in pairs)
    steps = WorkflowStep.objects.filter(subject_type="case", at__gte=since, at__lt=until).exclude(
        actor_role__in=["applicant", "system", ""]
    )
    by_systems = steps.filter(actor__api_client__isnull=False).count()
    deliveries = WebhookDelivery.objects.filter(created_at__gte=since, created_at__lt=until).aggregate(
        total=Count("id"), succeeded=Count("id", filter=Q(status=WebhookDelivery.SUCCEEDED))
    )
    submitted = Case.objects.filter(is_test=False, submitted_at__gte=since, submitted_at__lt=until)
    prefilled = sum(len(p or {}) for p in submitted.values_list("prefilled", flat=True))
    fields = sum(len(d or {}) for d in submitted.values_list("data", flat=True))
    lookups = RegistryAccess.objects.filter(at__gte=since, at__lt=until).count()
    transfers = sum(p["transfers"] for p in pairs)
    return [
        _element(_("communication"), [
            (_("Coordination requests answered"), _share(answered, requests), "share", _("answered / asked")),
            (_("Requests unanswered past due"), overdue, "count", _("open requests after their due time")),
            (_("First response to an application (median)"), cases["first_response_seconds"]["median"], "seconds",
             _("submission to the first step by staff")),
        ]),
        _element(_("integration"), [
            (_("Application steps taken by agency systems"), _share(by_systems, steps.count()), "share",
             _("steps by an agency system's key / steps by staff")),
            (_("Registry look-ups and pre-fills served"), lookups, "count", _("registry accesses recorded")),
        ]),
        _element(_("synchronization"), [
            (_("Webhook deliveries that succeeded"), _share(deliveries["succeeded"], deliveries["total"]), "share",
             _("succeeded / deliveries owed")),
            (_("Applications within the service standard"), cases["sla_compliance"], "share",
             _("met / (met + missed)")),
        ]),
        _element(_("simplification"), [
            (_("Form fields pre-filled from the registry"), _share(prefilled, fields), "share",
             _("pre-filled fields / fields of the applications submitted")),
        ]),
        _element(_("mechanism"), [
            (_("Escalations"), cases["escalations"] + reports["escalations"], "count", _("escalation records")),
            (_("Hand-offs that came back (ping-pong)"), sum(p["ping_pong"] for p in pairs), "count",
             _("A -> B -> A on one subject")),
            (_("Hand-offs answered “not ours”"), _share(sum(p["bounced"] for p in pairs), transfers), "share",
             _("bounced / transfers")),
            (_("Reports closed after a reopening"), reports["reopened_share"], "share", _("reopened / closed")),
        ]),
    ]  # fmt: skip


def _element(name: Any, measures: list[tuple[Any, Any, str, Any]]) -> dict[str, Any]:
    return {
        "element": str(name),
        "measures": [
            {"name": str(label), "value": value, "unit": unit, "formula": str(formula)}
            for label, value, unit, formula in measures
        ],
    }
