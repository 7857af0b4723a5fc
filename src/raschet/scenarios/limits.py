"""The bounds of a scenario's numbers, texts, dates and periods, from ``raschet.domain.bounds``, and the
shape of its ``change`` steps — so that ``scenario check`` passes exactly the files that ``scenario
load`` and ``scenario run`` can take (a 1e30 area, a 20-digit tariff, a 40-character account number,
period "2026-13" are refused here, with their JSON path, instead of failing in the database).

A field spec maps a key to a :class:`~raschet.domain.bounds.Bound` (a number), a ``TEXT_LENGTH`` key
(a text), a nested spec (an object) or a one-item list of a spec (a list of such objects).
"""

from __future__ import annotations

from datetime import date

from jsonschema import Draft202012Validator

from raschet.domain import bounds
from raschet.domain.errors import Problem, problem
from raschet.domain.periods import Period
from raschet.scenarios import schema
from raschet.scenarios.schema import json_path

Path = tuple

READING = {"value": bounds.READING}
METER = {"code": "meter.code", "serial": "meter.serial", "digits": bounds.METER_DIGITS,
         "readings": [READING]}
INTERRUPTION = {"excess_hours": bounds.EXCESS_HOURS, "percent_per_hour": bounds.PERCENT_PER_HOUR,
                "reason": "interruption.reason"}
ACCOUNT = {"number": "account.number", "payer": "account.payer", "els": "account.els", "phone": "account.phone",
           "share": bounds.SHARE, "opening_balance": bounds.OPENING_BALANCE, "residents": [{"count": bounds.RESIDENTS}],
           "absences": [{"reason": "absence.reason"}], "meters": [METER], "interruptions": [INTERRUPTION]}
PREMISES = {"number": "premises.number", "area": [{"value": bounds.PREMISES_AREA}], "accounts": [ACCOUNT]}
BUILDING = {"code": "building.code", "address": "building.address", "total_area": bounds.BUILDING_AREA,
            "common_area": bounds.COMMON_AREA, "meters": [METER], "interruptions": [INTERRUPTION],
            "premises": [PREMISES]}
TARIFF = {"value": bounds.TARIFF, "legal_basis": "legal_basis"}
NORM = {"value": bounds.NORM, "legal_basis": "legal_basis"}
RULE = {"legal_basis": "legal_basis", "params": {"increasing_factor": bounds.INCREASING_FACTOR}}
KEY_RATE = {"value": bounds.KEY_RATE}
LISTS = {"tariffs": [TARIFF], "norms": [NORM], "rules": [RULE], "key_rates": [KEY_RATE]}
SCENARIO = {"organizations": [{"code": "organization.code", "name": "organization.name", "inn": "organization.inn",
                               "kpp": "organization.kpp", "ogrn": "organization.ogrn",
                               "bank": {"name": "organization.bank_name", "bic": "organization.bic",
                                        "account": "organization.settlement_account",
                                        "corr_account": "organization.corr_account"}}],
            "services": [{"code": "service.code", "name": "service.name"}],
            "buildings": [BUILDING], **LISTS}
PAY = {"account": "account.number", "amount": bounds.PAYMENT_AMOUNT}
# What a ``change`` step may carry for each kind of object it names: the object's own fields.
CHANGES = {"account": (schema.ACCOUNT, ACCOUNT), "premises": (schema.PREMISES, PREMISES),
           "building": (schema.BUILDING, BUILDING), "meter": (schema.METER, METER)}


class Limits:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path, value: object, reason: str) -> None:
        field = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
        self.problems.append(problem("invalid_value", json_path(path), value=str(value)[:60], field=field,
                                     reason=reason))

    def walk(self, node: object, spec: dict, path: Path) -> None:
        if not isinstance(node, dict):
            return
        for key, rule in spec.items():
            if key not in node or node[key] is None:
                continue
            here, value = (*path, key), node[key]
            if isinstance(rule, bounds.Bound):
                number, reason = rule.read(value)
                if number is None:
                    self.add(here, value, reason)
            elif isinstance(rule, str):
                reason = bounds.text_reason(rule, str(value))
                if reason:
                    self.add(here, value, reason)
            elif isinstance(rule, list) and isinstance(value, list):
                for index, item in enumerate(value):
                    self.walk(item, rule[0], (*here, index))
            elif isinstance(rule, dict):
                self.walk(value, rule, here)

    def dates(self, node: object, path: Path = ()) -> None:
        """Every date within 1900–2200 (what a period, and so the engine, can hold)."""
        if isinstance(node, dict):
            for key, value in node.items():
                self.dates(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.dates(value, (*path, index))
        elif isinstance(node, str) and len(node) == 10 and node[4] == "-" and node[7] == "-":
            try:
                reason = bounds.date_reason(date.fromisoformat(node))
            except ValueError:
                return  # not a calendar date: the meaning check reports it
            if reason:
                self.add(path, node, reason)

    def period(self, path: Path, text: object) -> None:
        try:
            Period.parse(str(text))
        except ValueError as error:
            self.add(path, text, str(error))

    def change(self, path: Path, change: dict) -> None:
        kinds = [kind for kind in CHANGES if kind in change]
        if kinds:
            shape, spec = CHANGES[kinds[0]]
            fragment = {"type": "object", "properties": {**shape["properties"], kinds[0]: schema.CODE}}
        else:
            shape = {"type": "object", "properties": {name: schema.SCENARIO_SCHEMA["properties"][name]
                                                      for name in LISTS}}
            fragment, spec = shape, LISTS
        for error in Draft202012Validator(fragment).iter_errors(change):
            self.problems.append(problem("invalid_structure", json_path((*path, *error.absolute_path)),
                                         reason=schema.reason_of(error)))
        self.walk(change, spec, path)

    def timeline(self, steps: list) -> None:
        for index, step in enumerate(steps):
            here = ("timeline", index)
            for action in ("calculate", "close"):
                if action in step:
                    self.period((*here, action), step[action])
            if "pay" in step:
                self.walk(step["pay"], PAY, (*here, "pay"))
                if "period" in step["pay"]:
                    self.period((*here, "pay", "period"), step["pay"]["period"])
            if "change" in step:
                self.change((*here, "change"), step["change"])


def limit_problems(data: dict) -> list[Problem]:
    """Every value of a structurally valid scenario outside its bounds, each with its JSON path."""
    limits = Limits()
    limits.walk(data, SCENARIO, ())
    limits.dates(data)
    limits.timeline(data.get("timeline", []))
    return limits.problems
