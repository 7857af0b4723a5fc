"""The annual correction of heating paid uniformly with a building meter (domain.md §2, formula of
Appendix 2 п. 3(4) in current numbering [M]):

    ΔP_i = (Σ over the year of V_D × T) × S_i / S_об − what the account was charged for the year

It is charged in the month ``params.correction_month`` (January by default) of the heating rule, as a
recalc line pointing at that month, and it is part of that month's computation, so recalculating the
month recomputes the correction with the ledger as it then stands. The actual annual cost is the
engine's own season-mode charge of every month of the year: the same areas, shares, tariffs and
meter readings, no second formula.
"""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl

from raschet.domain.periods import Period
from raschet.engine import Snapshot

METHOD = "heating_correction"


def _uniform_rules(snapshot_rules: pl.DataFrame, month: int) -> pl.DataFrame:
    def wanted(params: str) -> bool:
        data = json.loads(params or "{}")
        return data.get("mode") == "uniform" and int(data.get("correction_month", 1)) == month

    heating = snapshot_rules.filter(pl.col("method") == "heating")
    return heating.filter(pl.col("params").map_elements(wanted, return_dtype=pl.Boolean)) if heating.height else heating


def as_season_every_month(snapshot: Snapshot) -> Snapshot:
    """Heating charged by the month's actual building volume, in every month of the year."""
    def season(params: str) -> str:
        data = json.loads(params or "{}")
        data.update(mode="season", season_months=list(range(1, 13)))
        return json.dumps(data)

    rules = snapshot.rules.with_columns(
        pl.when(pl.col("method") == "heating").then(pl.col("params").map_elements(season, return_dtype=pl.Utf8))
        .otherwise(pl.col("params")).alias("params"))
    return snapshot.replace(rules=rules)


def correction_lines(period: Period, snapshot: Snapshot, like: pl.DataFrame, charged_last_year,
                     calculate_month) -> pl.DataFrame:
    """Correction lines for the year before ``period`` if ``period`` is a correction month of a uniform
    heating rule; ``charged_last_year()`` gives account_id, service, supplier, charged (posted heating)."""
    if _uniform_rules(snapshot.rules, period.month).is_empty():
        return like.clear()
    charged = charged_last_year()
    year = period.year - 1
    months = [calculate_month(Period(year, m), as_season_every_month(snapshot)) for m in range(1, 13)]
    actual = (pl.concat([m.filter((pl.col("service").is_in(_heating_services(snapshot)))
                                  & (pl.col("volume_source") == "building_meter")) for m in months])
              .group_by("account_id", "number", "service", "supplier")
              .agg(pl.col("amount").sum().alias("actual"), pl.col("volume").sum().alias("actual_volume")))
    joined = actual.join(charged, on=["account_id", "service", "supplier"], how="inner")
    rows = []
    for row in joined.iter_rows(named=True):
        amount = row["actual"] - row["charged"]
        if amount:
            rows.append({**{c: None for c in like.columns}, "account_id": row["account_id"], "number": row["number"],
                         "service": row["service"], "supplier": row["supplier"], "kind": "recalc", "zone": "total",
                         "date_from": Period(year, 1).start, "date_to": Period(year, 12).end, "days": 365,
                         "method": METHOD, "volume_source": "building_meter", "volume": row["actual_volume"],
                         "tariff": Decimal(0), "factor": Decimal(1), "amount": amount, "excess_amount": Decimal(0),
                         "reason": f"Корректировка платы за отопление за {year} год: по ОДПУ {row['actual']}, "
                                   f"начислено {row['charged']}"})
    return pl.DataFrame(rows, schema=like.schema) if rows else like.clear()


def _heating_services(snapshot: Snapshot) -> list[str]:
    return snapshot.services.filter(pl.col("kind") == "heating")["service"].to_list()
