"""The meaning of a scenario: references that resolve, dated lists that do not overlap, areas that are
positive, readings that do not go backwards, keys that are unique.

Every check appends a ``Problem`` with the JSON path of the offending element and goes on, so one run
lists everything that has to be fixed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from raschet.domain import bounds
from raschet.domain.errors import Problem, problem
from raschet.domain.money import dec
from raschet.domain.readings import MeterFacts, reading_problems
from raschet.scenarios import steps
from raschet.scenarios.schema import json_path

Path = tuple


class Checker:
    """Collects problems while walking a structurally valid scenario."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: list[Problem] = []
        self.services = {s["code"]: s for s in data.get("services", [])}
        self.organizations = {o["code"] for o in data.get("organizations", [])}
        self.buildings = {b["code"] for b in data.get("buildings", [])}
        self.accounts = {a["number"] for b in data.get("buildings", []) for p in b["premises"]
                         for a in p["accounts"]}

    def add(self, code: str, path: Path, **params) -> None:
        params.setdefault("field", next((str(p) for p in reversed(path) if isinstance(p, str)), ""))
        self.problems.append(problem(code, json_path(path), **params))

    def reference(self, path: Path, kind: str, value: str | None, known) -> None:
        if value is not None and value not in known:
            self.add("unknown_reference", path, kind=kind, value=value)

    def dated_lists(self, rows: list[tuple[Path, tuple, dict]], what: str) -> None:
        """Rows ``(path, key, item)`` of dated lists read as step series (``steps.py``): refuse inverted
        ranges, two starts on one day, explicit ranges that overlap."""
        self.problems += steps.series_problems(rows, what)


def _positive(checker: Checker, path: Path, value, *, allow_zero: bool = False) -> None:
    number = dec(value)
    if number < 0 or (number == 0 and not allow_zero):
        checker.add("not_positive" if not allow_zero else "negative", path, value=str(value))


def _check_dates(checker: Checker, node: object, path: Path = ()) -> None:
    """Every date-looking field must be a real calendar date (2026-02-30 is not)."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_dates(checker, value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_dates(checker, value, (*path, index))
    elif isinstance(node, str) and len(node) == 10 and node[4] == "-" and node[7] == "-":
        try:
            date.fromisoformat(node)
        except ValueError:
            checker.add("invalid_date", path, value=node)


def check_reference_data(checker: Checker) -> None:
    data = checker.data
    for name, codes in (("services", [s["code"] for s in data["services"]]),
                        ("organizations", [o["code"] for o in data["organizations"]]),
                        ("buildings", [b["code"] for b in data["buildings"]])):
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if code in seen:
                checker.add("duplicate", (name, index, "code"), value=code)
            seen.add(code)
    tariffs, norms, rules = [], [], []
    for i, t in enumerate(data["tariffs"]):
        path = ("tariffs", i)
        checker.reference((*path, "service"), "услуга", t["service"], checker.services)
        checker.reference((*path, "supplier"), "организация", t["supplier"], checker.organizations)
        checker.reference((*path, "building"), "дом", t.get("building"), checker.buildings)
        _positive(checker, (*path, "value"), t["value"], allow_zero=True)
        tariffs.append((path, steps.key("tariffs", t), t))
    for i, n in enumerate(data["norms"]):
        path = ("norms", i)
        checker.reference((*path, "service"), "услуга", n["service"], checker.services)
        checker.reference((*path, "building"), "дом", n.get("building"), checker.buildings)
        _positive(checker, (*path, "value"), n["value"], allow_zero=True)
        norms.append((path, steps.key("norms", n), n))
    for i, r in enumerate(data["rules"]):
        path = ("rules", i)
        checker.reference((*path, "service"), "услуга", r["service"], checker.services)
        checker.reference((*path, "building"), "дом", r.get("building"), checker.buildings)
        checker.reference((*path, "account"), "лицевой счёт", r.get("account"), checker.accounts)
        rules.append((path, steps.key("rules", r), r))
        check_sum_of(checker, path, r)
    checker.dated_lists(tariffs, "тарифа")
    checker.dated_lists(norms, "норматива")
    checker.dated_lists(rules, "правила расчёта")
    rates = [(("key_rates", i), (), r) for i, r in enumerate(data.get("key_rates", []))]
    checker.dated_lists(rates, "ключевой ставки")


def check_sum_of(checker: Checker, path: Path, rule: dict) -> None:
    """``sum_of`` adds up volumes of other services computed by individual methods (engine/methods/sum_of.py)."""
    if rule["method"] != "sum_of":
        return
    methods = {(r["service"], r["method"]) for r in checker.data["rules"]}
    for index, code in enumerate(rule["params"]["services"]):
        here = (*path, "params", "services", index)
        checker.reference(here, "услуга", code, checker.services)
        later = sorted(m for s, m in methods if s == code and m in ("heating", "common_needs", "sum_of"))
        if code == rule["service"] or later:
            reason = ("услуга не может складываться из самой себя" if code == rule["service"] else
                      f"услуга считается способом «{later[0]}», её объём ещё не известен; сложить можно объёмы "
                      "способов metered, norm, area и formula")
            checker.add("invalid_value", here, value=code, field="services", reason=reason)


def check_meter(checker: Checker, path: Path, meter: dict) -> None:
    """Each reading through the one check of ``raschet.domain.readings`` (digits of the register, not
    below the previous one unless the register rolls over); a scenario's readings are its author's,
    so they count as confirmed (no plausibility limit). Out-of-bounds values are the limits' to report."""
    checker.reference((*path, "service"), "услуга", meter["service"], checker.services)
    zones = meter.get("zones") or ["total"]
    facts = MeterFacts(meter["code"], meter.get("digits"), checker.services.get(meter["service"], {}).get("unit", ""))
    history: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    readings = sorted(enumerate(meter.get("readings", [])), key=lambda item: item[1]["date"])
    for index, reading in readings:
        values = reading.get("values") or {"total": reading.get("value")}
        for zone, value in values.items():
            here = (*path, "readings", index)
            if zone not in zones:
                checker.add("unknown_reference", here, kind="зона прибора учёта", value=zone)
                continue
            number, _ = bounds.READING.read(value)
            if number is None:
                if dec(value) < 0:
                    checker.add("negative", here, value=str(value))
                continue
            on = date.fromisoformat(reading["date"])
            found = reading_problems(facts, on, number, history[zone], json_path(here), confirmed=True)
            checker.problems += found
            if not found:
                history[zone].append((on, number))


def check_buildings(checker: Checker) -> None:
    meter_codes: dict[str, Path] = {}
    account_numbers: dict[str, Path] = {}

    def unique(registry: dict, value: str, path: Path) -> None:
        if value in registry:
            checker.add("duplicate", path, value=value)
        registry.setdefault(value, path)

    for b, building in enumerate(checker.data["buildings"]):
        bpath: Path = ("buildings", b)
        _positive(checker, (*bpath, "total_area"), building["total_area"])
        _positive(checker, (*bpath, "common_area"), building["common_area"], allow_zero=True)
        for m, meter in enumerate(building.get("meters", [])):
            unique(meter_codes, meter["code"], (*bpath, "meters", m, "code"))
            check_meter(checker, (*bpath, "meters", m), meter)
        check_interruptions(checker, bpath, building.get("interruptions", []))
        numbers: dict[str, Path] = {}
        for p, premises in enumerate(building["premises"]):
            ppath = (*bpath, "premises", p)
            unique(numbers, str(premises["number"]), (*ppath, "number"))
            areas = []
            for a, area in enumerate(premises["area"]):
                _positive(checker, (*ppath, "area", a, "value"), area["value"])
                areas.append(((*ppath, "area", a), (), area))
            checker.dated_lists(areas, "площади помещения")
            for n, account in enumerate(premises["accounts"]):
                apath = (*ppath, "accounts", n)
                unique(account_numbers, account["number"], (*apath, "number"))
                check_account(checker, apath, account, meter_codes, unique)


def check_interruptions(checker: Checker, path: Path, interruptions: list[dict]) -> None:
    for i, cut in enumerate(interruptions):
        here = (*path, "interruptions", i)
        checker.reference((*here, "service"), "услуга", cut["service"], checker.services)
        if cut["to"] <= cut["from"]:
            checker.add("invalid_range", (*here, "to"), start=cut["from"], end=cut["to"])
        _positive(checker, (*here, "excess_hours"), cut["excess_hours"])


def check_account(checker: Checker, path: Path, account: dict, meter_codes: dict, unique) -> None:
    if "share" in account:
        share = dec(account["share"])
        if share <= 0 or share > 1:
            checker.add("invalid_value", (*path, "share"), value=str(account["share"]),
                        reason="доля должна быть больше 0 и не больше 1")
    if account.get("closed") and account["closed"] <= account["opened"]:
        checker.add("invalid_range", (*path, "closed"), start=account["opened"], end=account["closed"])
    residents = [((*path, "residents", i), (), r) for i, r in enumerate(account["residents"])]
    checker.dated_lists(residents, "числа проживающих")
    services = []
    for i, s in enumerate(account["services"]):
        spath = (*path, "services", i)
        checker.reference((*spath, "service"), "услуга", s["service"], checker.services)
        checker.reference((*spath, "supplier"), "организация", s["supplier"], checker.organizations)
        services.append((spath, steps.key("services", s), s))
    checker.dated_lists(services, "подключения услуги")
    check_interruptions(checker, path, account.get("interruptions", []))
    for i, absence in enumerate(account.get("absences", [])):
        if absence["to"] <= absence["from"]:
            checker.add("invalid_range", (*path, "absences", i, "to"), start=absence["from"], end=absence["to"])
    for m, meter in enumerate(account.get("meters", [])):
        unique(meter_codes, meter["code"], (*path, "meters", m, "code"))
        check_meter(checker, (*path, "meters", m), meter)


def meaning_problems(data: dict) -> list[Problem]:
    """All problems of meaning in a scenario whose structure is valid."""
    checker = Checker(data)
    _check_dates(checker, data)
    if checker.problems:
        return checker.problems
    check_reference_data(checker)
    check_buildings(checker)
    checker.problems += steps.change_problems(data)
    return checker.problems
