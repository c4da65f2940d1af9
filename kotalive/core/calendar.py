"""Indonesian working days for every SLA clock.

A working day is Monday to Friday, not a national holiday (`holidays` category "public"), not a joint-leave day
("cuti bersama", category "government"), unless the operator's CalendarOverride says otherwise. Offices work
08:00-16:00 Asia/Jakarta; times are stored in UTC.
"""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays

from kotalive.core.models import CalendarOverride

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE_CLOSES = dt.time(16, 0)
MAX_SPAN_DAYS = 3 * 366  # no SLA is longer than this; stops a loop on a calendar with no working day


@functools.cache
def _national(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", categories=("public", "government"), years=year))


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "working"))


class WorkingCalendar:
    """Answers working-day questions over a span, reading the operator's overrides once."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.overrides = _overrides(start, end)

    def covers(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= start and end <= self.end

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _national(day.year)


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def calendar_from(start: dt.date) -> WorkingCalendar:
    """A calendar over everything `add_working_days` may look at from `start` (one query)."""
    return WorkingCalendar(start, start + dt.timedelta(days=MAX_SPAN_DAYS))


def add_working_days(start: dt.date, working_days: int, *, calendar: WorkingCalendar | None = None) -> dt.date:
    """The `working_days`-th working day after `start` (0 gives `start` itself). A `calendar` from
    `calendar_from(start)` answers without a query (a submission starts two clocks on the same day)."""
    if working_days < 0:
        raise ValueError("working_days must be 0 or more")
    if calendar is None or not calendar.covers(start, start + dt.timedelta(days=MAX_SPAN_DAYS)):
        calendar = calendar_from(start)
    day, counted = start, 0
    while counted < working_days:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError("no working day in the next three years: check the calendar overrides")
        if calendar.is_working_day(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, *, calendar: WorkingCalendar | None = None) -> int:
    """How many working days lie after `start` up to and including `end` (0 when end <= start). A `calendar` that
    covers the span answers without a query (a sweep reads one for a whole batch of subjects)."""
    if end <= start:
        return 0
    if calendar is None or not calendar.covers(start, end):
        calendar = WorkingCalendar(start, end)
    return sum(
        1 for offset in range(1, (end - start).days + 1) if calendar.is_working_day(start + dt.timedelta(days=offset))
    )


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(JAKARTA).date()


def end_of_office_day(day: dt.date) -> dt.datetime:
    """16:00 Asia/Jakarta on `day`: the moment a due date expires."""
    return dt.datetime.combine(day, OFFICE_CLOSES, tzinfo=JAKARTA).astimezone(dt.UTC)
