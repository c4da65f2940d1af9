import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kotalive.regions.codes import PROVINCE_CODES
from kotalive.registry.identity import (
    FEMALE,
    MALE,
    IdentityNumberError,
    format_nik,
    parse_kk_number,
    parse_nik,
)

regions = st.tuples(st.sampled_from(sorted(PROVINCE_CODES)), st.integers(1, 99), st.integers(1, 99)).map(
    lambda parts: f"{parts[0]:02d}{parts[1]:02d}{parts[2]:02d}"
)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


@given(region6=regions, born=birth_dates, sex=st.sampled_from([MALE, FEMALE]), serial=st.integers(1, 9999))
def test_every_nik_made_from_real_parts_parses_back_to_them(region6: str, born: dt.date, sex: str, serial: int) -> None:
    nik = parse_nik(format_nik(region6=region6, birth_date=born, sex=sex, serial=serial))

    assert nik.region_code == f"{region6[:2]}.{region6[2:4]}.{region6[4:]}"
    assert born in nik.birth_date_candidates()
    assert nik.sex_hint == sex
    assert nik.serial == serial


@given(day=st.integers(0, 99).filter(lambda d: not (1 <= d <= 31 or 41 <= d <= 71)))
def test_a_day_part_outside_both_ranges_is_refused_and_named(day: int) -> None:
    with (
        translation.override("en"),
        pytest.raises(IdentityNumberError, match=f"birth-date part {day:02d} is not a day"),
    ):
        parse_nik(f"367105{day:02d}01900001")


@given(month=st.integers(13, 99) | st.just(0))
def test_a_month_part_outside_1_to_12_is_refused_and_named(month: int) -> None:
    with (
        translation.override("en"),
        pytest.raises(IdentityNumberError, match=f"birth-month part {month:02d}"),
    ):
        parse_nik(f"36710515{month:02d}900001")


@given(text=st.text(min_size=1, max_size=20).filter(lambda t: not t.strip().isdigit()))
def test_anything_but_digits_is_refused(text: str) -> None:
    with pytest.raises(IdentityNumberError):
        parse_nik(text)


def test_the_errors_speak_indonesian_by_default_and_english_on_request() -> None:
    with (
        translation.override("id"),
        pytest.raises(IdentityNumberError, match="bagian tanggal lahir 32 bukan hari"),
    ):
        parse_nik("3671053201900001")
    with (
        translation.override("en"),
        pytest.raises(IdentityNumberError, match="birth-date part 32 is not a day"),
    ):
        parse_nik("3671053201900001")


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("367105150190000", "16 digits"),
        ("9971051501900001", "province part 99"),
        ("3671051501900000", "serial part 0000"),
        ("3671053002900001", "not a date"),
        ("3600051501900001", "kota/kabupaten part 00"),
    ],
)
def test_each_wrong_part_is_named(nik: str, reason: str) -> None:
    with translation.override("en"), pytest.raises(IdentityNumberError, match=reason):
        parse_nik(nik)


def test_a_woman_s_nik_adds_40_to_the_day() -> None:
    nik = parse_nik("3671055402199004")

    assert nik.sex_hint == FEMALE
    assert dt.date(2019, 2, 14) in nik.birth_date_candidates()


def test_spaces_and_dots_typed_by_people_are_ignored() -> None:
    assert parse_nik("3671 0512 0485 9001").value == "3671051204859001"


@given(region6=regions, rest=st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_a_kk_number_needs_16_digits_and_a_real_region(region6: str, rest: str) -> None:
    assert parse_kk_number(region6 + rest).region_code.replace(".", "") == region6


def test_a_kk_number_of_the_wrong_length_is_refused() -> None:
    with translation.override("en"), pytest.raises(IdentityNumberError, match="16 digits, not 15"):
        parse_kk_number("367105150120900")
