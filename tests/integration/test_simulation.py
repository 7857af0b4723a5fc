"""What-if simulation: a tariff changed from a date, the region calculated twice, nothing posted."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.models import CalcRun, ChargeLine
from raschet.billing.simulation import WhatIf, simulate
from raschet.domain.periods import Period
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)


def test_mid_month_tariff_what_if_gives_the_domain_split(scenario_path):
    load_scenario(read_scenario(scenario_path("we_5_1_maintenance.json")))
    change = WhatIf("tariffs", {"service": "maintenance", "supplier": "UK"}, {"value": Decimal("40.00")},
                    date(2026, 10, 16))
    result = simulate(change, Period(2026, 10))
    row = result.detail.row(0, named=True)
    # domain.md §14: 1,030.65 + 1,238.71 = 2,269.36 instead of 60 × 35.50 = 2,130.00
    assert (row["number"], row["before"], row["after"], row["difference"]) == (
        "1000000001", Decimal("2130.00"), Decimal("2269.36"), Decimal("139.36"))
    assert result.by("service")["difference"].to_list() == [Decimal("139.36")]
    assert not CalcRun.objects.exists() and not ChargeLine.objects.exists()


def test_a_change_before_the_period_applies_to_the_whole_month(scenario_path):
    load_scenario(read_scenario(scenario_path("we_5_1_maintenance.json")))
    change = WhatIf("tariffs", {"service": "maintenance", "supplier": "UK"}, {"value": Decimal("40.00")},
                    date(2026, 1, 1))
    assert simulate(change, Period(2026, 3)).detail["after"].to_list() == [Decimal("2400.00")]
