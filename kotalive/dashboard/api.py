"""Dashboards over the API (issue 11, in progress): the hand-off matrix, as JSON or CSV."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from kotalive.accounts.models import User
from kotalive.agencies.auth import BearerToken, actor
from kotalive.agencies.models import StaffRole
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS
from kotalive.core.calendar import local_date
from kotalive.core.errors import PermissionDenied, ValidationFailed
from kotalive.dashboard.handoffs import handoff_matrix, matrix_csv

router = Router(tags=["dashboard"], auth=BearerToken())
READERS = [StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN, StaffRole.LEADERSHIP, StaffRole.AUDITOR]
MAX_DAYS = 3 * 366


def _reader(user: User) -> None:
    """The Live Room, leadership and auditors read the city's dashboards, and every agency head."""
    platform = StaffRole.objects.filter(user=user, agency__isnull=True, role__in=READERS).exists()
    if user.kind != User.STAFF or not (platform or StaffRole.objects.filter(user=user, role=StaffRole.HEAD).exists()):
        raise PermissionDenied(_("Only the Live Room, leadership, auditors and agency heads read the dashboards."))


def _day(value: str | None, field: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({field: [_("must be a date written as YYYY-MM-DD")]}) from None


def _period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    today = local_date(timezone.now())
    last = _day(end, "to", today)
    first = _day(start, "from", last - dt.timedelta(days=89))
    if first > last:
        raise ValidationFailed({"from": [_("must not be after the end of the period")]})
    if (last - first).days > MAX_DAYS:
        raise ValidationFailed({"from": [_("the period may be at most three years long")]})
    return first, last


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
    first, last = _period(start, end)
    matrix = handoff_matrix(start=first, end=last)
    if format == "csv":
        response = HttpResponse(matrix_csv(matrix), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="handoffs-{first}-{last}.csv"'
        return response
    if format != "json":
        raise ValidationFailed({"format": [_("must be json or csv")]})
    return matrix
