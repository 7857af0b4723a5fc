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
from raschet.engine.fixed import AREA, VOLUME, scaled
from raschet.engine.plans import collect_all
from raschet.engine.snapshot import Snapshot

FAR_PAST = date(1900, 1, 1)
FAR_FUTURE = date(9999, 12, 31)


@dataclass
class Context:
    """The period, the working set and the prepared tables shared by all stages."""

    period: Period
    start: date
    end: date
    days: int
    requested: pl.DataFrame          # account_id of accounts whose lines are returned
    accounts: pl.DataFrame
    buildings: pl.DataFrame
    areas: pl.DataFrame
    residents: pl.DataFrame
    services: pl.DataFrame
    account_services: pl.DataFrame
    tariffs: pl.DataFrame
    norms: pl.DataFrame
    rules: pl.DataFrame
    meters: pl.DataFrame
    readings: pl.DataFrame
    absences: pl.DataFrame
    parameters: pl.DataFrame
    extra: dict[str, pl.DataFrame] = field(default_factory=dict)
    # What the metered method charged in a past period for some (account_id, service) chains:
    # (period, chains) -> (account_id, service, zone, volume_source, volume).  Set by the pipeline
    # for the catch-up after a late reading; None in those past runs themselves.
    past_volumes: Callable[[Period, pl.DataFrame], pl.DataFrame] | None = None


def _open_dates(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(
        pl.col("valid_from").fill_null(FAR_PAST), pl.col("valid_to").fill_null(FAR_FUTURE)
    )


def _overlapping(frame: pl.LazyFrame, start: date, end: date) -> pl.LazyFrame:
    return _open_dates(frame).filter((pl.col("valid_from") < end) & (pl.col("valid_to") > start))


def _requested(all_accounts: pl.DataFrame, accounts: Iterable[int] | None) -> pl.DataFrame:
    if accounts is None:
        return all_accounts.select("account_id")
    wanted = pl.Series("account_id", sorted(set(accounts)), dtype=pl.Int64)
    return wanted.filter(wanted.is_in(all_accounts["account_id"].implode())).to_frame()


def _reference(snapshot: Snapshot, start: date, end: date) -> dict[str, pl.LazyFrame]:
    """Tariffs, norms, rules and parameters in force during the period, values in 10⁻⁶."""
    value = scaled("value", VOLUME).alias("value")
    return {
        "services": snapshot.services.lazy(),
        "tariffs": _overlapping(snapshot.tariffs.lazy(), start, end).with_columns(
            value, pl.col("zone").fill_null("total")
        ),
        "norms": _overlapping(snapshot.norms.lazy(), start, end).with_columns(value),
        "rules": _overlapping(snapshot.rules.lazy(), start, end),
        "parameters": _overlapping(snapshot.parameters.lazy(), start, end).with_columns(value),
    }


def build_context(snapshot: Snapshot, period: Period, accounts: Iterable[int] | None) -> Context:
    """Select the working set and convert it to engine units (two batches of fused lazy plans)."""
    start, end = period.start, period.end
    requested = _requested(snapshot.accounts, accounts)
    buildings = snapshot.accounts.lazy().join(requested.lazy(), on="account_id").select("building_id").unique()
    acc = snapshot.accounts.lazy().join(buildings, on="building_id").with_columns(
        scaled("share", VOLUME).alias("share"), pl.col("opened").fill_null(FAR_PAST),
        pl.col("closed").fill_null(FAR_FUTURE),
    )
    acc, buildings = collect_all([acc, buildings])
    ids, premises = acc.lazy().select("account_id"), acc.lazy().select("premises_id").unique()
    meters = _meters(snapshot, ids, buildings.lazy()).filter(
        pl.col("installed").is_null() | (pl.col("installed") < end)
    )
    readings = snapshot.readings.lazy().join(meters.select("meter_id"), on="meter_id").filter(pl.col("date") < end)
    tables = {
        "buildings": snapshot.buildings.lazy().join(buildings.lazy(), on="building_id").with_columns(
            scaled("total_area", AREA).alias("total_area"), scaled("common_area", AREA).alias("common_area")
        ),
        "areas": _overlapping(snapshot.areas.lazy().join(premises, on="premises_id"), start, end).with_columns(
            scaled("area", AREA).alias("area")
        ),
        "residents": _overlapping(snapshot.residents.lazy().join(ids, on="account_id"), start, end),
        "account_services": _overlapping(snapshot.account_services.lazy().join(ids, on="account_id"), start, end),
        "meters": meters,
        "readings": readings.with_columns(scaled("value", VOLUME).alias("value"), pl.col("zone").fill_null("total")),
        "absences": snapshot.absences.lazy().join(ids, on="account_id").filter(
            (pl.col("from") < end) & (pl.col("to") > start)
        ),
        **_reference(snapshot, start, end),
    }
    frames = dict(zip(tables, collect_all(list(tables.values())), strict=True))
    return Context(period=period, start=start, end=end, days=period.days, requested=requested, accounts=acc,
                   **frames)


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
    shared = pl.col("service").is_in(pl.Series(shared_services, dtype=pl.Utf8).implode())
    meters = ctx.meters.lazy().filter((pl.col("scope") == "building") | mine | shared)
    account_services, meters, readings = collect_all([
        ctx.account_services.lazy().filter(mine | shared), meters,
        ctx.readings.lazy().join(meters.select("meter_id"), on="meter_id", how="semi"),
    ])
    return replace(ctx, account_services=account_services, meters=meters, readings=readings)


def _meters(snapshot: Snapshot, ids: pl.LazyFrame, buildings: pl.LazyFrame) -> pl.LazyFrame:
    meters = snapshot.meters.lazy()
    premises = meters.filter(pl.col("scope") == "premises").join(ids, on="account_id")
    building = meters.filter(pl.col("scope") == "building").join(buildings, on="building_id")
    return pl.concat([premises, building])
