"""Scopes (account > building > everywhere), supplier and account changes, and errors as data."""

from __future__ import annotations

from decimal import Decimal as D

from engine_helpers import NUMBER, add, amounts, run, supply, world


def _maintenance(**rule):
    t = world()
    supply(t, "maintenance", supplier="UK")
    add(t, "tariffs", service="maintenance", supplier="UK", valid_from="2026-01-01", value="35.50")
    add(t, "rules", service="maintenance", method="area", valid_from="2026-01-01", **rule)
    return t


def test_building_tariff_beats_the_general_one():
    t = _maintenance()
    add(t, "tariffs", service="maintenance", supplier="UK", building_id=100, valid_from="2026-01-01", value="40.00")
    assert amounts(run(t, "2026-03")) == [D("2400.00")]


def test_account_rule_beats_building_rule_beats_general_rule():
    t = _maintenance()
    add(t, "norms", service="maintenance", basis="area", valid_from="2026-01-01", value="2")
    add(t, "rules", service="maintenance", method="norm", building_id=100, valid_from="2026-01-01")
    line = run(t, "2026-03").lines.row(0, named=True)
    assert (line["method"], line["amount"]) == ("norm", D("4260.00"))
    add(t, "rules", service="maintenance", method="area", account_id=1, valid_from="2026-01-01")
    line = run(t, "2026-03").lines.row(0, named=True)
    assert (line["method"], line["amount"], line["rule_id"]) == ("area", D("2130.00"), 3)


def test_supplier_change_mid_month_gives_two_lines():
    t = _maintenance()
    t["account_services"] = []
    supply(t, "maintenance", supplier="UK", valid_to="2026-03-16")
    supply(t, "maintenance", supplier="UK2", valid_from="2026-03-16")
    add(t, "tariffs", service="maintenance", supplier="UK2", valid_from="2026-01-01", value="35.50")
    lines = run(t, "2026-03").lines
    assert lines["supplier"].to_list() == ["UK", "UK2"]
    assert lines["days"].to_list() == [15, 16]
    assert sum(lines["amount"]) == D("2130.00")


def test_account_closed_mid_month_is_billed_to_the_day_before():
    t = _maintenance()
    t["accounts"][0]["closed"] = "2026-03-11"
    lines = run(t, "2026-03").lines
    assert lines["days"].to_list() == [10]
    assert lines["amount"].to_list() == [D("687.10")]  # 60 × 10/31 = 19.354839 m² × 35.50


def test_missing_tariff_norm_and_rule_are_problems_and_the_rest_is_calculated():
    t = _maintenance()
    supply(t, "cold_water")  # no rule at all
    supply(t, "gas", supplier="GAZ")
    add(t, "rules", service="gas", method="norm", valid_from="2026-01-01")  # no norm
    add(t, "tariffs", service="gas", supplier="GAZ", valid_from="2026-01-01", value="8")
    supply(t, "waste", supplier="RO")
    add(t, "rules", service="waste", method="norm", valid_from="2026-01-01")  # no tariff
    add(t, "norms", service="waste", valid_from="2026-01-01", value="0.2")
    result = run(t, "2026-03")
    assert result.lines["service"].to_list() == ["maintenance"]
    problems = {row["service"]: row for row in result.problems.iter_rows(named=True)}
    assert {s: p["code"] for s, p in problems.items()} == {"cold_water": "no_rule", "gas": "no_norm",
                                                           "waste": "no_tariff"}
    for p in problems.values():
        assert NUMBER in p["message"] and p["service"] in p["message"]
        assert p["number"] == NUMBER and NUMBER in p["subject"]


def test_unknown_method_and_bad_params_are_problems():
    t = _maintenance()
    t["rules"][0]["method"] = "magic"
    result = run(t, "2026-03")
    assert result.lines.is_empty()
    assert result.problems["code"].to_list() == ["unknown_method"]
    assert "magic" in result.problems["message"][0]
    t = _maintenance(params='{"increasing_factor": "abc"}')
    assert run(t, "2026-03").problems["code"].to_list() == ["invalid_params"]
    t = _maintenance(params="not json")
    assert run(t, "2026-03").problems["code"].to_list() == ["invalid_params"]


def test_formula_rule_with_an_unknown_input_is_a_problem():
    t = _maintenance()
    t["rules"][0].update(method="formula", params={"expression": "area * price"})
    result = run(t, "2026-03")
    assert result.lines.is_empty()
    assert result.problems["code"].to_list() == ["unknown_input"]
    assert "price" in result.problems["message"][0]


def test_heating_uniform_with_building_meter_uses_last_years_average():
    t = world()
    supply(t, "heating", supplier="TS")
    add(t, "tariffs", service="heating", supplier="TS", valid_from="2024-01-01", value="2500")
    add(t, "norms", service="heating", basis="area", valid_from="2024-01-01", value="0.018")
    add(t, "rules", service="heating", method="heating", valid_from="2024-01-01", params={"mode": "uniform"})
    add(t, "meters", meter_id=9, code="ODPU", scope="building", building_id=100, service="heating")
    add(t, "readings", meter_id=9, date="2024-12-31", value="1000")
    add(t, "readings", meter_id=9, date="2025-12-31", value="2200")  # 1,200 Gcal in 2025: 100 a month
    line = run(t, "2026-07").lines.row(0, named=True)
    # 100 × 60 / 5000 = 1.2 Gcal × 2500 = 3,000.00
    assert (line["volume_source"], line["volume"], line["amount"]) == ("building_meter", D("1.2"), D("3000.00"))
    t["readings"] = t["readings"][1:]  # first year: no reading a year before, so the norm
    line = run(t, "2026-07").lines.row(0, named=True)
    assert (line["volume_source"], line["amount"]) == ("norm", D("1575.00"))


def two_zone_meter_read_to_march() -> dict:
    """Two residents, a day/night electricity meter read on the 25th of September to March."""
    t = world(residents=2)
    supply(t, "electricity", supplier="ES")
    for zone, rate in (("day", "7.50"), ("night", "3.20"), ("total", "6.00")):
        add(t, "tariffs", service="electricity", supplier="ES", zone=zone, valid_from="2025-01-01", value=rate)
    add(t, "norms", service="electricity", basis="person", valid_from="2025-01-01", value="100")
    add(t, "rules", service="electricity", method="metered", valid_from="2025-01-01")
    add(t, "meters", meter_id=3, code="E1", account_id=1, building_id=100, service="electricity")
    for i, month in enumerate(["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]):
        add(t, "readings", meter_id=3, date=f"{month}-25", zone="day", value=str(1000 + 180 * i))
        add(t, "readings", meter_id=3, date=f"{month}-25", zone="night", value=str(500 + 70 * i))
    return t


def test_two_zone_meter_without_reading_gets_the_average_per_zone():
    t = two_zone_meter_read_to_march()
    lines = run(t, "2026-04").lines
    assert lines["zone"].to_list() == ["day", "night"]
    assert lines["volume_source"].to_list() == ["average", "average"]
    assert lines["amount"].to_list() == [D("1350.00"), D("224.00")]


def test_late_two_zone_reading_shares_the_norm_months_by_measured_consumption():
    t = two_zone_meter_read_to_march()
    add(t, "readings", meter_id=3, date="2026-08-25", zone="day", value="3000")
    add(t, "readings", meter_id=3, date="2026-08-25", zone="night", value="1000")
    assert run(t, "2026-07").lines.select("zone", "volume_source", "volume").rows() == [("total", "norm", D("200"))]
    lines = run(t, "2026-08").lines
    # Measured day 3000 − 2080 = 920, night 1000 − 920 = 80; April–June averages 3 × 180 and
    # 3 × 70; July's norm 200 shared 920 : 80 → 184 and 16.
    assert lines.select("zone", "volume").rows() == [("day", D("196")), ("night", D("-146"))]


def test_absence_reduces_a_metered_rule_charged_by_norm_without_a_meter():
    t = world(residents=3, meter_possible=False)
    supply(t, "hot_water", supplier="TS")
    add(t, "tariffs", service="hot_water", supplier="TS", valid_from="2026-01-01", value="52.30")
    add(t, "norms", service="hot_water", valid_from="2026-01-01", value="4.85")
    add(t, "rules", service="hot_water", method="metered", valid_from="2026-01-01")
    add(t, "absences", account_id=1, **{"from": "2026-04-10", "to": "2026-04-23"})
    assert amounts(run(t, "2026-04")) == [D("760.97"), D("-304.39")]


def test_empty_snapshot_gives_empty_typed_frames():
    from raschet.engine import Snapshot, calculate
    from raschet.engine.explain import OUTPUT_SCHEMA

    result = calculate(Snapshot.empty(), "2026-03")
    assert result.lines.is_empty() and result.problems.is_empty()
    assert dict(result.lines.schema) == OUTPUT_SCHEMA
    assert result.problems.columns == ["account_id", "number", "service", "code", "message", "subject"]


def test_two_suppliers_on_the_same_days_are_a_problem_not_a_double_charge():
    t = _maintenance()
    supply(t, "maintenance", supplier="UK2", valid_from="2026-03-10")
    add(t, "tariffs", service="maintenance", supplier="UK2", valid_from="2026-01-01", value="35.50")
    result = run(t, "2026-03")
    assert result.lines.is_empty()
    assert result.problems["code"].to_list() == ["overlap"]


def test_every_method_of_the_registry_has_a_code():
    """A method's lines are stored with its code (codes.METHODS): a registry entry without one could not be."""
    from raschet.engine.codes import METHODS as CODED
    from raschet.engine.methods import DISTRIBUTED, METHODS, USES_INDIVIDUAL

    assert set(METHODS) <= set(CODED)
    assert USES_INDIVIDUAL <= DISTRIBUTED <= set(METHODS)
