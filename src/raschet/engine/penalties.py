"""The penalty engine (пени, ЖК ст. 155 ч. 14; domain.md §6): debts and payments in, statement rows out.

Vectorised with Polars like the charge engine, so one account and a region of 1.5 million take the
same code. No Django, no database: the claims app reads the ledger into the two input frames and the
dated terms into a :class:`~raschet.engine.penalty_terms.PenaltyTerms`.

Inputs (money in integer kopecks, dates as ``Date``):

* ``buckets`` (:data:`BUCKETS`): what fell due — one row per account × accrual period × group ×
  due date. ``group`` separates bases that follow different fractions (``capital_repair`` has no
  1/130 step); an increase of a past charge may be a bucket of its own with a later due date.
  ``grace/first/step/second`` are the bucket's :class:`~raschet.engine.penalty_terms.Fractions`.
  An optional ``since`` (a date or null) starts the bucket's rows no earlier than that day, its
  ``amount`` being the debt left on it: the penalty accrual's kept state gives only the days whose
  rows can still change (:mod:`raschet.claims.state`).
* ``movements`` (:data:`MOVEMENTS`): what lowered the debt of an (account, period, group) from
  ``effective`` on — payments (``paid_on`` set; effective the next day, or the same day when the
  payment day does not accrue) and reductions by recalculation (effective from the period's own
  due date). Within a key the money pays the buckets oldest due date first.

Rules (the contract of scenario-format.md): day *n* of delay is ``due + n``; no accrual up to the
grace; the fraction follows the day number; no accrual on a moratorium's days for the categories it
covers, while the day count runs on; the rate of a day is the fixed 9.5 % of its regime, or
min(cap, key rate) or the key rate *in force on the date the segment's debt is paid* (the next
payment of the key, or ``as_of`` while unpaid; the policy ``rate_date = "as_of"`` takes ``as_of``
always); each row is rounded HALF_UP to kopecks; a total is the sum of its rows. Nothing accrues on
penalties: penalties never enter the buckets.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from raschet.engine.penalty_terms import RATE_SCALE, PenaltyTerms

KEY = ["account_id", "ref_period", "group"]
BUCKETS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "group": pl.Utf8, "category": pl.Utf8, "due": pl.Date,
           "amount": pl.Int64, "grace": pl.Int32, "first": pl.Int32, "step": pl.Int32, "second": pl.Int32}
MOVEMENTS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "group": pl.Utf8, "effective": pl.Date,
             "amount": pl.Int64, "paid_on": pl.Date}
ROWS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "group": pl.Utf8, "category": pl.Utf8, "due": pl.Date,
        "date_from": pl.Date, "date_to": pl.Date, "days": pl.Int32, "base": pl.Int64, "denominator": pl.Int32,
        "rate": pl.Int64, "rate_date": pl.Date, "amount": pl.Int64}
PROBLEMS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "rate_date": pl.Date}


def _days(column: str | pl.Expr) -> pl.Expr:
    return pl.duration(days=column if isinstance(column, pl.Expr) else pl.col(column))


def with_key(frame: pl.DataFrame, groups: dict[str, int]) -> pl.DataFrame:
    """One Int64 ``key`` for (account, period, group): sorting, windows and as-of joins on one integer
    cost a fraction of those on three columns with strings."""
    month = (pl.col("ref_period").str.slice(0, 4).cast(pl.Int64) * 12
             + pl.col("ref_period").str.slice(5, 2).cast(pl.Int64) - 1)
    code = pl.col("group").replace_strict(groups, return_dtype=pl.Int64) if groups else pl.lit(0, dtype=pl.Int64)
    return frame.with_columns(key=(pl.col("account_id") * (1 << 20) + month * 16 + code))


def _buckets(buckets: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    """Each bucket with the money of earlier buckets of its key (paid first) and its first accruing day."""
    return (buckets.lazy().sort("key", "due")
            .with_columns(prior=_within(pl.col("amount").cum_sum() - pl.col("amount")),
                          start=pl.max_horizontal(pl.col("due") + _days(pl.col("grace").cast(pl.Int64) + 1),
                                                  pl.col("since")))
            .filter(pl.col("start") <= as_of)
            .with_row_index("bucket"))


def _within(running: pl.Expr, by: str = "key") -> pl.Expr:
    """An exclusive running total (the sum of the rows before) restarted at each new ``by`` of a frame
    sorted by it, without a window group-by."""
    first = pl.when(pl.col(by) != pl.col(by).shift(1, fill_value=-1)).then(running)
    return running - first.forward_fill()


def _global_cuts(terms: PenaltyTerms, first: date, end: date) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Dates in [first, end] where the rate regime changes (for everybody) and where a category's
    moratorium starts or ends; those outside cut no bucket's days, so they are not joined to every one."""
    within = pl.col("point").is_between(first, end)
    regimes = terms.regimes.lazy()
    regime_cuts = pl.concat([regimes.select(point=pl.col("valid_from")), regimes.select(point=pl.col("valid_to"))])
    stops = terms.moratoria.lazy()
    stop_cuts = pl.concat([stops.select("category", point=pl.col("valid_from")),
                           stops.select("category", point=pl.col("valid_to"))])
    return regime_cuts.filter(within).unique(), stop_cuts.filter(within).unique()


def _segments(b: pl.LazyFrame, moves: pl.LazyFrame, terms: PenaltyTerms, end: date, first: date) -> pl.LazyFrame:
    """Per bucket, the runs of days between consecutive change points in [start, end); ``first`` is
    the earliest start."""
    regime_cuts, stop_cuts = _global_cuts(terms, first, end)
    ident = b.select("bucket", "start", "key", "category")
    points = pl.concat([
        b.select("bucket", point=pl.col("start")),
        b.filter(pl.col("step").is_not_null()).select("bucket", point=pl.col("due") + _days(pl.col("step").cast(pl.Int64))),
        ident.join(moves.select("key", point=pl.col("effective")), on="key").select("bucket", "point"),
        ident.join(regime_cuts, how="cross").select("bucket", "point"),
        ident.join(stop_cuts, on="category").select("bucket", "point"),
        b.select("bucket", point=pl.lit(end)),
    ])
    same = pl.col("bucket") == pl.col("bucket").shift(-1)
    return (points.join(b.select("bucket", "start"), on="bucket")
            .filter((pl.col("point") >= pl.col("start")) & (pl.col("point") <= end))
            .select("bucket", "point").sort("bucket", "point")
            .filter((pl.col("bucket") != pl.col("bucket").shift(1)) | (pl.col("point") != pl.col("point").shift(1))
                    | pl.col("bucket").shift(1).is_null())
            .with_columns(next=pl.when(same).then(pl.col("point").shift(-1)))
            .filter(pl.col("next").is_not_null())
            .select("bucket", date_from=pl.col("point"), date_to=pl.col("next") - timedelta(days=1),
                    days=(pl.col("next") - pl.col("point")).dt.total_days().cast(pl.Int32)))


def _paid(moves: pl.LazyFrame) -> pl.LazyFrame:
    """Per key, the money that lowered its debt up to each effective date (running total)."""
    return (moves.group_by("key", "effective").agg(pl.col("amount").sum())
            .sort("key", "effective")
            .with_columns(paid=_within(pl.col("amount").cum_sum() - pl.col("amount")) + pl.col("amount"))
            .select("key", "effective", "paid").sort("effective"))


def _live(b: pl.LazyFrame, moves: pl.LazyFrame) -> pl.LazyFrame:
    """The buckets that can accrue: those with debt left on their first accruing day. Money only lowers a
    debt, so a bucket paid by then stays paid — unless its key has a negative movement (a refund of
    an allocation), whose buckets are all kept."""
    rising = moves.filter(pl.col("amount") < 0).select("key").unique()
    at_start = (b.sort("start").join_asof(_paid(moves), left_on="start", right_on="effective", by="key",
                                          strategy="backward", check_sortedness=False)
                .filter(pl.col("amount") > (pl.col("paid").fill_null(0) - pl.col("prior")))
                .select("bucket"))
    kept = pl.concat([at_start, b.join(rising, on="key").select("bucket")]).unique()
    return b.join(kept, on="bucket")


def _with_base(segs: pl.LazyFrame, b: pl.LazyFrame, moves: pl.LazyFrame) -> pl.LazyFrame:
    """The bucket's outstanding debt on each segment's first day: earlier buckets of the key are paid first."""
    paid = _paid(moves)
    joined = segs.join(b.select("bucket", "key", "category", "due", "amount", "prior", "step", "first", "second"),
                       on="bucket").sort("date_from")
    with_paid = joined.join_asof(paid, left_on="date_from", right_on="effective", by="key", strategy="backward",
                                  check_sortedness=False)
    consumed = (pl.col("paid").fill_null(0) - pl.col("prior")).clip(lower_bound=0)
    return with_paid.with_columns(base=(pl.col("amount") - consumed).clip(0, None).clip(upper_bound=pl.col("amount")))


def _without_moratoria(segs: pl.LazyFrame, terms: PenaltyTerms) -> pl.LazyFrame:
    stopped = (segs.select("bucket", "date_from", "category")
               .join(terms.moratoria.lazy(), on="category")
               .filter((pl.col("date_from") >= pl.col("valid_from")) & (pl.col("date_from") < pl.col("valid_to")))
               .select("bucket", "date_from").unique())
    return segs.join(stopped, on=["bucket", "date_from"], how="anti")


def _with_regime(segs: pl.LazyFrame, moves: pl.LazyFrame, terms: PenaltyTerms) -> pl.LazyFrame:
    """The regime of each segment's days, and (policy ``payment``) the day its debt is next paid."""
    regimes = terms.regimes.lazy().rename({"valid_from": "regime_from", "valid_to": "regime_to",
                                           "rate": "regime_rate"}).sort("regime_from")
    segs = segs.sort("date_from").join_asof(regimes, left_on="date_from", right_on="regime_from", strategy="backward")
    mode = pl.when(pl.col("date_from") < pl.col("regime_to")).then(pl.col("mode")).otherwise(pl.lit("key"))
    segs = segs.with_columns(mode=mode.fill_null("key"))
    if terms.rate_date != "payment":
        return segs.with_columns(paid_on=pl.lit(None, dtype=pl.Date))
    pays = moves.filter(pl.col("paid_on").is_not_null()).select("key", "effective", "paid_on").sort("effective")
    return (segs.with_columns(probe=pl.col("date_from") + timedelta(days=1)).sort("probe")
            .join_asof(pays, left_on="probe", right_on="effective", by="key", strategy="forward",
                       check_sortedness=False))


def _with_rate(segs: pl.DataFrame, terms: PenaltyTerms, as_of: date) -> pl.DataFrame:
    """The key rate on the date each segment's debt is paid, or ``as_of`` when it is not paid by then.
    Payments are effective on or after their day, so the first one after a segment paid after ``as_of``
    means no payment by ``as_of``: one pass serves every as-of date."""
    paid = pl.col("paid_on")
    segs = segs.with_columns(rate_date=pl.when(paid.is_not_null() & (paid <= as_of)).then(paid)
                             .otherwise(pl.lit(as_of)))
    keys = terms.key_rates.rename({"rate": "key_rate"}).sort("valid_from")
    segs = segs.sort("rate_date").join_asof(keys, left_on="rate_date", right_on="valid_from", strategy="backward")
    key = pl.col("key_rate")
    rate = (pl.when(pl.col("mode") == "fixed").then(pl.col("regime_rate"))
            .when(pl.col("mode") == "min_key").then(pl.when(key.is_null()).then(None)
                                                   .otherwise(pl.min_horizontal(key, pl.col("regime_rate"))))
            .otherwise(key))
    return segs.with_columns(rate=rate)


def penalty_rows(buckets: pl.DataFrame, movements: pl.DataFrame, terms: PenaltyTerms, as_of: date
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The statement rows of every bucket up to and including ``as_of`` (columns :data:`ROWS`, ordered
    by account, period, group, due date, first day), and the (account, period, rate date) whose key
    rate is missing (:data:`PROBLEMS`; those rows are left out rather than guessed)."""
    return penalty_rows_at(buckets, movements, terms, [as_of])[0]


def penalty_rows_at(buckets: pl.DataFrame, movements: pl.DataFrame, terms: PenaltyTerms, dates: list[date]
                    ) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """:func:`penalty_rows` for each of ``dates`` from one pass over the data: the segments up to the
    latest date are cut, based and rated once; an earlier date takes those starting by it, its last one
    cut at that date (every change point before it is a change point of the later run too)."""
    last = max(dates)
    end = last + timedelta(days=1)
    if "since" not in buckets.columns:
        buckets = buckets.with_columns(since=pl.lit(None, dtype=pl.Date))
    buckets, movements = buckets.cast({**BUCKETS, "since": pl.Date}), movements.cast(MOVEMENTS)
    if buckets.is_empty():
        return [(pl.DataFrame(schema=ROWS), pl.DataFrame(schema=PROBLEMS)) for _ in dates]
    names = sorted(set(buckets["group"].unique().to_list()) | set(movements["group"].unique().to_list()))
    groups = {name: index for index, name in enumerate(names)}
    if len(groups) > 16:
        raise ValueError("Не больше 16 групп услуг с разными правилами пеней.")
    b = _buckets(with_key(buckets, groups), last).collect().lazy()
    moves = with_key(movements, groups).lazy().filter(
        (pl.col("effective") <= end) & (pl.col("paid_on").is_null() | (pl.col("paid_on") <= last))
    ).select("key", "effective", "amount", "paid_on").collect().lazy()
    b = _live(b, moves).collect()
    if b.is_empty():
        return [(pl.DataFrame(schema=ROWS), pl.DataFrame(schema=PROBLEMS)) for _ in dates]
    first = b["start"].min()
    b = b.lazy()
    segs = _with_base(_segments(b, moves, terms, end, first), b, moves).filter(pl.col("base") > 0)
    segs = _without_moratoria(segs, terms)
    day = (pl.col("date_from") - pl.col("due")).dt.total_days()
    segs = segs.with_columns(denominator=pl.when(pl.col("step").is_not_null() & (day >= pl.col("step")))
                             .then(pl.col("second")).otherwise(pl.col("first")).cast(pl.Int32))
    segs = _with_regime(segs, moves, terms).collect()
    segs = segs.join(b.select("bucket", "account_id", "ref_period", "group").collect(), on="bucket")
    return [_rows(segs, terms, as_of) for as_of in dates]


def _rows(segs: pl.DataFrame, terms: PenaltyTerms, as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows and problems of one as-of date from the segments of the latest one."""
    segs = segs.filter(pl.col("date_from") <= as_of).with_columns(date_to=pl.min_horizontal("date_to", pl.lit(as_of)))
    segs = segs.with_columns(days=((pl.col("date_to") - pl.col("date_from")).dt.total_days() + 1).cast(pl.Int32))
    segs = _with_rate(segs, terms, as_of)
    problems = (segs.filter(pl.col("rate").is_null()).select("account_id", "ref_period", "rate_date").unique()
                .sort("account_id", "ref_period", "rate_date").cast(PROBLEMS))
    good = segs.filter(pl.col("rate").is_not_null())
    scale = pl.col("denominator").cast(pl.Int128) * (100 * RATE_SCALE)
    exact = pl.col("base").cast(pl.Int128) * pl.col("rate").cast(pl.Int128) * pl.col("days").cast(pl.Int128)
    amount = ((exact * 2 + scale) // (scale * 2)).cast(pl.Int64)  # HALF_UP for a non-negative amount
    rows = (good.with_columns(amount=amount)
            .sort("key", "due", "date_from")
            .select(list(ROWS)).cast(ROWS))
    return rows, problems


def penalty_totals(rows: pl.DataFrame) -> pl.DataFrame:
    """The penalty of each (account, accrual period, group): the sum of its rounded rows."""
    return rows.group_by(KEY).agg(pl.col("amount").sum()).sort(KEY)


def split_by_weight(totals: pl.DataFrame, weights: pl.DataFrame, key: list[str], part: str) -> pl.DataFrame:
    """Split each key's ``amount`` (kopecks, any sign) over its ``part`` rows in proportion to their
    ``weight`` (non-negative), exactly: each share rounded towards zero, the kopecks left over going to
    the largest remainders (then the first part). A key whose weights add up to 0 goes whole to its
    first part."""
    joined = totals.join(weights, on=key).with_columns(parts=pl.len().over(key))
    alone = joined.filter(pl.col("parts") == 1).select(*key, part, "amount")  # most keys: nothing to split
    joined = joined.filter(pl.col("parts") > 1).with_columns(
        total_weight=pl.col("weight").sum().over(key), sign=pl.col("amount").sign(),
        magnitude=pl.col("amount").abs())
    joined = joined.with_columns(
        weight=pl.when(pl.col("total_weight") > 0).then(pl.col("weight"))
        .otherwise(pl.when(pl.col(part).rank("ordinal").over(key) == 1).then(1).otherwise(0)),
        total_weight=pl.when(pl.col("total_weight") > 0).then(pl.col("total_weight")).otherwise(1))
    exact = pl.col("magnitude").cast(pl.Int128) * pl.col("weight").cast(pl.Int128)
    joined = joined.with_columns(floor=(exact // pl.col("total_weight")).cast(pl.Int64),
                                 remainder=(exact % pl.col("total_weight")).cast(pl.Int64))
    joined = joined.sort([*key, "remainder", part], descending=[False] * len(key) + [True, False])
    joined = joined.with_columns(left=pl.col("magnitude") - pl.col("floor").sum().over(key),
                                 order=pl.int_range(pl.len()).over(key))
    share = pl.col("floor") + (pl.col("order") < pl.col("left")).cast(pl.Int64)
    shared = joined.select(*key, part, amount=share * pl.col("sign"))
    return pl.concat([alone, shared.cast(alone.schema)]).filter(pl.col("amount") != 0).sort([*key, part])
