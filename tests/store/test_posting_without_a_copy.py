"""Posting copies nothing: the posted run's lines are the period's charge entries in the ledger as it
is read (``billing_ledger``), each exactly once, with the run's place in the ledger; a kept penalty
state's mark taken before the posting sees those lines as new, and one taken after does not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.lifecycle import FULL_SCOPE
from raschet.billing.models import CalcRun, ChargeLine, Entry, LedgerEntry, RunStatus
from raschet.billing.services import calculate_period, close_period, post_period
from raschet.domain.periods import Period
from raschet.payments.services import record_payment
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.store import claims_ledger, ledger

pytestmark = pytest.mark.django_db
MARCH = Period(2026, 3)


@pytest.fixture
def calculated_march(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=MARCH)
    return list(ChargeLine.objects.order_by("id"))


def test_the_posted_lines_are_the_entries_and_nothing_is_copied(calculated_march):
    stored = Entry.objects.count()
    assert not LedgerEntry.objects.filter(kind="charge").exists()  # a draft is not in the ledger
    assert post_period(period=MARCH) == len(calculated_march) == 1
    run = CalcRun.objects.get(period=str(MARCH), simulate=False)
    assert run.status == RunStatus.POSTED and run.ledger_mark > 0 and run.posted_at is not None
    assert Entry.objects.count() == stored  # nothing written into billing_entry
    rows = list(LedgerEntry.objects.filter(kind__in=["charge", "recalc"]).order_by("line_id").values_list(
        "id", "line_id", "account_id", "service_id", "supplier_id", "period", "ref_period", "kind", "amount",
        "volume", "mark", "created_at"))
    assert rows == [(-line.id, line.id, line.account_id, line.service_id, line.supplier_id, line.period,
                     line.ref_period, line.kind, line.amount, line.volume, run.ledger_mark, run.posted_at)
                    for line in calculated_march]
    account = calculated_march[0].account_id
    assert ledger.balances([account], MARCH) == {account: Decimal("383.52")}
    assert ledger.sums_by_period(account)[MARCH]["charge"] == Decimal("383.52")


def test_a_partial_rerun_and_a_simulation_leave_each_line_in_the_ledger_once(calculated_march):
    outcome = calculate_period(period=MARCH, simulate=True)  # computes, writes nothing
    assert outcome.run is None and outcome.lines.height == 1
    calculate_period(period=MARCH, account_numbers=["1000000001"])  # replaces the full run's line
    assert CalcRun.objects.get(scope=FULL_SCOPE).lines == 1  # which its count still says it has
    assert close_period(period=MARCH) == 1  # counted, not summed from the runs
    runs = CalcRun.objects.filter(period=str(MARCH))
    assert runs.count() == 2 and {r.status for r in runs} == {RunStatus.POSTED}
    assert len({r.ledger_mark for r in runs}) == 1  # one posting, one place
    assert [e.amount for e in LedgerEntry.objects.filter(kind="charge")] == [Decimal("383.52")]
    assert LedgerEntry.objects.get(kind="charge").line.run_id == runs.order_by("-started_at").first().pk


def test_a_kept_mark_sees_the_run_posted_after_it_and_entries_after_that(calculated_march):
    before = claims_ledger.last_entry_id()
    post_period(period=MARCH)
    run = CalcRun.objects.get(period=str(MARCH), simulate=False)
    assert run.ledger_mark > before and claims_ledger.last_entry_id() == run.ledger_mark
    new = claims_ledger.penalty_debts(None, after=before)
    assert new["amount"].sum() == 38352 and new["period"].to_list() == ["2026-03"]
    assert claims_ledger.penalty_debts(None, after=run.ledger_mark).height == 0
    previous = str(MARCH.previous())
    assert claims_ledger.beyond_state(before, date(2026, 3, 1), previous) == []  # a charge of its own month
    payment = record_payment(account_number="1000000001", paid_on=date(2026, 3, 25), amount="100.00",
                             source="cash", channel="desk-1", operation_id="after-the-post")
    ids = list(Entry.objects.filter(payment=payment).values_list("id", flat=True))
    assert ids and min(ids) > run.ledger_mark  # an entry written later has a later place
    assert claims_ledger.last_entry_id() == max(ids)
