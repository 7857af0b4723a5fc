"""A realistic generated region for the demo and the benchmarks, written straight into ``Tables``.

Seeded, so the same ``seed`` gives the same region: Faker ``ru_RU`` names and streets, buildings of
20–200 premises, the usual suppliers and services with tariffs (two steps in 2026: January and the
October indexation) and norms, registered residents, individual and building meters with twelve
months of readings and a few gaps. Generated data skips the scenario checks but takes the same bulk
path as a loaded scenario.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from raschet.bulk import Tables, first_free_ids, write_tables
from raschet.domain import identifiers
from raschet.domain.periods import Period
from raschet.housing.models import (
    Account,
    Building,
    Person,
    Premises,
    PremisesArea,
    Registration,
)
from raschet.metering.models import Meter, Reading
from raschet.tariffs.models import AccountService, CalcRule, KeyRate, Norm, Organization, Service, Tariff

D = Decimal
SEASON = [1, 2, 3, 4, 5, 10, 11, 12]
# (code, name, kind, unit, supplier, tariff 2025-07, method, params)
SERVICES = [
    ("cold_water", "Холодное водоснабжение", "cold_water", "m3", "VK", "52.30", "metered", {}),
    ("hot_water", "Горячее водоснабжение", "hot_water", "m3", "TS", "238.40", "metered", {}),
    ("wastewater", "Водоотведение", "wastewater", "m3", "VK", "41.20", "norm", {}),
    ("electricity", "Электроснабжение", "electricity", "kWh", "ES", None, "metered", {}),
    ("heating", "Отопление", "heating", "Gcal", "TS", "2500.00", "heating",
     {"mode": "season", "season_months": SEASON}),
    ("maintenance", "Содержание жилого помещения", "maintenance", "m2", "UK", "35.50", "area", {}),
    ("capital_repair", "Взнос на капитальный ремонт", "capital_repair", "m2", "FKR", "19.80", "area", {}),
    ("waste", "Обращение с ТКО", "waste", "person", "TKO", "700.00", "norm", {}),
    ("odn_cold_water", "ХВС на содержание общего имущества", "common_needs", "m3", "UK", "52.30",
     "common_needs", {"resource": "cold_water"}),
]
ORGANIZATIONS = [
    ("UK", "ООО «Управляющая компания „Комфорт“»", ["management_company"]),
    ("VK", "АО «Водоканал»", ["resource_supplier"]),
    ("TS", "ПАО «Теплосеть»", ["resource_supplier"]),
    ("ES", "АО «Энергосбыт»", ["power_supplier"]),
    ("TKO", "ООО «Региональный оператор по обращению с ТКО»", ["waste_operator"]),
    ("FKR", "НКО «Фонд капитального ремонта»", ["capital_repair_operator"]),
    ("RKC", "МУП «Расчётный центр»", ["settlement_centre"]),
]
# (service, basis, kind, value per month)
NORMS = [("cold_water", "person", "individual", "4.85"), ("hot_water", "person", "individual", "3.20"),
         ("wastewater", "person", "individual", "8.05"), ("electricity", "person", "individual", "90"),
         ("heating", "area", "individual", "0.018"), ("waste", "person", "individual", "0.183333"),
         ("odn_cold_water", "common_area", "common", "0.03")]
STEPS = [(date(2025, 7, 1), D("1")), (date(2026, 1, 1), D("1.017")), (date(2026, 10, 1), D("1.119"))]
READING_COLUMNS = ("meter_id", "date", "zone", "value", "source", "entered_by_id", "entered_at")
MONTHLY_USE = {"cold_water": D("3.4"), "hot_water": D("2.3"), "day": D("70"), "night": D("28")}


def _milli_text(value: int) -> str:
    """Thousandths as exact decimal text: 123456 → '123.456'."""
    return f"{value // 1000}.{value % 1000:03d}"


@dataclass
class RegionSpec:
    accounts: int = 2000
    seed: int = 2026
    last_period: Period = Period(2026, 11)
    months: int = 12


class RegionBuilder:
    """Fills ``Tables`` with one region; ids come from ``tables`` so the output can be appended."""

    def __init__(self, spec: RegionSpec, tables: Tables):
        self.spec, self.tables = spec, tables
        self.rng = random.Random(spec.seed)
        self.fake = Faker("ru_RU")
        self.fake.seed_instance(spec.seed)
        self.now = timezone.now()
        self.first = spec.last_period - (spec.months - 1)
        self.services: dict[str, int] = {}
        self.orgs: dict[str, int] = {}
        self._names = self._name_pools()
        # dates by [month index][day]; index -1 is the month before the first
        self.days = {m: {d: date((self.first + m).year, (self.first + m).month, d) for d in range(1, 29)}
                     for m in range(-1, spec.months)}

    def _name_pools(self) -> dict[str, list[str]]:
        f = self.fake
        return {"m_last": [f.last_name_male() for _ in range(400)], "f_last": [f.last_name_female() for _ in range(400)],
                "m_first": [f.first_name_male() for _ in range(150)], "f_first": [f.first_name_female() for _ in range(150)],
                "m_mid": [f.middle_name_male() for _ in range(150)], "f_mid": [f.middle_name_female() for _ in range(150)],
                "street": list({f.street_title() for _ in range(300)})}

    def person_name(self) -> tuple[str, str, str]:
        sex = "m" if self.rng.random() < 0.48 else "f"
        pick = self.rng.choice
        return pick(self._names[f"{sex}_last"]), pick(self._names[f"{sex}_first"]), pick(self._names[f"{sex}_mid"])

    def build(self) -> Tables:
        self.tables.declare(Organization, Service, KeyRate, Building, Premises, PremisesArea, Account, Person,
                            Registration, AccountService, Tariff, Norm, CalcRule, Meter, Reading)
        self.reference_data()
        made, number = 0, 0
        while made < self.spec.accounts:
            number += 1
            made += self.building(number, min(self.rng.randint(20, 200), self.spec.accounts - made))
        return self.tables

    def organization(self, code: str, name: str, roles: list[str]) -> int:
        f = self.fake
        bic = "04" + f.numerify("#######")
        tail = f.numerify("##########")  # the ninth digit is the control key: try each
        account = next(acc for digit in "0123456789"
                       if identifiers.is_valid_settlement_account(acc := f"40702810{digit}{tail}0"[:20], bic))
        return self.tables.add(Organization, ("code", "name", "roles", "inn", "kpp", "ogrn", "bank_name", "bic",
                                              "settlement_account", "corr_account"),
                               code, name, roles, f.businesses_inn(), f.kpp(), f.businesses_ogrn(),
                               "ПАО «Сбербанк»", bic, account, "")

    def reference_data(self) -> None:
        t = self.tables
        for code, name, roles in ORGANIZATIONS:
            self.orgs[code] = self.organization(code, name, roles)
        for code, name, kind, unit, supplier, base, method, params in SERVICES:
            self.services[code] = t.add(Service, ("code", "name", "kind", "unit"), code, name, kind, unit)
            rates = {"total": base} if base else {"total": "6.43", "day": "7.50", "night": "3.20"}
            for zone, value in rates.items():
                for index, (start, factor) in enumerate(STEPS):
                    end = STEPS[index + 1][0] if index + 1 < len(STEPS) else None
                    t.add(Tariff, ("service_id", "supplier_id", "zone", "band", "building_id", "valid_from",
                                   "valid_to", "value", "legal_basis"),
                          self.services[code], self.orgs[supplier], zone, None, None, start, end,
                          (D(value) * factor).quantize(D("0.01")), "Приказ регулятора (демо)")
            t.add(CalcRule, ("service_id", "method", "building_id", "account_id", "valid_from", "valid_to",
                             "params", "legal_basis"),
                  self.services[code], method, None, None, date(2017, 1, 1), None, params, "ПП 354 (демо)")
        for service, basis, kind, value in NORMS:
            t.add(Norm, ("service_id", "kind", "basis", "building_id", "valid_from", "valid_to", "value",
                         "legal_basis"), self.services[service], kind, basis, None, date(2017, 1, 1), None,
                  D(value), "Постановление региона (демо)")
        for start, end, value in ((date(2025, 10, 27), date(2026, 2, 16), "16.5"), (date(2026, 2, 16), None, "16")):
            t.add(KeyRate, ("valid_from", "valid_to", "value"), start, end, D(value))

    def building(self, number: int, accounts: int) -> int:
        """A building whose premises hold exactly ``accounts`` accounts (a few premises are shared)."""
        rng = self.rng
        street = rng.choice(self._names["street"])
        layout = []
        while sum(layout) < accounts:
            layout.append(2 if accounts - sum(layout) >= 2 and rng.random() < 0.03 else 1)
        areas = [D(rng.randint(2500, 12000)) / 100 for _ in layout]
        total = sum(areas)
        building_id = self.tables.add(
            Building, ("code", "address", "total_area", "common_area", "floors", "entrances", "heating_mode"),
            f"B{number:05d}", f"г. Энск, {street}, д. {number % 150 + 1}", total,
            (total * D("0.18")).quantize(D("0.01")), max(2, len(layout) // 12), max(1, len(layout) // 40),
            "season")
        cold_sum = [D(0)] * self.spec.months
        for index, (area, sharers) in enumerate(zip(areas, layout, strict=True), 1):
            self.premises(building_id, index, area, sharers, cold_sum)
        self.building_meter(building_id, number, "cold_water", [v * D("1.06") for v in cold_sum])
        if rng.random() < 0.6:
            self.building_meter(building_id, number, "heating",
                                [total * D("0.017") if (self.first + m).month in SEASON else D(0)
                                 for m in range(self.spec.months)], prefix="H")
        return accounts

    def premises(self, building_id: int, index: int, area: Decimal, sharers: int, cold_sum: list[Decimal]) -> None:
        rng, t = self.rng, self.tables
        possible = rng.random() > 0.03
        premises_id = t.add(Premises, ("building_id", "number", "kind", "meter_possible"), building_id,
                            str(index), "residential", possible)
        t.add(PremisesArea, ("premises_id", "valid_from", "valid_to", "value"), premises_id, date(2015, 1, 1),
              None, area)
        for _ in range(sharers):
            self.account(building_id, premises_id, D(1) / sharers, possible, cold_sum)

    def account(self, building_id: int, premises_id: int, share: Decimal, metered: bool,
                cold_sum: list[Decimal]) -> None:
        rng, t = self.rng, self.tables
        last, first, middle = self.person_name()
        number = f"{t.count(Account) + 1000000001:010d}"
        account_id = t.add(Account, ("number", "els", "premises_id", "payer", "phone", "share", "opened", "closed",
                                     "opening_balance"),
                           number, "", premises_id, f"{last} {first} {middle}",
                           f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                           share, date(2015, 1, 1), None, D(0))
        residents = rng.choices([0, 1, 2, 3, 4, 5], weights=[4, 25, 32, 22, 12, 5])[0]
        self.residents(account_id, residents, (last, first, middle))
        for code, *_rest in SERVICES:
            t.add(AccountService, ("account_id", "service_id", "supplier_id", "gis_service_id", "valid_from",
                                   "valid_to"), account_id, self.services[code],
                  self.orgs[next(s[4] for s in SERVICES if s[0] == code)], "", date(2015, 1, 1), None)
        if metered:
            people = max(residents, 1)
            use = self.meter(account_id, building_id, premises_id, "cold_water", {"total": MONTHLY_USE["cold_water"] * people})
            for month, volume in enumerate(use):
                cold_sum[month] += volume
            self.meter(account_id, building_id, premises_id, "hot_water", {"total": MONTHLY_USE["hot_water"] * people})
            if rng.random() < 0.3:  # a third of flats have day/night meters
                zones = {"day": MONTHLY_USE["day"] * people, "night": MONTHLY_USE["night"] * people}
            else:
                zones = {"total": (MONTHLY_USE["day"] + MONTHLY_USE["night"]) * people}
            self.meter(account_id, building_id, premises_id, "electricity", zones)
        else:
            for month in range(self.spec.months):
                cold_sum[month] += D("4.85") * residents

    def residents(self, account_id: int, count: int, payer: tuple[str, str, str]) -> None:
        rng, t = self.rng, self.tables
        for index in range(count):
            last, first, middle = payer if index == 0 else self.person_name()
            person_id = t.add(Person, ("last_name", "first_name", "patronymic", "birth_date", "snils", "phone"),
                              last, first, middle, date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28)),
                              "", "")
            start = date(2010, 1, 1)
            if index == count - 1 and rng.random() < 0.03:  # a mid-month arrival inside the demo year
                month = self.first + rng.randint(1, self.spec.months - 1)
                start = date(month.year, month.month, rng.randint(2, 28))
            t.add(Registration, ("person_id", "account_id", "kind", "valid_from", "valid_to"), person_id,
                  account_id, "permanent", start, None)

    def meter(self, account_id: int, building_id: int, premises_id: int, service: str,
              monthly: dict[str, Decimal]) -> list[Decimal]:
        """An individual meter with a reading near the 23rd of every month; ~3 % of months missing."""
        rng = self.rng
        expired = rng.random() < 0.02
        due = date(self.spec.last_period.year - 1, rng.randint(1, 12), 1) if expired else date(2031, 1, 1)
        meter_id = self.tables.add(
            Meter, ("code", "serial", "scope", "building_id", "premises_id", "account_id", "service_id", "zones",
                    "installed", "removed", "verification_due", "digits"),
            f"M{self.tables.count(Meter) + 1:08d}", f"{rng.randint(10**7, 10**8 - 1)}", "premises", building_id,
            premises_id, account_id, self.services[service], [] if list(monthly) == ["total"] else list(monthly),
            date(2020, 1, 1), None, due, 5 if service != "electricity" else 6)
        totals = self._readings(meter_id, monthly, gaps=0.03)
        return totals

    def _readings(self, meter_id: int, monthly: dict[str, Decimal], gaps: float) -> list[Decimal]:
        """Monthly readings in thousandths (integers: millions of them, so no Decimal arithmetic here);
        returns the "total" register's consumption per month."""
        rng, now = self.rng, self.now
        milli = [(zone, int(use * 1000)) for zone, use in monthly.items()]
        value = {zone: rng.randrange(900_000) for zone in monthly}
        # the reading the first month's consumption is counted from
        rows = [(meter_id, self.days[-1][23], zone, _milli_text(value[zone]), "import", None, now) for zone in monthly]
        used = []
        for month in range(self.spec.months):
            step = 0
            for zone, use in milli:
                step = use * (70 + int(rng.random() * 60)) // 100
                value[zone] += step
            used.append(D(step) / 1000)
            if gaps and rng.random() < gaps:
                continue
            day = self.days[month][20 + int(rng.random() * 6)]
            rows += [(meter_id, day, zone, _milli_text(value[zone]), "import", None, now) for zone in monthly]
        self.tables.add_rows(Reading, READING_COLUMNS, rows)
        return used

    def building_meter(self, building_id: int, number: int, service: str, monthly: list[Decimal],
                       prefix: str = "C") -> None:
        t = self.tables
        meter_id = t.add(Meter, ("code", "serial", "scope", "building_id", "premises_id", "account_id", "service_id",
                                 "zones", "installed", "removed", "verification_due", "digits"),
                         f"{prefix}{number:06d}", f"ОДПУ-{number}", "building", building_id, None, None,
                         self.services[service], [], date(2019, 1, 1), None, date(2031, 1, 1), None)
        columns = READING_COLUMNS
        value = D(1000)
        previous = self.first.previous()
        t.add(Reading, columns, meter_id, date(previous.year, previous.month, 25), "total", value, "import", None,
              self.now)
        for month, volume in enumerate(monthly):
            period = self.first + month
            value += volume.quantize(D("0.001"))
            t.add(Reading, columns, meter_id, date(period.year, period.month, 25), "total", value, "import", None, self.now)


def load_region(spec: RegionSpec, *, show_progress: bool = True) -> dict[str, float | int]:
    """Generate a region and write it; returns counts and the seconds each step took."""
    started = time.perf_counter()
    with transaction.atomic():
        from raschet.scenarios.loader import MODELS

        tables = RegionBuilder(spec, Tables(first_free_ids([*MODELS, Person, Registration]))).build()
        generated = time.perf_counter()
        total_rows = sum(len(t.rows) for t in tables)
        with tqdm(total=total_rows, desc="Запись в базу", unit=" строк", disable=not show_progress) as bar:
            done: dict[str, int] = {}

            def progress(label: str, count: int, _total: int) -> None:
                bar.update(count - done.get(label, 0))
                done[label] = count

            written = write_tables(tables, progress=progress)
    finished = time.perf_counter()
    return {"generate_s": generated - started, "write_s": finished - generated, "rows": sum(written.values()),
            "accounts": tables.count(Account)}
