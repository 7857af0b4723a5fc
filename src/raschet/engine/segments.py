"""Stage 3, segments: cut the period per (account, service) at every date where an input changes.

First the period is clipped to the days the account is open and the service is supplied
(``account_services``), and cut where the applicable rule changes; that tells the method.  Then
each span is cut again at the dates of the inputs its method uses (tariff, norm, residents,
area, meter installed/removed, parameters), so that every input is constant inside a segment
and its value on ``date_from`` is the value for the whole segment.  A change of an input the
method does not use (residents for an area charge) does not cut the line.

The cutting is written as lazy plans collected once per step (spans, rule cuts, input cuts):
for one account a few dozen eager operations on tiny frames would cost more than the work.
"""

from __future__ import annotations

import polars as pl

from raschet.engine import problems
from raschet.engine.context import Context
from raschet.engine.lookup import dated, most_specific
from raschet.engine.plans import collect, collect_all

METHOD_INPUTS: dict[str, tuple[str, ...]] = {
    "metered": ("tariffs", "norms", "residents", "areas", "meters"),
    "norm": ("tariffs", "norms", "residents", "areas"),
    "area": ("tariffs", "areas"),
    "heating": ("tariffs", "norms", "areas"),
    "common_needs": ("tariffs", "norms", "areas"),
    "formula": ("tariffs", "norms", "residents", "areas", "parameters"),
    # cut where the listed services' norm volumes change, so its lines follow theirs
    "sum_of": ("tariffs", "residents", "areas"),
}


def _points(
    frame: pl.DataFrame | pl.LazyFrame, keys: list[str], ctx: Context,
    columns: tuple[str, ...] = ("valid_from", "valid_to"),
) -> pl.LazyFrame:
    """The change dates of a dated table strictly inside the period: (keys..., d)."""
    frame = frame.lazy()
    parts = [frame.select(*keys, pl.col(c).alias("d")) for c in columns]
    inside = (pl.col("d") > ctx.start) & (pl.col("d") < ctx.end)
    return pl.concat(parts).filter(inside).unique()


def _spans(ctx: Context) -> pl.DataFrame:
    accounts = ctx.accounts.lazy().select("account_id", "building_id", "premises_id", "opened", "closed")
    spans = ctx.account_services.lazy().join(accounts, on="account_id").select(
        "account_id", "building_id", "premises_id", "service", "supplier",
        pl.max_horizontal("valid_from", "opened", pl.lit(ctx.start)).alias("date_from"),
        pl.min_horizontal("valid_to", "closed", pl.lit(ctx.end)).alias("date_to"),
    )
    return collect(spans.filter(pl.col("date_from") < pl.col("date_to")).with_row_index("span_id"))


def _split(frame: pl.DataFrame, points: list[pl.LazyFrame | None]) -> pl.LazyFrame:
    """Cut every span at the points (span_id, d) strictly inside it; renumbers span_id if it cuts.

    None stands for a source without any change date in the period.
    """
    spans = frame.lazy()
    points = [p for p in points if p is not None]
    if not points:
        return spans
    bounds = spans.select("span_id", "date_from", "date_to")
    inner = collect(pl.concat([
        p.join(bounds, on="span_id").filter(
            (pl.col("d") > pl.col("date_from")) & (pl.col("d") < pl.col("date_to"))
        ).select("span_id", "d")
        for p in points
    ]).unique())  # collected: read three times below
    if inner.is_empty():  # no change inside any span (the usual case for one account): nothing to cut
        return spans
    inner = inner.lazy()
    # Most spans have no change inside the period: only the others are cut (and sorted).
    cut = bounds.join(inner.select("span_id").unique(), on="span_id", how="semi")
    cuts = pl.concat(
        [cut.select("span_id", pl.col("date_from").alias("d")), cut.select("span_id", pl.col("date_to").alias("d")),
         inner]
    ).unique().sort("span_id", "d")
    pieces = cuts.with_columns(
        pl.col("d").shift(-1).alias("date_to"), pl.col("span_id").shift(-1).alias("_next")
    ).filter(pl.col("_next") == pl.col("span_id")).select("span_id", pl.col("d").alias("date_from"), "date_to")
    whole = spans.join(inner.select("span_id").unique(), on="span_id", how="anti")
    split = pieces.join(spans.drop("date_from", "date_to"), on="span_id").select(frame.columns)
    return pl.concat([whole, split]).drop("span_id").with_row_index("span_id")


def _rule_points(spans: pl.DataFrame, ctx: Context) -> pl.LazyFrame:
    scoped = _points(ctx.rules.rename({"building_id": "scope_building", "account_id": "scope_account"}),
                     ["service", "scope_building", "scope_account"], ctx)
    return spans.lazy().select("span_id", "service", "account_id", "building_id").join(scoped, on="service").filter(
        (pl.col("scope_building").is_null() | (pl.col("scope_building") == pl.col("building_id")))
        & (pl.col("scope_account").is_null() | (pl.col("scope_account") == pl.col("account_id")))
    ).select("span_id", "d")


def resolve_rules(segs: pl.DataFrame, rules: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Attach rule_id, method and params (account beats building beats everywhere)."""
    scoped = rules.lazy().rename({"building_id": "scope_building", "account_id": "scope_account"})
    hits = collect(dated(segs.lazy().select("span_id", "service", "account_id", "building_id", "date_from"), scoped,
                         ["service"]).filter(
        (pl.col("scope_building").is_null() | (pl.col("scope_building") == pl.col("building_id")))
        & (pl.col("scope_account").is_null() | (pl.col("scope_account") == pl.col("account_id")))
    ))
    priority = pl.col("scope_account").is_not_null().cast(pl.Int8) * 2 + pl.col("scope_building").is_not_null()
    best = most_specific(hits, ["span_id"], priority).lazy().select("span_id", "rule_id", "method")
    joined = segs.lazy().join(best, on="span_id", how="left")
    segs, missing = collect_all([joined.filter(pl.col("rule_id").is_not_null()), joined.filter(pl.col("rule_id").is_null())])
    found = problems.rows(missing, "no_rule", service=pl.col("service"), date=pl.col("date_from"))
    return segs, found


_SOURCE_DATES = {"meters": ("installed", "removed")}


def _changes(frame: pl.DataFrame, ctx: Context, columns: tuple[str, ...] = ("valid_from", "valid_to")) -> bool:
    """Whether a date of ``columns`` lies strictly inside the period (Series operations, not a query)."""
    return any(frame[c].is_between(ctx.start, ctx.end, closed="none").any() for c in columns)


def _input_points(segs: pl.DataFrame, ctx: Context, source: str) -> pl.LazyFrame | None:
    """The cut points of ``source`` for the spans whose method uses it; None when it has no change date."""
    if not _changes(getattr(ctx, source), ctx, _SOURCE_DATES.get(source, ("valid_from", "valid_to"))):
        return None
    users = [m for m, used in METHOD_INPUTS.items() if source in used]
    spans = segs.lazy().filter(pl.col("method").is_in(users))
    if source == "tariffs":
        points = _points(ctx.tariffs.rename({"building_id": "scope_building"}),
                         ["service", "supplier", "scope_building"], ctx)
        joined = spans.join(points, on=["service", "supplier"])
    elif source == "norms":
        points = _points(ctx.norms.rename({"building_id": "scope_building"}), ["service", "scope_building"], ctx)
        joined = spans.join(points, on="service")
    elif source == "residents":
        return spans.join(_points(ctx.residents, ["account_id"], ctx), on="account_id").select("span_id", "d")
    elif source == "areas":
        return spans.join(_points(ctx.areas, ["premises_id"], ctx), on="premises_id").select("span_id", "d")
    elif source == "meters":
        meters = ctx.meters.filter(pl.col("scope") == "premises")
        points = _points(meters, ["account_id", "service"], ctx, ("installed", "removed"))
        return spans.join(points, on=["account_id", "service"]).select("span_id", "d")
    else:
        return _parameter_points(spans, ctx)
    return joined.filter(
        pl.col("scope_building").is_null() | (pl.col("scope_building") == pl.col("building_id"))
    ).select("span_id", "d")


def _parameter_points(spans: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    parameters = ctx.parameters
    if parameters.is_empty():
        return spans.select("span_id", pl.lit(None, dtype=pl.Date).alias("d")).clear()
    parts = []
    for scope, column in (("account", "account_id"), ("premises", "premises_id"), ("building", "building_id")):
        points = _points(parameters.filter(pl.col("scope") == scope).rename({"object_id": column}), [column], ctx)
        parts.append(spans.join(points, on=column).select("span_id", "d"))
    return pl.concat(parts)


def _overlaps(spans: pl.DataFrame) -> pl.DataFrame:
    """Problem rows where two suppliers of one (account, service) overlap: billing both would double it."""
    # Only (account, service) pairs with several spans can clash; they are few, so sort just them.
    several = spans.filter(pl.struct("account_id", "service").is_duplicated())
    if several.is_empty():
        return problems.empty()
    ordered = several.sort("account_id", "service", "date_from")
    same = (pl.col("account_id") == pl.col("account_id").shift(1)) & (pl.col("service") == pl.col("service").shift(1))
    described = pl.format("{} [{}, {})", pl.col("supplier"), pl.col("date_from"), pl.col("date_to"))
    ordered = ordered.with_columns(described.alias("this"), described.shift(1).alias("before"))
    clash = ordered.filter(same & (pl.col("date_from") < pl.col("date_to").shift(1)))
    return problems.rows(
        clash, "overlap", what=pl.format("поставщиков услуги «{}»", pl.col("service")),
        first=pl.col("before"), second=pl.col("this"),
    )


def _month_points(spans: pl.DataFrame, ctx: Context) -> pl.LazyFrame:
    """The first day of every month strictly inside the context's days, for every span."""
    starts = pl.date_range(ctx.start, ctx.end, "1mo", closed="left", eager=True).alias("d")
    inside = starts.filter((starts > ctx.start) & (starts < ctx.end))
    return spans.lazy().select("span_id").join(inside.to_frame().lazy(), how="cross")


def build_segments(ctx: Context, months: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Segments with their rule: (segments, problem rows).

    With ``months`` the context's days may cover several months: segments are cut at every first
    of the month too, and ``period_days`` is the length of each segment's own month.
    """
    spans = _spans(ctx)
    clashes = _overlaps(spans)
    if months:
        spans = collect(_split(spans, [_month_points(spans, ctx)]))
    by_rule = collect(_split(spans, [_rule_points(spans, ctx) if _changes(ctx.rules, ctx) else None]))
    with_rule, found = resolve_rules(by_rule, ctx.rules)
    sources = ("tariffs", "norms", "residents", "areas", "meters", "parameters")
    segs = _split(with_rule, [_input_points(with_rule, ctx, source) for source in sources])
    segs = segs.drop("span_id").sort("account_id", "service", "date_from").with_row_index("seg_id")
    month_days = pl.col("date_from").dt.month_end().dt.day().cast(pl.Int64)
    segs = segs.with_columns(
        (pl.col("date_to") - pl.col("date_from")).dt.total_days().cast(pl.Int64).alias("days"),
        (month_days if months else pl.lit(ctx.days, dtype=pl.Int64)).alias("period_days"),
    )
    return collect(segs), pl.concat([found, clashes])
