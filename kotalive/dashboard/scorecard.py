"""The five-element scorecard: the study's elements of coordination (communication, integration, synchronization,
simplification, mechanism), each as numbers measured from the platform's own records over a period, with the
formula shown beside each (docs/coordination-metrics.md, "The five-element scorecard")."""

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from kotalive.dashboard.handoffs import handoff_matrix, period_dates
from kotalive.dashboard.models import RegistryDayRollup
from kotalive.dashboard.spread import ratio
from kotalive.dashboard.sums import rollup_sums


def scorecard(
    *,
    start: dt.date,
    end: dt.date,
    city: dict[str, Any],
    quality: dict[str, Any],
    matrix: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One entry per element: its measures, each {"name", "value", "unit", "formula"}; `city` is the period's
    city_performance, `quality` its service_quality and `matrix` its handoff_matrix (so the same figures are not
    computed twice)."""
    first, last = period_dates(start, end)
    pairs = (matrix or handoff_matrix(start=start, end=end))["pairs"]
    cases, reports = city["kinds"]["case"]["city"], city["kinds"]["complaint"]["city"]
    requests = sum(p["requests"] for p in pairs)
    answered = sum(p["requests_answered"] for p in pairs)
    overdue = sum(p["requests_unanswered_overdue"] for p in pairs)
    steps = rollup_sums("case", start=first, end=last, fields=["staff_steps", "system_steps"])[0]
    by_systems = ratio(steps["system_steps"], steps["staff_steps"])
    health, reuse, online = quality["integration"], quality["once_only"], quality["online"]
    bundles = quality["bundles"]
    bundles_filed = sum(b["bundles"] for b in bundles)
    looked_up = RegistryDayRollup.objects.filter(day__gte=first, day__lte=last).aggregate(n=Sum("lookups"))
    lookups = looked_up["n"] or 0
    transfers = sum(p["transfers"] for p in pairs)
    return [
        _element(_("communication"), [
            (_("Coordination requests answered"), ratio(answered, requests), "share", _("answered / asked")),
            (_("Requests unanswered past due"), overdue, "count", _("open requests after their due time")),
            (_("First response to an application (median)"), cases["first_response_seconds"]["median"], "seconds",
             _("submission to the first step by staff")),
        ]),
        _element(_("integration"), [
            (_("Application steps taken by agency systems"), by_systems, "share",
             _("steps by an agency system's key / steps by staff")),
            (_("Registry look-ups and pre-fills served"), lookups, "count", _("registry accesses recorded")),
            (_("Services fully online"), online["services_online_share"], "share",
             _("services whose output is a signed PDF or a record / active services")),
        ]),
        _element(_("synchronization"), [
            (_("Webhook deliveries that succeeded"), health["success_share"], "share",
             _("succeeded / deliveries owed")),
            (_("Commit-to-delivery lag (p99)"), health["lag_ms_p99"], "milliseconds",
             _("99th percentile of event time to successful delivery")),
            (_("Dead letters waiting now"), health["dead_letters_now"], "count",
             _("webhook deliveries and consumer events given up, not yet replayed")),
            (_("Applications within the service standard"), cases["sla_compliance"], "share",
             _("met / (met + missed)")),
        ]),
        _element(_("simplification"), [
            (_("Form fields pre-filled from the registry"), reuse["prefilled_share"], "share",
             _("pre-filled fields / fields of the applications submitted")),
            (_("Documents not asked for again"), reuse["not_asked_again_share"], "share",
             _("documents held already / (held already + uploaded)")),
            (_("Life events completed with one form"), ratio(sum(b["completed"] for b in bundles), bundles_filed),
             "share", _("bundles completed / bundles filed")),
        ]),
        _element(_("mechanism"), [
            (_("Escalations"), cases["escalations"] + reports["escalations"], "count", _("escalation records")),
            (_("Hand-offs that came back (ping-pong)"), sum(p["ping_pong"] for p in pairs), "count",
             _("A -> B -> A on one subject")),
            (_("Hand-offs answered “not ours”"), ratio(sum(p["bounced"] for p in pairs), transfers), "share",
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
