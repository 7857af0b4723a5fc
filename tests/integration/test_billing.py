"""Billing services over a loaded scenario: calculate, simulate, close, recalculate closed periods."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.models import CalcRun, ChargeLine, LedgerEntry
from raschet.billing.services import calculate_period, close_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.scenarios.changes import apply_change
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
MARCH, APRIL, MAY = Period(2026, 3), Period(2026, 4), Period(2026, 5)


@pytest.fixture
def world(scenario_path):
    data = read_scenario(scenario_path("cold_water_meter.json"))
    meter = data["buildings"][0]["premises"][0]["accounts"][0]["meters"][0]
    meter["readings"] += [{"date": "2026-04-24", "value": "138.000"}, {"date": "2026-05-25", "value": "145.000"}]
    load_scenario(data)


def amounts(**filters):
    return sorted(str(a) for a in ChargeLine.objects.filter(**filters).values_list("amount", flat=True))


def test_calculate_close_and_refuse_a_closed_period(world):
    calculate_period(period=MARCH)
    assert amounts(run__period="2026-03") == ["383.52"]
    assert close_period(period=MARCH) == 1
    assert [str(e.amount) for e in LedgerEntry.objects.all()] == ["383.52"]
    with pytest.raises(ProblemsError) as refused:
        calculate_period(period=MARCH)
    assert refused.value.problems[0].code == "period_closed"


def test_simulation_writes_nothing(world):
    outcome = calculate_period(period=MARCH, simulate=True)
    assert outcome.run is None and str(outcome.lines["amount"].sum()) == "383.52"
    assert not CalcRun.objects.exists() and not ChargeLine.objects.exists()


def test_closing_an_uncalculated_period_is_refused(world):
    with pytest.raises(ProblemsError) as refused:
        close_period(period=MARCH)
    assert refused.value.problems[0].code == "period_not_calculated"


def test_recalculating_the_open_period_replaces_its_drafts(world):
    calculate_period(period=MARCH)
    calculate_period(period=MARCH)
    calculate_period(period=MARCH, account_numbers=["1000000001"])
    assert amounts() == ["383.52"]


def test_corrected_reading_in_a_closed_month_gives_one_exact_recalc(world):
    calculate_period(period=MARCH)
    close_period(period=MARCH)
    apply_change("timeline[0].change", {"meter": "CW-1", "readings": [{"date": "2026-03-25", "value": "131.789"}]})
    for _ in range(2):  # calculating the open month twice must not double the correction
        calculate_period(period=APRIL)
    recalcs = ChargeLine.objects.filter(kind="recalc", run__status="done")
    assert [(r.period, r.ref_period, r.amount, r.volume) for r in recalcs] == [
        ("2026-04", "2026-03", Decimal("52.30"), Decimal("1.000000"))]
    april = ChargeLine.objects.get(kind="charge", run__status="done")
    assert april.volume == Decimal("6.211000")  # 138.000 − 131.789: the corrected reading starts April
    close_period(period=APRIL)
    calculate_period(period=MAY)
    assert not ChargeLine.objects.filter(kind="recalc", period="2026-05").exists()
    posted = {(e.kind, e.ref_period): e.amount for e in LedgerEntry.objects.all()}
    assert posted[("recalc", "2026-03")] == Decimal("52.30")


def test_unknown_account_is_named(world):
    with pytest.raises(ProblemsError) as refused:
        calculate_period(period=MARCH, account_numbers=["9999"])
    assert refused.value.problems[0].subject == "9999"


def test_lifecycle_open_calculated_posted_closed(world):
    from raschet.billing.models import BillingPeriod
    from raschet.billing.services import post_period
    from raschet.payments.services import record_payment

    calculate_period(period=MARCH)
    assert BillingPeriod.objects.get(period="2026-03").state == "calculated"
    assert post_period(period=MARCH) == 1
    assert BillingPeriod.objects.get(period="2026-03").state == "posted"
    with pytest.raises(ProblemsError):  # posted: no more calculation
        calculate_period(period=MARCH)
    record_payment(account_number="1000000001", paid_on=date(2026, 3, 30), amount="100.00",
                   source="cash", channel="desk", operation_id="p1")  # a posted period still takes payments
    assert LedgerEntry.objects.filter(period="2026-03", kind="payment").exists()
    assert close_period(period=MARCH) == 0  # already posted: closing posts nothing more
    assert BillingPeriod.objects.get(period="2026-03").state == "closed"


def test_every_line_explains_itself_in_one_line(world):
    calculate_period(period=MARCH)
    text = ChargeLine.objects.get().explained()
    assert "7.333 × 52.3 = 383.52" in text
    assert "показание было 123.456000" in text and "показание стало 130.789000" in text and "дней 31/31" in text
