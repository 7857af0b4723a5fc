"""The one check of a meter reading, whatever its source (operator, bank registry, scenario, portal,
controller): pure data in, problems out.

A reading is refused when it

- is not a plain number within :data:`raschet.domain.bounds.READING` (what the column and the engine
  hold: 10¹² at most, 6 decimals);
- has more integer digits than the meter's register (``digits``);
- is below the previous reading, unless the meter declares its register (``digits``): then it is a
  rollover over 10^digits, and the consumption is what passed zero;
- or is implausible: the consumption since the previous reading is far above the meter's recent
  monthly average (:data:`PLAUSIBLE_TIMES`, never less than :data:`MONTHLY_FLOOR`), or, with no
  history to compare, above :data:`MONTHLY_CAP` a month. The operator may confirm an implausible
  reading (``confirmed``); a bank registry cannot, so there it is an error row of that line.

A replaced meter is another meter with its own history, so a replacement never looks like a
reading going backwards.

The messages write readings the Russian way, with a decimal comma and without the column's trailing
zeros (:func:`reading_text`: «155», «155,5», never «155.0000000»), and dates as «22.11.2026»
(:func:`date_text`); every caller that words a reading check uses these two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from raschet.domain import bounds
from raschet.domain.errors import Problem, problem

PLAUSIBLE_TIMES = 10
HISTORY_MONTHS = 6
DAYS_PER_MONTH = Decimal("30.4")
# Per unit: a month's consumption never called implausible below the floor, and the most one
# premises meter may plausibly count in a month when there is no history to compare with.
MONTHLY_FLOOR = {"m3": Decimal(30), "kWh": Decimal(1500), "Gcal": Decimal(5)}
MONTHLY_CAP = {"m3": Decimal(300), "kWh": Decimal(30000), "Gcal": Decimal(50)}


@dataclass(frozen=True)
class MeterFacts:
    """What the check needs of a meter: its name for messages, register digits and unit."""

    name: str
    digits: int | None = None
    unit: str = ""


def reading_text(value: Decimal) -> str:
    """A reading or a consumption as Russians write it: ``Decimal("155.0000000")`` → «155»,
    ``Decimal("155.50")`` → «155,5»."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def date_text(on: date) -> str:
    """«22.11.2026»."""
    return f"{on:%d.%m.%Y}"


def _months(start: date, end: date) -> Decimal:
    return max(Decimal(1), Decimal((end - start).days) / DAYS_PER_MONTH)


def consumption(previous: Decimal, value: Decimal, digits: int | None) -> Decimal | None:
    """Consumption from ``previous`` to ``value``; over zero on a register of ``digits``; ``None``
    when the reading goes backwards on a meter without a declared register."""
    if value >= previous:
        return value - previous
    if digits:
        return value + Decimal(10) ** digits - previous
    return None


def monthly_average(history: Sequence[tuple[date, Decimal]], digits: int | None) -> Decimal | None:
    """Average monthly consumption over the last :data:`HISTORY_MONTHS` of ``history`` (date order);
    ``None`` with less than a month of it."""
    if len(history) < 2:
        return None
    last_date = history[-1][0]
    window = [row for row in history if (last_date - row[0]).days <= HISTORY_MONTHS * 31]
    if len(window) < 2 or (window[-1][0] - window[0][0]).days < 28:
        return None
    used = Decimal(0)
    for (_, before), (_, after) in zip(window, window[1:], strict=False):
        step = consumption(before, after, digits)
        used += step if step is not None else Decimal(0)
    return used / _months(window[0][0], window[-1][0])


def reading_problems(meter: MeterFacts, on: date, value: object, history: Sequence[tuple[date, Decimal]],
                     subject: str, *, confirmed: bool = False, times: int = PLAUSIBLE_TIMES) -> list[Problem]:
    """Problems of a reading ``value`` dated ``on``; ``history`` holds the meter's earlier readings of
    the same zone in date order (only those before ``on`` are used). ``times``: how many times the
    recent monthly average is still plausible (the operator's entry asks sooner, at 3)."""
    number, reason = bounds.READING.read(value)
    if number is None:
        return [problem("invalid_value", subject, value=str(value), field=f"показание прибора {meter.name}",
                        reason=reason)]
    if meter.digits and number >= Decimal(10) ** meter.digits:
        return [problem("reading_digits", subject, meter=meter.name, value=reading_text(number), digits=meter.digits)]
    earlier = [row for row in history if row[0] < on]
    if not earlier:
        return []
    previous_date, previous = earlier[-1]
    used = consumption(previous, number, meter.digits)
    if used is None:
        return [problem("readings_backwards", subject, current=reading_text(number), current_date=date_text(on),
                        previous=reading_text(previous), previous_date=date_text(previous_date))]
    if confirmed:
        return []
    limit = plausible_limit(meter, earlier, previous_date, on, times)
    if limit is not None and used > limit:
        basis = (f"в {times} {'раза' if 2 <= times % 10 <= 4 and not 12 <= times % 100 <= 14 else 'раз'} больше "
                 "среднего расхода за последние месяцы"
                 if monthly_average(earlier, meter.digits) is not None else "предел для прибора без истории расхода")
        return [problem("implausible_reading", subject, meter=meter.name, value=reading_text(number),
                        used=reading_text(used), limit=reading_text(limit.quantize(Decimal(1))),
                        since=date_text(previous_date), basis=basis)]
    return []


def plausible_limit(meter: MeterFacts, earlier: Sequence[tuple[date, Decimal]], previous_date: date,
                    on: date, times: int = PLAUSIBLE_TIMES) -> Decimal | None:
    """The most a meter may plausibly count from ``previous_date`` to ``on``; ``None``: no limit known."""
    months = _months(previous_date, on)
    average = monthly_average(earlier, meter.digits)
    floor = MONTHLY_FLOOR.get(meter.unit)
    if average is not None:
        monthly = average * times
        if floor is None:
            return monthly * months if monthly > 0 else None
        return max(monthly, floor) * months
    cap = MONTHLY_CAP.get(meter.unit)
    return cap * months if cap is not None else None
