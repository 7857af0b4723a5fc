"""The recalculation difference as an engine stage (recalc.py): fresh result minus the ``posted`` input."""

from __future__ import annotations

from decimal import Decimal as D

from engine_helpers import add, run, supply, world

from raschet.engine import Snapshot, calculate


def _two_flats() -> dict:
    """Two flats of the building, cold water by meter: 7.333 m³ × 52.30 = 383.52 for the first."""
    t = world()
    t["accounts"].append({"account_id": 2, "number": "1000000002", "premises_id": 11, "building_id": 100})
    t["areas"].append({"premises_id": 11, "valid_from": None, "valid_to": None, "area": "40"})
    for account, meter in ((1, 5), (2, 6)):
        supply(t, "cold_water", account=account)
        add(t, "meters", meter_id=meter, code=f"M{meter}", account_id=account, building_id=100, service="cold_water")
        add(t, "readings", meter_id=meter, date="2026-02-25", value="123.456")
        add(t, "readings", meter_id=meter, date="2026-03-25", value="130.789")
    add(t, "tariffs", service="cold_water", supplier="VK", valid_from="2024-01-01", value="52.30")
    add(t, "norms", service="cold_water", valid_from="2024-01-01", value="4.85")
    add(t, "rules", service="cold_water", method="metered", valid_from="2024-01-01")
    return t


def test_the_difference_with_what_was_posted_is_one_recalc_line():
    t = _two_flats()
    t["posted"] = [{"account_id": 1, "service": "cold_water", "supplier": "VK", "amount": "400.00", "volume": "7.5"},
                   {"account_id": 2, "service": "cold_water", "supplier": "VK", "amount": "383.52",
                    "volume": "7.333"}]
    result = calculate(Snapshot.from_rows(**t), "2026-03", recalculation=True)
    [line] = result.lines.iter_rows(named=True)
    assert (line["account_id"], line["kind"], line["amount"], line["volume"]) == (1, "recalc", D("-16.48"), D("-0.167"))
    assert line["reason"] == "Перерасчёт за 2026-03: было 400.00, стало 383.52"
    assert result.frame["ref_period"].dt.strftime("%Y-%m").to_list() == ["2026-03"]


def test_a_neighbour_read_with_the_building_is_not_reversed():
    """One account recalculated: its neighbour's posted totals are read with the building, but the
    neighbour has no fresh lines in this calculation and must get no recalc line."""
    t = _two_flats()
    t["posted"] = [{"account_id": 1, "service": "cold_water", "supplier": "VK", "amount": "383.52"},
                   {"account_id": 2, "service": "cold_water", "supplier": "VK", "amount": "383.52"}]
    assert calculate(Snapshot.from_rows(**t), "2026-03", [1], recalculation=True).lines.is_empty()
    t["posted"][0]["amount"] = "380.00"
    result = calculate(Snapshot.from_rows(**t), "2026-03", [1], recalculation=True)
    assert result.lines.select("account_id", "amount").rows() == [(1, D("3.52"))]


def test_nothing_posted_and_nothing_fresh_is_no_line():
    assert run(_two_flats(), "2026-03").lines["amount"].to_list() == [D("383.52"), D("383.52")]
    empty = world()
    assert calculate(Snapshot.from_rows(**empty), "2026-03", recalculation=True).lines.is_empty()
