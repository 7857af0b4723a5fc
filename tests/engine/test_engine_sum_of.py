"""``sum_of``: wastewater = the account's cold- plus hot-water volumes (ПП 354 п. 42, domain.md §1.2),
whichever method gave each, without the increasing factor. Figures by hand from domain.md §1."""

from __future__ import annotations

import json
from decimal import Decimal as D

from engine_helpers import add, run, supply
from engine_helpers import world as one_flat

SIX_MONTHS_HOT = [("2025-09-25", "100"), ("2025-10-25", "108"), ("2025-11-25", "115"), ("2025-12-25", "124"),
                  ("2026-01-25", "130"), ("2026-02-25", "138"), ("2026-03-25", "145")]  # average 7.5


def water(meter_possible: bool = True, hot: bool = True, hot_norm: bool = True, params: dict | None = None):
    """Cold water (VK, 52.30, norm 4.85) and hot water (TS, 200.00, norm 3.20), both ``metered``;
    wastewater (VK, 41.20) as the sum of both."""
    t = one_flat(residents=3, meter_possible=meter_possible)
    t["services"].append({"service": "wastewater", "kind": "wastewater", "unit": "m3"})
    supply(t, "cold_water")
    supply(t, "wastewater")
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2026-01-01", value="52.30")
    add(t, "tariffs", service="wastewater", supplier="VK", valid_from="2026-01-01", value="41.20")
    add(t, "norms", service="cold_water", valid_from="2026-01-01", value="4.85")
    add(t, "rules", service="cold_water", method="metered", valid_from="2026-01-01")
    add(t, "rules", service="wastewater", method="sum_of", valid_from="2026-01-01",
        params=json.dumps(params if params is not None else {"services": ["cold_water", "hot_water"]}))
    if hot:
        supply(t, "hot_water", supplier="TS")
        add(t, "tariffs", service="hot_water", supplier="TS", valid_from="2026-01-01", value="200.00")
        add(t, "rules", service="hot_water", method="metered", valid_from="2026-01-01")
        if hot_norm:
            add(t, "norms", service="hot_water", valid_from="2026-01-01", value="3.20")
    return t


def meter(t: dict, meter_id: int, service: str, readings: list[tuple[str, str]]) -> None:
    add(t, "meters", meter_id=meter_id, code=f"M{meter_id}", account_id=1, building_id=100, service=service)
    for day, value in readings:
        add(t, "readings", meter_id=meter_id, date=day, value=value)


def wastewater(result) -> list[tuple]:
    lines = result.lines.filter(result.lines["service"] == "wastewater")
    return lines.select("kind", "date_from", "volume_source", "volume", "factor", "amount").rows()


def test_metered_cold_and_hot_water_drain_as_their_sum():
    t = water()
    meter(t, 1, "cold_water", [("2026-02-25", "123.456"), ("2026-03-25", "130.789")])  # 7.333
    meter(t, 2, "hot_water", [("2026-02-25", "50"), ("2026-03-25", "52.5")])  # 2.5
    result = run(t, "2026-03")
    assert result.problems.is_empty()
    # 9.833 × 41.20 = 405.1196
    assert [row[2:] for row in wastewater(result)] == [("meter", D("9.833"), D("1"), D("405.12"))]
    line = result.lines.filter(result.lines["service"] == "wastewater").row(0, named=True)
    assert json.loads(line["explanation"])["примечание"] == (
        "сумма объёмов: cold_water 7.333 (meter) + hot_water 2.5 (meter)")


def test_an_average_part_makes_the_sum_an_average():
    t = water()
    meter(t, 1, "cold_water", [("2026-03-25", "130.789"), ("2026-04-25", "138.122")])  # 7.333
    meter(t, 2, "hot_water", SIX_MONTHS_HOT)  # no April reading: the average 7.5
    result = run(t, "2026-04")
    assert result.problems.is_empty()
    # 7.333 + 7.5 = 14.833 × 41.20 = 611.1196
    assert [row[2:] for row in wastewater(result)] == [("average", D("14.833"), D("1"), D("611.12"))]


def test_norm_parts_count_without_the_increasing_factor():
    result = run(water(), "2026-04")  # no meters where one is possible: the water is norm × 1.5
    assert result.problems.is_empty()
    water_factors = result.lines.filter(result.lines["service"] != "wastewater")["factor"].to_list()
    assert water_factors == [D("1.5"), D("1.5")]
    # 3 × 4.85 + 3 × 3.20 = 14.55 + 9.60 = 24.15 m³ × 41.20 = 994.98, factor 1
    assert [row[2:] for row in wastewater(result)] == [("norm", D("24.15"), D("1"), D("994.98"))]


def test_a_listed_service_the_account_does_not_receive_adds_nothing():
    result = run(water(hot=False), "2026-04")
    assert result.problems.is_empty()
    # cold water only: 14.55 × 41.20 = 599.46
    assert [row[2:] for row in wastewater(result)] == [("norm", D("14.55"), D("1"), D("599.46"))]


def test_a_listed_service_that_fails_stops_the_sum_too():
    result = run(water(hot_norm=False), "2026-04")  # hot water: no meter and no norm
    problems = sorted(result.problems.select("service", "code").rows())
    assert problems == [("hot_water", "no_norm"), ("wastewater", "part_not_calculated")]
    message = result.problems.filter(result.problems["service"] == "wastewater")["message"][0]
    assert "«hot_water»" in message and "«wastewater»" in message
    assert result.lines["service"].unique().to_list() == ["cold_water"]


def test_segments_follow_a_residents_change_of_the_norm_parts():
    t = water()
    t["residents"] = [{"account_id": 1, "valid_from": None, "valid_to": "2026-04-11", "count": 3},
                      {"account_id": 1, "valid_from": "2026-04-11", "valid_to": None, "count": 4}]
    result = run(t, "2026-04")
    # [1, 11): 3 × 4.85 × 10/30 + 3 × 3.20 × 10/30 = 4.85 + 3.2 = 8.05 → 331.66;
    # [11, 1): 12.933333 + 8.533333 = 21.466666 (the parts as billed) → 884.4266 → 884.43
    assert [(row[1].isoformat(), row[3], row[5]) for row in wastewater(result)] == [
        ("2026-04-01", D("8.05"), D("331.66")), ("2026-04-11", D("21.466666"), D("884.43"))]


def test_a_tariff_change_of_wastewater_splits_the_metered_parts_by_days():
    t = water()
    t["tariffs"][1]["valid_to"] = "2026-04-11"
    add(t, "tariffs", service="wastewater", supplier="VK", valid_from="2026-04-11", value="45.00")
    meter(t, 1, "cold_water", [("2026-03-25", "130.789"), ("2026-04-25", "138.122")])  # 7.333
    meter(t, 2, "hot_water", [("2026-03-25", "52.5"), ("2026-04-25", "55")])  # 2.5
    result = run(t, "2026-04")
    assert result.problems.is_empty()
    # 9.833 × 10/30 = 3.2776667 → 3.277667 × 41.20 = 135.04; 9.833 × 20/30 = 6.555333 × 45.00 = 294.99
    rows = [(row[1].isoformat(), row[3], row[5]) for row in wastewater(result)]
    assert rows == [("2026-04-01", D("3.277667"), D("135.04")), ("2026-04-11", D("6.555333"), D("294.99"))]
    assert sum(row[1] for row in rows) == D("9.833")


def test_a_temporary_absence_reduces_the_norm_sum_where_no_meter_is_possible():
    t = water(meter_possible=False)
    add(t, "absences", account_id=1, **{"from": "2026-04-10", "to": "2026-04-23"})
    result = run(t, "2026-04")
    # 994.98 × 12/30 = 397.992 → −397.99 (domain.md §4.1)
    assert [(row[0], row[5]) for row in wastewater(result)] == [("charge", D("994.98")), ("reduction", D("-397.99"))]


def test_no_listed_volume_at_all_gives_no_line_and_no_problem():
    t = water(hot=False)
    t["account_services"] = [row for row in t["account_services"] if row["service"] != "cold_water"]
    result = run(t, "2026-04")
    assert result.problems.is_empty() and result.lines.is_empty()


def test_params_without_services_are_refused():
    for params in ({}, {"services": []}, {"services": "cold_water"}, {"services": ["cold_water", 5]}):
        result = run(water(params=params), "2026-04")
        assert result.problems.filter(result.problems["service"] == "wastewater")["code"].to_list() == [
            "invalid_params"], params
        assert "«services»" in result.problems["message"][0]
        assert "wastewater" not in result.lines["service"].to_list()


def test_a_listed_service_computed_after_the_individual_methods_is_refused():
    t = water(params={"services": ["cold_water", "heating"]})
    supply(t, "heating", supplier="TS")
    add(t, "tariffs", service="heating", supplier="TS", valid_from="2026-01-01", value="2500")
    add(t, "norms", service="heating", basis="area", valid_from="2026-01-01", value="0.018")
    add(t, "rules", service="heating", method="heating", valid_from="2026-01-01",
        params=json.dumps({"mode": "uniform"}))
    result = run(t, "2026-04")
    wrong = result.problems.filter(result.problems["service"] == "wastewater")
    assert wrong["code"].to_list() == ["invalid_params"]
    assert "«heating»" in wrong["message"][0]
    assert "heating" in result.lines["service"].to_list() and "wastewater" not in result.lines["service"].to_list()


def test_one_account_alone_gives_the_same_wastewater_as_the_whole_building():
    t = water()
    meter(t, 1, "cold_water", [("2026-02-25", "123.456"), ("2026-03-25", "130.789")])
    add(t, "accounts", account_id=2, number="1000000002", premises_id=11, building_id=100, meter_possible=True)
    add(t, "areas", premises_id=11, valid_from=None, valid_to=None, area="40")
    add(t, "residents", account_id=2, valid_from=None, valid_to=None, count=1)
    for service, supplier in (("cold_water", "VK"), ("hot_water", "TS"), ("wastewater", "VK")):
        supply(t, service, supplier=supplier, account=2)
    alone, together = run(t, "2026-03", [1]), run(t, "2026-03")
    assert wastewater(alone) == [row for row in wastewater(together)][:1]
    # account 2: 4.85 + 3.20 = 8.05 × 41.20 = 331.66; account 1: 7.333 + 9.6 = 16.933 × 41.20 = 697.64
    assert [row[5] for row in wastewater(together)] == [D("697.64"), D("331.66")]
