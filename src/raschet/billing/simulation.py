"""What if a tariff, norm or rule changed from a date: the region calculated twice, nothing posted.

The change is laid over the inputs the way a new dated row would be: rows of the same key are cut at
the date and the new value runs from it. The result is the per-account difference and its totals by
service, supplier and building.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from raschet import access
from raschet.access import require
from raschet.billing.services import compute
from raschet.domain.periods import Period
from raschet.engine import Snapshot
from raschet.engine.snapshot import SCHEMAS
from raschet.exchange.xlsx import SheetSpec, write_workbook

KEYS = {"tariffs": ("service", "supplier", "zone", "band", "building_id"),
        "norms": ("service", "kind", "basis", "building_id"),
        "rules": ("service", "building_id", "account_id")}


@dataclass(frozen=True)
class WhatIf:
    """One changed dated row: ``table`` is tariffs, norms or rules; ``key`` the row's key fields;
    ``values`` the new value (``value``, or ``method`` and ``params`` for a rule)."""

    table: str
    key: dict
    values: dict
    valid_from: date

    def apply(self, snapshot: Snapshot) -> Snapshot:
        frame = getattr(snapshot, self.table)
        key = {name: self.key.get(name, {"zone": "total"}.get(name)) for name in KEYS[self.table]}
        same = pl.all_horizontal([pl.col(n).is_null() if v is None else pl.col(n) == v for n, v in key.items()])
        kept = frame.filter(~same | (pl.col("valid_from") < self.valid_from)).with_columns(
            pl.when(same & (pl.col("valid_to").is_null() | (pl.col("valid_to") > self.valid_from)))
            .then(pl.lit(self.valid_from)).otherwise(pl.col("valid_to")).alias("valid_to"))
        new = {**{c: None for c in frame.columns}, **key, **self.values, "valid_from": self.valid_from,
               "valid_to": None}
        if self.table == "rules":
            new["rule_id"], new["params"] = -1, json.dumps(self.values.get("params", {}), ensure_ascii=False)
        added = pl.DataFrame([new], schema=SCHEMAS[self.table])
        return snapshot.replace(**{self.table: pl.concat([kept.select(added.columns), added])})


@dataclass
class Simulation:
    detail: pl.DataFrame  # account_id, number, service, supplier, before, after, difference
    problems: pl.DataFrame

    def by(self, column: str) -> pl.DataFrame:
        return (self.detail.group_by(column).agg(pl.col("before").sum(), pl.col("after").sum(),
                                                 pl.col("difference").sum(), pl.len().alias("accounts"))
                .sort(column))


def _totals(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.group_by("account_id", "number", "service", "supplier").agg(pl.col("amount").sum())


def simulate(change: WhatIf, period: Period, account_ids: list[int] | None = None, *, actor=None) -> Simulation:
    """The period as it is and as it would be with ``change``; only (account, service) pairs that differ."""
    require(actor, access.SIMULATE)
    before = compute(period, account_ids)
    after = compute(period, account_ids, adjust=change.apply)
    joined = _totals(before.lines).join(_totals(after.lines), on=["account_id", "number", "service", "supplier"],
                                        how="full", coalesce=True, suffix="_after")
    detail = joined.select(
        "account_id", "number", "service", "supplier",
        pl.col("amount").fill_null(Decimal(0)).alias("before"),
        pl.col("amount_after").fill_null(Decimal(0)).alias("after"),
    ).with_columns((pl.col("after") - pl.col("before")).alias("difference")).filter(pl.col("difference") != 0)
    from raschet.housing.models import Account

    buildings = dict(Account.objects.filter(pk__in=detail["account_id"].to_list())
                     .values_list("pk", "premises__building__code"))
    detail = detail.with_columns(pl.col("account_id").replace_strict(buildings, default=None).alias("building"))
    return Simulation(detail.sort("number", "service"), after.problems)


def write_xlsx(result: Simulation, path: Path, title: str) -> None:
    """Totals by service, supplier and building, and the per-account detail, on separate sheets."""
    frames = (("Услуги", result.by("service")), ("Поставщики", result.by("supplier")),
              ("Дома", result.by("building")), ("Лицевые счета", result.detail))
    write_workbook(path, [SheetSpec(name, title, frame.columns, frame.iter_rows()) for name, frame in frames])
