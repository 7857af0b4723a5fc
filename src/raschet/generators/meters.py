"""The meters and readings of one chunk of a generated region: individual meters (cold and hot
water, electricity, a third of it with day and night registers) with a year of monthly readings,
a few per cent of them missing, and building meters (cold water in every building, heating in
60 % of them) whose readings follow their flats' use.

``Meters`` is mixed into ``raschet.generators.households.Chunk``, whose spec, reference, dice, ids
and months its methods use.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from raschet.engine.fixed import to_decimal
from raschet.generators.reference import SEASON
from raschet.metering.models import Meter, Reading

INDIVIDUAL_METERS = [("cold_water", 3_400, 5), ("hot_water", 2_300, 5), ("electricity", 98_000, 6)]
TWO_ZONES = 0.3  # electricity meters with day and night registers: 70 and 28 kWh per resident
UNMETERED_COLD = 4_850  # 10⁻³ m³ per resident: the norm, for a building's cold-water balance


def _null(dtype: pl.DataType) -> pl.Expr:
    return pl.lit(None, dtype=dtype)


class Meters:
    """The meter and reading frames of a chunk."""

    def meters_and_readings(self, buildings: pl.DataFrame, accounts: pl.DataFrame
                            ) -> tuple[pl.DataFrame, pl.DataFrame]:
        individual = self.individual_meters(accounts)
        history = self.individual_history(individual)
        common, common_history = self.building_meters(buildings, accounts, history)
        readings = pl.concat([history.select("meter_id", "month", "date", "zone", "value", "missing"),
                              common_history]).filter(~pl.col("missing"))
        readings = self._with_ids(Reading, readings).select(
            "id", "meter_id", "date", "zone", to_decimal(pl.col("value"), 3).alias("value"),
            pl.lit("import").alias("source"),
            (pl.col("date").cast(pl.Datetime("us")).dt.replace_time_zone("UTC") + pl.duration(hours=12))
            .alias("entered_at"))
        return pl.concat([self.individual_meter_rows(individual), common]), readings

    def individual_meters(self, accounts: pl.DataFrame) -> pl.DataFrame:
        """Cold water, hot water and electricity in every premises where a meter can be installed."""
        kinds = pl.DataFrame({"position": list(range(len(INDIVIDUAL_METERS))),
                              "service": [service for service, _use, _digits in INDIVIDUAL_METERS],
                              "service_id": [self.reference.services[row[0]] for row in INDIVIDUAL_METERS],
                              "use": [use for _service, use, _digits in INDIVIDUAL_METERS],
                              "digits": [digits for _service, _use, digits in INDIVIDUAL_METERS]},
                             schema={"position": pl.Int64, "service": pl.Utf8, "service_id": pl.Int64,
                                     "use": pl.Int64, "digits": pl.Int64})
        metered = accounts.filter("meter_possible").select("account_id", "building_id", "premises_id", "residents")
        meters = self._with_ids(Meter, metered.join(kinds, how="cross").sort("account_id", "position"), "meter_id")
        return meters.with_columns(
            ((pl.col("service") == "electricity") & self.dice.chance("two zones", TWO_ZONES)).alias("two_zones"),
            self.dice.chance("expired", 0.02).alias("expired"))

    def individual_meter_rows(self, meters: pl.DataFrame) -> pl.DataFrame:
        dice, last = self.dice, self.spec.last_period
        return meters.select(
            pl.col("meter_id").alias("id"), pl.format("M{}", pl.col("meter_id").cast(pl.Utf8).str.zfill(9)).alias("code"),
            dice.ints("serial", 10**7, 10**8 - 1).cast(pl.Utf8).alias("serial"), pl.lit("premises").alias("scope"),
            "building_id", "premises_id", "account_id", "service_id",
            pl.when("two_zones").then(pl.lit('["day", "night"]')).otherwise(pl.lit("[]")).alias("zones"),
            pl.lit(date(2020, 1, 1)).alias("installed"), _null(pl.Date).alias("removed"),
            pl.when("expired").then(pl.date(last.year - 1, dice.ints("due", 1, 12), 1))
            .otherwise(pl.lit(date(2031, 1, 1))).alias("verification_due"), "digits")

    def individual_history(self, meters: pl.DataFrame) -> pl.DataFrame:
        """Readings in 10⁻³ units near the 23rd of every month from the one before the window, each
        month's use 70–130 % of the resident's; a few per cent of meter-months missing (all zones)."""
        dice = self.dice
        zones = pl.when("two_zones").then(pl.concat_list(pl.lit("day"), pl.lit("night"))).otherwise(
            pl.concat_list(pl.lit("total")))
        registers = meters.select("meter_id", "building_id", "service", "use", "residents",
                                  pl.int_range(pl.len()).alias("meter_row"), zones.alias("zone")).explode("zone")
        use = pl.when(pl.col("zone") == "day").then(70_000).when(pl.col("zone") == "night").then(28_000) \
            .otherwise("use") * pl.max_horizontal("residents", 1)
        registers = registers.with_columns(use.alias("use"), dice.ints("start", 0, 899_999).alias("start"),
                                           pl.int_range(pl.len()).alias("register"))
        month = pl.col("month")
        key = pl.col("meter_row") * 16 + month + 1  # one draw per meter and month: its zones agree
        history = registers.with_columns(pl.int_ranges(-1, self.spec.months).alias("month")).explode("month")
        history = history.with_columns(
            pl.when(month >= 0).then(pl.col("use") * dice.ints("use", 70, 129) // 100).otherwise(0).alias("step"),
            ((month >= 0) & dice.chance("missing", 0.03, key)).alias("missing"),
            self.month_date(month, pl.when(month < 0).then(23).otherwise(dice.ints("day", 20, 25, key))).alias("date"))
        return history.with_columns((pl.col("start") + pl.col("step").cum_sum().over("register")).alias("value"))

    def building_meters(self, buildings: pl.DataFrame, accounts: pl.DataFrame, history: pl.DataFrame
                        ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """A cold-water meter in every building (6 % above its flats' use) and a heating meter in 60 %
        of them (0.017 Gcal per m² in season), read on the 25th."""
        services = self.reference.services
        cold = buildings.select("building_id", "area", pl.lit("cold_water").alias("service"), pl.lit("C").alias("prefix"))
        heated = buildings.filter(self.dice.chance("heating meter", 0.6)).select(
            "building_id", "area", pl.lit("heating").alias("service"), pl.lit("H").alias("prefix"))
        meters = self._with_ids(Meter, pl.concat([cold, heated]), "meter_id")
        rows = meters.select(
            pl.col("meter_id").alias("id"),
            pl.format("{}{}", "prefix", pl.col("building_id").cast(pl.Utf8).str.zfill(7)).alias("code"),
            pl.format("ОДПУ-{}", "building_id").alias("serial"), pl.lit("building").alias("scope"), "building_id",
            _null(pl.Int64).alias("premises_id"), _null(pl.Int64).alias("account_id"),
            pl.col("service").replace_strict(services, return_dtype=pl.Int64).alias("service_id"),
            pl.lit("[]").alias("zones"), pl.lit(date(2019, 1, 1)).alias("installed"), _null(pl.Date).alias("removed"),
            pl.lit(date(2031, 1, 1)).alias("verification_due"), _null(pl.Int64).alias("digits"))
        used = history.filter((pl.col("service") == "cold_water") & (pl.col("month") >= 0)).group_by(
            "building_id", "month").agg(pl.col("step").sum().alias("metered"))
        unmetered = accounts.filter(~pl.col("meter_possible")).group_by("building_id").agg(
            (pl.col("residents").sum() * UNMETERED_COLD).alias("unmetered"))
        grid = meters.with_columns(pl.int_ranges(-1, self.spec.months).alias("month")).explode("month").join(
            used, on=["building_id", "month"], how="left", maintain_order="left").join(
            unmetered, on="building_id", how="left", maintain_order="left")
        month = pl.col("month")
        season = ((self.first_month.month - 1 + month) % 12 + 1).is_in(SEASON)
        step = (pl.when(month < 0).then(0)
                .when(pl.col("service") == "cold_water")
                .then((pl.col("metered").fill_null(0) + pl.col("unmetered").fill_null(0)) * 106 // 100)
                .when(season).then(pl.col("area") * 17 // 100).otherwise(0))
        history = grid.with_columns(step.alias("step")).select(
            "meter_id", "month", self.month_date(month, 25).alias("date"), pl.lit("total").alias("zone"),
            (1_000_000 + pl.col("step").cum_sum().over("meter_id")).alias("value"), pl.lit(False).alias("missing"))
        return rows, history

