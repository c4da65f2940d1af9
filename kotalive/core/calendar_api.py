import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kotalive.core.api import ErrorOut
from kotalive.core.calendar import add_working_days
from kotalive.core.errors import ValidationFailed

router = Router(tags=["calendar"])
# The years the working-day calendar can answer for: holidays are known for the years around today, and year 9999
# plus a year of working days would not fit in a date at all.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class DueDateOut(Schema):
    start: dt.date
    working_days: int
    due_date: dt.date


@router.get("/due-date", response={200: DueDateOut, 422: ErrorOut}, auth=None, summary="Add working days")
def due_date(request: HttpRequest, start: str, working_days: str) -> DueDateOut:
    """The `working_days`-th working day after `start` (weekends, national holidays, cuti bersama and the
    operator's overrides excluded)."""
    errors: dict[str, list[str]] = {}
    try:
        begin = dt.date.fromisoformat(start)
        if not FIRST_YEAR <= begin.year <= LAST_YEAR:
            errors["start"] = [
                _("must be a date from the year %(first)d to %(last)d") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            ]
    except ValueError:
        errors["start"] = [_("must be a date written as YYYY-MM-DD")]
    try:
        days = int(working_days)
        if not 0 <= days <= 365:
            raise ValueError
    except ValueError:
        errors["working_days"] = [_("must be a whole number from 0 to 365")]
    if errors:
        raise ValidationFailed(errors)
    return DueDateOut(start=begin, working_days=days, due_date=add_working_days(begin, days))
