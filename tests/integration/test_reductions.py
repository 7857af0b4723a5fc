"""Reductions for interrupted or poor-quality services (domain.md §4.2)."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.models import ChargeLine, RecalcMark, ServiceInterruption
from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.housing.models import Building
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.tariffs.models import Service

pytestmark = pytest.mark.django_db(transaction=True)
MARCH = Period(2026, 3)


@pytest.fixture
def world(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))


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
