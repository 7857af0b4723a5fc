"""Filters of the personal account's templates: money the Russian way, a period as a month name."""

from __future__ import annotations

from decimal import Decimal

from django import template

from raschet.domain.money import format_money
from raschet.domain.periods import Period

register = template.Library()

MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")


@register.filter
def rub(value) -> str:
    """``Decimal("-1234.5")`` → ``−1 234,50 ₽`` (non-breaking spaces, so a sum never wraps)."""
    if value in (None, ""):
        return "—"
    return (format_money(Decimal(value)) + " ₽").replace(" ", "\u00a0").replace("-", "−")


@register.filter
def signed_rub(value) -> str:
    """A difference: ``+1 234,50 ₽`` for a rise, ``−1 234,50 ₽`` for a fall, ``0,00 ₽`` for none."""
    text = rub(value)
    return f"+{text}" if value not in (None, "") and Decimal(value) > 0 else text


@register.filter
def month(value) -> str:
    """``2026-03`` (or a Period) → ``март 2026``."""
    if not value:
        return ""
    period = value if isinstance(value, Period) else Period.parse(str(value))
    return f"{MONTHS[period.month - 1]} {period.year}"


@register.filter
def plain(value) -> str:
    """A reading or volume without trailing zeros: ``Decimal("123.4500000")`` → ``123,45``."""
    if value is None:
        return "—"
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


@register.filter
def total(rows) -> Decimal:
    """The sum of the rows' ``amount``."""
    return sum((row.amount for row in rows), Decimal("0.00"))
