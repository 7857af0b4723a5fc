"""The billing period (расчётный период): one calendar month, written ``"2026-03"``.

A ``Period`` is a value: it is hashable, ordered, and does month arithmetic (``p + 1`` is
the next month, ``p2 - p1`` the number of months between).  Its ``end`` is exclusive, the
first day of the next month, matching the half-open ranges used everywhere else.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from raschet.domain.ranges import DateRange, require_date

MIN_YEAR = 1900
MAX_YEAR = 2200

_PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month; ordering is chronological because fields compare year first."""

    year: int
    month: int

    def __post_init__(self) -> None:
        for name in ("year", "month"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(
                    f"Поле {name} расчётного периода должно быть целым числом, получено {value!r}."
                )
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(
                f"Год расчётного периода {self.year} вне допустимого диапазона {MIN_YEAR}–{MAX_YEAR}."
            )
        if not 1 <= self.month <= 12:
            raise ValueError(f"Месяц расчётного периода {self.month} должен быть от 1 до 12.")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``"YYYY-MM"``; anything else (``"2026-3"``, ``"03.2026"``) is a ``ValueError``."""
        match = _PERIOD_RE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(
                f"Неверный расчётный период «{text}»: ожидается формат ГГГГ-ММ, например 2026-03."
            )
        try:
            return cls(int(match[1]), int(match[2]))
        except ValueError as error:
            raise ValueError(f"Неверный расчётный период «{text}»: {error}") from None

    @classmethod
    def of(cls, d: date) -> Period:
        """The period containing day ``d``."""
        require_date(d, "Дата")
        return cls(d.year, d.month)

    @classmethod
    def between(cls, first: Period, last: Period) -> list[Period]:
        """``[first, first + 1, …, last]`` inclusive; empty when ``last < first``."""
        return [cls._from_index(index) for index in range(first._index, last._index + 1)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day of the next month: the end is excluded."""
        # Computed directly rather than via next(), which would refuse December of MAX_YEAR.
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def range(self) -> DateRange:
        return DateRange(self.start, self.end)

    def next(self) -> Period:
        return self + 1

    def previous(self) -> Period:
        return self - 1

    def __add__(self, months: int) -> Period:
        if isinstance(months, bool) or not isinstance(months, int):
            return NotImplemented
        return Period._from_index(self._index + months)

    __radd__ = __add__

    def __sub__(self, other: int | Period) -> Period | int:
        if isinstance(other, Period):
            return self._index - other._index
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Period._from_index(self._index - other)

    @property
    def _index(self) -> int:
        """Months since year 0, so that month arithmetic is integer arithmetic."""
        return self.year * 12 + self.month - 1

    @classmethod
    def _from_index(cls, index: int) -> Period:
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)
