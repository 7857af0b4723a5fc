"""The structure of a scenario file as JSON Schema, and its errors in Russian with JSON paths.

The schema checks shape only (keys, types, enums, formats); the meaning (overlaps, dangling codes,
areas, readings) is checked by ``raschet.scenarios.validate``. Extra keys are allowed: the format may
grow optional keys, and a newer file must still load where it can.
"""

from __future__ import annotations

from collections.abc import Iterable

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from raschet.domain.errors import Problem, problem

# ASCII digits only: Python's \d would take full-width and other Unicode digits
DECIMAL = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*-?[0-9]+([.,][0-9]+)?\s*$"}]}
DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
OPT_DATE = {"anyOf": [DATE, {"type": "null"}]}
PERIOD = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$"}
CODE = {"type": "string", "minLength": 1, "maxLength": 40}

SERVICE_KINDS = ["cold_water", "hot_water", "wastewater", "electricity", "gas", "heating", "maintenance",
                 "capital_repair", "waste", "common_needs", "other"]
UNITS = ["m3", "kWh", "Gcal", "m2", "person", "month"]
METHODS = ["metered", "norm", "area", "heating", "common_needs", "sum_of", "formula"]
ZONES = ["total", "day", "night", "peak", "semipeak"]


def _obj(required: Iterable[str], **props) -> dict:
    return {"type": "object", "required": list(required), "properties": props}


def _dated(**props) -> dict:
    return _obj(["valid_from", *[k for k in props if k == "value"]], valid_from=DATE, valid_to=OPT_DATE, **props)


INTERRUPTION = _obj(["service", "from", "to", "excess_hours"], service=CODE, excess_hours=DECIMAL,
                    percent_per_hour=DECIMAL, reason={"type": "string"}, **{"from": DATE, "to": DATE})
READING = {"type": "object", "required": ["date"], "properties": {
    "date": DATE, "value": DECIMAL, "values": {"type": "object", "additionalProperties": DECIMAL}},
    "oneOf": [{"required": ["value"]}, {"required": ["values"]}]}
METER = _obj(["code", "service"], code=CODE, service=CODE, installed=OPT_DATE, removed=OPT_DATE,
             verification_due=OPT_DATE, digits={"type": ["integer", "null"], "minimum": 1, "maximum": 15},
             zones={"type": "array", "items": {"enum": ZONES}, "minItems": 1},
             readings={"type": "array", "items": READING})
ACCOUNT = _obj(
    ["number", "payer", "opened", "residents", "services"],
    number=CODE, payer={"type": "string"}, share=DECIMAL, opened=DATE, closed=OPT_DATE,
    residents={"type": "array", "items": _obj(["valid_from", "count"], valid_from=DATE, valid_to=OPT_DATE,
                                                count={"type": "integer", "minimum": 0})},
    absences={"type": "array", "items": _obj(["from", "to"], **{"from": DATE, "to": DATE})},
    interruptions={"type": "array", "items": INTERRUPTION},
    services={"type": "array", "items": _obj(["service", "supplier", "valid_from"], service=CODE,
                                              supplier=CODE, valid_from=DATE, valid_to=OPT_DATE)},
    meters={"type": "array", "items": METER}, opening_balance=DECIMAL)
PREMISES = _obj(["number", "kind", "area", "meter_possible", "accounts"],
                number={"type": ["string", "integer"]}, kind={"enum": ["residential", "non_residential"]},
                area={"type": "array", "minItems": 1, "items": _dated(value=DECIMAL)},
                meter_possible={"type": "boolean"}, accounts={"type": "array", "items": ACCOUNT})
BUILDING = _obj(["code", "address", "total_area", "common_area", "premises"], code=CODE,
                address={"type": "string", "minLength": 1}, total_area=DECIMAL, common_area=DECIMAL,
                interruptions={"type": "array", "items": INTERRUPTION},
                meters={"type": "array", "items": METER}, premises={"type": "array", "items": PREMISES})
ORGANIZATION = _obj(["code", "name", "inn"], code=CODE, name={"type": "string"},
                    inn={"type": "string"}, kpp={"type": "string"},
                    bank=_obj(["name", "bic", "account", "corr_account"], name={"type": "string"},
                              bic={"type": "string"}, account={"type": "string"},
                              corr_account={"type": "string"}))
TARIFF = _dated(service=CODE, supplier=CODE, value=DECIMAL, zone={"enum": ZONES},
                band={"type": ["integer", "null"], "minimum": 1, "maximum": 3}, building=CODE)
TARIFF["required"] += ["service", "supplier"]
NORM = _dated(service=CODE, kind={"enum": ["individual", "common"]},
              basis={"enum": ["person", "area", "common_area"]}, value=DECIMAL, building=CODE)
NORM["required"] += ["service", "kind", "basis"]
RULE = _dated(service=CODE, method={"enum": METHODS}, building=CODE, account=CODE, params={"type": "object"})
RULE["required"] += ["service", "method"]
# sum_of names the services it adds up (scenario-format.md, RULE)
RULE["if"] = {"properties": {"method": {"const": "sum_of"}}, "required": ["method"]}
RULE["then"] = {"required": ["params"], "properties": {"params": {
    "required": ["services"], "properties": {"services": {"type": "array", "minItems": 1, "items": CODE}}}}}
# A change replaces dated lists: they have the shape of the lists they replace (steps.py reads them).
CHANGE = {"type": "object", "minProperties": 1, "properties": {
    "residents": ACCOUNT["properties"]["residents"], "services": ACCOUNT["properties"]["services"],
    "area": PREMISES["properties"]["area"], "tariffs": {"type": "array", "items": TARIFF},
    "norms": {"type": "array", "items": NORM}, "rules": {"type": "array", "items": RULE},
    "key_rates": {"type": "array", "items": _dated(value=DECIMAL)}}}
STEP = {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": {
    "calculate": PERIOD, "close": PERIOD,
    "pay": _obj(["account", "date", "amount"], account=CODE, date=DATE, amount=DECIMAL, period=PERIOD,
                source={"type": "string"}),
    "change": CHANGE,
    "penalty_statement": _obj(["account", "as_of"], account=CODE, as_of=DATE)},
    "additionalProperties": False}

SCENARIO_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "raschet-scenario/1",
    "type": "object",
    "required": ["format", "organizations", "services", "tariffs", "norms", "rules", "buildings", "timeline"],
    "properties": {
        "format": {"const": "raschet-scenario/1"},
        "title": {"type": "string"},
        "organizations": {"type": "array", "items": ORGANIZATION},
        "services": {"type": "array", "items": _obj(["code", "name", "kind", "unit"], code=CODE,
                                                      name={"type": "string"}, kind={"enum": SERVICE_KINDS},
                                                      unit={"enum": UNITS})},
        "tariffs": {"type": "array", "items": TARIFF},
        "norms": {"type": "array", "items": NORM},
        "rules": {"type": "array", "items": RULE},
        "key_rates": {"type": "array", "items": _dated(value=DECIMAL)},
        "buildings": {"type": "array", "items": BUILDING},
        "timeline": {"type": "array", "items": STEP},
    },
}


def json_path(parts: Iterable[str | int]) -> str:
    """``["buildings", 0, "premises", 3]`` → ``buildings[0].premises[3]``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "$"


def _reason(error: SchemaError) -> str:
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return f"нет обязательного поля «{missing}»"
    if kind in ("enum", "const"):
        allowed = expected if isinstance(expected, list) else [expected]
        return f"значение {error.instance!r} недопустимо; допустимы: {', '.join(map(str, allowed))}"
    if kind == "pattern" or (kind == "anyOf" and isinstance(error.instance, str)):
        return f"значение {error.instance!r} имеет неверный формат (даты — ГГГГ-ММ-ДД, периоды — ГГГГ-ММ, суммы — число)"
    if kind in ("type", "anyOf"):
        return f"значение {error.instance!r} имеет неверный тип"
    if kind == "oneOf":
        return "укажите ровно одно из полей «value» или «values»"
    if kind in ("minItems", "minProperties", "minLength"):
        return "значение не может быть пустым"
    if kind in ("maxProperties", "additionalProperties"):
        return "шаг сценария должен содержать ровно одно действие: calculate, close, pay, change или penalty_statement"
    if kind in ("minimum", "maximum"):
        return f"значение {error.instance!r} вне допустимого диапазона"
    return error.message


reason_of = _reason  # for the shape of change steps (raschet.scenarios.limits)


def structure_problems(data: object) -> list[Problem]:
    """Every shape error of the document, each with its JSON path."""
    validator = Draft202012Validator(SCENARIO_SCHEMA)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append(problem("invalid_structure", json_path(error.absolute_path), reason=_reason(error)))
    return problems
