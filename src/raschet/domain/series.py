"""Effective-dated values and the cutting of a month at change dates.

A tariff, a norm, an area or a number of residents is a series of values, each valid on a
half-open interval ``[valid_from, valid_to)``.  When a value changes mid-month the month is
cut into segments and each segment is charged for its own days (domain §14):
``P = Σ P_month(value_segment) × days_segment / days_in_month``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
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
