"""Meter readings → consumption, vectorised over all meters of the working set.

Terms (scenario-format.md, METER): the *period reading* is the last reading dated inside the
period; consumption = period reading − the reading before it (the last one before the period,
or the meter's first reading in the period — its initial reading — for a meter installed during
the period).  A register with ``digits`` that reads lower than before has wrapped over 10^digits;
without ``digits`` that is a backwards reading, an error.

A meter's *chain* is all meters of one (account, service) — or (building, service) for building
meters; a replacement adds a meter to the chain and the period's consumption is the sum over the
chain.  A meter is out of service from its ``verification_due`` date (readings on or after it are
ignored) or from its ``removed`` date when no meter of the chain replaces it (its final reading on
the removed date still counts).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl

from raschet.engine.fixed import VOLUME, div_half_up
from raschet.engine.plans import collect

CHAIN = ["scope", "owner", "service"]


def month_index(column: str | pl.Expr) -> pl.Expr:
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.dt.year().cast(pl.Int64) * 12 + expr.dt.month().cast(pl.Int64) - 1


def with_status(meters: pl.DataFrame) -> pl.DataFrame:
    """Meters with ``owner`` (account or building), ``replaced`` and ``out_of_service`` (a date or null)."""
    meters = meters.with_columns(
        pl.when(pl.col("scope") == "premises").then(pl.col("account_id")).otherwise(pl.col("building_id")).alias("owner")
    )
    latest_install = pl.col("installed").max().over(CHAIN)
    replaced = pl.col("removed").is_not_null() & (latest_install >= pl.col("removed")).fill_null(False)
    retired = pl.when(pl.col("removed").is_not_null() & ~replaced).then(pl.col("removed"))
    return meters.with_columns(replaced.alias("replaced")).with_columns(
        pl.min_horizontal("verification_due", retired).alias("out_of_service")
    )


def valid_readings(meters: pl.DataFrame, readings: pl.DataFrame) -> pl.DataFrame:
    """Readings a bill may use: (meter_id, zone, date, value), in no particular order."""
    joined = readings.join(meters.select("meter_id", "installed", "removed", "verification_due"), on="meter_id")
    usable = (
        (pl.col("installed").is_null() | (pl.col("date") >= pl.col("installed")))
        & (pl.col("removed").is_null() | (pl.col("date") <= pl.col("removed")))
        & (pl.col("verification_due").is_null() | (pl.col("date") < pl.col("verification_due")))
    )
    return joined.filter(usable).select("meter_id", "zone", "date", "value")


def wrapped(diff: pl.Expr, digits: str = "digits") -> pl.Expr:
    """A negative difference on a register with ``digits`` wraps over 10^digits."""
    digits = pl.col(digits)
    modulus = pl.lit(10, dtype=pl.Int64).pow(digits.cast(pl.UInt32)) * 10**VOLUME
    return pl.when((diff < 0) & digits.is_not_null()).then(diff + modulus).otherwise(diff)


@cache
def _last(value: str = "value") -> pl.Expr:
    """The value of the latest reading of a group (no global sort needed)."""
    return pl.col(value).get(pl.col("date").arg_max())


def positions(valid: pl.DataFrame, meters: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Per (meter, zone): the period reading, the first reading in the period and the one before it."""
    keys = ["meter_id", "zone"]
    inside = valid.filter((pl.col("date") >= start) & (pl.col("date") < end)).group_by(keys).agg(
        _last().alias("cur"), pl.col("date").max().alias("cur_date"),
        pl.col("value").get(pl.col("date").arg_min()).alias("first"), pl.col("date").min().alias("first_date"),
    )
    before = valid.filter(pl.col("date") < start).group_by(keys).agg(
        _last().alias("prev"), pl.col("date").max().alias("prev_date")
    )
    pos = inside.join(before, on=keys, how="full", coalesce=True)
    return pos.join(meters.select("meter_id", *CHAIN, "digits"), on="meter_id")


def consumption(pos: pl.DataFrame) -> pl.DataFrame:
    """Adds ``base``/``base_date`` (what the period reading is compared with), ``used`` and ``backwards``."""
    pos = pos.with_columns(
        pl.coalesce("prev", "first").alias("base"), pl.coalesce("prev_date", "first_date").alias("base_date")
    )
    raw = pl.col("cur") - pl.col("base")
    return pos.with_columns(wrapped(raw).alias("used")).with_columns(
        (pl.col("used") < 0).fill_null(False).alias("backwards")
    )


def averages(valid: pl.DataFrame, pos: pl.DataFrame) -> pl.DataFrame:
    """Per (meter, zone): the average monthly consumption before the last reading ``prev`` (10⁻⁶).

    The base is the last reading of the earliest month among the 6th to 3rd months before the
    month of ``prev``: 6 months of history when there are, at least 3 (ПП 354 п. 59); otherwise
    there is no average (null).  Only registers that may need it are looked at: no reading in the
    period.  (After a late reading, what the average charged comes from those months' own runs.)
    """
    last = pos.filter(pl.col("prev").is_not_null() & pl.col("cur").is_null()).select(
        "meter_id", "zone", "prev", "digits", month_index("prev_date").alias("q")
    )
    hist = valid.join(last, on=["meter_id", "zone"]).with_columns(month_index("date").alias("m"))
    window = hist.filter((pl.col("m") >= pl.col("q") - 6) & (pl.col("m") <= pl.col("q") - 3))
    window = window.filter(pl.col("m") == pl.col("m").min().over("meter_id", "zone"))
    base = window.group_by("meter_id", "zone").agg(
        _last().alias("avg_base"), pl.col("m").first().alias("m0"),
        pl.col("q").first(), pl.col("prev").first(), pl.col("digits").first(),
    )
    diff = wrapped(pl.col("prev") - pl.col("avg_base"))
    months = pl.col("q") - pl.col("m0")
    avg = pl.when(diff >= 0).then(div_half_up(diff, months))
    return base.select("meter_id", "zone", avg.alias("average"), months.alias("average_months"))


def building_volumes(
    meters: pl.DataFrame, readings: pl.DataFrame, start: date, end: date, whole: bool = False
) -> pl.DataFrame:
    """Per (building, service): the building meters' consumption from ``start`` to ``end`` (10⁻⁶).

    Only chains with a reading in the window count; wrapped registers are handled; a backwards
    chain gives null (then the building is treated as having no usable meter reading).  With
    ``whole`` a chain also needs a reading before ``start`` (a full window, e.g. a whole year).
    """
    # Two plans: the building meters' readings (a scan of all readings, so done once) are collected;
    # the few building meters themselves are cheaper to filter again than to collect apart.
    building = with_status(meters.lazy().filter(pl.col("scope") == "building"))
    valid = collect(valid_readings(building, readings.lazy()))
    used = consumption(positions(valid.lazy(), building, start, end)).filter(pl.col("cur").is_not_null())
    if whole:
        used = used.filter(pl.col("prev").is_not_null())
    return collect(used.group_by("owner", "service").agg(
        pl.when(~pl.col("backwards").any()).then(pl.col("used").sum()).alias("building_volume")
    ).rename({"owner": "building_id"}))
