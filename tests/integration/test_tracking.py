"""Change tracking: edits that reach a closed period mark it, set-based; closing waits for them."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.models import ChargeLine, RecalcMark
from raschet.billing.services import calculate_period, close_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.housing.models import Account, ResidentCount
from raschet.metering.models import Reading
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.tariffs.models import Tariff

pytestmark = pytest.mark.django_db(transaction=True)
MARCH, APRIL = Period(2026, 3), Period(2026, 4)


@pytest.fixture
def closed_march(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=MARCH)
    close_period(period=MARCH)


def marks():
    return sorted(RecalcMark.objects.values_list("account__number", "period"))


def test_a_back_dated_tariff_marks_every_account_of_the_service(closed_march):
    tariff = Tariff.objects.get()
    tariff.value = Decimal("60.00")
    tariff.save()
    assert marks() == [("1000000001", "2026-03")]
    calculate_period(period=APRIL)
    recalc = ChargeLine.objects.get(kind="recalc")
    assert (recalc.ref_period, recalc.amount) == ("2026-03", Decimal("56.46"))  # 7.333 × (60.00 − 52.30)


def test_changes_after_march_mark_nothing(closed_march):
    ResidentCount.objects.create(account=Account.objects.get(), valid_from=date(2026, 4, 10), count=4)
    assert marks() == []


def test_a_corrected_reading_marks_its_month_and_closing_waits_for_the_recalculation(closed_march):
    calculate_period(period=APRIL)
    reading = Reading.objects.get(date=date(2026, 3, 25))
    reading.value = Decimal("131.789")
    reading.save()
    assert marks() == [("1000000001", "2026-03")]
    with pytest.raises(ProblemsError) as refused:
        close_period(period=APRIL)
    assert refused.value.problems[0].code == "recalc_pending" and "1000000001" in refused.value.problems[0].message
    calculate_period(period=APRIL)
    close_period(period=APRIL)
    assert marks() == []
