"""Tests for half-open date ranges and overlap detection."""

from datetime import date, datetime, timedelta
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.periods import Period
from raschet.domain.ranges import DateRange, find_overlaps

MAR = DateRange(date(2026, 3, 1), date(2026, 4, 1))


def test_refuses_empty_and_reversed_ranges():
    with pytest.raises(ValueError, match="позже начала"):
        DateRange(date(2026, 3, 1), date(2026, 3, 1))
    with pytest.raises(ValueError):
        DateRange(date(2026, 3, 2), date(2026, 3, 1))


def test_refuses_datetimes():
    with pytest.raises(TypeError, match="date"):
        DateRange(datetime(2026, 3, 1), None)
    with pytest.raises(TypeError):
        DateRange(date(2026, 3, 1), datetime(2026, 4, 1))


def test_str_shows_half_open_and_open_ended():
    assert str(MAR) == "[2026-03-01, 2026-04-01)"
    assert str(DateRange(date(2026, 3, 1), None)) == "[2026-03-01, бессрочно)"


def test_contains_start_but_not_end():
    assert MAR.contains(date(2026, 3, 1))
    assert MAR.contains(date(2026, 3, 31))
    assert not MAR.contains(date(2026, 4, 1))
    assert not MAR.contains(date(2026, 2, 28))
    assert date(2030, 1, 1) in DateRange(date(2026, 3, 1), None)


def test_touching_ranges_do_not_overlap():
    april = DateRange(date(2026, 4, 1), date(2026, 5, 1))
    assert not MAR.overlaps(april)
    assert not april.overlaps(MAR)
    assert MAR.intersection(april) is None


def test_open_ended_overlaps():
    since_mid_march = DateRange(date(2026, 3, 16), None)
    assert MAR.overlaps(since_mid_march)
    assert MAR.intersection(since_mid_march) == DateRange(date(2026, 3, 16), date(2026, 4, 1))
    assert since_mid_march.intersection(DateRange(date(2020, 1, 1), None)) == since_mid_march


def test_clip_accepts_a_period():
    residence = DateRange(date(2026, 3, 11), None)
    assert residence.clip(Period(2026, 3)) == DateRange(date(2026, 3, 11), date(2026, 4, 1))
    assert residence.clip(Period(2026, 2)) is None


def test_days_and_days_within():
    assert MAR.days == 31
    assert DateRange(date(2026, 3, 11), None).days_within(Period(2026, 3)) == 21
    assert MAR.days_within(Period(2026, 5)) == 0
    with pytest.raises(ValueError, match="бессрочного"):
        _ = DateRange(date(2026, 3, 1), None).days


def test_find_overlaps_per_key():
    rows = [
        ("hvs", date(2026, 1, 1), date(2026, 3, 1)),
        ("hvs", date(2026, 3, 1), None),  # touches row 0: fine
        ("gvs", date(2026, 1, 1), None),
        ("hvs", date(2026, 2, 15), date(2026, 2, 20)),  # inside row 0
        ("gvs", date(2026, 6, 1), date(2026, 7, 1)),  # inside open-ended row 2
        ("hvs", date(2026, 5, 1), date(2026, 5, 1)),  # empty: skipped, reported elsewhere
    ]
    assert find_overlaps(rows) == [(0, 3), (2, 4)]


def test_find_overlaps_of_nothing():
    assert find_overlaps([]) == []


BASE = date(2026, 1, 1)
rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.integers(min_value=0, max_value=60),
        st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    ),
    max_size=25,
)


def _to_rows(raw):
    return [(key, BASE + timedelta(s), None if n is None else BASE + timedelta(s + n)) for key, s, n in raw]


@given(rows_strategy)
def test_find_overlaps_matches_brute_force(raw):
    rows = _to_rows(raw)
    ranges = [DateRange(start, end) for _, start, end in rows]
    expected = [
        (i, j)
        for i, j in combinations(range(len(rows)), 2)
        if rows[i][0] == rows[j][0] and ranges[i].overlaps(ranges[j])
    ]
    assert find_overlaps(rows) == expected


@given(rows_strategy)
def test_overlap_is_symmetric_and_intersection_is_inside_both(raw):
    ranges = [DateRange(start, end) for _, start, end in _to_rows(raw)]
    for a, b in combinations(ranges, 2):
        assert a.overlaps(b) == b.overlaps(a)
        common = a.intersection(b)
        assert (common is not None) == a.overlaps(b)
        if common is not None:
            assert a.contains(common.start) and b.contains(common.start)
