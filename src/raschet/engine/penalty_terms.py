"""The dated terms of statutory penalties (domain.md §6) as plain values the penalty engine reads.

Nothing here is a constant of the law: the claims app keeps every item as a dated row with its legal
basis (key rates, the 2022–2026 rate regimes, moratoria, due days, the fractions of each consumer
category) and hands them to the engine as a :class:`PenaltyTerms`. Rates are scaled integers, units
of 10⁻⁴ percent (9.5 % → 95 000), so the engine's arithmetic stays exact.

Conventions:

* a date range is half-open ``[valid_from, valid_to)``; a moratorium's last day (both ends included
  in the law) is stored as ``valid_to = last day + 1``;
* day *n* of delay is ``due + n``; a :class:`Fractions` says which day numbers accrue at which
  fraction: nothing up to ``grace`` days, ``1/first`` from day ``grace + 1``, ``1/second`` from
  day ``step`` (no second step when ``step`` is None: capital repair, ЖК ст. 155 ч. 14.1);
* the due date of an accrual period is its due-day rule's day of the next month, optionally moved
  past weekends and listed non-working days (ГК ст. 193, a policy).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

RATE_SCALE = 10_000  # rates in 10⁻⁴ % units
RATE_MODES = ("key", "fixed", "min_key")
RATE_DATE_POLICIES = ("payment", "as_of")


def rate_units(value: Decimal) -> int:
    """A percentage as integer 10⁻⁴ % units; more than four decimals is refused, not rounded."""
    scaled = value * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"Ставка {value} % задана точнее 0,0001 %.")
    return int(scaled)


@dataclass(frozen=True)
class Fractions:
    """Which days of delay accrue, and at which fraction of the rate."""

    grace: int = 30
    first: int = 300
    step: int | None = 91
    second: int | None = 130

    def __post_init__(self) -> None:
        if self.grace < 0 or self.first <= 0:
            raise ValueError("Льготный срок не может быть отрицательным, знаменатель доли должен быть больше нуля.")
        if (self.step is None) != (self.second is None):
            raise ValueError("День перехода и вторая доля задаются вместе или не задаются вовсе.")
        if self.step is not None and (self.step <= self.grace or (self.second or 0) <= 0):
            raise ValueError("День перехода ко второй доле должен быть позже льготного срока.")


@dataclass(frozen=True)
class DueDay:
    """Accrual periods from ``first_period`` (``YYYY-MM``) on are due on ``day`` of the next month."""

    first_period: str
    day: int
    basis: str = ""


@dataclass(frozen=True)
class PenaltyTerms:
    """Everything dated the penalty engine needs, as small frames and flags.

    ``key_rates``: ``valid_from`` (Date), ``rate`` (Int64, 10⁻⁴ %) — a step series.
    ``regimes``: ``valid_from``, ``valid_to`` (Date, exclusive), ``mode`` (key | fixed | min_key),
    ``rate`` (Int64: the fixed rate or the cap). Days outside every regime use the key rate.
    ``moratoria``: ``valid_from``, ``valid_to`` (Date, exclusive), ``category`` (Utf8): no accrual on
    those days for accounts of that category.
    """

    key_rates: pl.DataFrame
    regimes: pl.DataFrame
    moratoria: pl.DataFrame
    payment_day_accrues: bool = True
    rate_date: str = "payment"
    due_days: tuple[DueDay, ...] = (DueDay("1900-01", 10), DueDay("2026-03", 15))
    weekend_shift: bool = False
    non_working_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.rate_date not in RATE_DATE_POLICIES:
            raise ValueError(f"Неизвестная политика даты ставки «{self.rate_date}»: {', '.join(RATE_DATE_POLICIES)}.")

    def due_date(self, period: str, day: int | None = None) -> date:
        """The due date of accrual period ``period`` (``YYYY-MM``); ``day`` overrides the due-day rule
        (a legal entity's contract)."""
        if day is None:
            rules = [d for d in sorted(self.due_days, key=lambda d: d.first_period) if d.first_period <= period]
            if not rules:
                raise ValueError(f"Нет правила срока оплаты для периода {period}.")
            day = rules[-1].day
        year, month = int(period[:4]), int(period[5:7])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        due = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        while self.weekend_shift and (due.weekday() >= 5 or due in self.non_working_days):
            due += timedelta(days=1)
        return due


KEY_RATES_SCHEMA = {"valid_from": pl.Date, "rate": pl.Int64}
REGIMES_SCHEMA = {"valid_from": pl.Date, "valid_to": pl.Date, "mode": pl.Utf8, "rate": pl.Int64}
MORATORIA_SCHEMA = {"valid_from": pl.Date, "valid_to": pl.Date, "category": pl.Utf8}


def terms_frames(key_rates: list[tuple[date, Decimal]], regimes: list[tuple[date, date | None, str, Decimal]],
                 moratoria: list[tuple[date, date, str]]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The three frames of :class:`PenaltyTerms` from plain rows (rates as percentages)."""
    rates = pl.DataFrame([(d, rate_units(v)) for d, v in key_rates], schema=KEY_RATES_SCHEMA, orient="row")
    for _, _, mode, _ in regimes:
        if mode not in RATE_MODES:
            raise ValueError(f"Неизвестный порядок ставки «{mode}»: {', '.join(RATE_MODES)}.")
    regime = pl.DataFrame([(a, b or date(9999, 12, 31), m, rate_units(v)) for a, b, m, v in regimes],
                          schema=REGIMES_SCHEMA, orient="row")
    stops = pl.DataFrame(moratoria, schema=MORATORIA_SCHEMA, orient="row")
    return rates.sort("valid_from"), regime.sort("valid_from"), stops
