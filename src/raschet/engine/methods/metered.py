"""The ``metered`` method: individual meter, average, or norm (ПП 354 п. 42, 59, 60; domain.md §1).

For each (account, service) chain of meters the period is in one of three states:

* **meter** — a reading dated in the period: consumption per zone, summed over a replaced and a
  new meter.  If months before went without a reading (the reading arrived late), what they
  charged — by the average, then by the norm — is subtracted (domain.md §4.3), so the volume may
  be negative: a credit.
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
from raschet.engine.fixed import EXACT, ONE, VOLUME, div_half_up, lit, to_decimal
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
from raschet.engine.methods.catchup import charged_months, month_start
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
    pos = collect(pos.lazy().join(averages(valid.lazy(), pos.lazy()), on=["meter_id", "zone"], how="left"))
    state = _chain_state(meters.lazy(), pos.lazy(), now, ctx)
    flagged = _with_meter_flag(segs.lazy(), meters.lazy()).join(
        state.rename({"owner": "account_id"}), on=["account_id", "service"], how="left", maintain_order="left"
    )
    if not pos["cur"].is_not_null().any():
        return _unread(collect(flagged), pos)
    rows = _read_rows(pos, _charged_before(pos, segs, ctx, now, meters, valid))
    backwards = bool(pos["backwards"].any())
    segs, read = collect_all([flagged, _read_volumes(rows, backwards)])
    found = [_backwards(read.filter(pl.col("backwards"))) if backwards else problems.empty()]
    if not found[0].is_empty():
        segs = segs.join(problems.keys(found[0], ctx.codes.service).collect(), on=["account_id", "service"],
                         how="anti")
    metered_segs = segs.filter(pl.col("has_meter") & (pl.col("meter_state") == "meter"))
    by_norm = segs.filter(~pl.col("has_meter") | (pl.col("meter_state") == "norm"))
    found.append(no_norm(by_norm, pl.lit(True)))
    parts = collect_all([
        _by_meter(metered_segs.lazy(), read.lazy(),
                  _pieces(metered_segs, valid, _per_meter(rows, meters.lazy(), ctx), ctx.start)),
        _by_average(segs.lazy().filter(pl.col("has_meter") & (pl.col("meter_state") == "average")), pos.lazy()),
        _by_norm(by_norm.lazy()),
    ])
    return pl.concat(parts), pl.concat(found)


def _unread(segs: pl.DataFrame, pos: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`metered` where no register has a reading in the period (as in the catch-up's past
    runs): only the average and the norm, without the plans of read meters."""
    by_norm = segs.filter(~pl.col("has_meter") | (pl.col("meter_state") == "norm"))
    parts = collect_all([
        _by_average(segs.lazy().filter(pl.col("has_meter") & (pl.col("meter_state") == "average")), pos.lazy()),
        _by_norm(by_norm.lazy()),
    ])
    return pl.concat(parts), no_norm(by_norm, pl.lit(True))


def _with_meter_flag(segs: pl.LazyFrame, meters: pl.LazyFrame) -> pl.LazyFrame:
    """``has_meter``: some meter of the chain is installed on the segment's first day.

    That is: the chain's earliest installation (a meter without a date counts as installed
    always) is on or before it — one row per chain to join, not one per segment and meter.
    """
    first = meters.group_by(pl.col("owner").alias("account_id"), "service").agg(
        pl.col("installed").fill_null(FAR_PAST).min().alias("_first"))
    return segs.join(first, on=["account_id", "service"], how="left", maintain_order="left").with_columns(
        (pl.col("_first") <= pl.col("date_from")).fill_null(False).alias("has_meter")
    ).drop("_first")


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


def _charged_before(pos: pl.DataFrame, segs: pl.DataFrame, ctx: Context, now: int, meters: pl.DataFrame,
                    valid: pl.DataFrame) -> pl.DataFrame | None:
    """Per (chain, zone) read after months without a reading: what those months charged (10⁻⁶).

    The months from the one after the chain's last earlier reading to the one before this period
    were charged by the average (at most 3) and then by the norm; they are calculated again, all
    in one pass (``catchup.py``), so exactly the volumes charged are subtracted — the
    average's and the norm's as the rule's ``late_reading_deducts`` says.  A norm month has one
    volume for the whole meter; on a multi-zone meter it is shared over the zones in proportion
    to their measured consumption (HALF_UP to 10⁻⁶, the last zone takes the remainder).
    None when no chain was read late.
    """
    if ctx.past_segments is None or not _any_late(pos, now):
        return None
    # One plan before the past runs and one after: a handful of rows, so each step would cost its overhead.
    read = pos.lazy().filter(pl.col("cur").is_not_null())
    late = collect(read.group_by("owner", "service").agg(month_index(pl.col("prev_date").max()).alias("last")).filter(
        pl.col("last") < now - 1
    ).select(pl.col("owner").alias("account_id"), "service", (pl.col("last") + 1).alias("first_gap")))
    if late.is_empty():
        return None
    start = month_start(late["first_gap"].min())
    past = ctx.past_segments(late, start, ctx.start)  # every gap month's segments, in one pass
    parts = charged_months(past, meters, valid, pos, late)
    chain = ["account_id", "service"]
    flags = segs.lazy().join(late.lazy(), on=chain, how="semi").group_by(chain).agg(
        pl.col("deduct_average").first(), pl.col("deduct_norm").first()
    )
    source = pl.col("volume_source")
    charged = collect(parts.lazy().join(flags, on=chain).filter(
        ((source == "average") & pl.col("deduct_average")) | ((source == "norm") & pl.col("deduct_norm"))
    )).lazy()  # read three times below
    months = charged.group_by(chain).agg(
        pl.col("month").filter(source == "average").n_unique().alias("months_average"),
        pl.col("month").filter(source == "norm").n_unique().alias("months_norm"),
    )
    zones = read.select(pl.col("owner").alias("account_id"), "service", "zone", "used").join(
        late.lazy(), on=chain, how="semi"
    ).group_by(*chain, "zone").agg(pl.col("used").sum())
    zones = collect(zones.sort(*chain, "zone").with_columns(
        (pl.col("zone") != "total").any().over(chain).alias("multi")
    ))
    own = charged.group_by(*chain, "zone").agg(
        pl.col("volume").filter(source == s).sum().alias(f"own_{s}") for s in ("average", "norm")
    )
    whole = charged.filter(pl.col("zone") == "total").group_by(chain).agg(pl.col("volume").sum().alias("whole"))
    out = zones.lazy().join(own, on=[*chain, "zone"], how="left").join(whole, on=chain, how="left").join(
        months, on=chain, how="left").join(late.lazy(), on=chain)
    norm = pl.col("own_norm").fill_null(0)
    if zones["multi"].any():
        out = _zone_shares(out, chain)
        norm = norm + pl.when(pl.col("multi")).then(pl.col("share").fill_null(0)).otherwise(0)
    return collect(out.select(
        pl.col("account_id").alias("owner"), "service", "zone",
        pl.col("own_average").fill_null(0).alias("deducted_average"), norm.alias("deducted_norm"),
        pl.col("months_average").fill_null(0).cast(pl.Int64), pl.col("months_norm").fill_null(0).cast(pl.Int64),
        (pl.lit(now) - pl.col("first_gap")).alias("gap_months"),
    ))


def _zone_shares(out: pl.LazyFrame, chain: list[str]) -> pl.LazyFrame:
    """Adds ``share``: each zone's part of the chain's ``whole`` norm volume, by its measured ``used``.

    Each window is a column computed once: written as one expression, its repeated
    sub-expressions were evaluated again at every use (2 ms for twenty rows).
    """
    out = out.with_columns(pl.max_horizontal(pl.col("used"), 0).alias("weight")).with_columns(
        pl.when(pl.col("weight").sum().over(chain) > 0).then(pl.col("weight")).otherwise(1).alias("weight")
    ).with_columns(pl.col("weight").sum().over(chain).alias("weights"))
    share = pl.col("share")
    last = pl.int_range(pl.len()).over(chain) == pl.len().over(chain) - 1
    return out.with_columns(
        div_half_up(pl.col("whole").cast(pl.Int128) * pl.col("weight"), pl.col("weights")).alias("share")
    ).with_columns(pl.when(last).then(pl.col("whole") - share.sum().over(chain) + share).otherwise(share).alias("share"))


def _any_late(pos: pl.DataFrame, now: int) -> bool:
    """Whether some register read in the period was last read before the previous month (Series, not a query)."""
    before = date((now - 1) // 12, (now - 1) % 12 + 1, 1)
    return bool((pos["cur"].is_not_null() & (pos["prev_date"] < before)).any())


_NO_DEDUCTION = [pl.lit(0, dtype=pl.Int64).alias(c) for c in
                 ("deducted_average", "deducted_norm", "months_average", "months_norm", "gap_months")]


def _read_rows(pos: pl.DataFrame, charged: pl.DataFrame | None) -> pl.LazyFrame:
    """The registers read in the period; ``deducted`` is what the months before a late reading charged.

    A chain's deduction is carried by the register whose previous reading is the latest (the
    meter that went unread); the others of a replacement carry 0.
    """
    rows = pos.lazy().filter(pl.col("cur").is_not_null())
    if charged is None:
        rows = rows.with_columns(_NO_DEDUCTION)
    else:
        chain = ["owner", "service", "zone"]
        carrier = pl.col("meter_id") == pl.col("meter_id").get(pl.col("prev_date").arg_max()).over(chain)
        parts = ["deducted_average", "deducted_norm", "months_average", "months_norm", "gap_months"]
        rows = rows.join(charged.lazy(), on=chain, how="left").with_columns(
            pl.when(carrier).then(pl.col(c).fill_null(0)).otherwise(0).alias(c) for c in parts
        )
    return rows.with_columns((pl.col("deducted_average") + pl.col("deducted_norm")).alias("deducted"))


def _per_meter(rows: pl.LazyFrame, meters: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    """Per (meter, zone) with a period reading: its volume and the days of the period it served.

    A replaced meter served the days before its removal, the new one the days from its
    installation; the readings on that date split the month exactly between them.
    """
    rows = rows.join(meters.select("meter_id", "installed", "removed"), on="meter_id")
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


def _read_volumes(rows: pl.LazyFrame, backwards: bool) -> pl.LazyFrame:
    """Per (chain, zone): the period's metered volume, minus what the months before a late reading
    charged; with ``backwards`` (some register reads lower than before) also the readings to show."""
    latest = pl.col("cur_date").arg_max()
    bad = [pl.col(c).filter(pl.col("backwards")).first().alias(f"bad_{c}")
           for c in ("cur", "cur_date", "base", "base_date")] if backwards else []
    return rows.group_by("owner", "service", "zone").agg(
        (pl.col("used") - pl.col("deducted")).sum().alias("volume"), pl.col("used").sum().alias("measured"),
        pl.col("deducted", "deducted_average", "deducted_norm").sum(),
        pl.col("months_average", "months_norm", "gap_months").max(), pl.len().alias("meters"),
        pl.col("backwards").any(), pl.col("base").get(latest), pl.col("base_date").get(latest),
        pl.col("cur").get(latest), pl.col("cur_date").max(), *bad,
    )


def _backwards(bad: pl.DataFrame) -> pl.DataFrame:
    frame = bad.rename({"owner": "account_id"})
    return problems.rows(
        frame, "readings_backwards",
        current=problems.number_text(to_decimal(pl.col("bad_cur"), VOLUME)),
        current_date=problems.date_text(pl.col("bad_cur_date")),
        previous=problems.number_text(to_decimal(pl.col("bad_base"), VOLUME)),
        previous_date=problems.date_text(pl.col("bad_base_date")),
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
        pl.when(pl.col("gap_months") > 0).then(pl.lit("late_reading"))
        .when(pl.col("meters") > 1).then(pl.lit("replaced_meter"))
    )
    return lines(
        joined, zone=pl.col("zone"), volume_source=pl.lit("meter"), volume=pl.col("volume"),
        reading_prev=pl.col("base"), reading_cur=pl.col("cur"),
        reading_prev_date=pl.col("base_date"), reading_cur_date=pl.col("cur_date"), note=note,
        measured=pl.col("measured"), deducted_average=pl.col("deducted_average"),
        deducted_norm=pl.col("deducted_norm"), months_average=pl.col("months_average"),
        months_norm=pl.col("months_norm"), gap_months=pl.col("gap_months"),
    )


def _by_average(segs: pl.DataFrame, pos: pl.DataFrame) -> pl.DataFrame:
    last = pos.filter(pl.col("prev_date") == pl.col("prev_date").max().over("owner", "service"))
    averaged = last.select(pl.col("owner").alias("account_id"), "service", "zone", "average", "average_months")
    joined = segs.join(averaged, on=["account_id", "service"])
    return lines(
        joined, zone=pl.col("zone"), volume_source=pl.lit("average"),
        volume=prorate(pl.col("average") * lit(TO_EXACT), pl.col("days"), pl.col("period_days")),
        note=pl.lit("average"), gap_month=pl.col("gap_month"), average_months=pl.col("average_months"),
        average=pl.col("average"),
    )


def _by_norm(segs: pl.DataFrame) -> pl.DataFrame:
    segs = segs.filter(pl.col("norm").is_not_null() & ((pl.col("norm_basis") != "area") | pl.col("area").is_not_null()))
    with_factor = (~pl.col("has_meter") | pl.col("broken").fill_null(False)) & pl.col("meter_possible")
    factor = pl.when(with_factor).then(pl.col("increasing_factor")).otherwise(ONE)
    note = (
        pl.when(~pl.col("has_meter")).then(pl.lit("no_meter"))
        .when(pl.col("broken").fill_null(False)).then(pl.lit("broken_meter"))
        .otherwise(pl.lit("no_readings"))
    )
    return lines(segs, volume_source=pl.lit("norm"), volume=norm_volume(), factor=factor,
                 norm_used=pl.col("norm"), note=note)
