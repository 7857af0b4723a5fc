"""A ``sum_of`` line names its parts from typed figures (part service, volume, source), not a stored
text: the explanation is made by ``explain.py`` alone, and a rule listing more services than the line
has figures for shows the rest summed."""

from __future__ import annotations

import json
from decimal import Decimal as D

from engine_helpers import add, run, supply
from test_engine_sum_of import meter, water

from raschet.engine import explain


def _wastewater(result) -> dict:
    return result.lines.filter(result.lines["service"] == "wastewater").row(0, named=True)


def test_the_parts_are_typed_figures_of_the_stored_line():
    t = water()
    meter(t, 1, "cold_water", [("2026-02-25", "123.456"), ("2026-03-25", "130.789")])  # 7.333
    result = run(t, "2026-03")  # hot water by norm: no meter where one is possible, 3 × 3.20
    frame = result.frame.filter(result.frame["service"] == result.codes.services.index("wastewater"))
    figures = frame.select("part1_service", "part1_volume", "part1_source", "part2_service", "part2_volume",
                           "part2_source", "part3_volume").row(0)
    codes = result.codes.services
    assert figures == (codes.index("cold_water"), 7_333_000, 0, codes.index("hot_water"), 9_600_000, 2, None)
    why = explain.explanation(frame, result.codes).row(0, named=True)
    assert why["примечание"] == "сумма объёмов: cold_water 7.333 (meter) + hot_water 9.6 (norm)"
    assert why["источник"] == "norm"  # the least reliable part's


def _four_services(listed: list[str]) -> dict:
    t = water(params={"services": listed})
    for service, value in (("gas", "10.5"), ("electricity", "60")):
        supply(t, service, supplier="GS")
        add(t, "norms", service=service, valid_from="2026-01-01", value=value)
        add(t, "rules", service=service, method="norm", valid_from="2026-01-01")
        add(t, "tariffs", service=service, supplier="GS", valid_from="2026-01-01", value="1")
    return t


def test_three_parts_are_each_named():
    result = run(_four_services(["cold_water", "hot_water", "gas"]), "2026-04")
    assert result.problems.is_empty()
    line = _wastewater(result)
    # 14.55 + 9.6 + 31.5 = 55.65 m³
    assert line["volume"] == D("55.65")
    assert json.loads(line["explanation"])["примечание"] == (
        "сумма объёмов: cold_water 14.55 (norm) + gas 31.5 (norm) + hot_water 9.6 (norm)")


def test_more_parts_than_figures_show_the_rest_summed():
    result = run(_four_services(["hot_water", "gas", "cold_water", "electricity"]), "2026-04")
    assert result.problems.is_empty()
    line = _wastewater(result)
    # 14.55 + 180 + 31.5 + 9.6 = 235.65; in service order cold_water, electricity, then gas + hot_water
    assert line["volume"] == D("235.65")
    assert json.loads(line["explanation"])["примечание"] == (
        "сумма объёмов: cold_water 14.55 (norm) + electricity 180 (norm) + прочие 41.1 (norm)")
