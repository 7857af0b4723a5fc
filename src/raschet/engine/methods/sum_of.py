"""The ``sum_of`` method: a service's volume is the sum of the account's volumes of other services.

Wastewater under ПП 354 п. 42 (domain.md §1.2): where cold and hot water are metered, the wastewater
volume is the sum of the account's cold- and hot-water volumes for the period, whichever method gave
each (meter, average or norm); ``params.services`` lists them (``["cold_water", "hot_water"]``). A
norm volume counts without the increasing factor: the factor multiplies a charge, not a volume.

It runs after the individual methods and receives their volume lines (``USES_INDIVIDUAL``). Each
part line adds to a segment of this service the share of its volume that falls on the segment's days
(all of it when the part's segment lies inside; split by days where a boundary of this service — a
tariff change — cuts it, as a metered volume is split): summed exactly in 10⁻¹⁶ and rounded HALF_UP
to 6 decimals once per segment. The line's ``volume_source`` is its least reliable part's (norm, then
average, then the rest, then meter): a wastewater line with an average part is an estimate as well.

The line carries its parts as typed figures for the explanation (``explain.py`` writes "сумма
объёмов: cold_water 7.333 (meter) + hot_water 2.5 (meter)"): ``part1_*`` … ``part3_*`` are the
service code, the part's volume (rounded for people only) and its source, in service order; when a
rule lists more than three services, the third figure is the rest of them summed (service null).

A listed service the account does not receive on those days adds nothing (a flat without central hot
water drains its cold water only), which the contract's "this account's volumes" means. A listed
service that is received but could not be calculated is a problem of this service too
(:func:`failed_parts`): without its volume the sum would be short, so neither is billed. A listed
service calculated by a method that runs after the individual ones (``heating``, ``common_needs``,
``sum_of`` itself) has no volume here yet and is refused as invalid params.
"""

from __future__ import annotations

import polars as pl

from raschet.engine import problems
from raschet.engine.codes import SOURCE, SOURCES
from raschet.engine.context import Context
from raschet.engine.fixed import EXACT, ONE, VOLUME, lit
from raschet.engine.methods.base import PARTS, empty_lines, lines
from raschet.engine.plans import collect

I128 = pl.Int128
TO_EXACT = 10 ** (EXACT - VOLUME)
# The least reliable source wins; codes not listed rank between meter and average.
SOURCE_RANK = {"meter": 0, "building_meter": 1, "formula": 2, "area": 3, "average": 4, "norm": 5}
_RANK_OF_CODE = {SOURCES.index(name): rank for name, rank in SOURCE_RANK.items()}
_SOURCE_OF_RANK = {rank: name for name, rank in SOURCE_RANK.items()}
AFTER_INDIVIDUAL = ("heating", "common_needs", "sum_of")


def _half_up(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den rounded half away from zero, kept in Int128 (``fixed.div_half_up`` ends in Int64)."""
    num, den = num.cast(I128), den.cast(I128)
    return (num * 2 + den - (num < 0).cast(I128)) // (den * 2)


def _parts(segs: pl.DataFrame, individual: pl.DataFrame) -> pl.LazyFrame:
    """(seg_id, part, exact volume in 10⁻¹⁶, source rank) per segment and listed service."""
    wanted = segs.lazy().select("seg_id", "account_id", "date_from", "date_to", pl.col("services").alias("part"))
    listed = segs["services"].explode().drop_nulls().unique().implode()
    source = individual.lazy().filter(pl.col("service").is_in(listed)).select(
        "account_id", pl.col("service").alias("part"), pl.col("date_from").alias("part_from"),
        pl.col("date_to").alias("part_to"), pl.col("days").alias("part_days"), "volume",
        pl.col("volume_source").to_physical().replace_strict(_RANK_OF_CODE, default=1, return_dtype=pl.Int8)
        .alias("rank"))
    joined = wanted.explode("part").join(source, on=["account_id", "part"])
    overlap = (pl.min_horizontal("date_to", "part_to") - pl.max_horizontal("date_from", "part_from")).dt.total_days()
    joined = joined.with_columns(overlap.alias("overlap")).filter(pl.col("overlap") > 0)
    whole = pl.col("volume").cast(I128) * lit(TO_EXACT)
    share = pl.when(pl.col("overlap") == pl.col("part_days")).then(whole).otherwise(
        _half_up(whole * pl.col("overlap"), pl.col("part_days")))
    return joined.group_by("seg_id", "part").agg(share.sum().alias("exact"), pl.col("rank").max())


def _source(rank: pl.Expr) -> pl.Expr:
    return rank.replace_strict(_SOURCE_OF_RANK, return_dtype=pl.Utf8).cast(SOURCE)


def _figures() -> list[pl.Expr]:
    """The explanation's part figures of a segment (aggregations over its parts in service order):
    slot i the i-th part; the last slot, when there are more parts than slots, the rest summed."""
    position = pl.int_range(pl.len())
    rest = PARTS - 1
    figures = []
    for slot in range(PARTS):
        chosen = position == slot if slot < rest else position >= slot
        exact = pl.col("exact").filter(chosen)
        service = pl.col("part").filter(chosen).first().to_physical().cast(pl.UInt16)
        if slot == rest:  # a service only when this slot holds one part
            service = pl.when(pl.len() == PARTS).then(service)
        figures += [
            service.alias(f"part{slot + 1}_service"),
            pl.when(exact.len() > 0).then(_half_up(exact.sum(), lit(TO_EXACT))).cast(pl.Int64)
            .alias(f"part{slot + 1}_volume"),
            _source(pl.col("rank").filter(chosen).max()).alias(f"part{slot + 1}_source"),
        ]
    return figures


def sum_of(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None
           ) -> tuple[pl.DataFrame, pl.DataFrame]:
    if segs.is_empty():
        return empty_lines(), problems.empty()
    found = _not_individual(segs, ctx)
    if not found.is_empty():
        segs = segs.join(found.select("account_id", pl.col("service").cast(ctx.codes.service)),
                         on=["account_id", "service"], how="anti")
    if individual is None or individual.is_empty() or segs.is_empty():
        return empty_lines(), found
    by_segment = _parts(segs, individual).sort("seg_id", "part").group_by("seg_id", maintain_order=True).agg(
        pl.col("exact").sum().alias("total"), pl.col("rank").max(), *_figures())
    figures = {f"part{i}_{c}": pl.col(f"part{i}_{c}") for i in range(1, PARTS + 1) for c in ("service", "volume",
                                                                                               "source")}
    out = lines(
        by_segment, volume=_half_up(pl.col("total"), lit(TO_EXACT)), factor=pl.lit(ONE),
        volume_source=_source(pl.col("rank")), note=pl.lit("sum_of"), **figures,
    )
    return collect(out), found


def _not_individual(segs: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """invalid_params rows where a listed service is calculated, for this account, by a method that
    runs only after the individual ones (its volume is not known when this one runs)."""
    rules = ctx.rules.filter(pl.col("method").is_in(AFTER_INDIVIDUAL)).select(
        pl.col("service").alias("part"), pl.col("method").alias("part_method"),
        pl.col("building_id").alias("scope_building"), pl.col("account_id").alias("scope_account"))
    listed = set(segs["services"].explode().drop_nulls().unique().to_list())
    if not listed & set(rules["part"].to_list()):  # the usual case: a handful of rules say so at once
        return problems.empty()
    listed = segs.select("account_id", "building_id", "service", "rule_id", pl.col("services").alias("part")).explode(
        "part").unique()
    hits = listed.join(rules, on="part").filter(
        pl.col("part_method").is_in(AFTER_INDIVIDUAL)
        & (pl.col("scope_building").is_null() | (pl.col("scope_building") == pl.col("building_id")))
        & (pl.col("scope_account").is_null() | (pl.col("scope_account") == pl.col("account_id"))))
    reason = pl.format("услуга «{}» из «services» считается способом «{}», её объём ещё не известен; сложить можно "
                       "объёмы способов metered, norm, area и formula", pl.col("part").cast(pl.Utf8), "part_method")
    return problems.rows(hits, "invalid_params", method=pl.lit("sum_of"), rule=pl.col("rule_id"), reason=reason)


def failed_parts(segs: pl.DataFrame | None, found: pl.DataFrame) -> pl.DataFrame:
    """part_not_calculated rows for the (account, service) of ``sum_of`` segments one of whose listed
    services has a problem for that account: its lines are dropped, so the sum would be short."""
    if segs is None or segs.is_empty() or found.is_empty():
        return problems.empty()
    listed = segs.select("account_id", pl.col("service").cast(pl.Utf8),
                         pl.col("services").cast(pl.List(pl.Utf8)).alias("part")).explode("part").unique()
    failed = found.select("account_id", pl.col("service").alias("part")).unique()
    hits = listed.join(failed, on=["account_id", "part"]).sort("account_id", "service", "part")
    return problems.rows(hits, "part_not_calculated", service=pl.col("service"), part=pl.col("part"))
