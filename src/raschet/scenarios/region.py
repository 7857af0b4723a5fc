"""A realistic generated region for the demo, the benchmarks and ``raschet generate``, written in chunks.

Seeded, so the same ``seed`` (and number of accounts) gives the same region in an empty database:
Faker ``ru_RU`` names and streets, buildings of 20–300 premises (a few shared by two accounts),
eight suppliers and ten services per account with tariffs (two steps in 2026: January and the
October indexation) and norms (wastewater is the sum of the account's cold and hot water, ПП 354
п. 42, so it follows their meters; its own norm, 8.05 = 4.85 + 3.20, is kept for reference), registered residents, individual and building meters with a year of
monthly readings and a few per cent of them missing. About 1 % of accounts change mid-month: a
resident arrives or leaves, the area of the premises changes, or electricity passes to the second
power supplier.

The region is generated and written in chunks of whole buildings (``CHUNK_ACCOUNTS`` accounts
each), so memory stays bounded whatever the number of accounts. A chunk is built column-wise with
Polars: randomness is a seeded hash of (chunk, purpose, row) as in ``raschet.engine.synthetic``,
so nothing is drawn tuple by tuple (Polars does not promise the same hash across its versions:
the same seed gives the same region with the same Polars). A thread builds the next chunk while the database takes the
current one (COPY on PostgreSQL, ``write_frame``'s ``executemany`` on SQLite), all in one
transaction: the region is written whole or not at all. On PostgreSQL the indexes of empty tables
are built once at the end and the foreign keys checked once over all new rows (see ``_Writer``).

Generating into a database that already holds data appends: ids come from the tables' sequences
(``raschet.bulk.IdPools``; no table is locked), and account numbers and meter and building codes
are derived from the new ids, so they stay unique (the unique indexes would refuse the whole region
otherwise). The reference data
(organisations, services, tariffs, norms, rules, key rates) is written once and reused by later
regions; a database holding only part of it is refused (``RegionRefused``).
"""

from __future__ import annotations

import io
import queue
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import connection, connections, transaction
from faker import Faker

from raschet.billing.frames import verify_foreign_keys, write_frame
from raschet.bulk import (
    Tables,
    first_free_ids,
    has_insert_triggers,
    indexes_built_afterwards,
    restore_row_triggers,
    skip_row_triggers,
    write_tables,
)
from raschet.domain import identifiers
from raschet.domain.periods import Period
from raschet.engine.fixed import to_decimal
from raschet.housing.models import Account, Building, Person, Premises, PremisesArea, Registration
from raschet.ids import IdPools
from raschet.metering.models import Meter, Reading
from raschet.tariffs.models import AccountService, CalcRule, KeyRate, Norm, Organization, Service, Tariff

D = Decimal
SEASON = [1, 2, 3, 4, 5, 10, 11, 12]
# (code, name, kind, unit, supplier, tariff 2025-07, method, params)
SERVICES = [
    ("cold_water", "Холодное водоснабжение", "cold_water", "m3", "VK", "52.30", "metered", {}),
    ("hot_water", "Горячее водоснабжение", "hot_water", "m3", "TS", "238.40", "metered", {}),
    # ПП 354 п. 42: the cold and hot water volumes, whichever method gave each (meter, average, norm)
    ("wastewater", "Водоотведение", "wastewater", "m3", "VK", "41.20", "sum_of",
     {"services": ["cold_water", "hot_water"]}),
    ("electricity", "Электроснабжение", "electricity", "kWh", "ES", None, "metered", {}),
    ("heating", "Отопление", "heating", "Gcal", "TS", "2500.00", "heating",
     {"mode": "season", "season_months": SEASON}),
    ("maintenance", "Содержание жилого помещения", "maintenance", "m2", "UK", "35.50", "area", {}),
    ("capital_repair", "Взнос на капитальный ремонт", "capital_repair", "m2", "FKR", "19.80", "area", {}),
    ("waste", "Обращение с ТКО", "waste", "person", "TKO", "700.00", "norm", {}),
    ("odn_cold_water", "ХВС на содержание общего имущества", "common_needs", "m3", "UK", "52.30",
     "common_needs", {"resource": "cold_water"}),
    ("odn_electricity", "Электроэнергия на содержание общего имущества", "common_needs", "kWh", "UK", "6.43",
     "common_needs", {"resource": "electricity"}),
]
ELECTRICITY_RATES = {"total": "6.43", "day": "7.50", "night": "3.20"}
SECOND_POWER_SUPPLIER = "ES2"  # takes electricity over from ES for some accounts, at its own rates
ORGANIZATIONS = [
    ("UK", "ООО «Управляющая компания „Комфорт“»", ["management_company"]),
    ("VK", "АО «Водоканал»", ["resource_supplier"]),
    ("TS", "ПАО «Теплосеть»", ["resource_supplier"]),
    ("ES", "АО «Энергосбыт»", ["power_supplier"]),
    (SECOND_POWER_SUPPLIER, "ООО «Энергосбытовая компания „Восток“»", ["power_supplier"]),
    ("TKO", "ООО «Региональный оператор по обращению с ТКО»", ["waste_operator"]),
    ("FKR", "НКО «Фонд капитального ремонта»", ["capital_repair_operator"]),
    ("RKC", "МУП «Расчётный центр»", ["settlement_centre"]),
]
# (service, basis, kind, value per month)
NORMS = [("cold_water", "person", "individual", "4.85"), ("hot_water", "person", "individual", "3.20"),
         ("wastewater", "person", "individual", "8.05"), ("electricity", "person", "individual", "90"),
         ("heating", "area", "individual", "0.018"), ("waste", "person", "individual", "0.183333"),
         ("odn_cold_water", "common_area", "common", "0.03"), ("odn_electricity", "common_area", "common", "1.2")]
STEPS = [(date(2025, 7, 1), D("1")), (date(2026, 1, 1), D("1.017")), (date(2026, 10, 1), D("1.119"))]

MIN_PREMISES, MAX_PREMISES = 20, 300
SHARED = 0.03  # premises held by two accounts (half each)
CHUNK_ACCOUNTS = 20_000
GENERATED = (Building, Premises, PremisesArea, Account, Person, Registration, AccountService, Meter, Reading)
REFERENCE = (Organization, Service, Tariff, Norm, CalcRule, KeyRate)
SINCE = date(2015, 1, 1)  # accounts, premises areas and services run from here
RESIDENTS_WEIGHTS = [4, 25, 32, 22, 12, 5]  # per cent of accounts with 0, 1, … 5 residents
# mid-month changes, per 10,000 accounts: [low, high) of one draw
ARRIVAL, LEAVING, SUPPLIER_CHANGE = (0, 40), (40, 70), (70, 85)
AREA_CHANGE = 0.0015  # per premises
# individual meters: (service, zones when single-rate, monthly use per resident in 10⁻³ units, digits)
INDIVIDUAL_METERS = [("cold_water", 3_400, 5), ("hot_water", 2_300, 5), ("electricity", 98_000, 6)]
TWO_ZONES = 0.3  # electricity meters with day and night registers: 70 and 28 kWh per resident
UNMETERED_COLD = 4_850  # 10⁻³ m³ per resident: the norm, for a building's cold-water balance


class RegionRefused(ValueError):
    """The database cannot take a generated region; the message says why and what to do."""


@dataclass
class RegionSpec:
    accounts: int = 2000
    seed: int = 2026
    last_period: Period = Period(2026, 11)
    months: int = 12


@dataclass(frozen=True)
class Reference:
    """Ids of the generator's organisations and services in the database, by code."""

    orgs: dict[str, int]
    services: dict[str, int]


class Dice:
    """Seeded vectorised randomness: a hash of (seed, chunk, purpose, key); the key is the row number
    unless given, so the same chunk always gets the same numbers."""

    def __init__(self, seed: int, chunk: int) -> None:
        self.base = (seed % 1_000_003) * 1_000_003 + chunk

    def raw(self, purpose: str, key: pl.Expr | None = None) -> pl.Expr:
        key = pl.int_range(pl.len(), dtype=pl.UInt64) if key is None else key.cast(pl.UInt64)
        return key.hash(seed=((self.base << 32) | zlib.crc32(purpose.encode())) % 2**64)

    def ints(self, purpose: str, low: int, high: int, key: pl.Expr | None = None) -> pl.Expr:
        """An integer in [low, high] per row."""
        return (self.raw(purpose, key) % (high - low + 1)).cast(pl.Int64) + low

    def chance(self, purpose: str, p: float, key: pl.Expr | None = None) -> pl.Expr:
        return self.raw(purpose, key) % 1_000_000 < int(p * 1_000_000)


# ---------------------------------------------------------------- the plan: buildings and chunks


def plan_buildings(spec: RegionSpec) -> list[tuple[int, int]]:
    """(premises, shared premises) per building, exactly ``spec.accounts`` accounts in all; only the
    last building may be smaller than ``MIN_PREMISES``. A few bytes per building: any N fits."""
    rng = random.Random(spec.seed)
    plans, made = [], 0
    while made < spec.accounts:
        premises = rng.randint(MIN_PREMISES, MAX_PREMISES)
        shared = sum(rng.random() < SHARED for _ in range(premises))
        left = spec.accounts - made
        if premises + shared > left:
            shared = min(shared, left // 2)
            premises = left - shared
        plans.append((premises, shared))
        made += premises + shared
    return plans


def chunk_plans(plans: list[tuple[int, int]]) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """(chunk number, number of its first building, its buildings): whole buildings, about
    ``CHUNK_ACCOUNTS`` accounts each."""
    chunk, first, part, accounts = 0, 1, [], 0
    for number, plan in enumerate(plans, 1):
        part.append(plan)
        accounts += plan[0] + plan[1]
        if accounts >= CHUNK_ACCOUNTS:
            yield chunk, first, part
            chunk, first, part, accounts = chunk + 1, number + 1, [], 0
    if part:
        yield chunk, first, part


# ---------------------------------------------------------------- reference data and name pools


def name_pools(fake: Faker) -> dict[str, pl.Series]:
    f = fake
    pools = {"m_last": [f.last_name_male() for _ in range(400)], "f_last": [f.last_name_female() for _ in range(400)],
             "m_first": [f.first_name_male() for _ in range(150)], "f_first": [f.first_name_female() for _ in range(150)],
             "m_mid": [f.middle_name_male() for _ in range(150)], "f_mid": [f.middle_name_female() for _ in range(150)],
             "street": sorted({f.street_title() for _ in range(300)})}
    return {key: pl.Series(key, values, dtype=pl.Utf8) for key, values in pools.items()}


def _organization_row(fake: Faker, code: str, name: str, roles: list[str]) -> tuple:
    bic = "04" + fake.numerify("#######")
    tail = fake.numerify("##########")  # the ninth digit is the control key: try each
    account = next(acc for digit in "0123456789"
                   if identifiers.is_valid_settlement_account(acc := f"40702810{digit}{tail}0"[:20], bic))
    return (code, name, roles, fake.businesses_inn(), fake.kpp(), fake.businesses_ogrn(), "ПАО «Сбербанк»", bic,
            account, "")


def _tariff_rows(tables: Tables, service_id: int, supplier_id: int, rates: dict[str, str]) -> None:
    for zone, value in rates.items():
        for index, (start, factor) in enumerate(STEPS):
            end = STEPS[index + 1][0] if index + 1 < len(STEPS) else None
            tables.add(Tariff, ("service_id", "supplier_id", "zone", "band", "building_id", "valid_from", "valid_to",
                                "value", "legal_basis"),
                       service_id, supplier_id, zone, None, None, start, end, (D(value) * factor).quantize(D("0.01")),
                       "Приказ регулятора (демо)")


def reference_data(fake: Faker) -> Reference:
    """The generator's organisations and services: written with their tariffs, norms and rules when
    the database has none of them, reused when it has all, refused when it has only some."""
    org_codes = [code for code, _name, _roles in ORGANIZATIONS]
    service_codes = [row[0] for row in SERVICES]
    orgs = dict(Organization.objects.filter(code__in=org_codes).values_list("code", "id"))
    services = dict(Service.objects.filter(code__in=service_codes).values_list("code", "id"))
    if len(orgs) == len(org_codes) and len(services) == len(service_codes):
        return Reference(orgs, services)
    if orgs or services:
        present = ", ".join(sorted([*orgs, *services]))
        raise RegionRefused(
            f"В базе уже есть часть справочников генератора ({present}), но не все. Дописать регион можно "
            "в пустую базу или в базу, где генератор уже создавал регион; удалите эти организации и услуги "
            "или выберите другую базу (--database).")
    tables = Tables(first_free_ids(REFERENCE))
    tables.declare(*REFERENCE)
    for code, name, roles in ORGANIZATIONS:
        orgs[code] = tables.add(Organization, ("code", "name", "roles", "inn", "kpp", "ogrn", "bank_name", "bic",
                                               "settlement_account", "corr_account"),
                                *_organization_row(fake, code, name, roles))
    for code, name, kind, unit, supplier, base, method, params in SERVICES:
        services[code] = tables.add(Service, ("code", "name", "kind", "unit"), code, name, kind, unit)
        _tariff_rows(tables, services[code], orgs[supplier], {"total": base} if base else ELECTRICITY_RATES)
        tables.add(CalcRule, ("service_id", "method", "building_id", "account_id", "valid_from", "valid_to",
                              "params", "legal_basis"),
                   services[code], method, None, None, date(2017, 1, 1), None, params, "ПП 354 (демо)")
    cheaper = {zone: str((D(value) * D("0.97")).quantize(D("0.01"))) for zone, value in ELECTRICITY_RATES.items()}
    _tariff_rows(tables, services["electricity"], orgs[SECOND_POWER_SUPPLIER], cheaper)
    for service, basis, kind, value in NORMS:
        tables.add(Norm, ("service_id", "kind", "basis", "building_id", "valid_from", "valid_to", "value",
                          "legal_basis"), services[service], kind, basis, None, date(2017, 1, 1), None, D(value),
                   "Постановление региона (демо)")
    if not KeyRate.objects.exists():
        for start, end, value in ((date(2025, 10, 27), date(2026, 2, 16), "16.5"), (date(2026, 2, 16), None, "16")):
            tables.add(KeyRate, ("valid_from", "valid_to", "value"), start, end, D(value))
    write_tables(tables)
    return Reference(orgs, services)


# ---------------------------------------------------------------- one chunk, column-wise


def _null(dtype: pl.DataType) -> pl.Expr:
    return pl.lit(None, dtype=dtype)


class Chunk:
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


# ---------------------------------------------------------------- writing


@dataclass
class Written:
    """What a generation wrote and how long it took."""

    accounts: int
    rows: dict[str, int]
    generate_s: float
    seconds: float
    steps: dict[str, float]  # writing (with generation alongside), indexes, checks and statistics

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _ahead(items: Iterator, depth: int = 1) -> Iterator:
    """``items`` produced by a thread, up to ``depth`` ready before the consumer asks: the next chunk is
    built while the database takes the current one (Polars releases the interpreter lock)."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(done)
        except BaseException as error:  # handed to the consumer, which raises it
            offer(error)

    thread = threading.Thread(target=produce, name="region-chunks", daemon=True)
    thread.start()
    try:
        while (item := box.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def generate_region(spec: RegionSpec, *, progress: Callable[[int, int], None] | None = None,
                    stage: Callable[[str], None] | None = None) -> Written:
    """Generate ``spec``'s region and write it in one transaction (appending to what the database
    holds); ``progress(accounts, rows)`` after each chunk, ``stage(text)`` when the last steps begin.
    Into empty tables the indexes are built once at the end (``indexes_built_afterwards``);
    PostgreSQL's statistics are refreshed, as autovacuum would, so the key checks and the first
    month's run are planned on real figures."""
    started = time.perf_counter()
    fake = Faker("ru_RU")
    fake.seed_instance(spec.seed)
    pools = name_pools(fake)
    rows: dict[str, int] = {model._meta.label: 0 for model in GENERATED}
    generating = [0.0]

    def chunks(reference: Reference, ids: IdPools) -> Iterator[tuple[int, dict[type, pl.DataFrame]]]:
        try:
            for number, first_building, plans in chunk_plans(plan_buildings(spec)):
                began = time.perf_counter()
                frames = Chunk(spec, reference, pools, number, first_building, plans, ids).frames()
                generating[0] += time.perf_counter() - began
                yield sum(p + s for p, s in plans), frames
        finally:  # PostgreSQL: ids were reserved on this thread's own connection
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    accounts, stage = 0, stage or (lambda _text: None)
    with transaction.atomic():
        reference = reference_data(fake)
        ids = IdPools().prime(GENERATED)
        writer = _Writer(ids)
        with indexes_built_afterwards(GENERATED):
            for count, frames in _ahead(chunks(reference, ids)):
                for model, frame in frames.items():
                    rows[model._meta.label] += writer.write(model, frame)
                accounts += count
                if progress:
                    progress(accounts, sum(rows.values()))
            stage("Построение индексов")
            loaded = time.perf_counter()
        stage("Проверка ссылок")
        indexed = time.perf_counter()
        writer.finish()
    finished = time.perf_counter()
    steps = {"writing": loaded - started, "indexes": indexed - loaded, "checks": finished - indexed}
    return Written(accounts, rows, generating[0], finished - started, steps)


class _Writer:
    """Writes the chunks' frames. On PostgreSQL each goes straight into COPY, with the per-row key
    triggers off for the whole load where the role may (``raschet.bulk.skip_row_triggers``) and every
    foreign key then checked once over all the new rows, after ANALYZE; checking after each chunk
    (as ``write_frame`` does) costs a scan of the whole parent table per chunk. Elsewhere the frames
    go through ``write_frame`` (SQLite checks the keys at commit)."""

    def __init__(self, ids: IdPools) -> None:
        self.ids, self.columns = ids, {}
        self.direct = connection.vendor == "postgresql"
        self.unchecked = (self.direct and not any(has_insert_triggers(connection, m) for m in GENERATED)
                          and skip_row_triggers(connection))

    def write(self, model: type, frame: pl.DataFrame) -> int:
        if not self.direct:
            return write_frame(model, frame)
        self.columns[model] = frame.columns
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(name).column) for name in frame.columns)
        with connection.wrap_database_errors, connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN (FORMAT csv)") as copy:
                for part in frame.iter_slices(200_000):
                    buffer = io.BytesIO()
                    part.write_csv(buffer, include_header=False, null_value="", quote_style="necessary")
                    copy.write(buffer.getvalue())
        return frame.height

    def finish(self) -> None:
        """Planner statistics and (where skipped) the key checks (the ids came from the sequences)."""
        if not self.direct:
            return
        if self.unchecked:
            restore_row_triggers(connection)
        with connection.cursor() as cursor:
            for model in self.columns:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"ANALYZE {table}")  # counts this transaction's rows: sane plans below and later
        if self.unchecked:
            for model, columns in self.columns.items():
                verify_foreign_keys(model, columns, self.ids.first[model])


def load_region(spec: RegionSpec, *, show_progress: bool = True) -> dict[str, float | int]:
    """Generate a region and write it with a progress bar; returns counts and seconds (generation runs
    alongside writing, so ``write_s`` is the whole time)."""
    from tqdm import tqdm

    with tqdm(total=spec.accounts, desc="Генерация региона", unit=" ЛС", disable=not show_progress) as bar:
        def progress(accounts: int, rows: int) -> None:
            bar.update(accounts - bar.n)
            bar.set_postfix_str(f"записей {rows:,}".replace(",", " "))

        written = generate_region(spec, progress=progress, stage=bar.set_description)
    return {"generate_s": written.generate_s, "write_s": written.seconds, "rows": written.total_rows,
            "accounts": written.accounts}
