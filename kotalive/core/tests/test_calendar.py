import datetime as dt

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from kotalive.accounts.models import User
from kotalive.core.calendar import add_working_days, is_working_day, working_days_between
from kotalive.core.calendar_services import calendar_override_set
from kotalive.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_five_working_days_after_17_march_2026_is_31_march(client: Client) -> None:
    response = client.get("/api/v1/calendar/due-date", {"start": "2026-03-17", "working_days": "5"})

    assert response.status_code == 200
    assert response.json()["due_date"] == "2026-03-31"


def test_five_working_days_after_27_march_2025_is_14_april() -> None:
    assert add_working_days(dt.date(2025, 3, 27), 5) == dt.date(2025, 4, 14)


def test_weekends_holidays_and_joint_leave_are_not_working_days() -> None:
    assert not is_working_day(dt.date(2026, 3, 21))  # Saturday, Idul Fitri
    assert not is_working_day(dt.date(2026, 3, 23))  # Monday, cuti bersama
    assert not is_working_day(dt.date(2026, 8, 17))  # Independence Day
    assert is_working_day(dt.date(2026, 3, 25))


def test_an_operator_closure_moves_due_dates(operator: User) -> None:
    before = add_working_days(dt.date(2026, 3, 17), 5)

    calendar_override_set(
        actor=operator, may_manage=True, date=dt.date(2026, 3, 26), working=False, reason="Banjir: kantor tutup"
    )

    assert before == dt.date(2026, 3, 31)
    assert add_working_days(dt.date(2026, 3, 17), 5) == dt.date(2026, 4, 1)


def test_an_operator_can_open_a_day_that_was_a_holiday(operator: User) -> None:
    calendar_override_set(
        actor=operator, may_manage=True, date=dt.date(2026, 3, 18), working=True, reason="Cuti bersama dibatalkan"
    )

    assert add_working_days(dt.date(2026, 3, 17), 1) == dt.date(2026, 3, 18)


def test_only_the_operator_manages_the_calendar(verifier: User) -> None:
    with pytest.raises(PermissionDenied):
        calendar_override_set(actor=verifier, may_manage=False, date=dt.date(2026, 3, 26), working=False, reason="x")


def test_bad_parameters_are_named(client: Client) -> None:
    response = client.get(
        "/api/v1/calendar/due-date", {"start": "17-03-2026", "working_days": "lima"}, headers={"Accept-Language": "en"}
    )

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"start", "working_days"}


@settings(max_examples=40, deadline=None)
@given(start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)), days=st.integers(0, 30))
def test_adding_n_working_days_spans_exactly_n_working_days(start: dt.date, days: int) -> None:
    due = add_working_days(start, days)

    assert working_days_between(start, due) == days
    assert days == 0 or is_working_day(due)
