"""The life of a period under interleavings: calculating, posting and closing one period exclude each
other (a run that finds its period posted is refused and leaves no draft), and periods are
calculated, posted and closed strictly in order. Deterministic interleavings, on SQLite and
PostgreSQL; the same races between real processes are in test_lifecycle_races.py."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing import services
from raschet.billing.models import (
    BillingPeriod,
    CalcRun,
    CalcUnit,
    ChargeLine,
    LedgerEntry,
    RunStatus,
    UnitStatus,
)
from raschet.billing.services import calculate_period, close_period, post_period, resume_run
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region
from raschet.payments.services import record_payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
MARCH, APRIL, MAY = Period(2026, 3), Period(2026, 4), Period(2026, 5)
MONTH = Decimal("383.52")  # 7.333 m³ × 52.30: the March of cold_water_meter.json


@pytest.fixture
def world(scenario_path):
    data = read_scenario(scenario_path("cold_water_meter.json"))
    meter = data["buildings"][0]["premises"][0]["accounts"][0]["meters"][0]
    meter["readings"] += [{"date": "2026-04-24", "value": "138.000"}, {"date": "2026-05-25", "value": "145.000"}]
    load_scenario(data)


def state(period: Period) -> str | None:
    return BillingPeriod.objects.filter(period=str(period)).values_list("state", flat=True).first()


def posted(period: Period, kind: str = "charge") -> Decimal:
    return sum(LedgerEntry.objects.filter(period=str(period), kind=kind).values_list("amount", flat=True), Decimal(0))


def refusal(action, *args, **kwargs):
    with pytest.raises(ProblemsError) as refused:
        action(*args, **kwargs)
    return refused.value.problems[0]


# ---------------------------------------------------------------- item 1: one period, one thing at a time


def test_a_run_that_finds_its_period_posted_when_it_finishes_is_refused(world):
    """The issue's double month: a second calculation runs, the period is posted meanwhile; when the
    calculation finishes the period must stay posted and the next post must add nothing."""
    calculate_period(period=MARCH)
    posted_meanwhile = []

    def post_while_running(_accounts: int) -> None:  # after the units, before the run is finished
        if not posted_meanwhile:
            posted_meanwhile.append(post_period(period=MARCH))

    problem = refusal(calculate_period, period=MARCH, progress=post_while_running)
    assert posted_meanwhile == [1]
    assert problem.code == "run_cancelled" and "2026-03" in problem.message and "проведён" in problem.message
    assert state(MARCH) == "posted"
    second = CalcRun.objects.order_by("-pk").first()
    assert second.status == RunStatus.CANCELLED and not second.charge_lines.exists()  # no draft left
    assert refusal(post_period, period=MARCH).code == "period_closed"
    assert posted(MARCH) == MONTH  # charged once, not twice
    assert not ChargeLine.objects.filter(run__status=RunStatus.DONE).exists()


def test_units_that_start_after_the_post_refuse_to_write(monkeypatch):
    """A full run of several units: the period is posted after the first unit; the next units find it
    posted inside their own transaction and write nothing."""
    load_region(RegionSpec(accounts=150, seed=3, last_period=Period(2026, 2), months=2), show_progress=False)
    monkeypatch.setattr(services, "UNIT_ACCOUNTS", 1)  # one unit per building
    february = Period(2026, 2)
    first = calculate_period(period=february, workers=1).run
    seen = []

    def post_after_first_unit(_accounts: int) -> None:
        seen.append(1)
        if len(seen) == 1:
            post_period(period=february)

    problem = refusal(calculate_period, period=february, progress=post_after_first_unit, workers=1)
    assert problem.code == "run_cancelled"
    second = CalcRun.objects.exclude(pk=first.pk).get()
    units = list(second.units.order_by("number").values_list("status", "message"))
    assert len(units) >= 2 and units[0][0] == UnitStatus.DONE
    assert all(status == UnitStatus.FAILED and "проведён" in message for status, message in units[1:]), units
    assert not second.charge_lines.exists() and second.status == RunStatus.CANCELLED
    lines = sum(first.charge_lines.values_list("amount", flat=True), Decimal(0))
    assert posted(february) == lines and state(february) == "posted"


def test_a_posted_period_is_never_recalculated_as_a_draft(world):
    calculate_period(period=MARCH)
    post_period(period=MARCH)
    for scope in (None, ["1000000001"]):
        assert refusal(calculate_period, period=MARCH, account_numbers=scope).code == "period_closed"
    assert state(MARCH) == "posted" and CalcRun.objects.count() == 1


def test_a_stopped_run_cannot_be_resumed_into_a_posted_period(world):
    calculate_period(period=MARCH)
    stopped = CalcRun.objects.create(period="2026-03", status=RunStatus.RUNNING)  # as after kill -9
    post_period(period=MARCH)
    assert refusal(resume_run, stopped.pk).code == "period_closed"
    assert state(MARCH) == "posted" and posted(MARCH) == MONTH


def test_closing_while_a_run_finishes_keeps_the_period_closed(world):
    calculate_period(period=MARCH)
    closed = []

    def close_while_running(_accounts: int) -> None:
        if not closed:
            closed.append(close_period(period=MARCH))

    assert refusal(calculate_period, period=MARCH, progress=close_while_running).code == "run_cancelled"
    assert state(MARCH) == "closed" and posted(MARCH) == MONTH


# ---------------------------------------------------------------- item 2: strictly in order


def test_a_month_cannot_be_skipped(world):
    """The issue's months skipped forever: 2026-04 left out, 2026-05 calculated and closed."""
    calculate_period(period=MARCH)
    close_period(period=MARCH)
    problem = refusal(calculate_period, period=MAY)
    assert problem.code == "period_out_of_order" and "2026-04" in problem.message
    assert refusal(close_period, period=MAY).code in ("period_out_of_order", "period_not_calculated")
    assert state(MAY) in (None, "open")
    calculate_period(period=APRIL)  # the skipped month can still be calculated
    assert state(APRIL) == "calculated"


def test_the_next_month_waits_for_the_previous_to_be_posted(world):
    calculate_period(period=MARCH)
    problem = refusal(calculate_period, period=APRIL)
    assert problem.code == "period_out_of_order" and "2026-03" in problem.message
    post_period(period=MARCH)
    calculate_period(period=APRIL)  # posted is enough to calculate the next month


def test_posting_waits_for_the_previous_month(world):
    calculate_period(period=APRIL)  # the first month calculated
    calculate_period(period=MARCH)  # an earlier month may still become the first
    problem = refusal(post_period, period=APRIL)
    assert problem.code == "period_out_of_order" and "2026-03" in problem.message
    assert state(APRIL) == "calculated" and not LedgerEntry.objects.exists()
    post_period(period=MARCH)
    post_period(period=APRIL)
    assert state(APRIL) == "posted"


def test_closing_waits_for_the_previous_month_to_be_closed(world):
    calculate_period(period=MARCH)
    post_period(period=MARCH)
    calculate_period(period=APRIL)
    problem = refusal(close_period, period=APRIL)
    assert problem.code == "period_out_of_order" and "2026-03" in problem.message
    assert state(APRIL) == "calculated"  # refused whole: not even posted
    close_period(period=MARCH)
    close_period(period=APRIL)
    assert state(APRIL) == "closed"


def test_a_stopped_run_keeps_its_month_in_the_order(world):
    """A run killed half-way leaves its month open, but the month is known: the next one waits."""
    CalcRun.objects.create(period="2026-03", status=RunStatus.RUNNING)
    problem = refusal(calculate_period, period=APRIL)
    assert problem.code == "period_out_of_order" and "2026-03" in problem.message


def test_payments_before_the_first_month_do_not_block_it(world):
    """A payment dated before the first calculated month posts into that earlier month, which is not
    a month of billing: the first month is still the first."""
    record_payment(account_number="1000000001", paid_on=date(2026, 2, 15), amount="50.00", source="cash",
                   channel="desk", operation_id="early")
    calculate_period(period=MARCH)
    close_period(period=MARCH)
    assert state(MARCH) == "closed"


def test_a_refused_start_leaves_nothing(world):
    """A refused calculation leaves nothing: no run, no units, no period row in a later state."""
    calculate_period(period=MARCH)
    refusal(calculate_period, period=APRIL)
    assert list(CalcRun.objects.values_list("period", flat=True)) == ["2026-03"]
    assert not CalcUnit.objects.filter(run__period="2026-04").exists() and state(APRIL) in (None, "open")
