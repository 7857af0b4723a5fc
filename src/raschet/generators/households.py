"""The households of one chunk of a generated region, column-wise: buildings, premises and their
areas, accounts, persons, registrations and the accounts' services.

Faker ``ru_RU`` names and streets come from pools drawn once per region; everything else is drawn
with the chunk's ``Dice``. A few per cent of premises are shared by two accounts (half each), and
about 1 % of accounts change mid-month: a resident arrives or leaves, the area of the premises
changes, or electricity passes to the second power supplier. The meters and readings of the same
chunk are made by ``raschet.generators.meters``.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from faker import Faker

from raschet.engine.fixed import to_decimal
from raschet.generators.meters import Meters
from raschet.generators.plan import Dice, RegionSpec
from raschet.generators.reference import SECOND_POWER_SUPPLIER, SERVICES, Reference
from raschet.housing.models import Account, Building, Person, Premises, PremisesArea, Registration
from raschet.ids import IdPools
from raschet.metering.models import Meter, Reading
from raschet.tariffs.models import AccountService

SINCE = date(2015, 1, 1)  # accounts, premises areas and services run from here
RESIDENTS_WEIGHTS = [4, 25, 32, 22, 12, 5]  # per cent of accounts with 0, 1, … 5 residents
# mid-month changes, per 10,000 accounts: [low, high) of one draw
ARRIVAL, LEAVING, SUPPLIER_CHANGE = (0, 40), (40, 70), (70, 85)
AREA_CHANGE = 0.0015  # per premises


def name_pools(fake: Faker) -> dict[str, pl.Series]:
    f = fake
    pools = {"m_last": [f.last_name_male() for _ in range(400)], "f_last": [f.last_name_female() for _ in range(400)],
             "m_first": [f.first_name_male() for _ in range(150)], "f_first": [f.first_name_female() for _ in range(150)],
             "m_mid": [f.middle_name_male() for _ in range(150)], "f_mid": [f.middle_name_female() for _ in range(150)],
             "street": sorted({f.street_title() for _ in range(300)})}
    return {key: pl.Series(key, values, dtype=pl.Utf8) for key, values in pools.items()}



def _null(dtype: pl.DataType) -> pl.Expr:
    return pl.lit(None, dtype=dtype)


class Chunk(Meters):
    """The frames of one chunk of whole buildings, one per model in writing order; ids are reserved
    from ``ids`` as the rows are made."""

    def __init__(self, spec: RegionSpec, reference: Reference, pools: dict[str, pl.Series], number: int,
                 first_building: int, plans: list[tuple[int, int]], ids: IdPools | dict) -> None:
        self.spec, self.reference, self.pools = spec, reference, pools
        self.ids = ids if isinstance(ids, IdPools) else IdPools(start=ids)
        self.dice = Dice(spec.seed, number)
        self.first_month = spec.last_period - (spec.months - 1)
        self.first_building, self.plans = first_building, plans

    def _with_ids(self, model: type, frame: pl.DataFrame, name: str = "id") -> pl.DataFrame:
        runs = self.ids.take(model, frame.height) or [range(0)]
        column = pl.concat([pl.int_range(run.start, run.stop, dtype=pl.Int64, eager=True) for run in runs])
        return frame.with_columns(column.alias(name))

    def month_date(self, month: pl.Expr, day: pl.Expr | int) -> pl.Expr:
        """The date ``day`` of the window's month number ``month`` (0 = the first, -1 = the one before)."""
        index = month + (self.first_month.year * 12 + self.first_month.month - 1)
        return pl.date(index // 12, index % 12 + 1, day)

    def change_day(self, purpose: str) -> pl.Expr:
        """A day from the 2nd to the 28th of a month after the first: a mid-month change."""
        return self.month_date(self.dice.ints(purpose + " month", 1, self.spec.months - 1),
                               self.dice.ints(purpose + " day", 2, 28))

    def names(self, purpose: str) -> list[pl.Expr]:
        """last_name, first_name, patronymic from the Faker pools, of one sex per row."""
        male = self.dice.chance(purpose + " sex", 0.48)

        def pick(kind: str) -> pl.Expr:
            men, women = self.pools[f"m_{kind}"], self.pools[f"f_{kind}"]
            return (pl.when(male).then(pl.lit(men).gather(self.dice.ints(f"{purpose} {kind}", 0, len(men) - 1)))
                    .otherwise(pl.lit(women).gather(self.dice.ints(f"{purpose} {kind}", 0, len(women) - 1))))

        return [pick("last").alias("last_name"), pick("first").alias("first_name"), pick("mid").alias("patronymic")]

    def frames(self) -> dict[type, pl.DataFrame]:
        buildings, premises = self.buildings_and_premises()
        accounts = self.accounts(premises)
        persons = self.persons(accounts)
        meters, readings = self.meters_and_readings(buildings, accounts)
        return {Building: self.building_rows(buildings), Premises: premises.select(
                    pl.col("premises_id").alias("id"), "building_id", pl.col("number").cast(pl.Utf8),
                    pl.lit("residential").alias("kind"), "meter_possible"),
                PremisesArea: self.premises_areas(premises), Account: self.account_rows(accounts),
                Person: persons.select("id", "last_name", "first_name", "patronymic", "birth_date",
                                       pl.lit("").alias("snils"), pl.lit("").alias("phone")),
                Registration: self.registrations(persons), AccountService: self.account_services(accounts),
                Meter: meters, Reading: readings}

    def buildings_and_premises(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        dice = self.dice
        buildings = pl.DataFrame({"premises_count": [p for p, _ in self.plans],
                                  "shared_count": [s for _, s in self.plans]}, schema={"premises_count": pl.Int64,
                                                                                     "shared_count": pl.Int64})
        buildings = self._with_ids(Building, buildings, "building_id").with_columns(
            pl.int_range(self.first_building, self.first_building + len(self.plans)).alias("number"))
        premises = buildings.select("building_id", "shared_count",
                                    pl.int_ranges(1, pl.col("premises_count") + 1).alias("number")).explode("number")
        premises = self._with_ids(Premises, premises, "premises_id").with_columns(
            dice.ints("area", 2500, 12000).alias("area"),  # hundredths of m²
            (~dice.chance("no meter", 0.03)).alias("meter_possible"),
            dice.chance("area change", AREA_CHANGE).alias("area_changed"), self.change_day("area").alias("change_day"),
            dice.raw("shared").rank("ordinal").over("building_id").alias("draw"))
        premises = premises.with_columns(
            pl.when(pl.col("draw") <= pl.col("shared_count")).then(2).otherwise(1).alias("sharers"))
        areas = premises.group_by("building_id").agg(pl.col("area").sum())
        return buildings.join(areas, on="building_id", maintain_order="left"), premises

    def building_rows(self, buildings: pl.DataFrame) -> pl.DataFrame:
        streets = self.pools["street"]
        street = pl.lit(streets).gather(self.dice.ints("street", 0, len(streets) - 1))
        return buildings.select(
            pl.col("building_id").alias("id"), pl.format("B{}", pl.col("building_id").cast(pl.Utf8).str.zfill(7))
            .alias("code"), pl.format("г. Энск, {}, д. {}", street, pl.col("number") % 150 + 1).alias("address"),
            to_decimal(pl.col("area"), 2).alias("total_area"), to_decimal(pl.col("area") * 18 // 100, 2)
            .alias("common_area"), pl.max_horizontal(2, pl.col("premises_count") // 12).alias("floors"),
            pl.max_horizontal(1, pl.col("premises_count") // 40).alias("entrances"),
            pl.lit("season").alias("heating_mode"))

    def premises_areas(self, premises: pl.DataFrame) -> pl.DataFrame:
        """One open area per premises; a changed one ends on its change day and a larger one follows."""
        changed = pl.col("area_changed")
        first = premises.select("premises_id", pl.lit(SINCE).alias("valid_from"),
                                pl.when(changed).then("change_day").otherwise(_null(pl.Date)).alias("valid_to"),
                                pl.col("area").alias("value"))
        later = premises.filter(changed).select(
            "premises_id", pl.col("change_day").alias("valid_from"), _null(pl.Date).alias("valid_to"),
            (pl.col("area") + self.dice.ints("area added", 500, 1500)).alias("value"))
        rows = pl.concat([first, later]).sort("premises_id", "valid_from", maintain_order=True)
        return self._with_ids(PremisesArea, rows).select("id", "premises_id", "valid_from", "valid_to",
                                                         to_decimal(pl.col("value"), 2).alias("value"))

    def accounts(self, premises: pl.DataFrame) -> pl.DataFrame:
        dice = self.dice
        accounts = premises.select("premises_id", "building_id", "meter_possible", "sharers",
                                   pl.int_ranges(0, "sharers").alias("seat")).explode("seat")
        cuts = [sum(RESIDENTS_WEIGHTS[:index]) for index in range(1, len(RESIDENTS_WEIGHTS))]
        draw = dice.ints("residents", 0, 99)
        return self._with_ids(Account, accounts, "account_id").with_columns(
            pl.sum_horizontal([(draw >= cut).cast(pl.Int64) for cut in cuts]).alias("residents"),
            dice.ints("change", 0, 9_999).alias("change"), self.change_day("change").alias("change_day"),
            *self.names("payer"))

    def account_rows(self, accounts: pl.DataFrame) -> pl.DataFrame:
        dice = self.dice
        return accounts.select(
            pl.col("account_id").alias("id"), (pl.col("account_id") + 1_000_000_000).cast(pl.Utf8).str.zfill(10)
            .alias("number"), pl.lit("").alias("els"), "premises_id",
            pl.concat_str("last_name", "first_name", "patronymic", separator=" ").alias("payer"),
            pl.format("+7 9{} {}-{}-{}", dice.ints("phone 1", 10, 99), dice.ints("phone 2", 100, 999),
                      dice.ints("phone 3", 10, 99), dice.ints("phone 4", 10, 99)).alias("phone"),
            to_decimal(1_000_000 // pl.col("sharers"), 6).alias("share"), pl.lit(SINCE).alias("opened"),
            _null(pl.Date).alias("closed"), to_decimal(pl.lit(0, dtype=pl.Int64), 2).alias("opening_balance"))

    def persons(self, accounts: pl.DataFrame) -> pl.DataFrame:
        """The residents of each account, the first of them the payer."""
        persons = accounts.select("account_id", "residents", "change", "change_day",
                                  pl.col("last_name").alias("payer_last"), pl.col("first_name").alias("payer_first"),
                                  pl.col("patronymic").alias("payer_mid"),
                                  pl.int_ranges(0, "residents").alias("order")).explode("order").drop_nulls("order")
        payer = pl.col("order") == 0
        return self._with_ids(Person, persons).with_columns(*self.names("resident")).with_columns(
            pl.when(payer).then("payer_last").otherwise("last_name").alias("last_name"),
            pl.when(payer).then("payer_first").otherwise("first_name").alias("first_name"),
            pl.when(payer).then("payer_mid").otherwise("patronymic").alias("patronymic"),
            (pl.lit(date(1940, 1, 1)) + pl.duration(days=self.dice.ints("birth", 0, 29_200))).alias("birth_date"))

    def registrations(self, persons: pl.DataFrame) -> pl.DataFrame:
        """Permanent registrations since 2010; the last resident of an account may arrive or leave mid-month."""
        last = pl.col("order") == pl.col("residents") - 1
        arrives = last & pl.col("change").is_between(*ARRIVAL, closed="left")
        leaves = last & (pl.col("residents") >= 2) & pl.col("change").is_between(*LEAVING, closed="left")
        rows = persons.select(pl.col("id").alias("person_id"), "account_id", pl.lit("permanent").alias("kind"),
                              pl.when(arrives).then("change_day").otherwise(pl.lit(date(2010, 1, 1)))
                              .alias("valid_from"),
                              pl.when(leaves).then("change_day").otherwise(_null(pl.Date)).alias("valid_to"))
        return self._with_ids(Registration, rows).select("id", pl.exclude("id"))

    def account_services(self, accounts: pl.DataFrame) -> pl.DataFrame:
        """Every service for every account; electricity passes to the second supplier mid-month for some."""
        ref = self.reference
        services = pl.DataFrame({"position": list(range(len(SERVICES))),
                                 "service_id": [ref.services[row[0]] for row in SERVICES],
                                 "supplier_id": [ref.orgs[row[4]] for row in SERVICES]},
                                schema={"position": pl.Int64, "service_id": pl.Int64, "supplier_id": pl.Int64})
        rows = accounts.select("account_id", "change", "change_day").join(services, how="cross")
        switch = ((pl.col("service_id") == ref.services["electricity"])
                  & pl.col("change").is_between(*SUPPLIER_CHANGE, closed="left"))
        first = rows.select("account_id", "position", "service_id", "supplier_id", pl.lit(SINCE).alias("valid_from"),
                            pl.when(switch).then("change_day").otherwise(_null(pl.Date)).alias("valid_to"))
        later = rows.filter(switch).select("account_id", "position", "service_id",
                                           pl.lit(ref.orgs[SECOND_POWER_SUPPLIER], dtype=pl.Int64).alias("supplier_id"),
                                           pl.col("change_day").alias("valid_from"), _null(pl.Date).alias("valid_to"))
        rows = pl.concat([first, later]).sort("account_id", "position", "valid_from", maintain_order=True)
        return self._with_ids(AccountService, rows).select(
            "id", "account_id", "service_id", "supplier_id", pl.lit("").alias("gis_service_id"), "valid_from",
            "valid_to")

