"""One date format, day-month-year, in both languages: a date on any page reads 06-12-2026 (config/formats), and a
date field takes it as typed (with slashes or dots too, and the ISO form a date picker sends)."""

import datetime as dt

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from kotalive.web.forms import DayMonthYearField


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_date_reads_day_month_year_in_both_languages(language: str) -> None:
    with translation.override(language):
        shown = Template('{{ day }} · {{ day|date }} · {{ at|date:"SHORT_DATETIME_FORMAT" }}').render(
            Context({"day": dt.date(2026, 12, 6), "at": dt.datetime(2026, 12, 6, 14, 5)})  # noqa: DTZ001 (a wall-clock time)
        )

    assert shown == "06-12-2026 · 06-12-2026 · 06-12-2026 14:05"


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("typed", ["06-12-2026", "6-12-2026", "06/12/2026", "06.12.2026", "2026-12-06"])
def test_a_date_field_takes_the_date_as_shown(language: str, typed: str) -> None:
    with translation.override(language):
        assert DayMonthYearField().clean(typed) == "2026-12-06"
        assert forms.DateField().clean(typed) == dt.date(2026, 12, 6)  # Django's own fields read the same formats


def test_a_date_field_refuses_a_month_first_date_with_a_sentence() -> None:
    with translation.override("en"):
        with pytest.raises(forms.ValidationError) as refused:
            DayMonthYearField().clean("12-31-2026")
        said = [str(message) for message in refused.value.messages]

    assert said == ["Write the date as day, month and year, for example 17-08-1990."]
