"""Dashboards over the API (issue 11, in progress): the hand-off matrix, as JSON or CSV."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from kotalive.accounts.models import User
from kotalive.agencies.auth import BearerToken, actor
from kotalive.agencies.models import Agency
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS
from kotalive.core.errors import NotFound, PermissionDenied, ValidationFailed
from kotalive.dashboard.access import agency_head, period_parse, platform_reader
from kotalive.dashboard.city import city_performance, performance_csv
from kotalive.dashboard.handoffs import handoff_matrix, matrix_csv
from kotalive.dashboard.scorecard import scorecard
from kotalive.dashboard.service_quality import service_quality
from kotalive.dashboard.trends import weekly_trend

router = Router(tags=["dashboard"], auth=BearerToken())


def _reader(user: User) -> None:
    """The Live Room, leadership and auditors read the city's dashboards, and every agency head."""
    if not (platform_reader(user) or agency_head(user)):
        raise PermissionDenied(_("Only the Live Room, leadership, auditors and agency heads read the dashboards."))


def _as(format_: str, body: dict[str, Any], csv_text: Any, name: str) -> Any:
    if format_ == "csv":
        response = HttpResponse(csv_text(body), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if format_ != "json":
        raise ValidationFailed({"format": [_("must be json or csv")]})
    return body


@router.get("/dashboard/city", response={200: dict[str, Any], **AUTH_ERRORS, **COMMON_ERRORS}, summary="City")
def city(
    request: HttpRequest,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: str = "json",  # noqa: A002 (the documented parameter)
    agency: str | None = None,
    service: str | None = None,
    category: str | None = None,
    kecamatan: str | None = None,
) -> Any:
    """Applications and reports over `from`..`to` (local days, the last 90 by default): per agency and for the city,
    volumes, backlog, SLA compliance, time to first response and to completion (median, p90), the reopened share,
    escalations (formulas: docs/coordination-metrics.md); `agency`, `service` (applications), `category` and
    `kecamatan` (reports) narrow it. Unfiltered, the JSON adds `quality` (integration health, once-only reuse,
    online share, citizen effort per life-event bundle, IKM per service and per agency) and the five-element
    `scorecard`; the JSON always has `trend` (per week: applications and reports submitted and closed).
    `format=csv` gives the per-agency figures as CSV."""
    _reader(actor(request))
    first, last = period_parse(start, end)
    filters = {"agency": agency, "service": service, "category": category, "kecamatan": kecamatan}
    figures = city_performance(start=first, end=last, **{k: v for k, v in filters.items() if v})
    if format == "json":
        figures["trend"] = weekly_trend(start=first, end=last, **filters)
    if format == "json" and not any(filters.values()):  # the scorecard and these figures are the whole city's
        figures["quality"] = service_quality(start=first, end=last)
        figures["scorecard"] = scorecard(start=first, end=last, city=figures, quality=figures["quality"])
    return _as(format, figures, performance_csv, f"city-{first}-{last}")


@router.get(
    "/dashboard/agencies/{code}", response={200: dict[str, Any], **AUTH_ERRORS, **COMMON_ERRORS}, summary="Agency"
)
def agency(
    request: HttpRequest,
    code: str,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: str = "json",  # noqa: A002 (the documented parameter)
) -> Any:
    """The same figures for one agency (`agency`), next to the city's (`city`); its head, the Live Room, leadership
    and auditors read it."""
    user = actor(request)
    if not (platform_reader(user) or agency_head(user, code)):
        raise PermissionDenied(_("Only the agency's head, the Live Room, leadership and auditors read this dashboard."))
    first, last = period_parse(start, end)
    if not Agency.objects.filter(code=code).exists():
        raise NotFound("agency not found", code="not_found")
    own = city_performance(start=first, end=last, agency=code)
    if format == "csv":
        return _as(format, own, performance_csv, f"{code}-{first}-{last}")
    whole = city_performance(start=first, end=last)
    return _as(
        format,
        {
            "from": first,
            "to": last,
            "agency": code,
            "own": own["kinds"],
            "city": {k: v["city"] for k, v in whole["kinds"].items()},
        },
        performance_csv,
        code,
    )


@router.get("/dashboard/handoffs", response={200: dict[str, Any], **AUTH_ERRORS, **COMMON_ERRORS}, summary="Hand-offs")
def handoffs(
    request: HttpRequest,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    format: str = "json",  # noqa: A002 (the documented parameter)
) -> Any:
    """The agency x agency matrix over `from`..`to` (local days, the last 90 by default): per ordered pair the
    transfers, acceptance, bounce-backs ("not ours"), ping-pong (A -> B -> A) and the coordination requests asked;
    per agency the time spent with subjects it did not finish. `format=csv` gives the pairs as CSV."""
    _reader(actor(request))
    first, last = period_parse(start, end)
    return _as(format, handoff_matrix(start=first, end=last), matrix_csv, f"handoffs-{first}-{last}")
