"""Property (Hypothesis), for real on PostgreSQL: random interleavings of calculating, posting and
closing months, registry imports and cash payments, run by three worker processes at once over a
small region, never break the money identity and never double a payment.

After every example, from the database:

* no operation failed other than by a refusal with a message (no deadlock, no traceback);
* posted and closed months form a prefix of the billed months (closed ones first);
* a posted month's charges in the ledger are the lines of exactly one posted full run;
* a closed month's balance snapshot equals the ledger summed up to it, key by key;
* for every account and month: opening + charged + recalculated + penalties − paid = closing in the
  turnover sheet, its closing is the ledger up to that month and the next month opens with it;
* every payment's entries add up to it; the same cash operation submitted by several workers is
  stored once, the same registry file imported once.
"""

import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from raschet.billing.models import Balance, BillingPeriod, CalcRun, ChargeLine, LedgerEntry, RunStatus
from raschet.billing.turnover import turnover
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region
from raschet.housing.models import Account
from raschet.payments.models import Payment, PaymentRegistry, PaymentState

pytestmark = pytest.mark.django_db(transaction=True)
WORKER = Path(__file__).with_name("concurrency_worker.py")
PERIODS = ["2026-01", "2026-02", "2026-03"]
LIFECYCLE = [(action, period) for period in PERIODS for action in ("calc", "post", "close")]
payment = st.one_of(
    st.tuples(st.just("import"), st.sampled_from(["2026-01-20", "2026-02-20", "2026-03-20"]), st.integers(5, 60),
              st.integers(1, 3)),
    st.tuples(st.just("cash"), st.integers(0, 5)),
)


@st.composite
def worker_plan(draw) -> list[list]:
    """A worker walks forward through the months, taking some of the steps, with payments between."""
    steps = sorted(draw(st.sets(st.integers(0, len(LIFECYCLE) - 1), max_size=6)))
    plan = [list(LIFECYCLE[index]) for index in steps]
    for _ in range(draw(st.integers(0, 3))):
        plan.insert(draw(st.integers(0, len(plan))), list(draw(payment)))
    return plan


@pytest.fixture
def workers(live_database_env):
    if connection.vendor != "postgresql":
        pytest.skip("three processes writing at once: PostgreSQL (SQLite has one writer)")
    processes = [subprocess.Popen([sys.executable, str(WORKER)], env=live_database_env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for process in processes:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
    yield processes
    for process in processes:
        process.stdin.close()
        process.wait(timeout=60)


def play(workers, plans: list[list[list]]) -> list[tuple[list, list]]:
    """Every worker starts its plan at once; returns (operation, outcome) pairs of all of them."""
    for process, plan in zip(workers, plans, strict=True):
        process.stdin.write(json.dumps(plan) + "\n")
        process.stdin.flush()
    played = []
    for process, plan in zip(workers, plans, strict=True):
        line = process.stdout.readline()
        assert line, process.stderr.read()
        played += list(zip(plan, json.loads(line), strict=True))
    return played


HISTORY = ("billing_entry", "billing_chargeline", "billing_calcunit", "billing_calcproblem", "billing_calcrun",
           "billing_billingperiod", "billing_balance", "billing_recalcmark", "payments_paymentevent", "payments_payment",
           "payments_paymentregistry")


@pytest.fixture
def region(workers, unlock_history):
    """The workers, the region loaded once, and how to bring it back to no history at all: the start of
    every example (emptied the way only the test suite may, past the guards: tests/conftest.py)."""
    load_region(RegionSpec(accounts=30, seed=11, last_period=Period(2026, 3), months=3), show_progress=False)

    def no_history() -> None:
        with unlock_history(connection), connection.cursor() as cursor:
            # CASCADE: what other apps keep about these rows goes too (a portal's gateway order of a payment)
            cursor.execute(f"TRUNCATE {', '.join(HISTORY)} CASCADE")

    return workers, no_history


RACES = [  # always tried first: a post or a close overtaking a second calculation of the month, imports of
    # the same file and the same cash operations from several workers at once, payments into a closing month
    [[["calc", "2026-01"], ["cash", 0], ["post", "2026-01"], ["close", "2026-01"], ["calc", "2026-02"], ["post", "2026-02"]],
     [["import", "2026-01-20", 60, 1], ["calc", "2026-01"], ["calc", "2026-02"], ["calc", "2026-02"]],
     [["cash", 3], ["import", "2026-01-20", 60, 1], ["cash", 0], ["calc", "2026-01"], ["cash", 3]]],
    [[["calc", "2026-01"], ["close", "2026-01"], ["calc", "2026-02"], ["close", "2026-02"]],
     [["import", "2026-02-20", 60, 2], ["cash", 1], ["cash", 4], ["close", "2026-02"]],
     [["cash", 1], ["import", "2026-02-20", 60, 2], ["calc", "2026-02"], ["post", "2026-02"], ["cash", 4]]],
]


@example(plans=RACES[0])
@example(plans=RACES[1])
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: the interleaving is not replayable
@given(plans=st.lists(worker_plan(), min_size=3, max_size=3))
def test_interleavings_never_break_the_money_identity(region, plans):
    workers, no_history = region
    no_history()
    played = play(workers, plans)
    for op, result in played:  # what the interleavings met (--hypothesis-show-statistics)
        event(f"{op[0]}: {result[0]}" + (f" {','.join(result[1])}" if result[0] == "refused" else ""))
    failures = [(op, result[1]) for op, result in played if result[0] == "error"]
    assert not failures, failures
    check_period_order()
    check_posted_months()
    check_balance_snapshots()
    check_turnover_identity()
    check_payments(played)


def states() -> list[str | None]:
    known = dict(BillingPeriod.objects.values_list("period", "state"))
    return [known.get(period) for period in PERIODS]


def check_period_order() -> None:
    """From the first billed month on, the posted and closed months come first, the closed before them."""
    seen = [state if state != "open" else None for state in states()]
    billed = seen[next((i for i, state in enumerate(seen) if state), len(seen)):]
    frozen = [state in ("posted", "closed") for state in billed]
    closed = [state == "closed" for state in billed]
    assert frozen == sorted(frozen, reverse=True) and closed == sorted(closed, reverse=True), seen


def by_account(rows) -> dict:
    return {key: total for key, total in rows if total}


def check_posted_months() -> None:
    for period, state in zip(PERIODS, states(), strict=True):
        if state not in ("posted", "closed"):
            continue
        runs = CalcRun.objects.filter(period=period, status=RunStatus.POSTED)
        assert runs.count() == 1 and not CalcRun.objects.filter(period=period, status=RunStatus.DONE).exists()
        lines = by_account(ChargeLine.objects.filter(run__in=runs).values("account_id").annotate(
            s=Sum("amount")).values_list("account_id", "s"))
        posted = by_account(LedgerEntry.objects.filter(period=period, line__isnull=False).values("account_id").annotate(
            s=Sum("amount")).values_list("account_id", "s"))
        assert lines == posted and lines, period  # charged once: not twice, not partly
    assert not ChargeLine.objects.filter(run__status=RunStatus.CANCELLED).exists()


def ledger_until(period: str, key=("account_id", "service_id", "supplier_id")) -> dict:
    rows = LedgerEntry.objects.filter(period__lte=period).values(*key).annotate(s=Sum("amount")).values_list(*key, "s")
    return {tuple(row[:-1]): row[-1] for row in rows if row[-1]}


def check_balance_snapshots() -> None:
    for period, state in zip(PERIODS, states(), strict=True):
        if state == "closed":
            snapshot = {(a, s, o): c for a, s, o, c in Balance.objects.filter(period=period).values_list(
                "account_id", "service_id", "supplier_id", "closing")}
            assert snapshot == ledger_until(period), period  # no payment slipped in after the close


def check_turnover_identity() -> None:
    numbers = dict(Account.objects.values_list("id", "number"))
    previous: dict[str, Decimal] = {}
    for period in PERIODS:
        ledger = {numbers[a]: total for (a,), total in ledger_until(period, ("account_id",)).items()}
        rows = {row.key: row for row in turnover(Period.parse(period), by="account")}
        for number, row in rows.items():
            assert row.opening + row.charged + row.recalculated + row.penalty - row.paid == row.closing, (period, row)
            assert row.opening == previous.get(number, Decimal(0)), (period, row)
        assert {n: r.closing for n, r in rows.items() if r.closing} == ledger, period
        previous = ledger


def check_payments(played: list[tuple[list, list]]) -> None:
    taken = defaultdict(list)
    for op, result in played:
        if op[0] == "cash" and result[0] == "ok":
            taken[op[1]].append(result)
    for number, results in taken.items():  # submitted by several: stored once, every repeat answered with it
        stored = Payment.objects.filter(channel="desk", operation_id=f"desk-{number}").count()
        first = [r for r in results if not r[2]]
        assert stored == 1 and len(first) == 1 and {r[1] for r in results} == {first[0][1]}, (number, results)
    files = {(op[1], op[3], op[2]) for op, result in played if op[0] == "import" and result[0] == "ok"}
    assert PaymentRegistry.objects.count() == len(files)
    for registry in PaymentRegistry.objects.all():
        assert registry.payment_rows.count() == registry.payments
    for paid in Payment.objects.annotate(entered=Sum("entries__amount")):
        expected = Decimal(0) if paid.state == PaymentState.SUSPENSE else -paid.amount
        assert (paid.entered or Decimal(0)) == expected, paid
