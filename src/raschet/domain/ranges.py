"""Half-open date ranges ``[start, end)`` and overlap detection.

Every validity interval in Raschet (tariffs, norms, residents, areas, meters) is half-open:
``end`` is the first day that is *not* included, so consecutive intervals share a boundary
date without overlapping and a month is ``[1 March, 1 April)``.  ``end = None`` means
"still valid".  Empty ranges are refused: a row that is valid on no day is a data error.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from raschet.domain.periods import Period


def require_date(value: object, name: str) -> date:
    """Refuse datetimes (and anything else): a billing date has no time of day or time zone."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} должно быть датой (date), а не {type(value).__name__}: {value!r}.")
    return value


@dataclass(frozen=True)
class DateRange:
    """The days ``start <= d < end``; ``end is None`` means open-ended."""

    start: date
    end: date | None

    def __post_init__(self) -> None:
        require_date(self.start, "Начало периода")
        if self.end is not None:
            require_date(self.end, "Конец периода")
            if self.end <= self.start:
                raise ValueError(
                    f"Пустой или перевёрнутый период: конец {self.end.isoformat()} должен быть "
                    f"позже начала {self.start.isoformat()} (конец не включается)."
                )

    def __str__(self) -> str:
        end = self.end.isoformat() if self.end is not None else "бессрочно"
        return f"[{self.start.isoformat()}, {end})"

    @property
    def is_open(self) -> bool:
        return self.end is None

    def contains(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d < self.end)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.contains(d)

    def overlaps(self, other: DateRange) -> bool:
        """True when at least one day belongs to both ranges (touching ends do not overlap)."""
        return _before(self.start, other.end) and _before(other.start, self.end)

    def intersection(self, other: DateRange) -> DateRange | None:
        if not self.overlaps(other):
            return None
        return DateRange(max(self.start, other.start), _min_end(self.end, other.end))

    def clip(self, bounds: DateRange | Period) -> DateRange | None:
        """The part of this range inside ``bounds`` (a range or a billing ``Period``)."""
        return self.intersection(as_range(bounds))

    @property
    def days(self) -> int:
        if self.end is None:
            raise ValueError(f"Нельзя посчитать дни бессрочного периода {self}.")
        return (self.end - self.start).days

    def days_within(self, bounds: DateRange | Period) -> int:
        """Number of days this range shares with ``bounds``; 0 when they do not meet."""
        common = self.clip(bounds)
        return 0 if common is None else common.days


def as_range(value: DateRange | Period) -> DateRange:
    """Accept a ``Period`` wherever a range is expected (duck-typed to avoid an import cycle)."""
    return value if isinstance(value, DateRange) else value.range


def _before(d: date, end: date | None) -> bool:
    """``d < end`` where ``None`` is later than every date."""
    return end is None or d < end


def _min_end(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def find_overlaps(rows: Iterable[tuple[Hashable, date, date | None]]) -> list[tuple[int, int]]:
    """Return sorted index pairs ``(i, j)``, ``i < j``, of rows with equal keys whose ranges overlap.

    Each row is ``(key, start, end)`` with a half-open range; rows with ``end <= start`` are
    skipped (they are invalid on their own and reported by :class:`DateRange`).  Runs a
    sweep per key in O(n log n + number of overlaps).
    """
    groups: dict[Hashable, list[tuple[date, int, date | None]]] = defaultdict(list)
    for index, (key, start, end) in enumerate(rows):
        if end is None or end > start:
            groups[key].append((start, index, end))
    pairs: list[tuple[int, int]] = []
    for group in groups.values():
        pairs.extend(_sweep(group))
    return sorted(pairs)


def _sweep(group: list[tuple[date, int, date | None]]) -> list[tuple[int, int]]:
    """Every range still open when a later one starts overlaps it."""
    pairs = []
    active: list[tuple[date, int]] = []  # heap of (end, index); open ends use date.max
    for start, index, end in sorted(group, key=lambda row: (row[0], row[1])):
        while active and active[0][0] <= start:
            heapq.heappop(active)
        pairs.extend((min(other, index), max(other, index)) for _, other in active)
        heapq.heappush(active, (end if end is not None else date.max, index))
    return pairs
