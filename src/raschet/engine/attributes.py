"""Segment attributes: the inputs every method may use, looked up once on each segment's first day.

Adds to each segment: the service kind, the account's share, meter_possible and premises kind,
the building's total and common areas, the premises area, the number of residents, the
individual norm (value and basis) and the common norm, and the typed rule parameters.
Lookups here are joins, not loops, so one account and a region take the same path.
"""

from __future__ import annotations

import polars as pl

from raschet.engine.context import Context
from raschet.engine.lookup import building_priority, dated, dated_value, in_building, most_specific


def attach(segs: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Segments with the attributes most methods use (nulls where an input is missing).

    Frames stay narrow on purpose: building areas, the common norm and rule parameters are
    joined by the methods that need them, on their own (smaller) sets of segments.
    """
    segs = segs.join(ctx.services.select("service", "kind"), on="service", how="left")
    segs = segs.join(ctx.accounts.select("account_id", "share", "meter_possible"), on="account_id", how="left")
    segs = dated_value(segs, ctx.areas, ["premises_id"], "area", "area")
    segs = dated_value(segs, ctx.residents, ["account_id"], "count", "residents")
    segs = segs.with_columns(pl.col("residents").fill_null(0).cast(pl.Int32))
    return norm(segs, ctx, "individual", "norm")


def building_areas(segs: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Adds the building's total_area (S_об) and common_area (S_ои)."""
    return segs.join(ctx.buildings.select("building_id", "total_area", "common_area"), on="building_id", how="left")


def norm(segs: pl.DataFrame, ctx: Context, kind: str, alias: str) -> pl.DataFrame:
    """Adds the most specific norm of ``kind`` of the segment's service: ``alias`` (10⁻⁶) and ``alias_basis``.

    Resolved once per distinct (service, building, day) and joined back.
    """
    norms = ctx.norms.filter(pl.col("kind") == kind)
    keys = ["service", "building_id", "date_from"]
    distinct = segs.select(keys).unique().with_row_index("seg_id")
    found = _norm(distinct, norms, alias).drop("seg_id")
    return segs.join(found, on=keys, how="left")


def _norm(segs: pl.DataFrame, norms: pl.DataFrame, alias: str) -> pl.DataFrame:
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
