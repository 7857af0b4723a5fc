"""Dated lists as step series (scenario-format.md, "Dated lists"): the checker, the loader and the
``change`` steps read ``[{"valid_from", ...}]`` lists the same way — each entry in force until the
next entry's ``valid_from`` of its series, unless it gives its own ``valid_to``."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from raschet.domain.errors import ProblemsError
from raschet.housing.models import Account, PremisesArea, ResidentCount
from raschet.scenarios import steps
from raschet.scenarios.loader import check_scenario, load_scenario, read_scenario
from raschet.scenarios.runner import run_scenario
from raschet.tariffs.models import AccountService, KeyRate, Tariff

STEPS_FILE = "steps_key_rates_residents_area.json"
ACCOUNT = ("buildings", 0, "premises", 0, "accounts", 0)


def _get(data: dict, path: tuple):
    for part in path:
        data = data[part]
    return data


def by_subject(problems) -> dict:
    return {p.subject: p for p in problems}


# ------------------------------------------------------------------ the series themselves (no database)


def test_a_step_series_ends_each_entry_at_the_next_start_whatever_the_order():
    rates = [{"valid_from": "2026-02-16", "value": "16"}, {"valid_from": "2025-10-27", "value": "16.5"},
             {"valid_from": "2026-06-01", "value": "15"}]
    assert [r["valid_to"] for r in steps.resolved("key_rates", rates)] == ["2026-06-01", "2026-02-16", None]
    assert steps.list_problems("key_rates", rates, ("key_rates",)) == []


def test_an_explicit_end_is_kept_and_may_leave_a_gap():
    areas = [{"valid_from": "2020-01-01", "valid_to": "2024-01-01", "value": "60"},
             {"valid_from": "2025-01-01", "value": "62"}]
    assert [a["valid_to"] for a in steps.resolved("area", areas)] == ["2024-01-01", None]


def test_two_starts_on_one_day_are_refused_with_both_paths():
    residents = [{"valid_from": "2026-04-11", "count": 3}, {"valid_from": "2026-04-11", "count": 4}]
    found = steps.list_problems("residents", residents, ("buildings", 0, "premises", 0, "accounts", 0, "residents"))
    assert [(p.code, p.subject) for p in found] == [
        ("same_start", "buildings[0].premises[0].accounts[0].residents[1]")]
    assert "residents[0]" in found[0].message and "2026-04-11" in found[0].message
    with pytest.raises(ProblemsError):
        steps.resolved("residents", residents)


def test_an_explicit_end_past_the_next_start_is_an_overlap():
    tariffs = [{"service": "cw", "supplier": "VK", "value": "1", "valid_from": "2026-01-01", "valid_to": "2026-07-01"},
               {"service": "cw", "supplier": "VK", "value": "2", "valid_from": "2026-06-01"}]
    found = steps.list_problems("tariffs", tariffs, ("tariffs",))
    assert [(p.code, p.subject) for p in found] == [("overlap", "tariffs[1]")]
    assert "tariffs[0] и tariffs[1]" in found[0].message
    tariffs[0]["valid_to"] = "2026-06-01"  # touching ends do not overlap
    assert steps.list_problems("tariffs", tariffs, ("tariffs",)) == []


def test_an_inverted_range_is_refused_at_its_valid_to():
    found = steps.list_problems("key_rates", [{"valid_from": "2026-03-01", "valid_to": "2026-03-01", "value": "1"}],
                                ("key_rates",))
    assert [(p.code, p.subject) for p in found] == [("invalid_range", "key_rates[0].valid_to")]


def test_series_are_separate_per_key():
    tariffs = [{"service": "el", "supplier": "ES", "zone": "day", "value": "7.5", "valid_from": "2026-01-01"},
               {"service": "el", "supplier": "ES", "zone": "night", "value": "3.2", "valid_from": "2026-01-01"},
               {"service": "el", "supplier": "ES2", "zone": "day", "value": "7", "valid_from": "2026-01-01"},
               {"service": "el", "supplier": "ES", "zone": "day", "value": "8", "valid_from": "2026-10-01"},
               {"service": "el", "supplier": "ES", "zone": "day", "building": "B1", "value": "9",
                "valid_from": "2026-01-01"}]
    assert [t["valid_to"] for t in steps.resolved("tariffs", tariffs)] == ["2026-10-01", None, None, None, None]
    norms = [{"service": "cw", "kind": "individual", "basis": "person", "value": "4.85", "valid_from": "2017-01-01"},
             {"service": "cw", "kind": "common", "basis": "common_area", "value": "0.03", "valid_from": "2017-01-01"},
             {"service": "cw", "kind": "individual", "basis": "person", "value": "5", "valid_from": "2026-07-01"}]
    assert [n["valid_to"] for n in steps.resolved("norms", norms)] == ["2026-07-01", None, None]
    rules = [{"service": "cw", "method": "metered", "valid_from": "2017-01-01"},
             {"service": "cw", "method": "norm", "building": "B1", "valid_from": "2017-01-01"},
             {"service": "cw", "method": "norm", "valid_from": "2026-05-01"}]
    assert [r["valid_to"] for r in steps.resolved("rules", rules)] == ["2026-05-01", None, None]


def test_a_change_of_supplier_is_a_step_of_the_service():
    services = [{"service": "el", "supplier": "ES", "valid_from": "2020-01-01"},
                {"service": "cw", "supplier": "VK", "valid_from": "2020-01-01"},
                {"service": "el", "supplier": "ES2", "valid_from": "2026-03-11"}]
    assert [s["valid_to"] for s in steps.resolved("services", services)] == ["2026-03-11", None, None]


# ------------------------------------------------------------------ the checker


def test_the_checker_accepts_step_series_and_refuses_what_the_contract_refuses(scenario_path):
    data = read_scenario(scenario_path(STEPS_FILE))
    assert check_scenario(data) == []
    bad = copy.deepcopy(data)
    _get(bad, ACCOUNT)["residents"][1]["valid_from"] = "2026-04-11"
    bad["key_rates"][0]["valid_to"] = "2026-03-01"
    found = by_subject(check_scenario(bad))
    assert found["buildings[0].premises[0].accounts[0].residents[1]"].code == "same_start"
    assert found["key_rates[1]"].code == "overlap"
    assert len(found) == 2


def test_the_checker_reads_the_lists_of_change_steps(scenario_path):
    data = read_scenario(scenario_path(STEPS_FILE))
    data["timeline"] += [
        {"change": {"account": "1000000001", "residents": [{"valid_from": "2020-01-01", "count": 3},
                                                           {"valid_from": "2020-01-01", "count": 5}]}},
        {"change": {"key_rates": [{"valid_from": "2025-10-27", "valid_to": "2026-03-01", "value": "16.5"},
                                  {"valid_from": "2026-02-16", "value": "16"}]}},
        {"change": {"premises": "B1/1", "area": [{"valid_from": "2020-01-01", "value": "60"},
                                                 {"valid_from": "2026-04-16", "value": "62.5"}]}},
        {"change": {"account": "1000000001", "residents": [{"count": 3}]}},
    ]
    found = [(p.code, p.subject) for p in check_scenario(data)]
    assert found == [("invalid_structure", "timeline[6].change.residents[0]")]
    data["timeline"].pop()
    found = [(p.code, p.subject) for p in check_scenario(data)]
    assert found == [("same_start", "timeline[3].change.residents[1]"), ("overlap", "timeline[4].change.key_rates[1]")]


# ------------------------------------------------------------------ the loader and the change steps


@pytest.mark.django_db(transaction=True)
def test_the_loader_writes_each_step_with_its_end(scenario_path):
    load_scenario(read_scenario(scenario_path(STEPS_FILE)))
    assert list(KeyRate.objects.order_by("valid_from").values_list("valid_from", "valid_to")) == [
        (_d("2025-10-27"), _d("2026-02-16")), (_d("2026-02-16"), None)]
    account = Account.objects.get(number="1000000001")
    assert list(ResidentCount.objects.filter(account=account).order_by("valid_from").values_list(
        "count", "valid_from", "valid_to")) == [(3, _d("2020-01-01"), _d("2026-04-11")), (4, _d("2026-04-11"), None)]
    assert list(PremisesArea.objects.order_by("valid_from").values_list("valid_to", flat=True)) == [
        _d("2026-04-16"), None]
    assert list(AccountService.objects.filter(service__code="maintenance").order_by("valid_from").values_list(
        "supplier__code", "valid_to")) == [("UK", _d("2026-05-01")), ("UK2", None)]
    assert list(Tariff.objects.filter(service__code="cold_water").order_by("valid_from").values_list(
        "valid_to", flat=True)) == [_d("2026-05-01"), None]


@pytest.mark.django_db(transaction=True)
def test_change_steps_replace_lists_read_as_steps(scenario_path):
    """A change in May replaces the residents (3, then 5 from 21.04) and the cold-water tariffs (one step
    at 01.04, 50.00 → 60.00): April is recalculated in May from the new steps.

    April (30 days) was 253.66 + 169.10 + 507.31 = 930.07 (4 residents from 11.04, cut at the area change
    on 16.04). With 3 residents until 21.04 and 5 after at 60.00: 3 × 4.85 × 15/30 = 7.275 m³ → 436.50;
    3 × 4.85 × 5/30 = 2.425 → 145.50; 5 × 4.85 × 10/30 = 8.083333 → 485.00 (484.99998); 1 067.00 in all,
    so the recalculation is 1 067.00 − 930.07 = +136.93. May: 5 × 4.85 = 24.25 m³ × 60.00 = 1 455.00.
    """
    data = read_scenario(scenario_path(STEPS_FILE))
    data["timeline"] = [
        {"calculate": "2026-04"}, {"close": "2026-04"},
        {"change": {"account": "1000000001", "residents": [{"valid_from": "2026-04-21", "count": 5},
                                                           {"valid_from": "2020-01-01", "count": 3}]}},
        {"change": {"tariffs": [
            {"service": "cold_water", "supplier": "VK", "value": "50.00", "valid_from": "2025-01-01"},
            {"service": "cold_water", "supplier": "VK", "value": "60.00", "valid_from": "2026-04-01"},
            {"service": "maintenance", "supplier": "UK", "value": "35.50", "valid_from": "2025-01-01"},
            {"service": "maintenance", "supplier": "UK2", "value": "40.00", "valid_from": "2026-05-01"}]}},
        {"calculate": "2026-05"}]
    result = run_scenario(data)
    assert result["errors"] == []
    entries = result["accounts"]["1000000001"]["entries"]
    cold = [(e["kind"], e["period"], e["ref_period"], e["amount"]) for e in entries if e["service"] == "cold_water"]
    assert cold[-1] == ("charge", "2026-05", "2026-05", "1455.00")
    recalc = sum(Decimal(e["amount"]) for e in entries if e["kind"] == "recalc" and e["service"] == "cold_water")
    assert recalc == Decimal("136.93")
    assert list(ResidentCount.objects.order_by("valid_from").values_list("count", "valid_to")) == [
        (3, _d("2026-04-21")), (5, None)]


@pytest.mark.django_db(transaction=True)
def test_a_change_step_refused_when_played_unchecked_writes_nothing():
    from raschet.scenarios.changes import apply_change

    with pytest.raises(ProblemsError) as refused:
        apply_change("timeline[0].change", {"key_rates": [{"valid_from": "2026-01-01", "value": "16"},
                                                          {"valid_from": "2026-01-01", "value": "17"}]})
    assert [p.subject for p in refused.value.problems] == ["timeline[0].change.key_rates[1]"]


def _d(text: str):
    from datetime import date

    return date.fromisoformat(text)


@pytest.mark.django_db(transaction=True)
def test_change_steps_of_areas_and_services_write_steps(scenario_path):
    from raschet.scenarios.changes import apply_change

    load_scenario(read_scenario(scenario_path(STEPS_FILE)))
    apply_change("timeline[0].change", {"premises": "B1/1", "area": [
        {"valid_from": "2026-06-01", "value": "70"}, {"valid_from": "2020-01-01", "value": "60"}]})
    assert list(PremisesArea.objects.order_by("valid_from").values_list("valid_to", "value")) == [
        (_d("2026-06-01"), Decimal("60.0000")), (None, Decimal("70.0000"))]
    apply_change("timeline[1].change", {"account": "1000000001", "services": [
        {"service": "cold_water", "supplier": "VK", "valid_from": "2020-01-01"},
        {"service": "maintenance", "supplier": "UK", "valid_from": "2020-01-01"},
        {"service": "maintenance", "supplier": "UK2", "valid_from": "2026-07-01"}]})
    assert list(AccountService.objects.order_by("service__code", "valid_from").values_list(
        "service__code", "supplier__code", "valid_to")) == [
        ("cold_water", "VK", None), ("maintenance", "UK", _d("2026-07-01")), ("maintenance", "UK2", None)]


def test_the_project_scenarios_use_both_forms(scenario_path):
    """Step entries (an earlier entry of a series without valid_to) and explicit ranges both occur."""
    from pathlib import Path

    forms = set()
    for path in sorted(Path(scenario_path("x")).parent.glob("*.json")):
        if path.name.endswith(".expected.json") or path.name.startswith("invalid"):
            continue
        data = read_scenario(path)
        lists = [(name, data.get(name, [])) for name in steps.TOP_LEVEL]
        for building in data["buildings"]:
            for premises in building["premises"]:
                lists.append(("area", premises["area"]))
                for account in premises["accounts"]:
                    lists += [("residents", account["residents"]), ("services", account["services"])]
        for step in data["timeline"]:
            change = step.get("change", {})
            lists += [(name, change[name]) for name in steps.KEYS if isinstance(change.get(name), list)]
        for name, items in lists:
            ends = [item.get("valid_to") for item in items]
            resolved = [item["valid_to"] for item in steps.resolved(name, items)]
            if any(own is None and end is not None for own, end in zip(ends, resolved, strict=True)):
                forms.add("step")
            if any(own is not None for own in ends):
                forms.add("explicit")
    assert forms == {"step", "explicit"}
