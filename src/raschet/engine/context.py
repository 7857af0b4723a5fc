"""Stage 1, inputs snapshot: the working set of one calculation, in engine units.

The working set is every account of every building that holds a requested account.  Common
needs subtract the individual volumes of the whole building, so an account's result may depend
on its neighbours but never on which other buildings were requested: calculating one account
alone and calculating the whole region give the same lines (a property the tests check).

Here decimals become scaled Int64 integers (see ``fixed.py``), open-ended validity dates
become far-past / far-future sentinels (so "valid on" is two comparisons), and only rows that
can matter for the period are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from raschet.domain.periods import Period
from raschet.engine.fixed import AREA, VOLUME, scaled
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


def _open_dates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("valid_from").fill_null(FAR_PAST), pl.col("valid_to").fill_null(FAR_FUTURE)
    )


def _overlapping(frame: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    return _open_dates(frame).filter((pl.col("valid_from") < end) & (pl.col("valid_to") > start))


def _requested(all_accounts: pl.DataFrame, accounts: Iterable[int] | None) -> pl.DataFrame:
    if accounts is None:
        return all_accounts.select("account_id")
    wanted = pl.DataFrame({"account_id": sorted(set(accounts))}, schema={"account_id": pl.Int64})
    return wanted.join(all_accounts.select("account_id"), on="account_id", how="semi")


def _reference(snapshot: Snapshot, start: date, end: date) -> dict[str, pl.DataFrame]:
    """Tariffs, norms, rules and parameters in force during the period, values in 10⁻⁶."""
    value = scaled("value", VOLUME).alias("value")
    return {
        "services": snapshot.services,
        "tariffs": _overlapping(snapshot.tariffs, start, end).with_columns(value, pl.col("zone").fill_null("total")),
        "norms": _overlapping(snapshot.norms, start, end).with_columns(value),
        "rules": _overlapping(snapshot.rules, start, end),
        "parameters": _overlapping(snapshot.parameters, start, end).with_columns(value),
    }


def build_context(snapshot: Snapshot, period: Period, accounts: Iterable[int] | None) -> Context:
    """Select the working set and convert it to engine units."""
    start, end = period.start, period.end
    requested = _requested(snapshot.accounts, accounts)
    buildings = snapshot.accounts.join(requested, on="account_id").select("building_id").unique()
    acc = snapshot.accounts.join(buildings, on="building_id").with_columns(
        scaled("share", VOLUME).alias("share"), pl.col("opened").fill_null(FAR_PAST),
        pl.col("closed").fill_null(FAR_FUTURE),
    )
    ids, premises = acc.select("account_id"), acc.select("premises_id").unique()
    meters = _meters(snapshot, ids, buildings).filter(pl.col("installed").is_null() | (pl.col("installed") < end))
    readings = snapshot.readings.join(meters.select("meter_id"), on="meter_id").filter(pl.col("date") < end)
    return Context(
        period=period, start=start, end=end, days=period.days, requested=requested, accounts=acc,
        buildings=snapshot.buildings.join(buildings, on="building_id").with_columns(
            scaled("total_area", AREA).alias("total_area"), scaled("common_area", AREA).alias("common_area")
        ),
        areas=_overlapping(snapshot.areas.join(premises, on="premises_id"), start, end).with_columns(
            scaled("area", AREA).alias("area")
        ),
        residents=_overlapping(snapshot.residents.join(ids, on="account_id"), start, end),
        account_services=_overlapping(snapshot.account_services.join(ids, on="account_id"), start, end),
        meters=meters,
        readings=readings.with_columns(scaled("value", VOLUME).alias("value"), pl.col("zone").fill_null("total")),
        absences=snapshot.absences.join(ids, on="account_id").filter((pl.col("from") < end) & (pl.col("to") > start)),
        **_reference(snapshot, start, end),
    )


def _meters(snapshot: Snapshot, ids: pl.DataFrame, buildings: pl.DataFrame) -> pl.DataFrame:
    meters = snapshot.meters
    premises = meters.filter(pl.col("scope") == "premises").join(ids, on="account_id")
    building = meters.filter(pl.col("scope") == "building").join(buildings, on="building_id")
    return pl.concat([premises, building])
