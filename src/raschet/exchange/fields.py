"""Field readers shared by every registry format: text in, typed value or a collected problem out.

A :class:`FieldReader` never raises on bad input: it records a
:class:`~raschet.domain.errors.Problem` (subject ``"<source>:<line>"``) and returns ``None``, so
one pass over a file reports every bad field and the caller refuses the file whole.

Registries repeat the same date, period and often the same amount on thousands of lines, so each
reader memoises text → value: a daily file of 100,000 lines parses a handful of distinct dates
instead of 100,000 (the values are immutable, so sharing them is safe).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from raschet.domain import bounds
from raschet.domain.bounds import Bound
from raschet.domain.errors import Problem
from raschet.domain.money import format_money, round_money
from raschet.domain.periods import Period
from raschet.exchange.problems import exchange_problem

# Periods as the formats write them; "sber" is the bank's MMYY, with MMYYYY also accepted.
PERIOD_FORMATS: dict[str, tuple[str, str]] = {
    "sber": ("ММГГ или ММГГГГ", "0326"),
    "MMYYYY": ("ММГГГГ", "032026"),
    "MM.YYYY": ("ММ.ГГГГ", "03.2026"),
    "YYYY-MM": ("ГГГГ-ММ", "2026-03"),
}

_DATE_EXAMPLE = date(2026, 3, 5)
_TOLERANCE = Decimal("0.000001")
_TOO_LARGE = Decimal("1e15")  # beyond any bound: refused before rounding, which could not hold it


def date_layout(date_format: str) -> tuple[str, str]:
    """Russian description and example of a strptime format, for messages ("ДД-ММ-ГГГГ")."""
    layout = date_format.replace("%d", "ДД").replace("%m", "ММ").replace("%Y", "ГГГГ").replace("%y", "ГГ")
    return layout, _DATE_EXAMPLE.strftime(date_format)


def parse_period(text: str, period_format: str) -> Period:
    """Read a period in one of :data:`PERIOD_FORMATS`; raise ``ValueError`` when it does not fit."""
    if period_format == "sber":
        if len(text) == 4 and text.isdigit():
            return Period(2000 + int(text[2:]), int(text[:2]))
        period_format = "MMYYYY"
    if period_format == "MMYYYY" and len(text) == 6 and text.isdigit():
        return Period(int(text[2:]), int(text[:2]))
    if period_format == "MM.YYYY" and len(text) == 7 and text[2] == ".":
        return parse_period(text[:2] + text[3:], "MMYYYY")
    if period_format == "YYYY-MM":
        return Period.parse(text)
    raise ValueError(text)


def float_to_decimal(value: float) -> Decimal:
    """Convert a spreadsheet cell's float exactly as written (``repr`` is the shortest round trip).

    ``dec`` refuses floats on purpose; a spreadsheet cell is the one place a float arrives from
    outside, so it is converted here, once, through its shortest decimal text.
    """
    return Decimal(repr(value))


def _is_plain_amount(text: str, separator: str) -> bool:
    """Digits, the separator (a comma or a dot if not fixed), two digits: "1234,50"."""
    return (
        len(text) > 3
        and text[-3] in (separator or ",.")
        and text[:-3].isdigit()
        and text[-2:].isdigit()
        and text.isascii()
    )


class FieldReader:
    """Converts field text for one file, collecting problems in :attr:`problems`."""

    def __init__(self, date_format: str = "%d-%m-%Y", period_format: str = "sber", decimal: str = "") -> None:
        self.problems: list[Problem] = []
        self.date_format = date_format
        self.period_format = period_format
        self.decimal = decimal  # "," or "." to insist on one separator; "" accepts either
        self._dates: dict[str, date] = {}
        self._times: dict[str, str] = {}
        self._periods: dict[str, Period] = {}
        self._amounts: dict[str, Decimal] = {}

    def report(self, code: str, subject: str, **params: object) -> None:
        self.problems.append(exchange_problem(code, subject, **params))

    def required(self, text: str, field: str, subject: str) -> str | None:
        if text:
            return text
        self.report("registry_missing_field", subject, field=field)
        return None

    def date(self, value: str | date | None, field: str, subject: str) -> date | None:
        found = self._dates.get(value) if isinstance(value, str) else None  # the common case first
        if found is not None:
            return found
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if not value:
            self.report("registry_missing_field", subject, field=field)
            return None
        found = self._dates.get(value)
        if found is None:
            try:
                found = self._dates[value] = datetime.strptime(value, self.date_format).date()
            except ValueError:
                expected, example = date_layout(self.date_format)
                self.report(
                    "registry_invalid_date",
                    subject,
                    value=value,
                    field=field,
                    expected=expected,
                    example=example,
                )
        return found

    def time(self, text: str, field: str, subject: str) -> str:
        """``"HH-MM-SS"`` (or with colons) → ``"HH:MM:SS"``; empty stays empty (time is optional)."""
        if not text:
            return ""
        found = self._times.get(text)
        if found is None:
            parts = text.replace(":", "-").split("-")
            limits = (24, 60, 60)
            if len(parts) == 3 and all(
                len(p) == 2 and p.isdigit() and int(p) < m for p, m in zip(parts, limits, strict=True)
            ):
                found = self._times[text] = ":".join(parts)
            else:
                self.report("registry_invalid_time", subject, value=text, field=field)
                return ""
        return found

    def period(self, text: str, field: str, subject: str) -> Period | None:
        """An empty period is allowed (the bank did not ask); a malformed one is a problem."""
        if not text:
            return None
        found = self._periods.get(text)
        if found is None:
            try:
                found = self._periods[text] = parse_period(text, self.period_format)
            except ValueError:
                expected, example = PERIOD_FORMATS[self.period_format]
                self.report(
                    "registry_invalid_period",
                    subject,
                    value=text,
                    field=field,
                    expected=expected,
                    example=example,
                )
        return found

    def amount(
        self,
        value: str | Decimal | int | float | None,
        field: str,
        subject: str,
        *,
        positive: bool = False,
        limit: Bound = bounds.FEE,
    ) -> Decimal | None:
        """Whole kopecks, not negative (and above zero when ``positive``), always 2 decimals, at most
        ``limit.maximum`` (a payment's bound by default; a footer total has its own)."""
        # Only valid non-negative amounts are cached, so a hit needs no check beyond zero and the limit.
        found = self._amounts.get(value if isinstance(value, str) else repr(value))
        if found is None or (positive and not found) or found > limit.maximum:
            return self._new_amount(value, field, subject, positive, limit)
        return found

    def _new_amount(
        self, value: str | Decimal | int | float | None, field: str, subject: str, positive: bool, limit: Bound
    ) -> Decimal | None:
        if value is None or value == "":
            self.report("registry_missing_field", subject, field=field)
            return None
        if isinstance(value, str) and _is_plain_amount(value, self.decimal):
            # "1234,50" / "1234.50", the shape of nearly every registry amount: the text is
            # ASCII digits, so this is exactly the Decimal that dec() would build, and already
            # at two decimals; the general path costs several times as much per field.
            found: Decimal | None = Decimal(f"{value[:-3]}.{value[-2:]}")
            reason = ""
        else:
            found, reason = self._convert_amount(value)
        if found is not None and found < 0:
            found, reason = None, "сумма не может быть отрицательной"
        if found is not None and found > limit.maximum:
            found, reason = None, f"сумма должна быть не больше {format_money(limit.maximum)}"
        if found is not None:
            self._amounts[value if isinstance(value, str) else repr(value)] = found
            if positive and not found:
                found, reason = None, "сумма должна быть больше нуля"
        if found is None:
            self.report("registry_invalid_amount", subject, value=value, field=field, reason=reason)
        return found

    def _convert_amount(self, value: str | Decimal | int | float) -> tuple[Decimal | None, str]:
        if isinstance(value, float):
            number = float_to_decimal(value)
            if not number.is_finite() or abs(number) >= _TOO_LARGE:  # 1e100 would not even round
                return None, "это не сумма платежа (слишком большое число)"
            rounded = round_money(number)
            # A formula cell may hold 12.340000000000002 for 12.34; anything further off is a real fraction.
            if abs(number - rounded) > _TOLERANCE:
                return None, "сумма должна быть в рублях с копейками, не больше двух знаков после запятой"
            return rounded, ""
        if isinstance(value, str) and self.decimal and (",." if self.decimal == "," else ".,")[1] in value:
            return None, f"десятичный разделитель в этом реестре — «{self.decimal}»"
        try:
            # plain notation only: "1e3", "1_000.00", full-width digits and NaN are not amounts
            number = bounds.parse_plain(value)
        except ValueError:
            return None, "это не число (ожидаются цифры 0–9 и один десятичный разделитель)"
        if abs(number) >= _TOO_LARGE:
            return None, "это не сумма платежа (слишком большое число)"
        if number.as_tuple().exponent < -2:  # type: ignore[operator]
            return None, "больше двух знаков после запятой: суммы указываются в рублях с копейками"
        return round_money(number), ""

    def reading(self, text: str | Decimal | int | float, field: str, subject: str) -> Decimal | str:
        """A meter reading as written: a ``Decimal`` when it is a plain number, else the text itself.

        A reading is never a reason to refuse the registry: the import checks each one against its
        meter (``raschet.metering.services``), and a bad one is an error row of its line while the
        payment is taken."""
        if isinstance(text, float):
            return float_to_decimal(text) if math.isfinite(text) else repr(text)
        try:
            return bounds.parse_plain(text)
        except ValueError:
            return str(text)
