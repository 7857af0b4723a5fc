"""What every method returns, and the arithmetic they share.

A method takes the segments that use it (with the attributes of ``attributes.py``) and returns
*volume lines*: one row per segment and zone with the segment's volume (Int64, 10⁻⁶), the
increasing factor (10⁻⁴), where the volume came from, and the facts that explain it.  Tariffs and
money are applied later, the same way for all methods (``amounts.py``); only ``formula`` brings its
own amount, evaluated in Decimal and rounded HALF_UP to kopecks once.

Derived volumes are rounded HALF_UP to 6 decimals exactly once: a method builds the exact monthly
quantity as an integer in units of 10⁻¹⁶ (area 10⁻⁴ × share 10⁻⁶ × norm 10⁻⁶) and
:func:`prorate` divides it by the days.
"""

from __future__ import annotations

import polars as pl

from raschet.engine import problems
from raschet.engine.fixed import EXACT, ONE, VOLUME, big, div_half_up, lit

I128 = pl.Int128
LINE_SCHEMA: dict[str, pl.DataType] = {
    "seg_id": pl.UInt32, "zone": pl.Utf8, "volume_source": pl.Utf8, "volume": pl.Int64, "factor": pl.Int64,
    "norm_used": pl.Int64, "reading_prev": pl.Int64, "reading_cur": pl.Int64, "reading_prev_date": pl.Date,
    "reading_cur_date": pl.Date, "building_volume": pl.Int64, "individual_volume_sum": pl.Int64,
    "formula_amount": pl.Int64, "note": pl.Utf8,
}


def lines(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """Select ``columns`` into LINE_SCHEMA; missing ones are null (zone defaults to "total")."""
    defaults = {"zone": pl.lit("total"), "factor": pl.lit(ONE)}
    exprs = []
    for name, dtype in LINE_SCHEMA.items():
        expr = columns.get(name, defaults.get(name, pl.col(name) if name == "seg_id" else pl.lit(None)))
        exprs.append(expr.cast(dtype).alias(name))
    return frame.select(exprs)


def empty_lines() -> pl.DataFrame:
    return pl.DataFrame(schema=LINE_SCHEMA)


def prorate(exact_monthly: pl.Expr, days: pl.Expr, base_days: pl.Expr, den: pl.Expr | int = 1) -> pl.Expr:
    """round6(exact_monthly / den × 10⁻¹⁶ × days / base_days), in units of 10⁻⁶."""
    den_expr = lit(den) if isinstance(den, int) else den.cast(I128)
    return div_half_up(exact_monthly.cast(I128) * days.cast(I128), den_expr * base_days.cast(I128) * lit(10 ** (EXACT - VOLUME)))


def norm_exact(norm: str = "norm") -> pl.Expr:
    """The individual monthly norm volume in 10⁻¹⁶ (person: residents × norm; area: area × share × norm)."""
    basis = pl.col(f"{norm}_basis")
    by_person = pl.col("residents").cast(I128) * pl.col(norm) * lit(10 ** (EXACT - VOLUME))
    by_area = big("area") * pl.col("share") * pl.col(norm)
    return pl.when(basis == "person").then(by_person).when(basis == "area").then(by_area)


def norm_volume(norm: str = "norm") -> pl.Expr:
    """The segment's norm volume (10⁻⁶), prorated by calendar days."""
    return prorate(norm_exact(norm), pl.col("days"), pl.col("period_days"))


def missing(segs: pl.DataFrame, condition: pl.Expr, code: str, **params: pl.Expr | str) -> pl.DataFrame:
    """Problem rows for the segments where ``condition`` holds (a required input is absent)."""
    return problems.rows(segs.filter(condition), code, **params)


def no_norm(segs: pl.DataFrame, needed: pl.Expr, norm: str = "norm") -> pl.DataFrame:
    """no_norm where a norm is needed but none is in force; no_area where its area basis lacks an area."""
    return pl.concat([
        missing(segs, needed & pl.col(norm).is_null(), "no_norm", service=pl.col("service"), date=pl.col("date_from")),
        no_area(segs, needed & (pl.col(f"{norm}_basis") == "area")),
    ])


def no_area(segs: pl.DataFrame, needed: pl.Expr | None = None) -> pl.DataFrame:
    condition = pl.col("area").is_null()
    if needed is not None:
        condition = needed & condition
    return missing(segs, condition, "no_area", date=pl.col("date_from"))
