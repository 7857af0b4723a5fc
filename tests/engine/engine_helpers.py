"""Small worlds for engine tests: one building of 5,000 m² with one 60 m² flat, built from dicts."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from raschet.engine import CalcResult, Snapshot, calculate

ACCOUNT = 1
NUMBER = "1000000001"

SERVICES = [
    {"service": "cold_water", "kind": "cold_water", "unit": "m3"},
    {"service": "hot_water", "kind": "hot_water", "unit": "m3"},
    {"service": "electricity", "kind": "electricity", "unit": "kWh"},
    {"service": "gas", "kind": "gas", "unit": "m3"},
    {"service": "heating", "kind": "heating", "unit": "Gcal"},
    {"service": "maintenance", "kind": "maintenance", "unit": "m2"},
    {"service": "capital_repair", "kind": "capital_repair", "unit": "m2"},
    {"service": "waste", "kind": "waste", "unit": "person"},
    {"service": "cold_water_common", "kind": "common_needs", "unit": "m3"},
]


def world(residents: int = 3, area: str = "60", meter_possible: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The tables of a one-flat world; tests append tariffs, rules, meters... then call :func:`snapshot`."""
    return {
        "accounts": [{"account_id": ACCOUNT, "number": NUMBER, "premises_id": 10, "building_id": 100,
                      "meter_possible": meter_possible}],
        "buildings": [{"building_id": 100, "code": "B1", "total_area": "5000", "common_area": "1200"}],
        "areas": [{"premises_id": 10, "valid_from": None, "valid_to": None, "area": area}],
        "residents": [{"account_id": ACCOUNT, "valid_from": None, "valid_to": None, "count": residents}],
        "services": copy.deepcopy(SERVICES),
        "account_services": [], "tariffs": [], "norms": [], "rules": [], "meters": [], "readings": [],
        "absences": [], "parameters": [],
    }


def supply(tables: dict, service: str, supplier: str = "VK", account: int = ACCOUNT, **dates: Any) -> None:
    tables["account_services"].append(
        {"account_id": account, "service": service, "supplier": supplier,
         "valid_from": dates.get("valid_from"), "valid_to": dates.get("valid_to")}
    )


def add(tables: dict, name: str, **row: Any) -> None:
    tables[name].append(row)


def run(tables: dict, period: str, accounts: list[int] | None = None) -> CalcResult:
    return calculate(Snapshot.from_rows(**tables), period, accounts)


def amounts(result: CalcResult, service: str | None = None) -> list[Decimal]:
    lines = result.lines if service is None else result.lines.filter(result.lines["service"] == service)
    return list(lines["amount"])


def total(result: CalcResult, service: str | None = None) -> Decimal:
    return sum(amounts(result, service), Decimal("0"))
