"""Loading a scenario: read the file, check structure and meaning, write everything in one transaction.

A file with problems writes nothing: every problem is reported with its JSON path and the command
exits 2. A valid file becomes a ``Tables`` and goes through the same bulk path as the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from raschet.billing.models import ServiceInterruption
from raschet.bulk import Tables, first_free_ids, write_tables
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.jsonio import load_json
from raschet.domain.money import dec
from raschet.housing.models import Absence as AbsenceModel
from raschet.housing.models import Account, Building, Premises, PremisesArea, ResidentCount
from raschet.metering.models import Meter, Reading
from raschet.scenarios import steps
from raschet.scenarios.limits import limit_problems
from raschet.scenarios.schema import structure_problems
from raschet.scenarios.validate import meaning_problems
from raschet.tariffs.models import AccountService, CalcRule, KeyRate, Norm, Organization, Service, Tariff

MODELS = [Organization, Service, KeyRate, Building, Premises, PremisesArea, Account, ResidentCount,
          AbsenceModel, AccountService, Tariff, Norm, CalcRule, Meter, Reading, ServiceInterruption]


def read_scenario(path: str | Path) -> dict:
    """Parse a scenario file (UTF-8); numbers become ``Decimal``, never float; NaN, a file in another
    encoding (named in the message) or JSON nested too deep are problems, not exceptions."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ProblemsError([problem("invalid_file", str(source), reason=error.strerror or str(error))]) from error
    return load_json(data, str(source))


def check_scenario(data: object) -> list[Problem]:
    """Structure first; bounds and meaning only when the structure holds (else the walk would trip
    on it). A file that passes loads: the bounds are those of the database and the engine."""
    problems = structure_problems(data)
    if problems:
        return problems
    meaning = meaning_problems(data)
    said = {p.subject for p in meaning}  # a negative area is the meaning check's to explain
    return meaning + [p for p in limit_problems(data) if p.subject not in said]


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass
class Ids:
    """Codes of the scenario mapped to the database ids given to them."""

    services: dict[str, int]
    organizations: dict[str, int]
    buildings: dict[str, int]
    accounts: dict[str, int]


def _reference_rows(data: dict, tables: Tables) -> Ids:
    ids = Ids({}, {}, {}, {})
    for org in data["organizations"]:
        bank = org.get("bank") or {}
        ids.organizations[org["code"]] = tables.add(
            Organization, ("code", "name", "roles", "inn", "kpp", "ogrn", "bank_name", "bic",
                           "settlement_account", "corr_account"),
            org["code"], org["name"], org.get("roles", []), org["inn"], org.get("kpp", ""),
            org.get("ogrn", ""), bank.get("name", ""), bank.get("bic", ""), bank.get("account", ""),
            bank.get("corr_account", ""))
    for service in data["services"]:
        ids.services[service["code"]] = tables.add(
            Service, ("code", "name", "kind", "unit"), service["code"], service["name"], service["kind"],
            service["unit"])
    key_rate_rows(tables, data.get("key_rates", []))
    return ids


def key_rate_rows(tables: Tables, rates: list[dict]) -> None:
    """The scenario's key rates replace the whole series (the seeded history included)."""
    if rates:
        KeyRate.objects.all().delete()
    for rate in rates:
        tables.add(KeyRate, ("valid_from", "valid_to", "value"), _d(rate["valid_from"]),
                   _d(rate.get("valid_to")), dec(rate["value"]))


def dated_reference_rows(data: dict, tables: Tables, ids: Ids) -> None:
    for t in data["tariffs"]:
        tables.add(Tariff, ("service_id", "supplier_id", "zone", "band", "building_id", "valid_from",
                            "valid_to", "value", "legal_basis"),
                   ids.services[t["service"]], ids.organizations[t["supplier"]], t.get("zone", "total"),
                   t.get("band"), ids.buildings.get(t.get("building")), _d(t["valid_from"]),
                   _d(t.get("valid_to")), dec(t["value"]), t.get("legal_basis", ""))
    for n in data["norms"]:
        tables.add(Norm, ("service_id", "kind", "basis", "building_id", "valid_from", "valid_to", "value",
                          "legal_basis"),
                   ids.services[n["service"]], n["kind"], n["basis"], ids.buildings.get(n.get("building")),
                   _d(n["valid_from"]), _d(n.get("valid_to")), dec(n["value"]), n.get("legal_basis", ""))
    for r in data["rules"]:
        tables.add(CalcRule, ("service_id", "method", "building_id", "account_id", "valid_from", "valid_to",
                              "params", "legal_basis"),
                   ids.services[r["service"]], r["method"], ids.buildings.get(r.get("building")),
                   ids.accounts.get(r.get("account")), _d(r["valid_from"]), _d(r.get("valid_to")),
                   _plain(r.get("params", {})), r.get("legal_basis", ""))


def _plain(value):
    """JSON-ready copy of params: Decimals go back to strings so nothing turns into a float."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Decimal) else value


def meter_rows(tables: Tables, ids: Ids, meter: dict, building_id: int, premises_id: int | None,
                account_id: int | None) -> None:
    meter_id = tables.add(
        Meter, ("code", "serial", "scope", "building_id", "premises_id", "account_id", "service_id", "zones",
                "installed", "removed", "verification_due", "digits"),
        meter["code"], meter.get("serial", ""), "premises" if premises_id else "building", building_id,
        premises_id, account_id, ids.services[meter["service"]], meter.get("zones", []),
        _d(meter.get("installed")), _d(meter.get("removed")), _d(meter.get("verification_due")),
        meter.get("digits"))
    add_readings(tables, meter_id, meter.get("readings", []), source="import")


def add_readings(tables: Tables, meter_id: int, readings: list[dict], *, source: str) -> None:
    from django.utils import timezone

    now = timezone.now()
    columns = ("meter_id", "date", "zone", "value", "source", "entered_by_id", "entered_at")
    for reading in readings:
        values = reading.get("values") or {"total": reading["value"]}
        for zone, value in values.items():
            tables.add(Reading, columns, meter_id, _d(reading["date"]), zone, dec(value), source, None, now)


def account_rows(tables: Tables, ids: Ids, account: dict, premises_id: int, building_id: int) -> None:
    account_id = ids.accounts[account["number"]]
    for r in account.get("residents", []):
        tables.add(ResidentCount, ("account_id", "valid_from", "valid_to", "count"), account_id,
                   _d(r["valid_from"]), _d(r.get("valid_to")), r["count"])
    interruption_rows(tables, ids, account.get("interruptions", []), account_id=account_id)
    for a in account.get("absences", []):
        tables.add(AbsenceModel, ("account_id", "date_from", "date_to", "reason"), account_id, _d(a["from"]),
                   _d(a["to"]), a.get("reason", ""))
    for s in account.get("services", []):
        tables.add(AccountService, ("account_id", "service_id", "supplier_id", "gis_service_id", "valid_from",
                                    "valid_to"),
                   account_id, ids.services[s["service"]], ids.organizations[s["supplier"]], "",
                   _d(s["valid_from"]), _d(s.get("valid_to")))
    for meter in account.get("meters", []):
        meter_rows(tables, ids, meter, building_id, premises_id, account_id)


def interruption_rows(tables: Tables, ids: Ids, interruptions: list[dict], *, account_id: int | None = None,
                      building_id: int | None = None) -> None:
    """Optional key (an extension of the format): acts of interrupted or poor-quality service."""
    for cut in interruptions:
        tables.add(ServiceInterruption, ("building_id", "account_id", "service_id", "date_from", "date_to",
                                         "excess_hours", "percent_per_hour", "reason"),
                   building_id, account_id, ids.services[cut["service"]], _d(cut["from"]), _d(cut["to"]),
                   dec(cut["excess_hours"]), dec(cut.get("percent_per_hour", "0.15")), cut.get("reason", ""))


def scenario_tables(data: dict, start_ids: dict | None = None) -> Tables:
    """Rows for every object of a checked scenario, parents before children; dated lists are read as
    step series (``steps.py``), so each row gets its explicit end."""
    data = steps.resolve_scenario(data)
    tables = Tables(start_ids)
    tables.declare(*MODELS)
    ids = _reference_rows(data, tables)
    pending = []
    for building in data["buildings"]:
        building_id = tables.add(Building, ("code", "address", "total_area", "common_area", "heating_mode"),
                                 building["code"], building["address"], dec(building["total_area"]),
                                 dec(building["common_area"]), building.get("heating_mode", "season"))
        ids.buildings[building["code"]] = building_id
        for premises in building["premises"]:
            premises_id = tables.add(Premises, ("building_id", "number", "kind", "meter_possible"), building_id,
                                     str(premises["number"]), premises["kind"], premises["meter_possible"])
            for area in premises["area"]:
                tables.add(PremisesArea, ("premises_id", "valid_from", "valid_to", "value"), premises_id,
                           _d(area["valid_from"]), _d(area.get("valid_to")), dec(area["value"]))
            for account in premises["accounts"]:
                ids.accounts[account["number"]] = tables.add(
                    Account, ("number", "els", "premises_id", "payer", "phone", "share", "opened", "closed",
                              "opening_balance"),
                    account["number"], account.get("els", ""), premises_id, account["payer"],
                    account.get("phone", ""), dec(account.get("share", "1")), _d(account["opened"]),
                    _d(account.get("closed")), dec(account.get("opening_balance", "0")))
                pending.append((account, premises_id, building_id))
        for meter in building.get("meters", []):
            meter_rows(tables, ids, meter, building_id, None, None)
        interruption_rows(tables, ids, building.get("interruptions", []), building_id=building_id)
    for account, premises_id, building_id in pending:
        account_rows(tables, ids, account, premises_id, building_id)
    dated_reference_rows(data, tables, ids)
    return tables


def load_scenario(data: dict, *, check: bool = True, progress=None) -> dict[str, int]:
    """Check and write a scenario in one transaction; raise ``ProblemsError`` and write nothing on any
    problem. Returns the number of rows written per model."""
    if check:
        problems = check_scenario(data)
        if problems:
            raise ProblemsError(problems)
    with transaction.atomic():
        tables = scenario_tables(data, first_free_ids(MODELS))
        _refuse_existing_codes(data)
        return write_tables(tables, progress=progress)


def _refuse_existing_codes(data: dict) -> None:
    """Codes already in the database would collide on unique keys; say which, instead of a DB error."""
    checks = [(Service, "code", [s["code"] for s in data["services"]], "services"),
              (Organization, "code", [o["code"] for o in data["organizations"]], "organizations"),
              (Building, "code", [b["code"] for b in data["buildings"]], "buildings")]
    problems = []
    for model, field_name, codes, path in checks:
        taken = set(model.objects.filter(**{f"{field_name}__in": codes}).values_list(field_name, flat=True))
        problems += [problem("duplicate", f"{path}[{codes.index(code)}].code", value=code,
                             field=f"{path} (уже есть в базе)") for code in taken]
    if problems:
        raise ProblemsError(problems)
