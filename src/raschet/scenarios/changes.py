"""The ``change`` step of a scenario timeline: replace dated lists of one object, add readings or
absences, or replace a whole top-level list (tariffs, norms, rules, key rates).

Changes may reach into closed periods: they only change inputs; the next calculation turns the
difference into recalculation entries.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from raschet.billing.tracking import Scope, mark
from raschet.bulk import Tables, first_free_ids, write_tables
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.money import dec
from raschet.housing.models import Account, Building, Premises, PremisesArea, ResidentCount
from raschet.metering.models import Meter, Reading
from raschet.metering.services import ReadingIn, check_readings
from raschet.scenarios import loader, steps
from raschet.tariffs.models import AccountService, CalcRule, KeyRate, Norm, Organization, Service, Tariff

TOP_LEVEL = {"tariffs": Tariff, "norms": Norm, "rules": CalcRule, "key_rates": KeyRate}


def _ids() -> loader.Ids:
    return loader.Ids(services=dict(Service.objects.values_list("code", "id")),
                      organizations=dict(Organization.objects.values_list("code", "id")),
                      buildings=dict(Building.objects.values_list("code", "id")),
                      accounts=dict(Account.objects.values_list("number", "id")))


def _find(model, path: str, **lookup):
    found = model.objects.filter(**lookup).first()
    if found is None:
        value = next(iter(lookup.values()))
        raise ProblemsError([problem("unknown_reference", path, kind=str(model._meta.verbose_name), value=value)])
    return found


def _premises(path: str, code: str) -> Premises:
    """``"B1/12"`` names premises 12 of building B1; a bare number must be unique."""
    if "/" in code:
        building, number = code.split("/", 1)
        return _find(Premises, path, building__code=building, number=number)
    matches = list(Premises.objects.filter(number=code)[:2])
    if len(matches) != 1:
        raise ProblemsError([problem("unknown_reference", path, kind="помещение (укажите «ДОМ/НОМЕР»)", value=code)])
    return matches[0]


def _write(build) -> None:
    tables = Tables(first_free_ids(loader.MODELS))
    tables.declare(*loader.MODELS)
    build(tables, _ids())
    write_tables(tables)


def _change_account(path: str, change: dict) -> None:
    account = _find(Account, path, number=change["account"])
    for name in ("payer", "share", "closed"):
        if name in change:
            setattr(account, name, dec(change[name]) if name == "share" else change[name])
    account.save()
    if "residents" in change:
        ResidentCount.objects.filter(account=account).delete()
    if "services" in change:
        AccountService.objects.filter(account=account).delete()
    spec = {"number": account.number, "residents": steps.resolved("residents", change.get("residents", []),
                                                                  (path, "residents")),
            "services": steps.resolved("services", change.get("services", []), (path, "services")),
            "absences": change.get("absences", []),
            "meters": change.get("meters", [])}
    _write(lambda tables, ids: loader.account_rows(tables, ids, spec, account.premises_id,
                                                    account.premises.building_id))
    # the whole building: the account's volumes feed its neighbours' common-needs shares
    mark(Scope(building=account.premises.building_id), None, None, f"изменён лицевой счёт {account.number}")


def _change_premises(path: str, change: dict) -> None:
    premises = _premises(path, str(change["premises"]))
    if "meter_possible" in change:
        premises.meter_possible = change["meter_possible"]
        premises.save(update_fields=["meter_possible"])
    if "area" in change:
        premises.areas.all().delete()
        PremisesArea.objects.bulk_create(
            PremisesArea(premises=premises, valid_from=a["valid_from"], valid_to=a.get("valid_to"), value=dec(a["value"]))
            for a in steps.resolved("area", change["area"], (path, "area")))
    mark(Scope(building=premises.building_id), None, None, f"изменено помещение {premises}")


def _change_building(path: str, change: dict) -> None:
    building = _find(Building, path, code=change["building"])
    for name in ("total_area", "common_area"):
        if name in change:
            setattr(building, name, dec(change[name]))
    building.save()
    if change.get("meters"):
        _write(lambda tables, ids: [loader.meter_rows(tables, ids, m, building.id, None, None) for m in change["meters"]])
    mark(Scope(building=building.id), None, None, f"изменён дом {building.code}")


def _change_meter(path: str, change: dict) -> None:
    meter = _find(Meter, path, code=change["meter"])
    for name in ("installed", "removed", "verification_due", "digits"):
        if name in change:
            setattr(meter, name, change[name])
    meter.save()
    readings = change.get("readings", [])
    for reading in readings:  # a corrected reading replaces the one of the same day and zone
        zones = list((reading.get("values") or {"total": None}).keys())
        Reading.objects.filter(meter=meter, date=reading["date"], zone__in=zones).delete()
    _check_readings(path, meter, readings)
    _write(lambda tables, ids: loader.add_readings(tables, meter.id, readings, source="operator"))
    mark(Scope(building=meter.building_id), None, None, f"изменён прибор учёта {meter.code}")


def _check_readings(path: str, meter: Meter, readings: list[dict]) -> None:
    """The one reading check (``raschet.metering.services``) against the meter's history in the
    database; the scenario's author stands for them, so no plausibility limit."""
    items = [ReadingIn(meter.pk, date.fromisoformat(r["date"]), value, f"{path}.readings[{i}]", zone)
             for i, r in enumerate(readings) for zone, value in (r.get("values") or {"total": r.get("value")}).items()]
    _, problems = check_readings(items, confirmed=True)
    if problems:
        raise ProblemsError(problems)


def _replace_list(path: str, name: str, rows: list[dict]) -> None:
    rows = steps.resolved(name, rows, (path, name))
    TOP_LEVEL[name].objects.all().delete()
    data = {"tariffs": [], "norms": [], "rules": [], name: rows}
    if name == "key_rates":
        _write(lambda tables, ids: loader.key_rate_rows(tables, rows))
    else:
        _write(lambda tables, ids: loader.dated_reference_rows(data, tables, ids))


@transaction.atomic
def apply_change(path: str, change: dict) -> None:
    """Apply one ``change`` step; ``path`` (e.g. ``timeline[3].change``) names it in problems."""
    if "account" in change:
        _change_account(path, change)
    elif "premises" in change:
        _change_premises(path, change)
    elif "building" in change:
        _change_building(path, change)
    elif "meter" in change:
        _change_meter(path, change)
    else:
        names = [key for key in change if key in TOP_LEVEL]
        if not names:
            raise ProblemsError([problem("invalid_structure", path, reason="укажите account, premises, building, "
                                         "meter или один из списков tariffs, norms, rules, key_rates")])
        for name in names:
            _replace_list(path, name, change[name])
        mark(Scope(), None, None, f"заменены списки: {', '.join(names)}")
