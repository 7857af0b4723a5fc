"""What the months without a reading charged, for the chains read late — all months in one pass.

When a reading arrives after months without one (domain.md §4.3), those months were charged by
the average (at most 3) and then by the norm, and what they charged is subtracted from the
measured consumption (``metered._charged_before``).  Rather than calculating each of those months
again, the months are computed together: the chains' segments over the whole gap, cut at every
first of the month (``segments.build_segments(months=True)``), each with its own month's inputs
(residents, area, norm, rule), and the state each month was in:

* no register of the chain has a reading in the gap (that is what makes it late), so the last
  reading, the valid readings and hence the average are the same in every gap month;
* month k is charged by the average when k is at most 3 months after the last reading — or after
  the newest meter went out of service, when it did before k's end — and every last-read register
  has an average; by the norm otherwise (and before a meter was installed);
* a month whose norm was missing charged nothing for the chain (its calculation was a problem).

The result is per (account_id, service, zone, volume_source, month) the volume charged (10⁻⁶),
exactly what that month's own calculation charged (a test compares the two).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from raschet.engine.codes import SOURCE, ZONE
from raschet.engine.fixed import EXACT, VOLUME, lit
from raschet.engine.meters import averages, month_index
from raschet.engine.methods.base import norm_volume, prorate
from raschet.engine.plans import collect

CHAIN = ["account_id", "service"]
AVERAGE_LIMIT = 3
TO_EXACT = 10 ** (EXACT - VOLUME)


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def charged_months(segs: pl.DataFrame, meters: pl.DataFrame, valid: pl.DataFrame, pos: pl.DataFrame,
                   late: pl.DataFrame) -> pl.DataFrame:
    """(account_id, service, zone, volume_source, volume, month) charged in the gap months of ``late``.

    ``segs``: the late chains' metered segments of the gap months with their attributes (one month
    each); ``meters`` (``meters.with_status``), ``valid`` and ``pos`` as in the metered method.
    """
    segs = segs.with_columns(month_index("date_from").alias("month"))
    owners = meters.select(pl.col("owner").alias("account_id"), "service", "installed", "out_of_service")
    # The chain's registers last read (the same in every gap month) and their average as if unread now.
    last = pos.filter(pl.col("prev_date") == pl.col("prev_date").max().over("owner", "service"))
    last = last.join(late.select(pl.col("account_id").alias("owner"), "service"), on=["owner", "service"], how="semi")
    unread = last.drop("average", "average_months", strict=False).with_columns(pl.lit(None, dtype=pl.Int64).alias("cur"))
    registers = unread.join(averages(valid, unread), on=["meter_id", "zone"], how="left").select(
        pl.col("owner").alias("account_id"), "service", "zone", "average", "prev_date")
    chain = registers.group_by(CHAIN).agg(
        month_index(pl.col("prev_date").max()).alias("last_month"), pl.col("average").is_not_null().all().alias("has_avg"))
    state = _state(segs, owners, chain)
    return _volumes(state, registers)


def _state(segs: pl.DataFrame, owners: pl.DataFrame, chain: pl.DataFrame) -> pl.DataFrame:
    """Each segment with ``has_meter`` and the month's ``mode`` (average | norm)."""
    month_end = pl.col("date_from").dt.month_end() + pl.duration(days=1)
    installed = segs.select("seg_id", *CHAIN, "date_from").join(owners, on=CHAIN).filter(
        pl.col("installed").is_null() | (pl.col("installed") <= pl.col("date_from"))
    ).select("seg_id").unique().with_columns(pl.lit(True).alias("has_meter"))
    # The newest meter installed before the month's end decides whether the chain was out of service.
    newest = segs.select("seg_id", *CHAIN, "date_from").join(owners, on=CHAIN).filter(
        pl.col("installed").is_null() | (pl.col("installed") < month_end)
    ).group_by("seg_id").agg(
        pl.col("out_of_service").get(pl.col("installed").fill_null(date(1900, 1, 1)).arg_max()),
        month_end.first().alias("month_end"))
    out = segs.join(installed, on="seg_id", how="left").join(newest, on="seg_id", how="left").join(
        chain, on=CHAIN, how="left")
    broken = pl.col("out_of_service").is_not_null() & (pl.col("out_of_service") < pl.col("month_end"))
    months = pl.when(broken).then(pl.col("month") - month_index("out_of_service") + 1).otherwise(
        pl.col("month") - pl.col("last_month"))
    average = pl.col("has_meter").fill_null(False) & (months <= AVERAGE_LIMIT) & pl.col("has_avg").fill_null(False)
    return out.with_columns(pl.col("has_meter").fill_null(False), average.alias("by_average"))


def _volumes(state: pl.DataFrame, registers: pl.DataFrame) -> pl.DataFrame:
    """The volumes per (chain, zone, source, month); a month with a norm missing counts nothing."""
    keys = [*CHAIN, "zone", "volume_source", "month"]
    by_norm = state.filter(~pl.col("by_average"))
    usable = pl.col("norm").is_not_null() & ((pl.col("norm_basis") != "area") | pl.col("area").is_not_null())
    failed = by_norm.filter(~usable).select(*CHAIN, "month").unique()
    norm = by_norm.lazy().filter(usable).select(
        *CHAIN, pl.lit("total", dtype=ZONE).alias("zone"), pl.lit("norm", dtype=SOURCE).alias("volume_source"),
        "month", norm_volume().alias("volume"))
    average = state.lazy().filter(pl.col("by_average")).join(registers.lazy().select(*CHAIN, "zone", "average"),
                                                            on=CHAIN).select(
        *CHAIN, "zone", pl.lit("average", dtype=SOURCE).alias("volume_source"), "month",
        prorate(pl.col("average") * lit(TO_EXACT), pl.col("days"), pl.col("period_days")).alias("volume"))
    charged = pl.concat([average, norm]).join(failed.lazy(), on=[*CHAIN, "month"], how="anti")
    return collect(charged.group_by(keys).agg(pl.col("volume").sum()).sort(keys))
