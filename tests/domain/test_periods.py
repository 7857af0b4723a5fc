"""Tests for the billing period: parsing, calendar facts and month arithmetic."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.periods import Period
from raschet.domain.ranges import DateRange


def test_parse_and_str_round_trip():
    period = Period.parse("2026-03")
    assert period == Period(2026, 3)
    assert str(period) == "2026-03"


@pytest.mark.parametrize(
    "text", ["2026-3", "2026-13", "2026-00", "03.2026", "", "2026-03-01", "1899-12", " 2026-03", None]
)
def test_parse_refuses_anything_else_naming_the_text(text):
    with pytest.raises(ValueError, match="расчётный период") as info:
        Period.parse(text)
    assert str(text) in str(info.value)


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (1899, 12), (2201, 1)])
def test_constructor_validates_ranges(year, month):
    with pytest.raises(ValueError):
        Period(year, month)


@pytest.mark.parametrize(("year", "month"), [("2026", 3), (2026, 3.0), (2026, True)])
def test_constructor_refuses_non_integers(year, month):
    with pytest.raises(TypeError):
        Period(year, month)


def test_of_date_and_refuses_datetime():
    assert Period.of(date(2026, 2, 28)) == Period(2026, 2)
    with pytest.raises(TypeError):
        Period.of(datetime(2026, 2, 28, 12, 0))


def test_calendar_facts():
    march = Period(2026, 3)
    assert march.start == date(2026, 3, 1)
    assert march.end == date(2026, 4, 1)
    assert march.days == 31
    assert march.range == DateRange(date(2026, 3, 1), date(2026, 4, 1))
    assert Period(2024, 2).days == 29
    assert Period(2026, 2).days == 28
    assert Period(2026, 12).end == date(2027, 1, 1)


def test_next_previous_cross_year_boundaries():
    assert Period(2025, 12).next() == Period(2026, 1)
    assert Period(2026, 1).previous() == Period(2025, 12)


def test_month_arithmetic():
    march = Period(2026, 3)
    assert march + 10 == Period(2027, 1)
    assert 10 + march == Period(2027, 1)
    assert march - 3 == Period(2025, 12)
    assert Period(2027, 1) - march == 10
    assert march - Period(2027, 1) == -10
    with pytest.raises(TypeError):
        march + "1"


def test_ordering_and_hashing():
    assert Period(2025, 12) < Period(2026, 1) < Period(2026, 2)
    assert len({Period(2026, 1), Period.parse("2026-01")}) == 1


def test_between_is_inclusive_and_empty_when_reversed():
    assert Period.between(Period(2025, 11), Period(2026, 2)) == [
        Period(2025, 11),
        Period(2025, 12),
        Period(2026, 1),
        Period(2026, 2),
    ]
    assert Period.between(Period(2026, 3), Period(2026, 3)) == [Period(2026, 3)]
    assert Period.between(Period(2026, 3), Period(2026, 2)) == []


def test_out_of_range_arithmetic_is_refused():
    with pytest.raises(ValueError):
        Period(2200, 12).next()
    assert Period(2200, 12).end == date(2201, 1, 1)


periods = st.builds(
    Period, st.integers(min_value=1950, max_value=2150), st.integers(min_value=1, max_value=12)
)
shifts = st.integers(min_value=-500, max_value=500)


@given(periods, shifts)
def test_add_then_subtract_round_trips(period, n):
    assert period + n - n == period
    assert (period + n) - period == n


@given(periods)
def test_parse_str_round_trips(period):
    assert Period.parse(str(period)) == period


@given(periods)
def test_range_matches_days_and_next_start(period):
    assert period.range.days == period.days
    assert period.end == period.next().start


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_of_contains_the_date(d):
    assert Period.of(d).range.contains(d)


@given(periods, st.integers(min_value=0, max_value=40))
def test_between_length(period, n):
    months = Period.between(period, period + n)
    assert len(months) == n + 1
    assert all(b - a == 1 for a, b in zip(months, months[1:], strict=False))
