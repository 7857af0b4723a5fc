"""Methods that distribute a building's volume by area: ``heating`` and ``common_needs``.

Both run in the common-house distribution stage, after the individual volumes are known.

``heating`` (domain.md §2): with a building meter of the service, the building volume × premises
area × share / building total area — in ``season`` mode the month's volume, in ``uniform`` mode
the average monthly volume of the previous calendar year (norm in the first year); without one,
area × share × norm (basis area), in uniform mode × season months / 12 unless the norm is already
uniform.  In season mode months outside ``season_months`` get no line.
TODO (later issue, docs only): the annual correction of uniform heating in Q1 (domain.md §2 c).

``common_needs`` (domain.md §3): (building meter of ``params.resource`` − Σ individual volumes of
that resource over all accounts of the building) × area × share / total area, capped at common
norm × common area × area × share / total area; negative → 0.  Without a building meter reading
the norm volume is charged.  The tariff is the common-needs service's own.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from raschet.engine import problems
from raschet.engine.attributes import NORM_KEYS, building_areas, norm_table
from raschet.engine.context import Context
from raschet.engine.fixed import big, lit
from raschet.engine.meters import building_volumes
from raschet.engine.methods.base import empty_lines, lines, missing_many, prorate
from raschet.engine.plans import collect, collect_all

I128 = pl.Int128
UNIFORM = pl.col("mode") == "uniform"


def _share_exact(volume: str) -> pl.Expr:
    """volume (10⁻⁶) × area (10⁻⁴) × share (10⁻⁶) × 10⁴ = 10⁻¹⁶ units over total_area (10⁻⁴)."""
    return pl.col(volume).cast(I128) * pl.col("area") * pl.col("share") * lit(10**4)


def _building_volumes(ctx: Context, start: date, end: date, whole: bool = False) -> pl.DataFrame:
    """``meters.building_volumes`` once per context and window (heating and common needs share it)."""
    key = f"building_volumes {start} {end} {whole}"
    if key not in ctx.extra:
        ctx.extra[key] = building_volumes(ctx.meters, ctx.readings, start, end, whole)
    return ctx.extra[key]


def _with_building_volume(segs: pl.DataFrame, ctx: Context) -> pl.LazyFrame:
    """Adds building_volume: the month's (season mode) or last year's / 12 (uniform mode, in ``den``)."""
    year = ctx.period.year
    uniform = (segs["mode"] == "uniform").any()
    month = _building_volumes(ctx, ctx.start, ctx.end).lazy()
    segs = building_areas(segs.lazy(), ctx).join(
        month.rename({"building_volume": "month_volume"}), on=["building_id", "service"], how="left"
    )
    if not uniform:  # season mode only: last year's volume is not needed
        return segs.with_columns(pl.col("month_volume").alias("building_volume"))
    annual = _building_volumes(ctx, date(year - 1, 1, 1), date(year, 1, 1), whole=True).lazy()
    segs = segs.join(annual.rename({"building_volume": "year_volume"}), on=["building_id", "service"], how="left")
    chosen = pl.when(UNIFORM).then("year_volume").otherwise("month_volume")
    return segs.with_columns(chosen.alias("building_volume"))


def _heating_by_meter(segs: pl.DataFrame) -> pl.DataFrame:
    den = big("total_area") * pl.when(UNIFORM).then(lit(12)).otherwise(lit(1))
    return lines(
        segs, volume_source=pl.lit("building_meter"), building_volume=pl.col("building_volume"),
        volume=prorate(_share_exact("building_volume"), pl.col("days"), pl.col("period_days"), den),
        note=pl.when(UNIFORM).then(pl.lit("uniform_meter")),
    )


def _heating_by_norm(segs: pl.DataFrame) -> pl.DataFrame:
    spread = UNIFORM & ~pl.col("norm_is_uniform")
    months = pl.when(spread).then(pl.col("season_count").cast(I128)).otherwise(lit(12))
    exact = big("area") * pl.col("share") * pl.col("norm") * months
    return lines(
        segs, volume_source=pl.lit("norm"), norm_used=pl.col("norm"),
        volume=prorate(exact, pl.col("days"), pl.col("period_days"), 12),
        note=pl.when(spread).then(pl.lit("uniform_norm")), season_count=pl.col("season_count"),
    )


def heating(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    segs = segs.filter(UNIFORM | pl.col("in_season"))
    if segs.is_empty():
        return empty_lines(), problems.empty()
    segs = collect(_with_building_volume(segs, ctx))
    has_meter = pl.col("building_volume").is_not_null()
    found = missing_many(segs, [
        (has_meter & (pl.col("total_area").fill_null(0) <= 0), "no_building_area", {"building": pl.col("building_id")}),
        (pl.col("area").is_null(), "no_area", {"date": pl.col("date_from")}),
        (~has_meter & pl.col("norm").is_null(), "no_norm", {"service": pl.col("service"), "date": pl.col("date_from")}),
    ])
    plan = segs.lazy().filter(pl.col("area").is_not_null())
    by_meter = plan.filter(has_meter & (pl.col("total_area").fill_null(0) > 0))
    by_norm = plan.filter(~has_meter & pl.col("norm").is_not_null())
    return pl.concat(collect_all([_heating_by_meter(by_meter), _heating_by_norm(by_norm)])), found


def _common_inputs(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame) -> pl.DataFrame:
    """Adds the building meter volume of the resource and the sum of its individual volumes."""
    plan = building_areas(segs.lazy(), ctx).join(
        norm_table(segs, ctx, "common", "common_norm"), on=NORM_KEYS, how="left"
    )
    meter = _building_volumes(ctx, ctx.start, ctx.end).lazy().rename({"service": "resource"})
    used = individual.lazy().group_by("building_id", pl.col("service").alias("resource")).agg(
        pl.col("volume").sum().alias("individual_volume_sum")
    )
    return collect(plan.join(meter, on=["building_id", "resource"], how="left").join(
        used, on=["building_id", "resource"], how="left"
    ).with_columns(pl.col("individual_volume_sum").fill_null(0)))


def _common_lines(segs: pl.DataFrame) -> pl.DataFrame:
    # share and cap are exact numerators over the same denominator total_area, so min() is exact.
    no_meter = pl.col("building_volume").is_null()
    common = (pl.col("building_volume") - pl.col("individual_volume_sum")).clip(lower_bound=0)
    share = common.cast(I128) * pl.col("area") * pl.col("share") * lit(10**4)
    cap = big("common_norm") * pl.col("common_area") * pl.col("area") * pl.col("share")
    note = (
        pl.when(no_meter).then(pl.lit("common_by_norm"))
        .when(share > cap).then(pl.lit("common_capped"))
        .when(common <= 0).then(pl.lit("common_zero"))
    )
    return lines(
        segs, volume_source=pl.when(no_meter).then(pl.lit("norm")).otherwise(pl.lit("building_meter")),
        norm_used=pl.col("common_norm"), building_volume=pl.col("building_volume"),
        individual_volume_sum=pl.col("individual_volume_sum"), note=note,
        volume=prorate(pl.when(no_meter).then(cap).otherwise(pl.min_horizontal(share, cap)),
                       pl.col("days"), pl.col("period_days"), pl.col("total_area")),
    )


def common_needs(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    if segs.is_empty() or individual is None:
        return empty_lines(), problems.empty()
    segs = _common_inputs(segs, ctx, individual)
    found = missing_many(segs, [
        (pl.col("total_area").fill_null(0) <= 0, "no_building_area", {"building": pl.col("building_id")}),
        (pl.col("area").is_null(), "no_area", {"date": pl.col("date_from")}),
        (pl.col("common_norm").is_null(), "no_norm", {"service": pl.col("service"), "date": pl.col("date_from")}),
    ])
    ok = segs.lazy().filter(
        (pl.col("total_area").fill_null(0) > 0) & pl.col("area").is_not_null() & pl.col("common_norm").is_not_null()
    )
    return collect(_common_lines(ok)), found
