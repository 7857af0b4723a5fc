"""Segment attributes: the inputs every method may use, looked up once on each segment's first day.

Adds to each segment: the service kind, the account's share, meter_possible and premises kind,
the building's total and common areas, the premises area, the number of residents, the
individual norm (value and basis) and the common norm, and the typed rule parameters.
Lookups here are joins, not loops, so one account and a region take the same path.
"""

from __future__ import annotations

import polars as pl

from raschet.engine.context import Context
from raschet.engine.lookup import FrameT, building_priority, dated, dated_sum, in_building, most_specific
from raschet.engine.plans import collect

NORM_KEYS = ["service", "building_id", "date_from"]


def attach(segs: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Segments with the attributes most methods use (nulls where an input is missing).

    Frames stay narrow on purpose: building areas, the common norm and rule parameters are
    joined by the methods that need them, on their own (smaller) sets of segments.
    """
    # One lazy plan; every lookup reads the eager ``segs``, so no part of the plan is computed twice.
    base = segs.lazy()
    plan = base.join(ctx.services.lazy().select("service", "kind"), on="service", how="left")
    plan = plan.join(ctx.accounts.lazy().select("account_id", "share", "meter_possible"), on="account_id", how="left")
    plan = plan.join(dated_sum(base, ctx.areas.lazy(), ["premises_id"], "area", "area"), on="seg_id", how="left")
    plan = plan.join(dated_sum(base, ctx.residents.lazy(), ["account_id"], "count", "residents"), on="seg_id",
                     how="left")
    plan = plan.with_columns(pl.col("residents").fill_null(0).cast(pl.Int32))
    return collect(plan.join(norm_table(segs, ctx, "individual", "norm"), on=NORM_KEYS, how="left"))


def building_areas(segs: FrameT, ctx: Context) -> FrameT:
    """Adds the building's total_area (S_об) and common_area (S_ои)."""
    table = ctx.buildings.select("building_id", "total_area", "common_area")
    return segs.join(table.lazy() if isinstance(segs, pl.LazyFrame) else table, on="building_id", how="left")


def norm(segs: pl.DataFrame, ctx: Context, kind: str, alias: str) -> pl.DataFrame:
    """Adds the most specific norm of ``kind`` of the segment's service: ``alias`` (10⁻⁶) and ``alias_basis``."""
    return collect(segs.lazy().join(norm_table(segs, ctx, kind, alias), on=NORM_KEYS, how="left"))


def norm_table(segs: pl.DataFrame, ctx: Context, kind: str, alias: str) -> pl.LazyFrame:
    """The norms of ``segs``, resolved once per distinct (service, building, day): a plan to join on them."""
    norms = ctx.norms.lazy().filter(pl.col("kind") == kind)
    distinct = collect(segs.lazy().select(NORM_KEYS).unique().with_row_index("seg_id"))  # read twice below
    return _norm(distinct.lazy(), norms, alias).drop("seg_id")


def _norm(segs: pl.LazyFrame, norms: pl.LazyFrame, alias: str) -> pl.LazyFrame:
    """The most specific norm of the segment's service: ``alias`` (10⁻⁶) and ``alias_basis``."""
    table = norms.select(
        "service", pl.col("building_id").alias("scope_building"), "basis", "valid_from", "valid_to", "value"
    )
    hits = dated(segs.select("seg_id", "service", "building_id", "date_from"), table, ["service"])
    hits = hits.filter(in_building())
    # Two bases for one service on one day is a data choice; a person basis wins, deterministically.
    priority = building_priority() * 2 + (pl.col("basis") == "person").cast(pl.Int8)
    best = most_specific(hits, ["seg_id"], priority).select(
        "seg_id", pl.col("value").alias(alias), pl.col("basis").alias(f"{alias}_basis")
    )
    return segs.join(best, on="seg_id", how="left")
