"""Reductions for interrupted or poor-quality services (domain.md §4.2)."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from raschet.billing.models import ChargeLine, RecalcMark, ServiceInterruption
from raschet.billing.reductions import interruption_lines
from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.housing.models import Account, Building
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.tariffs.models import Service

pytestmark = pytest.mark.django_db(transaction=True)
MARCH = Period(2026, 3)


@pytest.fixture
def world(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))


def test_domain_example_1500_for_20_hours_is_minus_45(world):
    account = Account.objects.get()
    service = Service.objects.create(code="hot_water", name="ГВС", kind="hot_water", unit="m3")
    ServiceInterruption.objects.create(account=account, service=service, date_from=date(2026, 3, 5),
                                       date_to=date(2026, 3, 6), excess_hours=Decimal("20"), reason="акт № 7")
    lines = calculate_period(period=MARCH, simulate=True).lines.clear()
    line = {c: None for c in lines.columns} | {"account_id": account.pk, "service": "hot_water", "supplier": "VK",
                                                "kind": "charge", "amount": Decimal("1500.00")}
    reduced = interruption_lines(MARCH, pl.DataFrame([line], schema=lines.schema))
    assert reduced["amount"].to_list() == [Decimal("-45.00")]
    assert "акт № 7, 20.00 ч × 0.15 % от 1500.00" in reduced["reason"][0]


def test_a_building_interruption_reduces_the_month_and_a_late_act_is_recalculated(world):
    calculate_period(period=MARCH)
    close_period(period=MARCH)
    ServiceInterruption.objects.create(building=Building.objects.get(), service=Service.objects.get(code="cold_water"),
                                       date_from=date(2026, 3, 10), date_to=date(2026, 3, 12),
                                       excess_hours=Decimal("20"), reason="акт № 8")
    assert RecalcMark.objects.filter(period="2026-03").exists()
    calculate_period(period=Period(2026, 4))
    recalc = ChargeLine.objects.get(kind="recalc", ref_period="2026-03")
    assert recalc.amount == Decimal("-11.51")  # 383.52 × 0.15 % × 20 h = 11.5056
