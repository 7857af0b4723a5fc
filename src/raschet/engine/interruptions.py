"""Interrupted or poor-quality services (ПП 354 Section IX, domain.md §4.2): a reduction per interruption.

ΔP = −P_month × percent_per_hour % × excess_hours, where P_month is the account's charge for the
service in the month (all its charge lines, every supplier); rounded HALF_UP to kopecks once.  An
interruption counts in the month it starts in; one without an account applies to every account of
its building.  Each reduction copies the account's first charge line of the service (supplier,
zone, method…), with the interruption's dates, volume 0 and the note "interruption" carrying the
act's reason code, the hours, the percentage and P_month — e.g. 1,500.00 × 0.15 % × 20 h → −45.00.
"""

from __future__ import annotations

import polars as pl

from raschet.engine.codes import KIND, NOTE
from raschet.engine.context import Context
from raschet.engine.fixed import big, div_half_up, neg

# P_month (10⁻²) × percent (10⁻⁴) × hours (10⁻²) / 100 % → kopecks: divide by 10⁸.
_SCALE = 10**8


def reductions(lines: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Reduction rows (kind "reduction") for the interruptions starting in the period; empty when none."""
    cuts = ctx.interruptions.filter((pl.col("date_from") >= ctx.start) & (pl.col("date_from") < ctx.end))
    if cuts.is_empty():
        return lines.clear()
    cuts = cuts.with_row_index("cut")
    accounts = ctx.accounts.select("account_id", "building_id")
    targeted = pl.concat([
        cuts.filter(pl.col("account_id").is_not_null()).drop("building_id"),
        cuts.filter(pl.col("account_id").is_null()).drop("account_id").join(accounts, on="building_id")
        .drop("building_id"),
    ], how="diagonal")
    charges = lines.filter(pl.col("line_kind") == "charge")
    position = pl.col("seg_id").cast(pl.Int64) * 8 + pl.col("zone").to_physical().cast(pl.Int64)
    first = pl.col("line_id").get(position.arg_min())
    monthly = charges.group_by("account_id", "service").agg(
        pl.col("amount").sum().alias("base_amount"), first.alias("line_id")
    )
    hit = targeted.join(monthly, on=["account_id", "service"])
    amount = neg(div_half_up(big("base_amount") * pl.col("percent_per_hour") * pl.col("excess_hours"), _SCALE))
    hit = hit.select("line_id", "cut", pl.col("date_from").alias("cut_from"), pl.col("date_to").alias("cut_to"),
                     "base_amount", pl.col("excess_hours").alias("hours"), pl.col("percent_per_hour").alias("percent"),
                     pl.col("reason").alias("reason_code"), amount.alias("_amount"))
    hit = hit.filter(pl.col("_amount") != 0)
    found = lines.join(hit, on="line_id").sort("account_id", "service", "cut")
    return found.with_columns(
        pl.col("_amount").alias("amount"), pl.lit(0, dtype=pl.Int64).alias("volume"),
        pl.lit(0, dtype=pl.Int64).alias("excess_amount"), pl.col("cut_from").alias("date_from"),
        pl.col("cut_to").alias("date_to"), pl.lit("reduction", dtype=KIND).alias("line_kind"),
        pl.lit("interruption", dtype=NOTE).alias("note"),
    ).drop("_amount", "cut", "cut_from", "cut_to")
