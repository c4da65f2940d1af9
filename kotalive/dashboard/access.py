"""Who reads the dashboards, and the period a request names: one definition for the API and the pages."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.core.calendar import local_date
from kotalive.core.errors import ValidationFailed
from kotalive.dashboard.handoffs import date_in_range

# The platform-wide roles that read the city's dashboards (an agency's head reads its own, beside the city).
READERS = [StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN, StaffRole.LEADERSHIP, StaffRole.AUDITOR]
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


def platform_reader(user: User) -> bool:
    return (
        user.kind == User.STAFF and StaffRole.objects.filter(user=user, agency__isnull=True, role__in=READERS).exists()
    )


def agency_head(user: User, code: str | None = None) -> bool:
    """Whether `user` heads an agency (the agency `code`, when given)."""
    heads = StaffRole.objects.filter(user=user, role=StaffRole.HEAD)
    return user.kind == User.STAFF and (heads.filter(agency__code=code) if code else heads).exists()


def _day(value: str | None, field: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({field: [_("must be a date written as YYYY-MM-DD")]}) from None
    if not date_in_range(day):
        raise ValidationFailed({field: [_("must be a date from 2000 to 2100")]})
    return day


def period_parse(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """`from`..`to` as local days (the last DEFAULT_DAYS by default); a refusal naming the field otherwise."""
    last = _day(end, "to", local_date(timezone.now()))
    first = _day(start, "from", last - dt.timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise ValidationFailed({"from": [_("must not be after the end of the period")]})
    if (last - first).days > MAX_DAYS:
        raise ValidationFailed({"from": [_("the period may be at most three years long")]})
    return first, last


def period_or_default(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """The same for a page: a period it cannot show falls back to the last DEFAULT_DAYS."""
    try:
        return period_parse(start, end)
    except ValidationFailed:
        return period_parse(None, None)
