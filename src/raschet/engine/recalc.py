"""The recalculation difference (domain.md §4.3–4.4): a closed period calculated again, minus what was posted.

For each account × service × supplier: the period's fresh result (charges, reductions and
corrections) minus what the ledger holds for it (the ``posted`` input), as one recalc line
pointing at the period — none where they agree.  The line keeps the fresh lines' method and
volume source (the first line's) and tariff (the last line's); the volume is the charges' volume
minus the posted volume; the note "recalc" carries both amounts (posted as ``base_amount``, fresh as
``actual_amount``).  An (account, service) with a problem has no fresh lines, so everything posted
for it is reversed — as a month whose inputs became unusable is.
"""

from __future__ import annotations

import polars as pl

from raschet.engine.codes import KINDS, METHODS, SOURCES
from raschet.engine.context import Context
from raschet.engine.explain import stored
from raschet.engine.fixed import ONE

KEYS = ["account_id", "service", "supplier"]


def difference(fresh: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Recalc lines (explain.LINE_SCHEMA) for the period of ``ctx``: ``fresh`` minus ``ctx.posted``."""
    charge = pl.col("kind") == KINDS.index("charge")
    new = fresh.group_by(KEYS, maintain_order=True).agg(
        pl.col("amount").sum().alias("actual_amount"), pl.col("volume").filter(charge).sum().alias("new_volume"),
        pl.col("method").first(), pl.col("volume_source").first(), pl.col("tariff").last(),
    )
    # Only the requested accounts: a neighbour read with the building has no fresh lines here.
    posted = ctx.posted.join(ctx.requested, on="account_id", how="semi").select(
        "account_id", *[pl.col(c).to_physical().cast(fresh.schema[c]) for c in ("service", "supplier")],
        pl.col("amount").alias("base_amount"), pl.col("volume").alias("posted_volume"),
    )
    diff = new.join(posted, on=KEYS, how="full", coalesce=True).with_columns(
        pl.col("actual_amount", "base_amount", "new_volume", "posted_volume").fill_null(0)
    ).sort(KEYS)
    diff = diff.with_columns((pl.col("actual_amount") - pl.col("base_amount")).alias("amount")).filter(
        pl.col("amount") != 0
    )
    return stored(diff.select(
        *KEYS, "amount", "base_amount", "actual_amount", (pl.col("new_volume") - pl.col("posted_volume")).alias("volume"),
        pl.col("method").fill_null(METHODS.index("recalc")), pl.col("volume_source").fill_null(SOURCES.index("formula")),
        pl.col("tariff").fill_null(0), pl.lit(ONE).alias("factor"), pl.lit(0).alias("excess_amount"),
        pl.lit(KINDS.index("recalc")).alias("line_kind"), pl.lit("total").alias("zone"), pl.lit("recalc").alias("note"),
        pl.lit(ctx.start).alias("ref_period"), pl.lit(ctx.start).alias("date_from"), pl.lit(ctx.end).alias("date_to"),
        pl.lit(ctx.days).alias("days"), pl.lit(ctx.days).alias("period_days"),
    ))
