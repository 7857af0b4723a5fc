"""Extreme input values are an account's problem rows, never an exception (bounds.py, issue 12 E)."""

from __future__ import annotations

from decimal import Decimal as D

from engine_helpers import NUMBER, add, run, supply, world


def _metered_and_area(reading: str = "20", area: str = "60", tariff: str = "52.30") -> dict:
    t = world(area=area)
    supply(t, "cold_water")
    supply(t, "maintenance", supplier="UK")
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2024-01-01", value=tariff)
    add(t, "tariffs", service="maintenance", supplier="UK", valid_from="2024-01-01", value="35.50")
    add(t, "rules", service="cold_water", method="metered", valid_from="2024-01-01")
    add(t, "rules", service="maintenance", method="area", valid_from="2024-01-01")
    add(t, "norms", service="cold_water", valid_from="2024-01-01", value="4.85")
    add(t, "meters", meter_id=5, code="M-5", account_id=1, building_id=100, service="cold_water")
    add(t, "readings", meter_id=5, date="2026-02-25", value="10")
    add(t, "readings", meter_id=5, date="2026-03-25", value=reading)
    return t


def test_a_reading_of_1e20_is_a_problem_naming_the_account_and_meter():
    result = run(_metered_and_area(reading="1e20"), "2026-03")
    assert result.lines["service"].to_list() == ["maintenance"]  # the rest of the account is billed
    [problem] = result.problems.iter_rows(named=True)
    assert problem["code"] == "value_out_of_range" and problem["service"] == "cold_water"
    assert problem["subject"] == f"ЛС {NUMBER}, услуга cold_water, прибор M-5"
    assert "readings.value" in problem["message"]


def test_an_area_of_1e15_is_a_problem_of_the_whole_account():
    result = run(_metered_and_area(area="1e15"), "2026-03")
    assert result.lines.is_empty()
    codes = result.problems.filter(result.problems["code"] == "value_out_of_range")
    assert codes["subject"].to_list() == [f"ЛС {NUMBER}"] and "areas.area" in codes["message"][0]


def test_an_amount_beyond_the_integers_is_a_problem_of_that_service():
    result = run(_metered_and_area(reading="999999999999", tariff="9999999"), "2026-03")
    assert result.lines["service"].to_list() == ["maintenance"]
    assert result.lines["amount"].to_list() == [D("2130.00")]
    assert result.problems.select("service", "code").rows() == [("cold_water", "amount_out_of_range")]


def test_a_neighbour_with_an_extreme_reading_does_not_stop_the_others():
    t = _metered_and_area()
    t["accounts"].append({"account_id": 2, "number": "1000000002", "premises_id": 11, "building_id": 100})
    t["areas"].append({"premises_id": 11, "valid_from": None, "valid_to": None, "area": "40"})
    supply(t, "cold_water", account=2)
    add(t, "meters", meter_id=6, code="M-6", account_id=2, building_id=100, service="cold_water")
    add(t, "readings", meter_id=6, date="2026-02-25", value="1")
    add(t, "readings", meter_id=6, date="2026-03-25", value="-1e20")
    result = run(t, "2026-03")
    assert result.lines.filter(result.lines["account_id"] == 1)["amount"].to_list() == [D("523.00"), D("2130.00")]
    assert result.problems.select("account_id", "code").rows() == [(2, "value_out_of_range")]
