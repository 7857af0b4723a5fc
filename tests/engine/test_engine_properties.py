"""Properties of the engine over generated data (Hypothesis).

* an account calculated alone gets exactly the lines it gets when the whole region is calculated
  (also one account of a big building, where only the common-needs resources of the neighbours are kept);
* the segment lines of a month add up to the month for constant inputs, within the rounding of
  each line;
* common-needs shares before the cap add up to the building's common volume;
* every line's amount is the pure-Decimal HALF_UP of volume × tariff × factor.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import polars as pl
from engine_helpers import add, run, supply, world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raschet.domain.money import round_money
from raschet.engine import calculate
from raschet.generators.snapshot import Shape, region

SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(accounts=st.integers(4, 14), seed=st.integers(0, 10_000))
def test_alone_equals_together(accounts: int, seed: int):
    shape = Shape(accounts=accounts, min_premises=2, max_premises=6, missing_reading=0.3, no_meter=0.2,
                  changes=0.3, seed=seed)
    snapshot = region(shape)
    together = calculate(snapshot, "2026-03")
    assert together.problems.is_empty()
    for account_id in snapshot.accounts["account_id"].to_list():
        alone = calculate(snapshot, "2026-03", [account_id])
        expected = together.lines.filter(pl.col("account_id") == account_id)
        assert alone.lines.equals(expected), account_id


days_in_october = st.lists(st.integers(2, 31), min_size=1, max_size=4, unique=True)


@SLOW
@given(area=st.integers(100, 20_000), rate=st.integers(1, 10_000), cuts=days_in_october)
def test_segments_add_up_to_the_month(area: int, rate: int, cuts: list[int]):
    t = world(area=str(D(area) / 100))
    supply(t, "maintenance", supplier="UK")
    tariff = D(rate) / 100
    edges = [date(2026, 1, 1), *[date(2026, 10, d) for d in sorted(cuts)], None]
    for start, end in zip(edges, edges[1:], strict=False):  # the same rate, cut at random days
        add(t, "tariffs", service="maintenance", supplier="UK", value=str(tariff), valid_from=start, valid_to=end)
    add(t, "rules", service="maintenance", method="area", valid_from="2026-01-01")
    lines = run(t, "2026-10").lines
    assert lines.height == len(cuts) + 1
    exact = D(area) / 100 * tariff
    error = abs(sum(lines["amount"]) - exact)
    assert error <= D("0.005") * lines.height + tariff * D("0.0000005") * lines.height


@SLOW
@given(areas=st.lists(st.integers(200, 2_000), min_size=2, max_size=8),
       individual=st.lists(st.integers(0, 20), min_size=8, max_size=8), extra=st.integers(1, 500_000))
def test_common_needs_shares_add_up_before_the_cap(areas: list[int], individual: list[int], extra: int):
    t = world()
    t["accounts"], t["areas"], t["residents"] = [], [], []
    for i, area in enumerate(areas, start=1):
        add(t, "accounts", account_id=i, number=f"{i:010d}", premises_id=i, building_id=100)
        add(t, "areas", premises_id=i, area=str(D(area) / 10))
        add(t, "residents", account_id=i, count=individual[i - 1])
        supply(t, "cold_water", account=i)
        supply(t, "cold_water_common", supplier="UK", account=i)
    total_area = sum(D(a) / 10 for a in areas)
    t["buildings"][0]["total_area"] = str(total_area)
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2026-01-01", value="52.30")
    add(t, "tariffs", service="cold_water_common", supplier="UK", valid_from="2026-01-01", value="52.30")
    add(t, "norms", service="cold_water", valid_from="2026-01-01", value="4.85")
    # A common norm so large that the cap never binds.
    add(t, "norms", service="cold_water_common", kind="common", basis="common_area", valid_from="2026-01-01",
        value="1000")
    add(t, "rules", service="cold_water", method="norm", valid_from="2026-01-01")
    add(t, "rules", service="cold_water_common", method="common_needs", valid_from="2026-01-01",
        params={"resource": "cold_water"})
    individual_sum = sum(D(n) * D("4.85") for n in individual[: len(areas)])
    building = individual_sum + D(extra) / 1000
    add(t, "meters", meter_id=9, code="ODPU", scope="building", building_id=100, service="cold_water")
    add(t, "readings", meter_id=9, date="2026-02-28", value="0")
    add(t, "readings", meter_id=9, date="2026-03-31", value=str(building))
    lines = run(t, "2026-03").lines.filter(pl.col("service") == "cold_water_common")
    assert lines.height == len(areas)
    assert abs(sum(lines["volume"]) - (building - individual_sum)) <= D("0.0000005") * len(areas)


def test_every_line_is_the_decimal_half_up_of_its_factors():
    lines = calculate(region(Shape(accounts=2_000, seed=3)), "2026-03").lines
    lines = lines.filter((pl.col("kind") == "charge") & (pl.col("volume_source") != "formula"))
    for volume, tariff, factor, amount, excess in lines.select(
        "volume", "tariff", "factor", "amount", "excess_amount"
    ).iter_rows():
        assert amount == round_money(volume * tariff * factor)
        expected_excess = amount - round_money(volume * tariff) if factor != 1 else D(0)
        assert excess == expected_excess


def test_ten_thousand_accounts_three_without_tariff():
    snapshot = region(Shape(accounts=10_000, seed=7))
    lost = [17, 4_242, 9_999]
    services = snapshot.account_services.with_columns(
        pl.when(pl.col("account_id").is_in(lost)).then(pl.lit("NOBODY")).otherwise("supplier").alias("supplier")
    )
    result = calculate(snapshot.replace(account_services=services), "2026-03")
    assert result.lines["account_id"].n_unique() == 9_997
    assert not result.lines["account_id"].is_in(lost).any()
    assert sorted(result.problems["account_id"].unique().to_list()) == lost
    assert set(result.problems["code"]) == {"no_tariff"}
    assert result.problems["message"].str.contains("Нет тарифа").all()
    assert list(result.timings) == ["inputs", "validation", "segments", "volumes", "distribution", "amounts",
                                    "rounding", "explanation"]


def test_period_days_and_dates_are_consistent():
    lines = calculate(region(Shape(accounts=500, seed=5)), "2026-03").lines
    assert (lines["date_to"] - lines["date_from"]).dt.total_days().cast(pl.Int32).equals(lines["days"], check_names=False)
    assert (lines["date_from"] >= date(2026, 3, 1)).all() and (lines["date_to"] <= date(2026, 3, 1) + timedelta(31)).all()


def test_units_of_buildings_give_the_same_lines(monkeypatch):
    import raschet.engine.pipeline as pipeline

    snapshot = region(Shape(accounts=400, min_premises=5, max_premises=40, seed=11))
    whole = calculate(snapshot, "2026-03")
    monkeypatch.setattr(pipeline, "UNIT_ACCOUNTS", 60)
    cut = calculate(snapshot, "2026-03")
    order = ["account_id", "service", "date_from", "zone", "band", "kind"]
    assert cut.lines.sort(order, nulls_last=False).equals(whole.lines.sort(order, nulls_last=False))
    some = [3, 250, 399]
    assert calculate(snapshot, "2026-03", some).lines.equals(
        whole.lines.filter(pl.col("account_id").is_in(some))
    )


def test_one_account_of_a_big_building_equals_the_building():
    """The one-account path keeps only the neighbours' common-needs resources; lines must not change."""
    snapshot = region(Shape(accounts=120, min_premises=120, max_premises=120, missing_reading=0.2, no_meter=0.2,
                            changes=0.2, seed=23))
    whole = calculate(snapshot, "2026-03")
    for account_id in (1, 7, 60, 120):
        alone = calculate(snapshot, "2026-03", [account_id])
        assert alone.lines.equals(whole.lines.filter(pl.col("account_id") == account_id)), account_id
        assert alone.problems.equals(whole.problems.filter(pl.col("account_id") == account_id)), account_id
    pair = calculate(snapshot, "2026-03", [5, 99])
    assert pair.lines.equals(whole.lines.filter(pl.col("account_id").is_in([5, 99])))
