"""Exact fixed-point arithmetic on Polars columns: scaled integers and HALF_UP division.

Inside the engine every quantity is an integer count of a fixed unit (performance-notes.md):
volumes, tariffs, norms and shares in 10⁻⁶, areas and factors in 10⁻⁴, money in kopecks.  A
product of such integers is exact; the only inexact step is a division, and every division
goes through :func:`div_half_up`, which rounds half away from zero — the same as
``Decimal.quantize(..., ROUND_HALF_UP)`` used by ``raschet.domain.money``.  Stored values are Int64;
every product starts with :func:`big` (Int128), which leaves room for volume × tariff × factor
(≈10²⁶) without overflow.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import polars as pl

VOLUME = 6   # volumes, readings, norms, tariffs, shares, parameters: units of 10⁻⁶
AREA = 4     # areas and factors: units of 10⁻⁴
MONEY = 2    # kopecks
# A monthly volume before proration is kept as an exact fraction num / den in units of 10⁻¹⁶
# (area 10⁻⁴ × share 10⁻⁶ × norm 10⁻⁶), so that a derived volume is rounded exactly once.
EXACT = 16

I128 = pl.Int128
ONE = 10_000  # a factor of 1 in units of 10⁻⁴


def scaled(column: str | pl.Expr, scale: int) -> pl.Expr:
    """A Decimal column (scale ≤ ``scale``) as an Int64 count of 10^-scale units, exactly.

    Stored values fit Int64 (a volume up to 9·10¹² m³); products are taken in Int128 (:func:`big`).
    """
    expr = pl.col(column) if isinstance(column, str) else column
    return (expr.cast(pl.Decimal(38, scale)) * 10**scale).cast(pl.Int64)


def big(column: str | pl.Expr) -> pl.Expr:
    """A column as Int128, to start a product that may exceed Int64."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.cast(I128)


@cache
def lit(value: int) -> pl.Expr:
    """An Int128 literal, built once per value (Polars takes ~15 µs to build one; expressions are immutable)."""
    return pl.lit(value, dtype=I128)


def div_half_up(num: pl.Expr, den: pl.Expr | int) -> pl.Expr:
    """``num / den`` rounded half away from zero, as Int64 (null if it does not fit); ``den`` must be positive."""
    den_expr = lit(den) if isinstance(den, int) else den.cast(I128)
    num = num.cast(I128)
    # One floor division, no branch: for num ≥ 0 this is ⌊(2·num + den) / 2·den⌋; for num < 0,
    # −⌊(−2·num + den) / 2·den⌋ = ⌈(2·num − den) / 2·den⌉ = ⌊(2·num + den − 1) / 2·den⌋ (integers,
    # ``//`` floors).  ``num`` appears twice instead of four times, which matters for long products.
    # A quotient beyond Int64 becomes null (the stage turns it into an account's problem, bounds.py).
    return ((num * 2 + den_expr - (num < 0).cast(I128)) // (den_expr * 2)).cast(pl.Int64, strict=False)


def rescale(column: pl.Expr, from_scale: int, to_scale: int) -> pl.Expr:
    """Change the unit of an integer column, rounding HALF_UP when precision is dropped."""
    if to_scale >= from_scale:
        return column.cast(I128) * lit(10 ** (to_scale - from_scale))
    return div_half_up(column, 10 ** (from_scale - to_scale))


def neg(column: pl.Expr) -> pl.Expr:
    """``-column`` (written as a subtraction: Polars has no unary minus for Int128)."""
    return pl.lit(0, dtype=pl.Int64) - column


def to_decimal(column: pl.Expr, scale: int) -> pl.Expr:
    """An integer count of 10^-scale units as ``pl.Decimal(38, scale)``, exactly."""
    unit = pl.lit(Decimal(1).scaleb(-scale), dtype=pl.Decimal(38, scale))
    return (column.cast(pl.Decimal(38, 0)) * unit).cast(pl.Decimal(38, scale))


def from_decimal(value: Decimal, scale: int) -> int:
    """A Python Decimal as an integer count of 10^-scale units (must be exact)."""
    scaled_value = value.scaleb(scale)
    if scaled_value != scaled_value.to_integral_value():
        raise ValueError(f"{value} has more than {scale} decimal places")
    return int(scaled_value)
