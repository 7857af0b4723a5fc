"""The ``metered`` method: individual meter, average, or norm (ПП 354 п. 42, 59, 60; domain.md §1).

For each (account, service) chain of meters the period is in one of three states:

* **meter** — a reading dated in the period: consumption per zone, summed over a replaced and a
  new meter.  If the months before were charged by the average (the reading arrived late), what
  was charged for them is subtracted, so the volume may be negative.
* **average** — no reading: the average monthly consumption (``meters.averages``) for at most 3
  consecutive periods, counted from the first month without a reading, or from the date the
  meter went out of service.
* **norm** — after that, or with less than 3 months of history: norm × residents; × the
  increasing factor only when the meter is out of service (п. 60), not when readings are merely
  missing.

A segment before the first meter was installed has no meter: norm × factor.  The factor is the
rule's ``increasing_factor`` where ``meter_possible``, else 1.  A metered volume is split over
the segments at readings dated on a change date (a replacement always has them), and by days
where there is none; average and norm are monthly quantities prorated by days.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from raschet.engine import problems
from raschet.engine.context import FAR_PAST, Context
from raschet.engine.explain import human
from raschet.engine.fixed import EXACT, ONE, VOLUME, lit, to_decimal
from raschet.engine.meters import (
    averages,
    consumption,
    month_index,
    positions,
    valid_readings,
    with_status,
    wrapped,
)
from raschet.engine.methods.base import empty_lines, lines, no_norm, norm_volume, prorate
from raschet.engine.plans import collect, collect_all

TO_EXACT = 10 ** (EXACT - VOLUME)
AVERAGE_LIMIT = 3


def metered(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    if segs.is_empty():
        return empty_lines(), problems.empty()
    # Lazy plans collected at the few frames used several times (meters, readings, positions).
    chains = segs.lazy().select(pl.col("account_id").alias("owner"), "service").unique()
    meters = with_status(ctx.meters.lazy().filter(pl.col("scope") == "premises")).join(chains, on=["owner", "service"])
    meters, valid = collect_all([meters, valid_readings(meters, ctx.readings.lazy())])
    pos = collect(consumption(positions(valid.lazy(), meters.lazy(), ctx.start, ctx.end)))
    now = ctx.period.year * 12 + ctx.period.month - 1
    pos = collect(pos.lazy().join(averages(valid.lazy(), pos.lazy(), now), on=["meter_id", "zone"], how="left"))
    state = _chain_state(meters.lazy(), pos.lazy(), now, ctx)
    segs, read = collect_all([
        _with_meter_flag(segs.lazy(), meters.lazy()).join(
            state.rename({"owner": "account_id"}), on=["account_id", "service"], how="left", maintain_order="left"
        ),
        _read_volumes(pos.lazy(), now),
    ])
    found = [_backwards(read.filter(pl.col("backwards")))]
    if not found[0].is_empty():
        segs = segs.join(found[0].select("account_id", "service").unique(), on=["account_id", "service"], how="anti")
    metered_segs = segs.filter(pl.col("has_meter") & (pl.col("meter_state") == "meter"))
    by_norm = segs.filter(~pl.col("has_meter") | (pl.col("meter_state") == "norm"))
    found.append(no_norm(by_norm, pl.lit(True)))
    parts = collect_all([
        _by_meter(metered_segs.lazy(), read.lazy(),
                  _pieces(metered_segs, valid, _per_meter(pos.lazy(), meters.lazy(), now, ctx), ctx.start)),
        _by_average(segs.lazy().filter(pl.col("has_meter") & (pl.col("meter_state") == "average")), pos.lazy()),
        _by_norm(by_norm.lazy()),
    ])
    return pl.concat(parts), pl.concat(found)


def _with_meter_flag(segs: pl.LazyFrame, meters: pl.LazyFrame) -> pl.LazyFrame:
    """``has_meter``: some meter of the chain is installed on the segment's first day."""
    installed = segs.select("seg_id", "account_id", "service", "date_from").join(
        meters.select(pl.col("owner").alias("account_id"), "service", "installed"), on=["account_id", "service"]
    ).filter(pl.col("installed").is_null() | (pl.col("installed") <= pl.col("date_from")))
    flag = installed.select("seg_id").unique().with_columns(pl.lit(True).alias("has_meter"))
    return segs.join(flag, on="seg_id", how="left", maintain_order="left").with_columns(
        pl.col("has_meter").fill_null(False)
    )


def _chain_state(meters: pl.DataFrame, pos: pl.DataFrame, now: int, ctx: Context) -> pl.DataFrame:
    """Per chain: mode ("meter" | "average" | "norm"), out_of_service flag and the months counted."""
    newest = pl.col("installed").fill_null(FAR_PAST).arg_max()
    current = meters.group_by("owner", "service").agg(pl.col("out_of_service").get(newest))
    read = pos.group_by("owner", "service").agg(
        pl.col("cur").is_not_null().any().alias("has_reading"), pl.col("prev_date").max().alias("last_date")
    )
    # Whether an average exists matters only where no register has a reading: a small subset.
    unread = pos.filter(pl.col("cur").is_null())
    unread = unread.filter(pl.col("prev_date") == pl.col("prev_date").max().over("owner", "service"))
    has_avg = unread.group_by("owner", "service").agg(pl.col("average").is_not_null().all().alias("has_avg"))
    state = current.join(read, on=["owner", "service"], how="left").join(has_avg, on=["owner", "service"], how="left")
    broken = pl.col("out_of_service").is_not_null() & (pl.col("out_of_service") < ctx.end)
    months = pl.when(broken).then(now - month_index("out_of_service") + 1).otherwise(now - month_index("last_date"))
    average_ok = (months <= AVERAGE_LIMIT) & pl.col("has_avg").fill_null(False)
    mode = (
        pl.when(pl.col("has_reading").fill_null(False)).then(pl.lit("meter"))
        .when(average_ok).then(pl.lit("average")).otherwise(pl.lit("norm"))
    )
    return state.select("owner", "service", mode.alias("meter_state"), broken.alias("broken"), months.alias("gap_month"))


def _with_deduction(pos: pl.DataFrame, now: int) -> pl.DataFrame:
    """``deducted``: what the average charged for the months before a late reading (and how many)."""
    gap = now - month_index("prev_date") - 1
    charged = pl.when((gap >= 1) & pl.col("average").is_not_null()).then(
        pl.col("average") * pl.min_horizontal(gap, pl.lit(AVERAGE_LIMIT))
    ).otherwise(0)
    return pos.with_columns(charged.alias("deducted"), pl.min_horizontal(gap, pl.lit(AVERAGE_LIMIT)).alias("gap_months"))


def _per_meter(pos: pl.DataFrame, meters: pl.DataFrame, now: int, ctx: Context) -> pl.DataFrame:
    """Per (meter, zone) with a period reading: its volume and the days of the period it served.

    A replaced meter served the days before its removal, the new one the days from its
    installation; the readings on that date split the month exactly between them.
    """
    rows = _with_deduction(pos.filter(pl.col("cur").is_not_null()), now).join(
        meters.select("meter_id", "installed", "removed"), on="meter_id"
    )
    return rows.select(
        pl.col("owner").alias("account_id"), "service", "zone", "meter_id", "base", "cur", "cur_date", "digits",
        "deducted", (pl.col("used") - pl.col("deducted")).alias("meter_volume"),
        pl.max_horizontal(pl.col("installed").fill_null(ctx.start), pl.lit(ctx.start)).alias("served_from"),
        pl.min_horizontal(pl.col("removed").fill_null(ctx.end), pl.lit(ctx.end)).alias("served_to"),
    )


def _pieces(segs: pl.DataFrame, valid: pl.DataFrame, per_meter: pl.LazyFrame, start: date) -> pl.LazyFrame:
    """Per meter and zone, the stretches between readings dated on a segment boundary.

    A reading on the day an input changes splits the month's consumption exactly (domain.md §14);
    where there is none, the stretch is later split by days.  What the average charged before a
    late reading is subtracted from the first stretch.
    """
    keys = ["meter_id", "zone"]
    columns = [*keys, "account_id", "service", pl.col("served_from").alias("piece_from"),
               pl.col("served_to").alias("piece_to"), pl.col("meter_volume").alias("piece_volume")]
    if not (segs["date_from"] > start).any():  # no segment boundary inside the period: one stretch each
        return per_meter.select(columns)
    return _cut_pieces(segs, valid, collect(per_meter), keys, columns).lazy()


def _cut_pieces(
    segs: pl.DataFrame, valid: pl.DataFrame, per_meter: pl.DataFrame, keys: list[str], columns: list[pl.Expr | str]
) -> pl.DataFrame:
    """:func:`_pieces` where some segment starts inside the period (eager: its checks need the rows)."""
    whole = per_meter.select(columns)
    inner = segs.select("account_id", "service", pl.col("date_from").alias("date")).unique()
    marks = per_meter.select(*keys, "account_id", "service", "served_from", "cur_date").join(
        inner, on=["account_id", "service"]
    ).filter((pl.col("date") > pl.col("served_from")) & (pl.col("date") <= pl.col("cur_date")))
    if marks.is_empty():  # the usual case: no change inside the period, or none on a metered chain
        return whole
    marks = marks.select(*keys, "date").unique()
    marks = valid.join(marks, on=[*keys, "date"], how="semi").unique([*keys, "date"], keep="last")
    if marks.is_empty():
        return whole
    points = pl.concat([
        per_meter.select(*keys, pl.col("served_from").alias("date"), pl.col("base").alias("value")), marks,
        per_meter.select(*keys, pl.col("served_to").alias("date"), pl.col("cur").alias("value")),
    ]).sort(*keys, "date")
    points = points.with_columns(
        pl.col("date").shift(-1).over(keys).alias("piece_to"), pl.col("value").shift(-1).over(keys).alias("next")
    ).drop_nulls("piece_to").join(per_meter.select(*keys, "account_id", "service", "digits", "deducted", "served_from"),
                                  on=keys)
    first = pl.when(pl.col("date") == pl.col("served_from")).then(pl.col("deducted")).otherwise(0)
    return points.select(*keys, "account_id", "service", pl.col("date").alias("piece_from"), "piece_to",
                         (wrapped(pl.col("next") - pl.col("value")) - first).alias("piece_volume"))


def _read_volumes(pos: pl.DataFrame, now: int) -> pl.DataFrame:
    """Per (chain, zone): the period's metered volume, minus what the average already charged."""
    rows = _with_deduction(pos.filter(pl.col("cur").is_not_null()), now)
    latest = pl.col("cur_date").arg_max()
    return rows.group_by("owner", "service", "zone").agg(
        (pl.col("used") - pl.col("deducted")).sum().alias("volume"),
        pl.col("deducted").sum(), pl.col("gap_months").max(), pl.len().alias("meters"),
        pl.col("backwards").any(), pl.col("base").get(latest), pl.col("base_date").get(latest),
        pl.col("cur").get(latest), pl.col("cur_date").max(),
        pl.col("cur").filter(pl.col("backwards")).first().alias("bad_cur"),
        pl.col("cur_date").filter(pl.col("backwards")).first().alias("bad_cur_date"),
        pl.col("base").filter(pl.col("backwards")).first().alias("bad_base"),
        pl.col("base_date").filter(pl.col("backwards")).first().alias("bad_base_date"),
    )


def _backwards(bad: pl.DataFrame) -> pl.DataFrame:
    frame = bad.rename({"owner": "account_id"})
    return problems.rows(
        frame, "readings_backwards",
        current=to_decimal(pl.col("bad_cur"), VOLUME), current_date=pl.col("bad_cur_date"),
        previous=to_decimal(pl.col("bad_base"), VOLUME), previous_date=pl.col("bad_base_date"),
    )


def _by_meter(segs: pl.DataFrame, read: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    """Each stretch's volume split by days over the segments it covers, summed per segment and zone."""
    served = segs.select("seg_id", "account_id", "service", "date_from", "date_to", "days").join(
        pieces, on=["account_id", "service"]
    ).filter((pl.col("date_from") < pl.col("piece_to")) & (pl.col("date_to") > pl.col("piece_from")))
    served = served.with_columns(pl.col("days").sum().over("meter_id", "zone", "piece_from").alias("served_days"))
    part = prorate(pl.col("piece_volume") * lit(TO_EXACT), pl.col("days"), pl.col("served_days"))
    volumes = served.group_by("seg_id", "zone").agg(part.sum().alias("volume"))
    joined = segs.join(volumes, on="seg_id").join(read.rename({"owner": "account_id"}).drop("volume"),
                                                  on=["account_id", "service", "zone"])
    note = (
        pl.when(pl.col("deducted") != 0).then(pl.format(
            "показание после {} мес. по среднему: из расхода вычтено начисленное по среднему {}",
            pl.col("gap_months"), human(to_decimal(pl.col("deducted"), VOLUME)),
        ))
        .when(pl.col("meters") > 1).then(pl.lit("замена прибора: расход по снятому и по новому прибору"))
    )
    return lines(
        joined, zone=pl.col("zone"), volume_source=pl.lit("meter"), volume=pl.col("volume"),
        reading_prev=pl.col("base"), reading_cur=pl.col("cur"),
        reading_prev_date=pl.col("base_date"), reading_cur_date=pl.col("cur_date"), note=note,
    )


def _by_average(segs: pl.DataFrame, pos: pl.DataFrame) -> pl.DataFrame:
    last = pos.filter(pl.col("prev_date") == pl.col("prev_date").max().over("owner", "service"))
    averaged = last.select(pl.col("owner").alias("account_id"), "service", "zone", "average", "average_months")
    joined = segs.join(averaged, on=["account_id", "service"])
    note = pl.format(
        "нет показаний ({}-й месяц): среднемесячный расход за {} мес. {}",
        pl.col("gap_month"), pl.col("average_months"), human(to_decimal(pl.col("average"), VOLUME)),
    )
    return lines(
        joined, zone=pl.col("zone"), volume_source=pl.lit("average"),
        volume=prorate(pl.col("average") * lit(TO_EXACT), pl.col("days"), pl.col("period_days")), note=note,
    )


def _by_norm(segs: pl.DataFrame) -> pl.DataFrame:
    segs = segs.filter(pl.col("norm").is_not_null() & ((pl.col("norm_basis") != "area") | pl.col("area").is_not_null()))
    with_factor = (~pl.col("has_meter") | pl.col("broken").fill_null(False)) & pl.col("meter_possible")
    factor = pl.when(with_factor).then(pl.col("increasing_factor")).otherwise(ONE)
    note = (
        pl.when(~pl.col("has_meter")).then(pl.lit("прибора учёта нет: по нормативу"))
        .when(pl.col("broken").fill_null(False)).then(pl.lit("прибор неисправен или не поверен: по нормативу"))
        .otherwise(pl.lit("показаний нет более 3 месяцев или мало истории: по нормативу"))
    )
    return lines(segs, volume_source=pl.lit("norm"), volume=norm_volume(), factor=factor,
                 norm_used=pl.col("norm"), note=note)
