"""A synthetic in-memory region, an engine ``Snapshot``, for benchmarks and property tests (seeded,
Polars only, no database).

``region(Shape(accounts=200_000))`` builds buildings of 20–300 premises, one account per
premises, and about 8 services per account: cold and hot water and two-zone electricity by meter
(with building meters for cold water and heating), wastewater and waste by norm, maintenance and
capital repair by area, heating (building meter or norm), and cold-water common needs.  A few per
cent of meters miss this month's reading (average), a few accounts have no meter (norm × factor),
and about 1 % of accounts have a mid-month change (residents, area, or a building's maintenance
rate).  Randomness is a seeded hash of the row number, so generation is vectorised and
reproducible without numpy; values are integers in engine units turned into exact decimals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from raschet.domain.periods import Period
from raschet.engine.fixed import to_decimal
from raschet.engine.snapshot import SCHEMAS, Snapshot

SERVICES = [  # code, kind, unit, supplier, method
    ("cold_water", "cold_water", "m3", "VK", "metered"),
    ("hot_water", "hot_water", "m3", "TS", "metered"),
    ("wastewater", "wastewater", "m3", "VK", "norm"),
    ("electricity", "electricity", "kWh", "ES", "metered"),
    ("heating", "heating", "Gcal", "TS", "heating"),
    ("maintenance", "maintenance", "m2", "UK", "area"),
    ("capital_repair", "capital_repair", "m2", "FKR", "area"),
    ("waste", "waste", "person", "RO", "norm"),
    ("cold_water_common", "common_needs", "m3", "UK", "common_needs"),
]
RATES = {  # tariff, individual norm, basis
    "cold_water": ("52.30", "4.85", "person"), "hot_water": ("215.10", "3.60", "person"),
    "wastewater": ("38.40", "8.45", "person"), "electricity": ("6.10", "95", "person"),
    "heating": ("2500.00", "0.018", "area"), "maintenance": ("35.50", None, None),
    "capital_repair": ("19.80", None, None), "waste": ("700.00", "0.183333", "person"),
    "cold_water_common": ("52.30", None, None),
}
OPTIONAL = ("hot_water", "wastewater", "waste")
METERED = (("cold_water", ("total",), 6_000), ("hot_water", ("total",), 4_000), ("electricity", ("day", "night"), 150_000))


@dataclass(frozen=True)
class Shape:
    """Knobs of the generated region."""

    accounts: int = 200_000
    min_premises: int = 20
    max_premises: int = 300
    missing_reading: float = 0.03
    late_reading: float = 0.0      # meters read this month after 2 months without a reading (catch-up)
    no_meter: float = 0.03
    changes: float = 0.01
    seed: int = 0


class Dice:
    """Seeded vectorised randomness: a hash of (row number, salt)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.salt = 0

    def _raw(self, n: int) -> pl.Expr:
        self.salt += 1
        return pl.int_range(0, n, dtype=pl.UInt64).hash(seed=self.seed * 7919 + self.salt)

    def ints(self, n: int, low: int, high: int) -> pl.Series:
        """n integers in [low, high]."""
        return pl.select((self._raw(n) % (high - low + 1)).cast(pl.Int64) + low).to_series()

    def chance(self, n: int, p: float) -> pl.Series:
        return pl.select((self._raw(n) % 1_000_000) < int(p * 1_000_000)).to_series()


def _frame(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in the snapshot schema of table ``name`` (absent columns null)."""
    return frame.select([
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in SCHEMAS[name].items()
    ])


def _sizes(shape: Shape) -> list[int]:
    rnd = random.Random(shape.seed)
    sizes: list[int] = []
    while sum(sizes) < shape.accounts:
        sizes.append(rnd.randint(shape.min_premises, shape.max_premises))
    sizes[-1] -= sum(sizes) - shape.accounts
    return [s for s in sizes if s > 0]


DEFAULT_PERIOD = Period(2026, 3)


def region(shape: Shape = Shape(), period: Period = DEFAULT_PERIOD) -> Snapshot:
    """A reproducible region for ``period`` (with 4 months of reading history)."""
    dice = Dice(shape.seed)
    sizes = _sizes(shape)
    n = shape.accounts
    building = pl.Series("building_id", list(range(1, len(sizes) + 1))).repeat_by(pl.Series(sizes)).explode()
    base = pl.DataFrame({
        "account_id": pl.int_range(1, n + 1, eager=True), "building_id": building,
        "area": dice.ints(n, 250, 1199) * 1000, "residents": dice.ints(n, 0, 5),
        "changed": dice.chance(n, shape.changes), "change_area": dice.chance(n, 0.5),
        "meter_possible": dice.chance(n, 0.98), "has_meter": ~dice.chance(n, shape.no_meter),
    })
    day = period.start + timedelta(days=10)
    meters, readings = _meters(base, dice, shape, period)
    return Snapshot(
        accounts=_accounts(base), buildings=_buildings(base), areas=_areas(base, day),
        residents=_residents(base, day), services=_services(), account_services=_account_services(base, dice),
        tariffs=_tariffs(len(sizes), dice, shape.changes, day), norms=_norms(), rules=_rules(),
        meters=meters, readings=readings,
        absences=pl.DataFrame(schema=SCHEMAS["absences"]), parameters=pl.DataFrame(schema=SCHEMAS["parameters"]),
    )


def _accounts(base: pl.DataFrame) -> pl.DataFrame:
    return _frame("accounts", base.select(
        "account_id", pl.col("account_id").cast(pl.Utf8).str.zfill(10).alias("number"),
        pl.col("account_id").alias("premises_id"), "building_id", pl.lit("residential").alias("premises_kind"),
        "meter_possible", to_decimal(pl.lit(1_000_000, dtype=pl.Int64), 6).alias("share"),
        pl.lit(date(2015, 1, 1)).alias("opened"),
    ))


def _buildings(base: pl.DataFrame) -> pl.DataFrame:
    totals = base.group_by("building_id").agg(pl.col("area").sum()).sort("building_id")
    return _frame("buildings", totals.select(
        "building_id", pl.format("B{}", "building_id").alias("code"),
        to_decimal(pl.col("area"), 4).alias("total_area"), to_decimal(pl.col("area") // 5, 4).alias("common_area"),
    ))


def _two_rows(base: pl.DataFrame, changed: pl.Expr, key: str, value: pl.Expr, new_value: pl.Expr, day: date):
    """One open row per object, or two rows split on ``day`` where ``changed``."""
    first = base.select(key, value.alias("v"), pl.lit(None, dtype=pl.Date).alias("valid_from"),
                        pl.when(changed).then(pl.lit(day)).alias("valid_to"))
    later = base.filter(changed).select(key, new_value.alias("v"), pl.lit(day).alias("valid_from"),
                                        pl.lit(None, dtype=pl.Date).alias("valid_to"))
    return pl.concat([first, later], how="vertical_relaxed")


def _areas(base: pl.DataFrame, day: date) -> pl.DataFrame:
    rows = _two_rows(base.rename({"account_id": "premises_id"}), pl.col("changed") & pl.col("change_area"),
                     "premises_id", pl.col("area"), pl.col("area") + 50_000, day)
    return _frame("areas", rows.with_columns(to_decimal(pl.col("v"), 4).alias("area")))


def _residents(base: pl.DataFrame, day: date) -> pl.DataFrame:
    rows = _two_rows(base, pl.col("changed") & ~pl.col("change_area"), "account_id",
                     pl.col("residents"), pl.col("residents") + 1, day)
    return _frame("residents", rows.rename({"v": "count"}))


def _services() -> pl.DataFrame:
    return _frame("services", pl.DataFrame([s[:3] for s in SERVICES], schema=["service", "kind", "unit"], orient="row"))


def _account_services(base: pl.DataFrame, dice: Dice) -> pl.DataFrame:
    parts = []
    for code, _kind, _unit, supplier, _method in SERVICES:
        chosen = base.filter(dice.chance(base.height, 0.7)) if code in OPTIONAL else base
        parts.append(chosen.select("account_id", pl.lit(code).alias("service"), pl.lit(supplier).alias("supplier")))
    frame = pl.concat(parts).with_columns(pl.lit(date(2015, 1, 1)).alias("valid_from"))
    return _frame("account_services", frame)


def _tariffs(buildings: int, dice: Dice, changes: float, day: date) -> pl.DataFrame:
    rows = []
    for code, _kind, _unit, supplier, _method in SERVICES:
        for zone in ("total", "day", "night") if code == "electricity" else ("total",):
            rows.append({"service": code, "supplier": supplier, "zone": zone, "valid_from": "2020-01-01",
                         "value": "2.40" if zone == "night" else RATES[code][0]})
    changed = pl.int_range(1, buildings + 1, eager=True).filter(dice.chance(buildings, changes))
    for building in changed.to_list():  # a building's own maintenance rate from the 11th
        rows.append({"service": "maintenance", "supplier": "UK", "building_id": building,
                     "valid_from": day.isoformat(), "value": "40.00"})
    return Snapshot.from_rows(tariffs=rows).tariffs


def _norms() -> pl.DataFrame:
    rows = [{"service": code, "basis": basis, "valid_from": "2020-01-01", "value": norm}
            for code, (_t, norm, basis) in RATES.items() if norm is not None]
    rows.append({"service": "cold_water_common", "kind": "common", "basis": "common_area",
                 "valid_from": "2020-01-01", "value": "0.03"})
    return Snapshot.from_rows(norms=rows).norms


def _rules() -> pl.DataFrame:
    params = {"heating": {"mode": "season", "season_months": [1, 2, 3, 4, 10, 11, 12]},
              "cold_water_common": {"resource": "cold_water"}}
    rows = [{"rule_id": i + 1, "service": code, "method": method, "valid_from": "2020-01-01",
             "params": params.get(code, {})} for i, (code, _k, _u, _s, method) in enumerate(SERVICES)]
    return Snapshot.from_rows(rules=rows).rules


def _meters(base: pl.DataFrame, dice: Dice, shape: Shape, period: Period):
    """Individual meters (cold, hot, two-zone electricity) and building meters, with readings."""
    owners = base.filter("has_meter").select("account_id", "building_id")
    meters, readings, next_id = [], [], 1
    for service, zones, mean in METERED:
        ids = pl.int_range(next_id, next_id + owners.height, eager=True)
        next_id += owners.height
        meters.append(owners.with_columns(ids.alias("meter_id"), pl.lit("premises").alias("scope"),
                                          pl.lit(service).alias("service")))
        missing = dice.chance(owners.height, shape.missing_reading)
        late = dice.chance(owners.height, shape.late_reading) if shape.late_reading else None
        for zone in zones:
            readings.append(_history(ids, zone, mean, missing, dice, period, late))
    buildings = base.select("building_id").unique().sort("building_id")
    heated = buildings.filter(dice.chance(buildings.height, 0.5))
    # Monthly means in 10⁻³: ~1,000 m³ of cold water and ~100 Gcal of heat per building.
    for service, chosen, mean in (("cold_water", buildings, 1_000_000), ("heating", heated, 100_000)):
        ids = pl.int_range(next_id, next_id + chosen.height, eager=True)
        next_id += chosen.height
        meters.append(chosen.with_columns(ids.alias("meter_id"), pl.lit("building").alias("scope"),
                                          pl.lit(service).alias("service")))
        readings.append(_history(ids, "total", mean, pl.Series([False] * chosen.height, dtype=pl.Boolean), dice, period))
    frame = pl.concat(meters, how="diagonal").with_columns(pl.format("M{}", "meter_id").alias("code"))
    return _frame("meters", frame), pl.concat(readings)


def _history(ids: pl.Series, zone: str, mean: int, missing: pl.Series, dice: Dice, period: Period,
             late: pl.Series | None = None) -> pl.DataFrame:
    """Readings on the 25th of the 4 previous months and of ``period`` (unless missing), in 10⁻³."""
    k = ids.len()
    value = dice.ints(k, 0, 1_000_000_000)
    parts = []
    for back in range(4, -1, -1):
        day = (period - back).start + timedelta(days=24)
        skip = missing if back == 0 else pl.Series([False] * k, dtype=pl.Boolean)
        if late is not None and back in (1, 2):
            skip = late & ~missing  # read again this month, after two months without a reading
        frame = pl.DataFrame({"meter_id": ids, "value": value * 1000, "skip": skip})
        parts.append(frame.filter(~pl.col("skip")).select(
            "meter_id", pl.lit(day).alias("date"), pl.lit(zone).alias("zone"), to_decimal(pl.col("value"), 6)
        ))
        value = value + dice.ints(k, 0, 2 * mean)
    return _frame("readings", pl.concat(parts))
