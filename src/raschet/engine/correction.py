"""The annual correction of heating paid uniformly with a building meter (domain.md §2 c).

    ΔP_i = Σ over last year's months of (V_D × S_i / S_об × T) − what the account was charged for heating

It is charged in the month ``params.correction_month`` (January by default) of a uniform heating
rule, as a recalc line (method ``heating_correction``, note ``heating_correction`` with the actual
and the charged amounts), and it is part of that month's computation.  What was charged comes in
the ``heating_charged`` input (the ledger's charges and recalcs of last year's heating per
account × service × supplier); without a row there, there is no correction.

The actual annual cost is computed in one pass over the whole year: the heating segments of the
twelve months are built at once (cut at every first of the month as well as at every change of
area, tariff, norm or rule, so each month's lines are exactly its own calculation's), each gets
its month's building-meter volume, and the season-mode by-meter amount V_D × S_i × share / S_об × T
is rounded per segment as a month would round it.  A month in which an (account, service) could
not be calculated (no area, no tariff, no building area) counts for nothing, as its own run
charged nothing for it.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from raschet.domain.periods import Period
from raschet.engine import amounts
from raschet.engine.attributes import attach, building_areas
from raschet.engine.codes import Codes
from raschet.engine.context import build_context
from raschet.engine.fixed import ONE, big, lit
from raschet.engine.meters import building_volumes, month_index
from raschet.engine.methods.base import lines, prorate
from raschet.engine.segments import build_segments
from raschet.engine.snapshot import Snapshot

I128 = pl.Int128


def correction_month(rules: pl.DataFrame, month: int) -> bool:
    """Whether a uniform heating rule has its annual correction in ``month``."""
    for params, method in rules.select("params", "method").iter_rows():
        if method != "heating":
            continue
        try:
            data = json.loads(params or "{}")
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and data.get("mode") == "uniform":
            try:
                wanted = int(data.get("correction_month", 1))
            except (TypeError, ValueError):
                continue
            if wanted == month:
                return True
    return False


def _monthly_building_volumes(ctx, year: int) -> pl.DataFrame:
    """(building_id, service, month, building_volume): each month's building meter volume of the year."""
    parts = [building_volumes(ctx.meters, ctx.readings, Period(year, m).start, Period(year, m).end)
             .with_columns(pl.lit(year * 12 + m - 1, dtype=pl.Int64).alias("month")) for m in range(1, 13)]
    return pl.concat(parts)


def lines_for(snapshot: Snapshot, period: Period, accounts: list[int] | None, codes: Codes) -> pl.DataFrame | None:
    """The correction's volume-and-amount rows per (account, service, supplier), or None when there is none."""
    if snapshot.heating_charged.is_empty() or not correction_month(snapshot.rules, period.month):
        return None
    year = period.year - 1
    window = (date(year, 1, 1), date(year + 1, 1, 1))
    heated = snapshot.services.filter(pl.col("kind") == "heating").select("service")
    snapshot = snapshot.replace(account_services=snapshot.account_services.join(heated, on="service", how="semi"))
    ctx = build_context(snapshot, Period(year, 1), accounts, codes, window)
    segs, _ = build_segments(ctx, months=True)
    segs = segs.filter(pl.col("method") == "heating").join(ctx.requested, on="account_id", how="semi")
    if segs.is_empty():
        return None
    segs = building_areas(attach(segs, ctx).with_columns(month_index("date_from").alias("month")), ctx)
    segs = segs.join(_monthly_building_volumes(ctx, year), on=["building_id", "service", "month"], how="left")
    by_meter = pl.col("building_volume").is_not_null()
    failed = (pl.col("area").is_null() | (by_meter & (pl.col("total_area").fill_null(0) <= 0))
              | (~by_meter & pl.col("norm").is_null()))
    volume = prorate(pl.col("building_volume").cast(I128) * pl.col("area") * pl.col("share") * lit(10**4),
                     pl.col("days"), pl.col("period_days"), big("total_area"))
    charged = segs.filter(by_meter & ~failed)
    volumes = lines(charged, volume_source=pl.lit("building_meter"), volume=volume).join(
        charged.select("seg_id", "account_id", "service", "supplier", "building_id", "date_from", "month"), on="seg_id"
    ).with_columns(pl.lit(None, dtype=pl.Int64).alias("band1"), pl.lit(None, dtype=pl.Int64).alias("band2"))
    priced, no_tariff = amounts.price(volumes, ctx)
    rounded = amounts.round_lines(priced)
    month = ["account_id", "service", "month"]
    lost = pl.concat([segs.filter(failed).select(month), no_tariff.select(
        "account_id", pl.col("service").cast(codes.service), month_index(pl.col("params").str.json_path_match(
            "$.date").str.to_date()).alias("month"))]).unique()
    rounded = rounded.join(lost, on=month, how="anti")
    return rounded.group_by("account_id", "service", "supplier").agg(
        pl.col("amount").sum().alias("actual_amount"), pl.col("volume").sum()
    ).with_columns(pl.lit(year).alias("year"))


def corrections(snapshot: Snapshot, period: Period, accounts: list[int] | None, codes: Codes) -> pl.DataFrame | None:
    """Recalc lines of the annual heating correction for the unit (in the pipeline's internal columns)."""
    actual = lines_for(snapshot, period, accounts, codes)
    if actual is None:
        return None
    charged = snapshot.heating_charged.select(
        "account_id", "service", "supplier", (pl.col("amount").cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64)
        .alias("base_amount"))
    year = period.year - 1
    joined = actual.join(charged, on=["account_id", "service", "supplier"])
    joined = joined.with_columns((pl.col("actual_amount") - pl.col("base_amount")).alias("amount"))
    joined = joined.filter(pl.col("amount") != 0)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    return joined.select(
        "account_id", "service", "supplier", "amount", "volume", "base_amount", "actual_amount",
        pl.lit("total").alias("zone"), pl.lit(start).alias("date_from"), pl.lit(end).alias("date_to"),
        pl.lit((end - start).days).alias("days"), pl.lit("heating_correction").alias("method"),
        pl.lit("building_meter").alias("volume_source"), pl.lit(0, dtype=pl.Int64).alias("tariff"),
        pl.lit(ONE).alias("factor"), pl.lit(0, dtype=pl.Int64).alias("excess_amount"),
        pl.lit("recalc").alias("line_kind"), pl.lit("heating_correction").alias("note"),
        pl.lit(period.start).alias("ref_period"),
    )
