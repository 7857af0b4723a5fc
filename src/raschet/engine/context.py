"""Stage 1, inputs snapshot: the working set of one calculation, in engine units.

The working set is every account of every building that holds a requested account.  Common
needs subtract the individual volumes of the whole building, so an account's result may depend
on its neighbours but never on which other buildings were requested: calculating one account
alone and calculating the whole region give the same lines (a property the tests check).

Here decimals become scaled Int64 integers (see ``fixed.py``), open-ended validity dates
become far-past / far-future sentinels (so "valid on" is two comparisons), and only rows that
can matter for the period are kept.

When only some accounts are requested, :func:`narrow` then drops the neighbours' services that
no common-needs rule of a requested account sums, with their meters and readings: a one-account
preview computes its own lines and its building's individual volumes of the common-needs
resources, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from raschet.domain.periods import Period
from raschet.engine.codes import Codes
from raschet.engine.fixed import VOLUME, scaled
from raschet.engine.inputs import INPUTS, Input
from raschet.engine.plans import collect_all
from raschet.engine.snapshot import Snapshot

FAR_PAST = date(1900, 1, 1)
FAR_FUTURE = date(9999, 12, 31)


@dataclass
class Context:
    """The period, the working set and the prepared tables shared by all stages.

    ``ctx.readings`` and the like are the working set's rows of each input of ``inputs.INPUTS``,
    decimals as scaled integers (10^-scale of their column), open validity ends filled.
    """

    period: Period
    start: date
    end: date
    days: int
    requested: pl.DataFrame          # account_id of accounts whose lines are returned
    tables: dict[str, pl.DataFrame]
    codes: Codes
    extra: dict[str, pl.DataFrame] = field(default_factory=dict)
    # The metered segments of some (account_id, service, first_gap) chains over [start, end), cut at
    # every month, with their attributes: (late, start, end) -> segments.  Set by the pipeline for
    # the catch-up after a late reading (``methods/catchup.py``).
    past_segments: Callable[[pl.DataFrame, date, date], pl.DataFrame] | None = None

    def __getattr__(self, name: str) -> pl.DataFrame:
        try:
            return self.__dict__["tables"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def accounts(self) -> pl.DataFrame:
        return self.tables["accounts"]


def _requested(all_accounts: pl.DataFrame, accounts: Iterable[int] | None) -> pl.DataFrame:
    if accounts is None:
        return all_accounts.select("account_id")
    wanted = pl.Series("account_id", sorted(set(accounts)), dtype=pl.Int64)
    return wanted.filter(wanted.is_in(all_accounts["account_id"].implode())).to_frame()


def _prepared(frame: pl.LazyFrame, table: Input, start: date, end: date) -> pl.LazyFrame:
    """Rows of a table that can matter for [start, end), open ends filled, decimals as integers."""
    if table.dated is not None:
        since, until = table.dated
        frame = frame.with_columns(pl.col(since).fill_null(FAR_PAST), pl.col(until).fill_null(FAR_FUTURE)).filter(
            (pl.col(since) < end) & (pl.col(until) > start)
        )
    decimals = [scaled(c, t.scale).alias(c) for c, t in table.schema.items() if isinstance(t, pl.Decimal)]
    return frame.with_columns(decimals) if decimals else frame


def build_context(snapshot: Snapshot, period: Period, accounts: Iterable[int] | None, codes: Codes,
                  window: tuple[date, date] | None = None) -> Context:
    """Select the working set and convert it to engine units (two batches of fused lazy plans).

    ``window`` widens the days covered from the period to several whole months (the annual heating
    correction); the period is then the window's first month.
    """
    start, end = window or (period.start, period.end)
    requested = _requested(snapshot.accounts, accounts)
    buildings = snapshot.accounts.lazy().join(requested.lazy(), on="account_id").select("building_id").unique()
    acc = snapshot.accounts.lazy().join(buildings, on="building_id").with_columns(
        scaled("share", VOLUME).alias("share"), pl.col("opened").fill_null(FAR_PAST),
        pl.col("closed").fill_null(FAR_FUTURE),
    )
    acc, buildings = collect_all([acc, buildings])
    meters = _meters(snapshot, acc.lazy().select("account_id"), buildings.lazy()).filter(
        pl.col("installed").is_null() | (pl.col("installed") < end)
    )
    working = {
        "account": acc.lazy().select("account_id"), "premises": acc.lazy().select("premises_id").unique(),
        "building": buildings.lazy(), "meter": meters.select("meter_id"),
    }
    tables = {}
    for name, table in INPUTS.items():
        if name == "accounts":
            continue
        frame = meters if name == "meters" else snapshot.tables[name].lazy()
        if table.key != "reference" and name != "meters":
            frame = frame.join(working[table.key], on=table.key_column, how="semi")
        tables[name] = _prepared(frame, table, start, end)
    tables["readings"] = tables["readings"].filter(pl.col("date") < end)
    frames = dict(zip(tables, collect_all(list(tables.values())), strict=True))
    return Context(period=period, start=start, end=end, days=(end - start).days, requested=requested,
                   tables={"accounts": acc, **frames}, codes=codes)


def narrow(ctx: Context, shared_services: list[str]) -> Context:
    """The context without the neighbours' services that cannot change the requested lines.

    When only some accounts of the working set are requested, the other accounts matter only
    through common needs: the sum of their individual volumes of a common-needs resource.  Every
    (account, service) is calculated on its own, so dropping the neighbours' other services (and
    their meters and readings) leaves the requested lines exactly the same.
    """
    if ctx.requested.height == ctx.accounts.height:
        return ctx
    mine = pl.col("account_id").is_in(ctx.requested["account_id"].implode())
    shared = pl.col("service").is_in(pl.Series(shared_services, dtype=ctx.codes.service).implode())
    meters = ctx.meters.lazy().filter((pl.col("scope") == "building") | mine | shared)
    account_services, meters, readings = collect_all([
        ctx.account_services.lazy().filter(mine | shared), meters,
        ctx.readings.lazy().join(meters.select("meter_id"), on="meter_id", how="semi"),
    ])
    tables = {**ctx.tables, "account_services": account_services, "meters": meters, "readings": readings}
    return replace(ctx, tables=tables)


def _meters(snapshot: Snapshot, ids: pl.LazyFrame, buildings: pl.LazyFrame) -> pl.LazyFrame:
    meters = snapshot.meters.lazy()
    premises = meters.filter(pl.col("scope") == "premises").join(ids, on="account_id")
    building = meters.filter(pl.col("scope") == "building").join(buildings, on="building_id")
    return pl.concat([premises, building])
