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

from functools import cache

import polars as pl

from raschet.engine import problems
from raschet.engine.codes import NOTE, SOURCE, ZONE
from raschet.engine.fixed import EXACT, ONE, VOLUME, big, div_half_up, lit
from raschet.engine.lookup import FrameT

I128 = pl.Int128
PARTS = 3  # the part figures a ``sum_of`` line carries for its explanation (methods/sum_of.py)
LINE_SCHEMA: dict[str, pl.DataType] = {
    "seg_id": pl.UInt32, "zone": ZONE, "volume_source": SOURCE, "volume": pl.Int64, "factor": pl.Int64,
    "norm_used": pl.Int64, "reading_prev": pl.Int64, "reading_cur": pl.Int64, "reading_prev_date": pl.Date,
    "reading_cur_date": pl.Date, "building_volume": pl.Int64, "individual_volume_sum": pl.Int64,
    "formula_amount": pl.Int64, "note": NOTE,
    # The note's figures (explain.LINE_SCHEMA): a late reading, the average, uniform heating.
    "measured": pl.Int64, "deducted_average": pl.Int64, "deducted_norm": pl.Int64, "months_average": pl.Int16,
    "months_norm": pl.Int16, "gap_months": pl.Int16, "gap_month": pl.Int16, "average": pl.Int64,
    "average_months": pl.Int16, "season_count": pl.Int16,
    # A sum's parts (sum_of): service code, volume and source of each.
    **{f"part{i}_{name}": dtype for i in range(1, PARTS + 1)
       for name, dtype in (("service", pl.UInt16), ("volume", pl.Int64), ("source", SOURCE))},
}


def lines(frame: FrameT, **columns: pl.Expr) -> FrameT:
    """Select ``columns`` into LINE_SCHEMA; missing ones are null (zone defaults to "total").

    ``volume_source``, ``zone`` and ``note`` may be given as text: they are cast to their codes.
    """
    exprs = [
        columns[name].cast(dtype).alias(name) if name in columns else _DEFAULTS[name]
        for name, dtype in LINE_SCHEMA.items()
    ]
    return frame.select(exprs)


# The default column expressions, built once (expressions are immutable, so they can be shared).
_DEFAULTS: dict[str, pl.Expr] = {
    name: {"zone": pl.lit("total"), "factor": pl.lit(ONE), "seg_id": pl.col("seg_id")}.get(name, pl.lit(None))
    .cast(dtype).alias(name)
    for name, dtype in LINE_SCHEMA.items()
}


_EMPTY = pl.DataFrame(schema=LINE_SCHEMA)


def empty_lines() -> pl.DataFrame:
    return _EMPTY.clone()


def prorate(exact_monthly: pl.Expr, days: pl.Expr, base_days: pl.Expr, den: pl.Expr | int = 1) -> pl.Expr:
    """round6(exact_monthly / den × 10⁻¹⁶ × days / base_days), in units of 10⁻⁶."""
    den_expr = lit(den) if isinstance(den, int) else den.cast(I128)
    return div_half_up(exact_monthly.cast(I128) * days.cast(I128), den_expr * base_days.cast(I128) * lit(10 ** (EXACT - VOLUME)))


@cache
def norm_exact(norm: str = "norm") -> pl.Expr:
    """The individual monthly norm volume in 10⁻¹⁶ (person: residents × norm; area: area × share × norm)."""
    basis = pl.col(f"{norm}_basis")
    by_person = pl.col("residents").cast(I128) * pl.col(norm) * lit(10 ** (EXACT - VOLUME))
    by_area = big("area") * pl.col("share") * pl.col(norm)
    return pl.when(basis == "person").then(by_person).when(basis == "area").then(by_area)


@cache
def norm_volume(norm: str = "norm") -> pl.Expr:
    """The segment's norm volume (10⁻⁶), prorated by calendar days."""
    return prorate(norm_exact(norm), pl.col("days"), pl.col("period_days"))


def missing(segs: pl.DataFrame, condition: pl.Expr, code: str, **params: pl.Expr | str) -> pl.DataFrame:
    """Problem rows for the segments where ``condition`` holds (a required input is absent)."""
    return problems.rows(segs.filter(condition), code, **params)


def missing_many(segs: pl.DataFrame, checks: list[tuple[pl.Expr, str, dict[str, pl.Expr | str]]]) -> pl.DataFrame:
    """:func:`missing` for several (condition, code, params) at once: one query finds which ones hit.

    The rows are those of the checks one by one, in order, so the result is the concatenation of
    the single checks.
    """
    hits = segs.select([condition.any().alias(f"c{i}") for i, (condition, _, _) in enumerate(checks)]).row(0)
    parts = [missing(segs, condition, code, **params) for (condition, code, params), hit in zip(checks, hits, strict=True)
             if hit]
    return pl.concat(parts) if parts else problems.empty()


def no_norm(segs: pl.DataFrame, needed: pl.Expr, norm: str = "norm") -> pl.DataFrame:
    """no_norm where a norm is needed but none is in force; no_area where its area basis lacks an area."""
    return missing_many(segs, [
        (needed & pl.col(norm).is_null(), "no_norm", {"service": pl.col("service"), "date": pl.col("date_from")}),
        (needed & (pl.col(f"{norm}_basis") == "area") & pl.col("area").is_null(), "no_area",
         {"date": pl.col("date_from")}),
    ])


def no_area(segs: pl.DataFrame, needed: pl.Expr | None = None) -> pl.DataFrame:
    condition = pl.col("area").is_null()
    if needed is not None:
        condition = needed & condition
    return missing(segs, condition, "no_area", date=pl.col("date_from"))
