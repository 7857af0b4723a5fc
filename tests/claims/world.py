"""A small world of debtors for the claims tests, played through the scenario runner.

Building B1 (an apartment building, three flats of 50 m²). Monthly charges per flat: maintenance 2,000,
heating 1,500, hot water 1,000, cold water 500 (5,000.00). Periods 2026-01..2026-03 calculated and
closed. Account 1000000001 pays nothing (15,000.00 owed); 1000000002 pays everything; 1000000003 was
opened on 01.03.2026 and owes March only (5,000.00). Building B2 has one flat, 1000000004, paying all.
"""

from __future__ import annotations

from raschet.scenarios.loader import load_scenario
from raschet.scenarios.runner import play

SERVICES = [("maintenance", "Содержание жилого помещения", "maintenance", "40"),
            ("heating", "Отопление", "heating", "30"), ("hot_water", "Горячее водоснабжение", "hot_water", "20"),
            ("cold_water", "Холодное водоснабжение", "cold_water", "10")]


def _account(number: str, opened: str) -> dict:
    return {"number": number, "payer": f"Петров Пётр {number[-1]}", "opened": opened,
            "residents": [{"valid_from": opened, "count": 2}],
            "services": [{"service": code, "supplier": "UK", "valid_from": opened} for code, *_ in SERVICES]}


def _flat(number: str, account: dict) -> dict:
    return {"number": number, "kind": "residential", "area": [{"valid_from": "2020-01-01", "value": "50"}],
            "meter_possible": True, "accounts": [account]}


def scenario() -> dict:
    return {
        "format": "raschet-scenario/1", "title": "Должники",
        "organizations": [{"code": "UK", "name": "ООО «УК Ленинская»", "inn": "7707000015", "kpp": "773601001"}],
        "services": [{"code": c, "name": n, "kind": k, "unit": "m2"} for c, n, k, _ in SERVICES],
        "tariffs": [{"service": c, "supplier": "UK", "value": v, "valid_from": "2020-01-01"} for c, _, _, v in SERVICES],
        "norms": [], "rules": [{"service": c, "method": "area", "valid_from": "2017-01-01"} for c, *_ in SERVICES],
        "key_rates": [{"valid_from": "2025-10-27", "value": "16.5"}],
        "buildings": [
            {"code": "B1", "address": "г. Энск, ул. Ленина, д. 1", "total_area": "150", "common_area": "30",
             "premises": [_flat("1", _account("1000000001", "2025-12-01")),
                          _flat("2", _account("1000000002", "2025-12-01")),
                          _flat("3", _account("1000000003", "2026-03-01"))]},
            {"code": "B2", "address": "г. Энск, ул. Садовая, д. 5", "total_area": "50", "common_area": "0",
             "premises": [_flat("1", _account("1000000004", "2025-12-01"))]}],
        "timeline": [step for p in ("2026-01", "2026-02", "2026-03") for step in ({"calculate": p}, {"close": p})]
        + [{"pay": {"account": n, "date": "2026-04-05", "amount": "15000.00"}} for n in ("1000000002", "1000000004")],
    }


def build() -> None:
    data = scenario()
    load_scenario(data)
    for index, step in enumerate(data["timeline"]):
        play(index, step, [])
