"""Stages 6–7, amounts and rounding: tariffs applied to volumes, then HALF_UP to kopecks once per line.

The tariff of a line is the most specific row (building beats everywhere) of its service,
supplier and zone in force on the segment's first day.  When the service's tariffs carry volume
bands (electricity from 2025, domain.md §5.4) the period's volume is split over the bands with the
rule's thresholds — P = min(V, L1)·T1 + min(max(V − L1, 0), L2 − L1)·T2 + max(V − L2, 0)·T3 — one
line per band used (segments fill the bands in date order).  The exact amount volume × tariff × factor is an integer in 10⁻¹⁶ and is
rounded once; the increasing factor's part (excess_amount) is the rounded amount minus the
rounded amount at factor 1.
"""

from __future__ import annotations

import polars as pl

from raschet.engine import problems
from raschet.engine.codes import ZONE
from raschet.engine.context import Context
from raschet.engine.fixed import EXACT, MONEY, ONE, big, div_half_up, lit
from raschet.engine.lookup import FrameT, building_priority, dated, in_building, most_specific
from raschet.engine.plans import collect, collect_all

TO_MONEY = 10 ** (EXACT - MONEY)


def tariff_rows(keys: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(seg_id, zone, band, tariff) rows in force — one, or one per band — and no_tariff problem rows.

    Resolved once per distinct (service, supplier, zone, building, day) — a few thousand rows for
    a region — and joined back, rather than once per line.
    """
    lookup_keys = ["service", "supplier", "zone", "building_id", "date_from"]
    # Lazy plans; the frames read twice (distinct keys, best rows) are collected first.
    distinct = collect(keys.lazy().select(lookup_keys).unique().with_row_index("key_id"))
    table = ctx.tariffs.lazy().select(
        "service", "supplier", "zone", "band", pl.col("building_id").alias("scope_building"),
        "valid_from", "valid_to", pl.col("value").alias("tariff"),
    )
    hits = dated(distinct.lazy(), table, ["service", "supplier", "zone"]).filter(in_building())
    best = most_specific(hits, ["key_id", "band"], building_priority())
    banded = pl.col("band").is_not_null().any().over("key_id")
    best = collect(best.filter(~banded | pl.col("band").is_not_null()).select(*lookup_keys, "band", "tariff")).lazy()
    rows, lost = collect_all([
        keys.lazy().select("seg_id", *lookup_keys).join(best, on=lookup_keys).select("seg_id", "zone", "band", "tariff"),
        distinct.lazy().join(best.select(lookup_keys).unique(), on=lookup_keys, how="anti", nulls_equal=True),
    ])
    found = problems.empty()
    if not lost.is_empty():
        missing = keys.join(lost.drop("key_id"), on=lookup_keys, nulls_equal=True)
        found = problems.rows(missing, "no_tariff", service=pl.col("service"), date=pl.col("date_from"))
    return rows, found


def single_tariff(segs: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Segments with the "total" zone tariff (band 1 if banded); segments without one become problems."""
    keys = segs.with_columns(pl.lit("total", dtype=ZONE).alias("zone"))
    rows, found = tariff_rows(keys, ctx)
    rows = rows.sort("seg_id", "band").unique(subset=["seg_id"], keep="first")
    return segs.join(rows.select("seg_id", "tariff"), on="seg_id"), [found]


def price(volumes: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Stage ``amounts``: lines with band, tariff, exact amount and exact amount at factor 1."""
    by_formula = pl.col("formula_amount").is_not_null()
    charged, formula = volumes.filter(~by_formula), volumes.filter(by_formula)
    rows, found = tariff_rows(charged, ctx)
    parts = [charged.join(rows, on=["seg_id", "zone"])]
    if not formula.is_empty():
        # A formula brings its own amount: its tariff is shown when there is one, never required.
        shown = tariff_rows(formula, ctx)[0].unique(subset=["seg_id", "zone"], keep="first")
        parts.append(formula.join(shown.drop("band"), on=["seg_id", "zone"], how="left"))
    priced = pl.concat(parts, how="diagonal_relaxed")
    if priced["band"].is_not_null().any():
        priced = _split_bands(priced)
    exact = big("volume") * pl.col("tariff") * pl.col("factor")
    return priced.with_columns(
        pl.when(by_formula).then(big("formula_amount") * lit(TO_MONEY)).otherwise(exact).alias("amount_exact"),
        pl.when(by_formula).then(big("formula_amount") * lit(TO_MONEY))
        .otherwise(big("volume") * pl.col("tariff") * lit(ONE)).alias("base_exact"),
    ), found


def _split_bands(priced: pl.DataFrame) -> pl.DataFrame:
    """Banded lines get the part of their volume that falls in their band.

    Thresholds apply to the period's volume (not prorated): the segments of a month fill the
    bands in date order, so a segment's band volume is the overlap of [consumed before it,
    consumed after it] with [lower, upper] of the band; for one segment this is
    min(V, L1), min(max(V − L1, 0), L2 − L1) and max(V − L2, 0).
    """
    group = ["account_id", "service", "supplier", "zone", "band"]
    volume = pl.col("volume")
    before = (volume.cum_sum().over(group, order_by="date_from") - volume).alias("_before")
    priced = priced.with_columns(before)
    c0, c1 = pl.col("_before"), pl.col("_before") + volume
    low, high = pl.col("band1"), pl.col("band2")
    band_volume = (
        pl.when(pl.col("band").is_null()).then(volume)
        .when(pl.col("band") == 1).then(pl.min_horizontal(c1, low) - pl.min_horizontal(c0, low))
        .when(pl.col("band") == 2).then(
            (pl.min_horizontal(c1, high) - pl.max_horizontal(c0, low)).clip(lower_bound=0)
        )
        .otherwise(pl.max_horizontal(c1, high) - pl.max_horizontal(c0, high))
    )
    return priced.with_columns(band_volume.alias("volume")).drop("_before").filter(
        pl.col("band").is_null() | (pl.col("band") == 1) | (pl.col("volume") != 0)
    )


def round_lines(priced: FrameT) -> FrameT:
    """Stage ``rounding``: amount and excess_amount in kopecks (Int64)."""
    amount = div_half_up(pl.col("amount_exact"), TO_MONEY)
    base = div_half_up(pl.col("base_exact"), TO_MONEY)
    return priced.with_columns(amount.alias("amount"), base.alias("_base")).with_columns(
        pl.when(pl.col("factor") != ONE).then(pl.col("amount") - pl.col("_base")).otherwise(0).alias("excess_amount")
    ).drop("_base", "amount_exact", "base_exact")
