"""Cutting a big calculation into units of whole buildings, to bound memory.

A building is the widest thing one account's result depends on (common needs, building meters),
so units made of whole buildings are independent: calculating them one after another gives the
same lines as one big run, while the intermediate frames only ever hold one unit.  Every table
is partitioned by its declared key (``inputs.INPUTS``: account, premises, building or meter);
reference tables (services, tariffs, norms, rules, parameters) are shared by all units.
"""

from __future__ import annotations

import polars as pl

from raschet.engine.inputs import INPUTS
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
    """One snapshot per unit, holding that unit's rows of every table not keyed by ``reference``.

    Which rows are a unit's follows each table's partitioning key (``inputs.INPUTS``).
    """
    names = sorted(units["unit"].unique().to_list())
    accounts = snapshot.accounts.join(units, on="building_id")
    by_account = accounts.select("account_id", "unit")
    meters = snapshot.meters
    owners = {
        "building": units,
        "account": by_account,
        "premises": accounts.select("premises_id", "unit").unique(),
        "meter": pl.concat([
            meters.filter(pl.col("scope") == "premises").join(by_account, on="account_id").select("meter_id", "unit"),
            meters.filter(pl.col("scope") == "building").join(units, on="building_id").select("meter_id", "unit"),
        ]),
    }
    split = {
        name: _split(snapshot.tables[name], owners[table.key], table.key_column, names)
        for name, table in INPUTS.items() if table.key != "reference"
    }
    return [snapshot.replace(**{table: parts[name] for table, parts in split.items()}) for name in names]
