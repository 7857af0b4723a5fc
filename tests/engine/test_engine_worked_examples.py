"""Every worked example of domain.md §1–5 and §14, each over a small snapshot."""

from __future__ import annotations

import json
from decimal import Decimal as D

from engine_helpers import ACCOUNT, add, amounts, run, supply, total, world


def _cold_water_norm(meter_possible: bool, factor_rule: bool = True):
    t = world(residents=3, meter_possible=meter_possible)
    supply(t, "cold_water")
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2026-01-01", value="52.30")
    add(t, "norms", service="cold_water", basis="person", valid_from="2026-01-01", value="4.85")
    add(t, "rules", service="cold_water", method="metered" if factor_rule else "norm", valid_from="2026-01-01")
    return t


def test_norm_without_factor_is_760_97():
    result = run(_cold_water_norm(meter_possible=True, factor_rule=False), "2026-04")
    assert result.problems.is_empty()
    line = result.lines.row(0, named=True)
    assert line["volume"] == D("14.55") and line["amount"] == D("760.97")
    assert line["excess_amount"] == D("0") and line["volume_source"] == "norm"


def test_no_meter_gives_factor_1_5_with_excess():
    result = run(_cold_water_norm(meter_possible=True), "2026-04")
    line = result.lines.row(0, named=True)
    assert line["amount"] == D("1141.45") and line["excess_amount"] == D("380.48")
    assert line["factor"] == D("1.5")


def test_technical_impossibility_act_means_no_factor():
    result = run(_cold_water_norm(meter_possible=False), "2026-04")
    line = result.lines.row(0, named=True)
    assert line["amount"] == D("760.97") and line["excess_amount"] == D("0")


def _metered_world(readings: list[tuple[str, str]], verification_due: str | None = None, **meter):
    t = _cold_water_norm(meter_possible=True)
    add(t, "meters", meter_id=1, code="M1", account_id=1, building_id=100, service="cold_water",
        verification_due=verification_due, **meter)
    for day, value in readings:
        add(t, "readings", meter_id=1, date=day, value=value)
    return t


def test_meter_reading_383_52():
    t = _metered_world([("2026-02-25", "123.456"), ("2026-03-25", "130.789")])
    line = run(t, "2026-03").lines.row(0, named=True)
    assert (line["volume"], line["amount"], line["volume_source"]) == (D("7.333"), D("383.52"), "meter")
    assert line["reading_prev"] == D("123.456") and line["reading_cur"] == D("130.789")


# Monthly uses 8, 7, 9, 6, 8, 7 from September 2025 to March 2026: the average is 7.5.
SIX_MONTHS = [("2025-09-25", "100"), ("2025-10-25", "108"), ("2025-11-25", "115"), ("2025-12-25", "124"),
              ("2026-01-25", "130"), ("2026-02-25", "138"), ("2026-03-25", "145")]


def test_average_for_three_months_then_norm_without_factor():
    t = _metered_world(SIX_MONTHS)
    for month in ("2026-04", "2026-05", "2026-06"):
        line = run(t, month).lines.row(0, named=True)
        assert (line["volume_source"], line["volume"], line["factor"]) == ("average", D("7.5"), D("1"))
        assert line["amount"] == D("392.25")
    july = run(t, "2026-07").lines.row(0, named=True)
    assert (july["volume_source"], july["volume"], july["factor"]) == ("norm", D("14.55"), D("1"))
    assert july["amount"] == D("760.97")


def test_reading_after_average_months_subtracts_what_was_charged():
    t = _metered_world([*SIX_MONTHS, ("2026-06-25", "170")])
    line = run(t, "2026-06").lines.row(0, named=True)
    # 170 − 145 = 25 m³ over April–June, of which April and May were charged 7.5 each: 10 m³.
    assert (line["volume_source"], line["volume"]) == ("meter", D("10"))
    assert "вычтено" in line["explanation"]


def _late_after_norm_months(**rule_params):
    """SIX_MONTHS, then nothing until 210 on 25 September; residents 3 → 4 from 11 August."""
    t = _metered_world([*SIX_MONTHS, ("2026-09-25", "210")])
    t["residents"] = [{"account_id": 1, "valid_from": None, "valid_to": "2026-08-11", "count": 3},
                      {"account_id": 1, "valid_from": "2026-08-11", "valid_to": None, "count": 4}]
    if rule_params:
        t["rules"][0]["params"] = json.dumps(rule_params)
    return t


def test_reading_after_average_and_norm_months_subtracts_both():
    t = _late_after_norm_months()
    # What April–August charged: the average 7.5 in April–June; the norm in July (3 × 4.85 =
    # 14.55) and August (3 × 4.85 × 10/31 = 4.693548 and 4 × 4.85 × 21/31 = 13.141935).
    charged = [("average", D("7.5"))] * 3 + [("norm", D("14.55"))] + [("norm", D("4.693548")), ("norm", D("13.141935"))]
    got = []
    for month in ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08"):
        got += [(line["volume_source"], line["volume"]) for line in run(t, month).lines.iter_rows(named=True)]
    assert got == charged
    september = run(t, "2026-09")
    assert september.problems.is_empty()
    line = september.lines.row(0, named=True)
    # 210 − 145 = 65 m³ measured; 65 − 22.5 − 32.385483 = 10.114517 m³ × 52.30 = 528.9892… → 528.99.
    assert (line["volume_source"], line["volume"], line["amount"]) == ("meter", D("10.114517"), D("528.99"))
    assert (line["reading_prev"], line["reading_cur"]) == (D("145"), D("210"))
    note = json.loads(line["explanation"])["примечание"]
    assert note == ("показание после 5 мес. без показаний: из расхода 65 вычтено начисленное за эти месяцы — "
                    "по среднему 22.5 (3 мес.), по нормативу 32.385483 (2 мес.)")


def test_late_reading_deducts_only_the_average_when_the_rule_says_so():
    line = run(_late_after_norm_months(late_reading_deducts=["average"]), "2026-09").lines.row(0, named=True)
    assert (line["volume"], line["amount"]) == (D("42.5"), D("2222.75"))  # 65 − 22.5; × 52.30


def test_late_reading_deducts_rejects_an_unknown_source():
    result = run(_late_after_norm_months(late_reading_deducts=["meter"]), "2026-09")
    assert result.lines.is_empty() and result.problems["code"].to_list() == ["invalid_params"]


def test_reading_after_norm_months_with_too_little_history_subtracts_the_norm():
    # Only two months of history (Feb, March): no average, so April and May were charged by norm.
    t = _metered_world([("2026-02-25", "138"), ("2026-03-25", "145"), ("2026-06-25", "190")])
    assert [run(t, m).lines["volume_source"].to_list() for m in ("2026-04", "2026-05")] == [["norm"], ["norm"]]
    line = run(t, "2026-06").lines.row(0, named=True)
    assert line["volume"] == D("15.9")  # 45 − 2 × 14.55


def test_expired_meter_average_march_to_may_then_norm_with_factor():
    # Readings Sep–Feb (uses 8, 7, 9, 6, 8: average 7.6); verification expired on 1 March, so the
    # March reading is not used.
    t = _metered_world([*SIX_MONTHS[:-1], ("2026-03-25", "145")], verification_due="2026-03-01")
    for month in ("2026-03", "2026-04", "2026-05"):
        line = run(t, month).lines.row(0, named=True)
        assert (line["volume_source"], line["volume"], line["factor"]) == ("average", D("7.6"), D("1")), month
    june = run(t, "2026-06").lines.row(0, named=True)
    assert (june["volume_source"], june["factor"], june["amount"]) == ("norm", D("1.5"), D("1141.45"))
    assert june["excess_amount"] == D("380.48")


def test_rollover_of_a_register_with_digits():
    t = _metered_world([("2026-02-25", "99998"), ("2026-03-25", "3")], digits=5)
    line = run(t, "2026-03").lines.row(0, named=True)
    assert line["volume"] == D("5")


def test_backwards_reading_is_a_problem_for_that_service_only():
    t = _metered_world([("2026-02-25", "130"), ("2026-03-25", "120")])
    supply(t, "maintenance", supplier="UK")
    add(t, "tariffs", service="maintenance", supplier="UK", valid_from="2026-01-01", value="35.50")
    add(t, "rules", service="maintenance", method="area", valid_from="2026-01-01")
    result = run(t, "2026-03")
    assert result.problems["code"].to_list() == ["readings_backwards"]
    assert "1000000001" in result.problems["message"][0]
    # readings and dates the Russian way, as the one check of domain.readings writes them
    assert "Показание 120 на 25.03.2026 меньше предыдущего 130 на 25.02.2026" in result.problems["message"][0]
    assert result.lines["service"].to_list() == ["maintenance"]


def test_meter_replacement_sums_both_meters():
    t = _metered_world([("2026-02-25", "500"), ("2026-03-10", "504")], removed="2026-03-10")
    add(t, "meters", meter_id=2, code="M2", account_id=1, building_id=100, service="cold_water",
        installed="2026-03-10")
    add(t, "readings", meter_id=2, date="2026-03-10", value="0")
    add(t, "readings", meter_id=2, date="2026-03-25", value="3.5")
    lines = run(t, "2026-03").lines
    # The readings on the replacement date split the month: 4 m³ on the old meter, 3.5 on the new.
    assert lines["volume"].to_list() == [D("4"), D("3.5")]
    assert lines["days"].to_list() == [9, 22]
    assert set(lines["volume_source"]) == {"meter"}


def test_meter_installed_mid_month_norm_before_meter_after():
    t = _cold_water_norm(meter_possible=True)
    add(t, "meters", meter_id=1, code="M1", account_id=1, building_id=100, service="cold_water",
        installed="2026-04-16")
    add(t, "readings", meter_id=1, date="2026-04-16", value="0")
    add(t, "readings", meter_id=1, date="2026-04-25", value="2")
    lines = run(t, "2026-04").lines
    assert lines["volume_source"].to_list() == ["norm", "meter"]
    # 14.55 × 15/30 = 7.275 m³ by norm × 1.5 for the days without a meter, then the meter's 2 m³.
    assert lines["volume"].to_list() == [D("7.275"), D("2")]
    assert lines["factor"].to_list() == [D("1.5"), D("1")]


def test_metered_volume_split_by_days_at_a_tariff_change():
    t = _metered_world([("2026-02-25", "100"), ("2026-03-25", "131")])
    t["tariffs"][0]["valid_to"] = "2026-03-11"
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2026-03-11", value="60.00")
    lines = run(t, "2026-03").lines
    assert lines["volume"].to_list() == [D("10"), D("21")]
    assert lines["amount"].to_list() == [D("523.00"), D("1260.00")]


def _heating(mode: str, with_meter: bool, month: str = "2026-01", **params):
    t = world(residents=3)
    supply(t, "heating", supplier="TS")
    add(t, "tariffs", service="heating", supplier="TS", valid_from="2024-01-01", value="2500")
    add(t, "norms", service="heating", basis="area", valid_from="2024-01-01", value="0.018")
    add(t, "rules", service="heating", method="heating", valid_from="2024-01-01",
        params={"mode": mode, "season_months": [1, 2, 3, 4, 10, 11, 12], **params})
    if with_meter:
        add(t, "meters", meter_id=9, code="ODPU", scope="building", building_id=100, service="heating")
        add(t, "readings", meter_id=9, date="2025-12-31", value="1000")
        add(t, "readings", meter_id=9, date="2026-01-31", value="1120")
    return run(t, month)


def test_heating_with_building_meter_season_mode_3600():
    assert amounts(_heating("season", True)) == [D("3600.00")]


def test_heating_norm_season_mode_2700_and_nothing_in_summer():
    assert amounts(_heating("season", False)) == [D("2700.00")]
    assert _heating("season", False, month="2026-07").lines.is_empty()


def test_heating_norm_uniform_mode_1575():
    assert amounts(_heating("uniform", False, month="2026-07")) == [D("1575.00")]
    assert amounts(_heating("uniform", False, norm_is_uniform=True)) == [D("2700.00")]


def _common_needs(building_reading: str):
    t = world(residents=3)
    supply(t, "cold_water")
    supply(t, "cold_water_common", supplier="UK")
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2026-01-01", value="52.30")
    add(t, "tariffs", service="cold_water_common", supplier="UK", valid_from="2026-01-01", value="52.30")
    add(t, "norms", service="cold_water", basis="person", valid_from="2026-01-01", value="310")
    add(t, "norms", service="cold_water_common", kind="common", basis="common_area", valid_from="2026-01-01",
        value="0.03")
    add(t, "rules", service="cold_water", method="norm", valid_from="2026-01-01")
    add(t, "rules", service="cold_water_common", method="common_needs", valid_from="2026-01-01",
        params={"resource": "cold_water"})
    add(t, "meters", meter_id=9, code="ODPU", scope="building", building_id=100, service="cold_water")
    add(t, "readings", meter_id=9, date="2026-02-28", value="0")
    add(t, "readings", meter_id=9, date="2026-03-31", value=building_reading)
    return run(t, "2026-03")


def test_common_needs_capped_at_norm_22_59():
    # Individual volume: 3 × 310 = 930 m³ (the only flat stands for the whole building).
    result = _common_needs("1000")
    line = result.lines.filter(result.lines["service"] == "cold_water_common").row(0, named=True)
    assert (line["volume"], line["amount"]) == (D("0.432"), D("22.59"))
    assert line["building_volume"] == D("1000") and line["individual_volume_sum"] == D("930")


def test_common_needs_negative_gives_zero():
    assert amounts(_common_needs("900"), "cold_water_common") == [D("0.00")]


def _per_area(service: str, rate: str, method: str = "area", **extra):
    t = world(residents=3)
    supply(t, service, supplier="UK")
    add(t, "tariffs", service=service, supplier="UK", valid_from="2026-01-01", value=rate)
    add(t, "rules", service=service, method=method, valid_from="2026-01-01")
    return t


def test_maintenance_2130_and_capital_repair_1188():
    assert amounts(run(_per_area("maintenance", "35.50"), "2026-03")) == [D("2130.00")]
    assert amounts(run(_per_area("capital_repair", "19.80"), "2026-03")) == [D("1188.00")]


def test_waste_per_person_385():
    t = _per_area("waste", "700.00", method="norm")
    # 2.2 m³/person/year, i.e. a monthly norm of 2.2/12 (given with 6 decimals it would not be exact,
    # so the yearly norm is written as the tariff per person-month instead).
    add(t, "norms", service="waste", basis="person", valid_from="2026-01-01", value="0.183333")
    assert amounts(run(t, "2026-03")) == [D("385.00")]


def test_waste_by_formula_with_a_yearly_norm_385():
    t = _per_area("waste", "700.00", method="formula")
    t["rules"][0]["params"] = {"expression": "residents * norm / 12 * tariff * days / period_days"}
    add(t, "norms", service="waste", basis="person", valid_from="2026-01-01", value="2.2")
    line = run(t, "2026-03").lines.row(0, named=True)
    assert (line["amount"], line["volume_source"], line["method"]) == (D("385.00"), "formula", "formula")


def test_formula_with_a_dated_parameter():
    t = _per_area("maintenance", "35.50", method="formula")
    t["rules"][0]["params"] = {"expression": "area * share * tariff * coef * days / period_days"}
    add(t, "parameters", scope="building", object_id=100, key="coef", valid_from="2026-01-01", value="1.1")
    add(t, "parameters", scope="account", object_id=1, key="coef", valid_from="2026-01-01", value="0.5")
    assert amounts(run(t, "2026-03")) == [D("1065.00")]


def test_electricity_zones_1574():
    t = world(residents=2)
    supply(t, "electricity", supplier="ES")
    for zone, rate in (("day", "7.50"), ("night", "3.20")):
        add(t, "tariffs", service="electricity", supplier="ES", zone=zone, valid_from="2026-01-01", value=rate)
    add(t, "norms", service="electricity", basis="person", valid_from="2026-01-01", value="100")
    add(t, "rules", service="electricity", method="metered", valid_from="2026-01-01")
    add(t, "meters", meter_id=3, code="E1", account_id=1, building_id=100, service="electricity")
    for zone, before, after in (("day", "1000", "1180"), ("night", "500", "570")):
        add(t, "readings", meter_id=3, date="2026-02-25", zone=zone, value=before)
        add(t, "readings", meter_id=3, date="2026-03-25", zone=zone, value=after)
    result = run(t, "2026-03")
    assert sorted(amounts(result)) == [D("224.00"), D("1350.00")]
    assert total(result) == D("1574.00")


def test_electricity_volume_bands():
    t = world(residents=2)
    supply(t, "electricity", supplier="ES")
    for band, rate in ((1, "5.00"), (2, "6.00"), (3, "9.00")):
        add(t, "tariffs", service="electricity", supplier="ES", band=band, valid_from="2026-01-01", value=rate)
    add(t, "norms", service="electricity", basis="person", valid_from="2026-01-01", value="100")
    add(t, "rules", service="electricity", method="metered", valid_from="2026-01-01")
    add(t, "meters", meter_id=3, code="E1", account_id=1, building_id=100, service="electricity")
    add(t, "readings", meter_id=3, date="2026-02-25", value="0")
    add(t, "readings", meter_id=3, date="2026-03-25", value="7000")
    lines = run(t, "2026-03").lines
    assert lines["band"].to_list() == [1, 2, 3]
    assert lines["volume"].to_list() == [D("3900"), D("2100"), D("1000")]
    assert total(run(t, "2026-03")) == D("19500") + D("12600") + D("9000")


def test_gas_by_norm_160():
    t = world(residents=2)
    supply(t, "gas", supplier="GAZ")
    add(t, "tariffs", service="gas", supplier="GAZ", valid_from="2026-01-01", value="8.00")
    add(t, "norms", service="gas", basis="person", valid_from="2026-01-01", value="10")
    add(t, "rules", service="gas", method="norm", valid_from="2026-01-01")
    assert amounts(run(t, "2026-03")) == [D("160.00")]


def test_maintenance_rate_change_mid_month_2269_36():
    t = _per_area("maintenance", "35.50")
    t["tariffs"][0]["valid_to"] = "2026-10-16"
    add(t, "tariffs", service="maintenance", supplier="UK", valid_from="2026-10-16", value="40.00")
    result = run(t, "2026-10")
    assert amounts(result) == [D("1030.65"), D("1238.71")]
    assert total(result) == D("2269.36")
    assert result.lines["days"].to_list() == [15, 16]


def test_residents_change_on_the_11th():
    t = _cold_water_norm(meter_possible=False, factor_rule=False)
    t["residents"] = [{"account_id": 1, "valid_from": None, "valid_to": "2026-04-11", "count": 3},
                      {"account_id": 1, "valid_from": "2026-04-11", "valid_to": None, "count": 4}]
    lines = run(t, "2026-04").lines
    assert lines["volume"].to_list() == [D("4.85"), D("12.933333")]
    assert sum(lines["volume"]) == D("17.783333")


def test_temporary_absence_12_days_reduces_by_304_39():
    t = _cold_water_norm(meter_possible=False, factor_rule=False)
    add(t, "absences", account_id=1, **{"from": "2026-04-10", "to": "2026-04-23"})
    lines = run(t, "2026-04").lines
    assert lines["amount"].to_list() == [D("760.97"), D("-304.39")]
    assert lines["kind"].to_list() == ["charge", "reduction"]
    assert lines["reason"][1] == "Временное отсутствие: 12 дн."


def test_absence_of_5_full_days_or_with_a_possible_meter_changes_nothing():
    t = _cold_water_norm(meter_possible=False, factor_rule=False)
    add(t, "absences", account_id=1, **{"from": "2026-04-10", "to": "2026-04-16"})
    assert amounts(run(t, "2026-04")) == [D("760.97")]
    t = _cold_water_norm(meter_possible=True, factor_rule=False)
    add(t, "absences", account_id=1, **{"from": "2026-04-10", "to": "2026-04-23"})
    assert amounts(run(t, "2026-04")) == [D("760.97")]


def test_volume_bands_apply_to_the_period_volume_across_segments():
    t = world(residents=2)
    supply(t, "electricity", supplier="ES")
    for band, rate in ((1, "5.00"), (2, "6.00"), (3, "9.00")):
        add(t, "tariffs", service="electricity", supplier="ES", band=band, valid_from="2026-01-01",
            valid_to="2026-03-11", value=rate)
        add(t, "tariffs", service="electricity", supplier="ES", band=band, valid_from="2026-03-11", value=rate)
    add(t, "norms", service="electricity", basis="person", valid_from="2026-01-01", value="100")
    add(t, "rules", service="electricity", method="metered", valid_from="2026-01-01")
    add(t, "meters", meter_id=3, code="E1", account_id=1, building_id=100, service="electricity")
    add(t, "readings", meter_id=3, date="2026-02-25", value="0")
    add(t, "readings", meter_id=3, date="2026-03-25", value="7000")
    lines = run(t, "2026-03").lines
    # 7,000 kWh split 10/21 days: 2,258.064516 then 4,741.935484; the bands fill in date order.
    assert [(r["band"], r["volume"]) for r in lines.iter_rows(named=True)] == [
        (1, D("2258.064516")), (1, D("1641.935484")), (2, D("2100")), (3, D("1000"))]
    assert total(run(t, "2026-03")) == D("19500") + D("12600") + D("9000")


def test_a_reading_on_the_change_date_splits_the_metered_volume_exactly():
    t = _metered_world([("2026-02-25", "100"), ("2026-03-11", "115"), ("2026-03-25", "131")])
    t["tariffs"][0]["valid_to"] = "2026-03-11"
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2026-03-11", value="60.00")
    lines = run(t, "2026-03").lines
    assert lines["volume"].to_list() == [D("15"), D("16")]  # not 10 and 21 by days
    assert lines["amount"].to_list() == [D("784.50"), D("960.00")]


def test_interruption_domain_example_1500_for_20_hours_is_minus_45():
    """§4.2: hot water 1,500.00 ₽, 20 h beyond the allowance at 0.15 %/h → −45.00 ₽ (moved here from the
    adapter's test when the reduction became an engine stage)."""
    t = world()
    supply(t, "hot_water", supplier="VK")
    add(t, "tariffs", service="hot_water", supplier="VK", valid_from="2024-01-01", value="150")
    add(t, "rules", service="hot_water", method="area", valid_from="2024-01-01")
    t["areas"][0]["area"] = "10"
    t["interruptions"] = [{"building_id": 100, "account_id": ACCOUNT, "service": "hot_water",
                           "date_from": "2026-03-05", "date_to": "2026-03-06", "excess_hours": "20",
                           "reason": "акт № 7"}]
    lines = run(t, "2026-03").lines
    assert lines["amount"].to_list() == [D("1500.00"), D("-45.00")]
    assert lines["kind"].to_list() == ["charge", "reduction"]
    assert "акт № 7, 20.00 ч × 0.15 % от 1500.00" in lines["reason"][1]
