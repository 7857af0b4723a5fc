"""The reference data of a generated region: organisations, services, tariffs, norms, rules and key rates.

Written once, with its own ids, into a database that has none of it; reused by every later region;
a database holding only part of it is refused (``RegionRefused``). Tariffs take two steps in 2026
(January and the October indexation); wastewater is the sum of the account's cold and hot water
(ПП 354 п. 42), its own norm, 8.05 = 4.85 + 3.20, kept for reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from faker import Faker

from raschet.bulk import Tables, first_free_ids, write_tables
from raschet.domain import identifiers
from raschet.generators.plan import RegionRefused
from raschet.tariffs.models import CalcRule, KeyRate, Norm, Organization, Service, Tariff

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
REFERENCE = (Organization, Service, Tariff, Norm, CalcRule, KeyRate)


@dataclass(frozen=True)
class Reference:
    """Ids of the generator's organisations and services in the database, by code."""

    orgs: dict[str, int]
    services: dict[str, int]



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

