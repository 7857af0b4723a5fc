"""Temporary absence (ПП 354 п. 86–97, domain.md §4.1): a reduction row for norm-based lines.

Applies to lines whose volume came from the norm (method ``norm``, ``metered`` charged by norm,
or ``sum_of`` of norm volumes: wastewater drained from norm-charged water) of cold water, hot
water, wastewater, electricity and gas, where a meter is technically
impossible (``meter_possible`` false), for absences of more than 5 full days — the days of
leaving and of return are not counted.  Reduction = −round(line amount × absent days in the
segment / segment days); e.g. 760.97 × 12/30 → −304.39.  The line's note is "absence" with its
``absent_days``.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from raschet.engine.codes import KIND, NOTE
from raschet.engine.context import Context
from raschet.engine.fixed import big, div_half_up, neg

KINDS = ("cold_water", "hot_water", "wastewater", "electricity", "gas")
MIN_FULL_DAYS = 5


def reductions(lines: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Reduction rows (kind "reduction") for the eligible charge lines; empty when none."""
    if ctx.absences.is_empty():
        return lines.clear()
    eligible = lines.filter(
        pl.col("kind").is_in(KINDS) & (pl.col("volume_source") == "norm")
        & pl.col("method").is_in(["norm", "metered", "sum_of"]) & ~pl.col("meter_possible")
    )
    absences = ctx.absences.with_columns((pl.col("from") + timedelta(days=1)).alias("first_day")).filter(
        (pl.col("to") - pl.col("first_day")).dt.total_days() > MIN_FULL_DAYS
    )
    overlap = (
        pl.min_horizontal("to", "date_to") - pl.max_horizontal("first_day", "date_from")
    ).dt.total_days().clip(lower_bound=0)
    away = eligible.select("line_id", "account_id", "date_from", "date_to").join(absences, on="account_id").group_by(
        "line_id"
    ).agg(overlap.sum().alias("absent_days")).filter(pl.col("absent_days") > 0)
    found = lines.join(away, on="line_id")
    share = pl.col("absent_days").cast(pl.Int64)
    return found.with_columns(
        neg(div_half_up(big("amount") * share, pl.col("days"))).alias("amount"),
        neg(div_half_up(big("volume") * share, pl.col("days"))).alias("volume"),
        pl.lit(0, dtype=pl.Int64).alias("excess_amount"),
        pl.lit("reduction", dtype=KIND).alias("line_kind"),
        pl.lit("absence", dtype=NOTE).alias("note"), pl.col("absent_days").cast(pl.Int16),
    )
