"""Tests for effective-dated values and month segmentation (domain §14)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.money import dec, round_money, round_volume
from raschet.domain.periods import Period
from raschet.domain.ranges import DateRange
from raschet.domain.series import Dated, DatedSeries, OverlapError, StepIssue, segment_bounds, step_ends

OCTOBER = Period(2026, 10)


def test_dated_refuses_empty_interval():
    with pytest.raises(ValueError):
        Dated(date(2026, 1, 1), date(2026, 1, 1), 1)


def test_overlapping_series_is_refused_naming_both_intervals():
    with pytest.raises(OverlapError) as info:
        DatedSeries(
            [Dated(date(2026, 1, 1), None, "a"), Dated(date(2026, 3, 1), date(2026, 4, 1), "b")],
            what="тарифа",
        )
    message = str(info.value)
    assert "[2026-01-01, бессрочно)" in message and "[2026-03-01, 2026-04-01)" in message
    assert message.startswith("Периоды тарифа пересекаются")
    assert isinstance(info.value, ValueError)


def test_value_on_boundaries_and_gaps():
    series = DatedSeries(
        [Dated(date(2026, 3, 1), date(2026, 4, 1), "b"), Dated(date(2026, 1, 1), date(2026, 2, 1), "a")]
    )
    assert series.value_on(date(2026, 1, 1)) == "a"
    assert series.value_on(date(2026, 1, 31)) == "a"
    assert series.value_on(date(2026, 2, 1)) is None
    assert series.value_on(date(2026, 3, 31)) == "b"
    assert series.value_on(date(2025, 12, 31)) is None
    assert [item.value for item in series] == ["a", "b"]
    assert series.change_dates() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def test_maintenance_rate_change_mid_october():
    # Domain §14: 35.50 until 15 Oct, 40.00 from 16 Oct, 60 m², each segment rounded.
    rates = DatedSeries(
        [
            Dated(date(2026, 1, 1), date(2026, 10, 16), dec("35.50")),
            Dated(date(2026, 10, 16), None, dec("40.00")),
        ]
    )
    segments = rates.segments(OCTOBER.range)
    assert [(piece.days, rate) for piece, rate in segments] == [(15, dec("35.50")), (16, dec("40.00"))]
    lines = [round_money(60 * rate * piece.days / OCTOBER.days) for piece, rate in segments]
    assert lines == [dec("1030.65"), dec("1238.71")]
    assert sum(lines) == dec("2269.36")


def test_residents_change_on_the_eleventh():
    # Domain §14: 3 → 4 residents on the 11th of a 30-day month, norm 4.85 m³ per person.
    residents = DatedSeries(
        [Dated(date(2026, 1, 1), date(2026, 11, 11), 3), Dated(date(2026, 11, 11), None, 4)]
    )
    november = Period(2026, 11)
    volume = sum(
        dec("4.85") * n * piece.days / november.days for piece, n in residents.segments(november.range)
    )
    assert round_volume(volume) == dec("17.783333")


def test_segments_include_gaps_as_none():
    series = DatedSeries([Dated(date(2026, 3, 10), date(2026, 3, 20), "x")])
    assert series.segments(Period(2026, 3).range) == [
        (DateRange(date(2026, 3, 1), date(2026, 3, 10)), None),
        (DateRange(date(2026, 3, 10), date(2026, 3, 20)), "x"),
        (DateRange(date(2026, 3, 20), date(2026, 4, 1)), None),
    ]


def test_segment_bounds_ignores_outside_start_and_duplicates():
    march = Period(2026, 3).range
    cuts = [
        date(2026, 3, 1),
        date(2026, 2, 1),
        date(2026, 4, 1),
        date(2026, 3, 15),
        date(2026, 3, 15),
        date(2026, 5, 1),
    ]
    assert segment_bounds(march, cuts) == [
        DateRange(date(2026, 3, 1), date(2026, 3, 15)),
        DateRange(date(2026, 3, 15), date(2026, 4, 1)),
    ]
    assert segment_bounds(march, []) == [march]


def test_segment_bounds_of_open_range_ends_open():
    pieces = segment_bounds(DateRange(date(2026, 3, 1), None), [date(2026, 6, 1)])
    assert pieces == [DateRange(date(2026, 3, 1), date(2026, 6, 1)), DateRange(date(2026, 6, 1), None)]


periods = st.builds(
    Period, st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=12)
)
offsets = st.lists(st.integers(min_value=-40, max_value=70), max_size=20)


def _assert_tiles(pieces, rng):
    assert pieces[0].start == rng.start
    assert pieces[-1].end == rng.end
    for left, right in zip(pieces, pieces[1:], strict=False):
        assert left.end == right.start  # contiguous, so no overlap and no hole
    assert sum(piece.days for piece in pieces) == rng.days


@given(periods, offsets)
def test_segments_of_a_period_tile_it_for_any_change_dates(period, days):
    cuts = [period.start + timedelta(d) for d in days]
    _assert_tiles(segment_bounds(period.range, cuts), period.range)


@st.composite
def series_and_range(draw):
    """A non-overlapping series built from sorted cut points, some intervals dropped to make gaps."""
    points = sorted(draw(st.sets(st.integers(min_value=0, max_value=120), min_size=1, max_size=10)))
    base = date(2026, 1, 1)
    bounds = [base + timedelta(p) for p in points] + [None]
    items = [
        Dated(start, end, index)
        for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False))
        if draw(st.booleans())
    ]
    start = draw(st.integers(min_value=-10, max_value=110))
    length = draw(st.integers(min_value=1, max_value=60))
    return DatedSeries(items), DateRange(base + timedelta(start), base + timedelta(start + length))


@given(series_and_range())
def test_series_segments_cover_the_range_with_constant_values(case):
    series, rng = case
    segments = series.segments(rng)
    _assert_tiles([piece for piece, _ in segments], rng)
    for piece, value in segments:
        for offset in range(piece.days):
            assert series.value_on(piece.start + timedelta(offset)) == value


def test_step_ends_read_rows_without_an_end_as_steps_per_key():
    d = date
    rows = [("a", d(2026, 4, 11), None), ("a", d(2020, 1, 1), None), ("b", d(2020, 1, 1), d(2024, 1, 1)),
            ("b", d(2025, 1, 1), None)]
    ends, issues = step_ends(rows)
    assert ends == [None, d(2026, 4, 11), d(2024, 1, 1), None] and issues == []


def test_step_ends_name_same_starts_overlaps_and_inverted_rows():
    d = date
    rows = [("a", d(2026, 1, 1), None), ("a", d(2026, 1, 1), None), ("b", d(2026, 1, 1), d(2026, 7, 1)),
            ("b", d(2026, 6, 1), None), ("c", d(2026, 3, 1), d(2026, 3, 1))]
    _ends, issues = step_ends(rows)
    assert issues == [StepIssue("invalid_range", None, 4), StepIssue("same_start", 0, 1), StepIssue("overlap", 2, 3)]


@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 40), st.none() | st.integers(1, 20)), max_size=10))
def test_step_ends_without_issues_give_disjoint_intervals_each_ending_at_the_next_start(raw):
    base = date(2026, 1, 1)
    rows = [(key, base + timedelta(days=start), None if length is None else base + timedelta(days=start + length))
            for key, start, length in raw]
    ends, issues = step_ends(rows)
    if issues:
        return
    for key in "ab":
        mine = sorted((start, ends[i], rows[i][2]) for i, (k, start, _end) in enumerate(rows) if k == key)
        for (start, end, own), (following, _e, _o) in zip(mine, mine[1:], strict=False):
            assert end is not None and start < end <= following
            assert end == (own if own is not None else following)
        if mine:
            assert mine[-1][1] == mine[-1][2]  # the last step keeps its own end, or stays open
