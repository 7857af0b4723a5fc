"""Input values the engine's integer arithmetic can hold: a value beyond them is an account's problem.

Inside the engine every decimal is a scaled Int64 (``fixed.py``) and every product an Int128; a
reading of 1e20 or an area of 1e15 would overflow them.  Before anything is computed, every decimal
column of every input is checked against :data:`LIMITS` (a magnitude per column, or the default of
its scale): a row beyond it is dropped and becomes a ``value_out_of_range`` problem row for each
account it concerns — the account itself, the account of a meter (with the meter's code), the
accounts of a premises or a building, or, for a tariff or norm, the accounts billed for its
service.  What is left stays far inside Int128, and an amount that still does not fit Int64 is a
null turned into an ``amount_out_of_range`` problem (``pipeline.py``), never an exception.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from raschet.engine import problems
from raschet.engine.inputs import INPUTS
from raschet.engine.plans import collect_all
from raschet.engine.snapshot import Snapshot

# Magnitudes (exclusive) by table and column; other decimal columns: 10^12 / 10^scale of 10⁻⁶, 10⁻⁴, 10⁻².
LIMITS: dict[tuple[str, str], Decimal] = {
    ("areas", "area"): Decimal("1e7"), ("buildings", "total_area"): Decimal("1e9"),
    ("buildings", "common_area"): Decimal("1e9"), ("accounts", "share"): Decimal("1e3"),
    ("tariffs", "value"): Decimal("1e7"), ("norms", "value"): Decimal("1e6"),
    ("interruptions", "excess_hours"): Decimal("1e5"), ("interruptions", "percent_per_hour"): Decimal("100"),
}
DEFAULT = Decimal("1e12")


def _limit(table: str, column: str) -> Decimal:
    return LIMITS.get((table, column), DEFAULT)


def checked(snapshot: Snapshot) -> tuple[Snapshot, pl.DataFrame]:
    """The snapshot without rows beyond the limits, and the problem rows for them (usually none)."""
    checks = {}
    for name, table in INPUTS.items():
        columns = [c for c, t in table.schema.items() if isinstance(t, pl.Decimal)]
        if columns and not snapshot.tables[name].is_empty():
            beyond = [pl.col(c).abs() >= pl.lit(_limit(name, c), dtype=table.schema[c]) for c in columns]
            checks[name] = (columns, pl.any_horizontal(beyond))
    # One query says which tables have a value beyond (usually none): a preview pays per query.
    hits = collect_all([snapshot.tables[n].lazy().select(b.any().alias("hit")) for n, (_, b) in checks.items()])
    kept, found = {}, []
    for (name, (columns, beyond)), hit in zip(checks.items(), hits, strict=True):
        if not hit["hit"][0]:
            continue
        frame = snapshot.tables[name]
        bad = frame.with_row_index("_row").filter(beyond)
        kept[name] = frame.with_row_index("_row").join(bad.select("_row"), on="_row", how="anti").drop("_row")
        for column in columns:
            rows = bad.filter(pl.col(column).abs() >= _limit(name, column))
            if not rows.is_empty():
                found.append(_problems(snapshot, name, column, rows))
    if not found:
        return snapshot, problems.empty()
    return snapshot.replace(**kept), pl.concat(found)


def _problems(snapshot: Snapshot, name: str, column: str, rows: pl.DataFrame) -> pl.DataFrame:
    """value_out_of_range rows for the accounts the bad rows of ``name`` concern."""
    accounts = snapshot.accounts.select("account_id", "premises_id", "building_id")
    meters = snapshot.meters.select("meter_id", pl.col("code").alias("meter"), "scope", "service",
                                    pl.col("account_id").alias("owner"), pl.col("building_id").alias("meter_building"))
    what = f"«{name}.{column}»"
    key = INPUTS[name].key
    if key == "meter":
        hit = rows.select("meter_id", pl.col(column).alias("value")).join(meters, on="meter_id")
        premises = hit.filter(pl.col("scope") == "premises").rename({"owner": "account_id"})
        building = hit.filter(pl.col("scope") == "building").join(
            accounts.select("account_id", pl.col("building_id").alias("meter_building")), on="meter_building")
        hit = pl.concat([premises.select("account_id", "service", "meter", "value"),
                         building.select("account_id", "service", "meter", "value")])
        where = pl.format(", прибор {}", pl.col("meter"))
    elif key == "reference":
        services = snapshot.account_services.select("account_id", "service").unique()
        hit = rows.select("service", pl.col(column).alias("value")).join(services, on="service")
        where = pl.format(", услуга «{}»", pl.col("service"))
    else:
        column_key = INPUTS[name].key_column
        hit = rows.select(column_key, pl.col(column).alias("value")).join(accounts.select("account_id", column_key),
                                                                          on=column_key)
        hit = hit.with_columns(pl.lit(None, dtype=pl.Utf8).alias("service"))
        where = pl.lit("")
    return problems.rows(hit, "value_out_of_range", what=pl.lit(what), value=pl.col("value").cast(pl.Utf8),
                         limit=pl.lit(f"{_limit(name, column):f}"), where=where,
                         meter=pl.col("meter") if "meter" in hit.columns else pl.lit(None, dtype=pl.Utf8))
