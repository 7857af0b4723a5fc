"""Effective-dated values and the cutting of a month at change dates.

A tariff, a norm, an area or a number of residents is a series of values, each valid on a
half-open interval ``[valid_from, valid_to)``.  When a value changes mid-month the month is
cut into segments and each segment is charged for its own days (domain §14):
``P = Σ P_month(value_segment) × days_segment / days_in_month``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from raschet.domain.ranges import DateRange

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """``value`` valid from ``valid_from`` (included) to ``valid_to`` (excluded; ``None`` = still valid)."""

    valid_from: date
    valid_to: date | None
    value: T

    def __post_init__(self) -> None:
        # Building the range validates the dates (no datetimes, no empty intervals).
        DateRange(self.valid_from, self.valid_to)

    @property
    def range(self) -> DateRange:
        return DateRange(self.valid_from, self.valid_to)


class OverlapError(ValueError):
    """Two intervals of one series overlap; both are kept so the caller can report them."""

    def __init__(self, first: Dated, second: Dated, what: str) -> None:
        self.first, self.second, self.what = first, second, what
        super().__init__(
            f"Периоды {what} пересекаются: {first.range} и {second.range}. Исправьте даты valid_from/valid_to."
        )


class DatedSeries(Generic[T]):
    """Non-overlapping dated values, sorted by ``valid_from``; gaps are allowed and mean "no value"."""

    def __init__(self, items: Iterable[Dated[T]] = (), *, what: str = "значений") -> None:
        """``what`` names the series in the overlap message, in the genitive: "тарифа", "площади"."""
        self._items: tuple[Dated[T], ...] = tuple(sorted(items, key=lambda item: item.valid_from))
        self._starts = [item.valid_from for item in self._items]
        # After sorting by start, any overlap shows up between two neighbours.
        for earlier, later in zip(self._items, self._items[1:], strict=False):
            if earlier.range.overlaps(later.range):
                raise OverlapError(earlier, later, what)

    def __iter__(self) -> Iterator[Dated[T]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"DatedSeries({list(self._items)!r})"

    @property
    def items(self) -> tuple[Dated[T], ...]:
        return self._items

    def item_on(self, d: date) -> Dated[T] | None:
        """The interval containing ``d``, or ``None`` in a gap."""
        position = bisect.bisect_right(self._starts, d) - 1
        if position < 0:
            return None
        item = self._items[position]
        return item if item.range.contains(d) else None

    def value_on(self, d: date) -> T | None:
        item = self.item_on(d)
        return None if item is None else item.value

    def change_dates(self) -> list[date]:
        """Every date on which the value may change (starts and ends of intervals), sorted, unique."""
        dates = {item.valid_from for item in self._items}
        dates.update(item.valid_to for item in self._items if item.valid_to is not None)
        return sorted(dates)

    def segments(self, rng: DateRange) -> list[tuple[DateRange, T | None]]:
        """Cut ``rng`` at every change date inside it and pair each piece with its value.

        Gaps come back with ``None``.  Neighbouring intervals with equal values are not merged:
        each stored interval keeps its own segment, which keeps explanations traceable.
        """
        return [(piece, self.value_on(piece.start)) for piece in segment_bounds(rng, self.change_dates())]


def segment_bounds(rng: DateRange, change_dates: Iterable[date]) -> list[DateRange]:
    """Cut ``rng`` at each change date strictly inside it; the pieces tile ``rng`` in order.

    Dates outside ``rng`` or equal to its start are ignored, as are duplicates.  An open-ended
    ``rng`` gives an open-ended last piece.
    """
    cuts = sorted({d for d in change_dates if d > rng.start and (rng.end is None or d < rng.end)})
    starts: list[date] = [rng.start, *cuts]
    ends: list[date | None] = [*cuts, rng.end]
    return [DateRange(start, end) for start, end in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class StepIssue:
    """Why rows of a step series cannot be read: ``kind`` is ``invalid_range`` (row ``later`` ends on
    or before its start; ``earlier`` is None), ``same_start`` or ``overlap`` (rows ``earlier`` and
    ``later`` of one series, by position in the input)."""

    kind: str
    earlier: int | None
    later: int


def step_ends(rows: Sequence[tuple[Hashable, date, date | None]]) -> tuple[list[date | None], list[StepIssue]]:
    """Read ``(key, valid_from, valid_to)`` rows as step series, one per key: a row without its own
    ``valid_to`` is in force until the next row of its key starts (the last one open-ended).

    Returns each row's end (its own, the next start, or None) and what is wrong: a row ending on or
    before its start, two rows of a key starting on one day, an explicit end after the next start.
    Rows may come in any order; gaps left by explicit ends are allowed.
    """
    ends: list[date | None] = [end for _key, _start, end in rows]
    issues: list[StepIssue] = []
    series: dict[Hashable, list[tuple[date, int]]] = defaultdict(list)
    for index, (key, start, end) in enumerate(rows):
        if end is not None and end <= start:
            issues.append(StepIssue("invalid_range", None, index))
        else:
            series[key].append((start, index))
    for starts in series.values():
        starts.sort()
        for (start, earlier), (following, later) in zip(starts, starts[1:], strict=False):
            if following == start:
                issues.append(StepIssue("same_start", earlier, later))
            elif ends[earlier] is None:
                ends[earlier] = following
            elif ends[earlier] > following:
                issues.append(StepIssue("overlap", earlier, later))
    return ends, issues
