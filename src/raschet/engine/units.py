"""Cutting a big calculation into units of whole buildings, to bound memory.

A building is the widest thing one account's result depends on (common needs, building meters),
so units made of whole buildings are independent: calculating them one after another gives the
same lines as one big run, while the intermediate frames only ever hold one unit.  Tables keyed
by account, premises, building or meter are partitioned once; reference tables (services,
tariffs, norms, rules, parameters) are shared by all units.
"""

from __future__ import annotations

import polars as pl

from raschet.engine.snapshot import Snapshot

UNIT_ACCOUNTS = 50_000


def building_units(accounts: pl.DataFrame, size: int = UNIT_ACCOUNTS) -> pl.DataFrame:
    """(building_id, unit): consecutive buildings grouped into units of about ``size`` accounts."""
    counts = accounts.group_by("building_id").len().sort("building_id")
    return counts.select("building_id", ((pl.col("len").cum_sum() - 1) // size).cast(pl.Int32).alias("unit"))


def _split(frame: pl.DataFrame, units: pl.DataFrame, key: str, names: list[int]) -> dict[int, pl.DataFrame]:
    joined = frame.join(units, left_on=key, right_on=units.columns[0], how="inner")
    parts = {k[0]: v.drop("unit") for k, v in joined.partition_by("unit", as_dict=True).items()}
    return {name: parts.get(name, frame.clear()) for name in names}


def partition(snapshot: Snapshot, units: pl.DataFrame) -> list[Snapshot]:
    """One snapshot per unit, holding that unit's buildings, accounts, meters and readings."""
    names = sorted(units["unit"].unique().to_list())
    accounts = snapshot.accounts.join(units, on="building_id")
    by_account = accounts.select("account_id", "unit")
    by_premises = accounts.select("premises_id", "unit").unique()
    meter_unit = pl.concat([
        snapshot.meters.filter(pl.col("scope") == "premises").join(by_account, on="account_id").select("meter_id", "unit"),
        snapshot.meters.filter(pl.col("scope") == "building").join(units, on="building_id").select("meter_id", "unit"),
    ])
    split = {
        "accounts": _split(snapshot.accounts, units, "building_id", names),
        "buildings": _split(snapshot.buildings, units, "building_id", names),
        "areas": _split(snapshot.areas, by_premises, "premises_id", names),
        "residents": _split(snapshot.residents, by_account, "account_id", names),
        "account_services": _split(snapshot.account_services, by_account, "account_id", names),
        "absences": _split(snapshot.absences, by_account, "account_id", names),
        "meters": _split(snapshot.meters, meter_unit, "meter_id", names),
        "readings": _split(snapshot.readings, meter_unit, "meter_id", names),
    }
    return [snapshot.replace(**{table: parts[name] for table, parts in split.items()}) for name in names]
