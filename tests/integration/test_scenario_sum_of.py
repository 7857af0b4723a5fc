"""The scenario checker on ``sum_of`` rules: the services it adds up are named, known, and computed
by individual methods (their volumes exist when ``sum_of`` runs)."""

from __future__ import annotations

from raschet.scenarios.loader import check_scenario, read_scenario

RULE = "rules[2]"


def problems(scenario_path, **params) -> dict:
    data = read_scenario(scenario_path("sum_of_wastewater.json"))
    rule = data["rules"][2]
    if params.get("drop"):
        del rule["params"]
    else:
        rule["params"] = {"services": params["services"]}
    if params.get("heating"):
        data["services"].append({"code": "heating", "name": "Отопление", "kind": "heating", "unit": "Gcal"})
        data["rules"].append({"service": "heating", "method": "heating", "valid_from": "2017-01-01"})
    return {p.subject: p for p in check_scenario(data)}


def test_the_wastewater_scenario_is_valid(scenario_path):
    assert check_scenario(read_scenario(scenario_path("sum_of_wastewater.json"))) == []


def test_sum_of_needs_its_services(scenario_path):
    assert problems(scenario_path, drop=True)[RULE].code == "invalid_structure"
    found = problems(scenario_path, services=[])
    assert f"{RULE}.params.services" in found and "пуст" in found[f"{RULE}.params.services"].message


def test_sum_of_names_known_services_other_than_itself(scenario_path):
    found = problems(scenario_path, services=["cold_water", "hot_watr", "wastewater"])
    assert found[f"{RULE}.params.services[1]"].code == "unknown_reference"
    assert "самой себя" in found[f"{RULE}.params.services[2]"].message
    assert len(found) == 2


def test_sum_of_cannot_add_a_service_computed_after_it(scenario_path):
    found = problems(scenario_path, services=["cold_water", "heating"], heating=True)
    assert list(found) == [f"{RULE}.params.services[1]"]
    assert "«heating»" in found[f"{RULE}.params.services[1]"].message
