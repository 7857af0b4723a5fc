"""Payments: allocation through the ledger, advances, reversal, move, suspense, idempotency."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from raschet.billing.models import LedgerEntry
from raschet.billing.services import calculate_period, close_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments.models import Payment, PaymentEvent, PaymentState
from raschet.payments.services import assign_suspense, move_payment, record_payment, reverse_payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


@pytest.fixture
def two_months(scenario_path):
    """March charged 383.52 by meter; April by norm 760.97 (no April reading); both closed."""
    data = read_scenario(scenario_path("cold_water_meter.json"))
    account = data["buildings"][0]["premises"][0]["accounts"][0]
    second = {**account, "number": "1000000002", "meters": []}
    data["buildings"][0]["premises"][0]["accounts"].append(second)
    data["buildings"][0]["premises"][0]["accounts"][0]["share"] = "1"
    load_scenario(data)
    for period in (Period(2026, 3), Period(2026, 4)):
        calculate_period(period=period)
        close_period(period=period)


def pay(amount, number="1000000001", **extra):
    defaults = {"paid_on": date(2026, 5, 10), "source": "cash", "channel": "desk-1",
                "operation_id": f"op-{amount}-{number}-{extra.get('named_period')}"}
    return record_payment(account_number=number, amount=D(amount), **{**defaults, **extra})


def allocations(payment):
    return sorted(((e.ref_period, e.service.code if e.service else None, -e.amount) for e in payment.entries.all()),
                  key=lambda row: (row[0], row[1] or ""))


def test_oldest_period_first_then_advance(two_months):
    payment = pay("1000.00")
    assert allocations(payment) == [("2026-03", "cold_water", D("383.52")), ("2026-04", "cold_water", D("616.48"))]
    payment = pay("300.00", operation_id="second")
    assert allocations(payment) == [("2026-04", "cold_water", D("144.49")), ("2026-05", None, D("155.51"))]


def test_named_period_is_paid_first(two_months):
    payment = pay("800.00", named_period=Period(2026, 4))
    assert allocations(payment) == [("2026-03", "cold_water", D("39.03")), ("2026-04", "cold_water", D("760.97"))]


def test_advance_is_spent_on_charges_posted_later(scenario_path, two_months):
    payment = pay("2000.00")
    assert ("2026-05", None, D("855.51")) in allocations(payment)
    calculate_period(period=Period(2026, 5))
    close_period(period=Period(2026, 5))
    spent = allocations(Payment.objects.get(pk=payment.pk))
    assert ("2026-05", "cold_water", D("760.97")) in spent
    assert sum(amount for *_rest, amount in spent) == D("2000.00")
    advance = -LedgerEntry.objects.filter(payment=payment, service__isnull=True).aggregate(s=Sum("amount"))["s"]
    assert advance == D("94.54")


def test_reversal_undoes_and_move_reallocates(two_months):
    payment = pay("383.52")
    reverse_payment(payment=payment, on=date(2026, 5, 11))
    assert LedgerEntry.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] == 0
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.REVERSED
    with pytest.raises(ProblemsError):
        reverse_payment(payment=payment)
    other = pay("100.00", operation_id="wrong-account")
    moved = move_payment(payment=other, to_account_number="1000000002")
    assert moved.account.number == "1000000002" and allocations(moved) == [("2026-03", "cold_water", D("100.00"))]
    assert LedgerEntry.objects.filter(payment=other).aggregate(s=Sum("amount"))["s"] == 0
    assert PaymentEvent.objects.filter(action="moved_in", payment=moved).exists()


def test_a_repeat_returns_the_first_payment_and_a_reused_key_is_refused(two_months):
    first = pay("10.00", operation_id="same")
    again = pay("10.00", operation_id="same", channel="another label")
    assert again.pk == first.pk and again.repeated and not first.repeated
    with pytest.raises(ProblemsError) as refused:
        pay("11.00", operation_id="same")
    assert refused.value.problems[0].code == "idempotency_conflict"
    assert Payment.objects.count() == 1 and LedgerEntry.objects.filter(kind="payment").aggregate(s=Sum("amount"))["s"] == -10


def test_suspense_payment_is_assigned_with_an_audit_record(two_months):
    payment = Payment.objects.create(source="registry", channel="sber", agent="sber", operation_id="x1",
                                     identity="x1", paid_on=date(2026, 5, 3),
                                     amount=D("50.00"), account_text="10000OOOO1", state=PaymentState.SUSPENSE)
    assign_suspense(payment=payment, account_number="1000000001")
    payment.refresh_from_db()
    assert payment.state == PaymentState.ALLOCATED and allocations(payment) == [("2026-03", "cold_water", D("50.00"))]
    event = payment.events.get(action="assigned")
    assert event.details == {"account": "1000000001", "written_as": "10000OOOO1"}


def test_closing_snapshots_balances_that_equal_the_ledger(two_months):
    from raschet.billing.models import Balance
    from raschet.billing.turnover import totals, turnover

    pay("500.00", paid_on=date(2026, 5, 10))
    calculate_period(period=Period(2026, 5))
    close_period(period=Period(2026, 5))
    for period in ("2026-03", "2026-04", "2026-05"):
        snapshot = Balance.objects.filter(period=period).aggregate(s=Sum("closing"))["s"]
        assert snapshot == LedgerEntry.objects.filter(period__lte=period).aggregate(s=Sum("amount"))["s"]
    june = totals(turnover(Period(2026, 6)))  # opening read from May's snapshot
    assert june["opening"] == LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == june["closing"]
    assert totals(turnover(Period(2026, 3), Period(2026, 5)))["paid"] == D("500.00")


def test_an_advance_is_spent_in_the_period_being_posted(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    payment = pay("500.00", paid_on=date(2026, 3, 20))  # paid before March is posted: an advance
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))
    spent = LedgerEntry.objects.filter(payment=payment, reason="зачёт аванса")
    assert {e.period for e in spent} == {"2026-03"}
    rows = allocations(Payment.objects.get(pk=payment.pk))
    assert ("2026-03", "cold_water", D("383.52")) in rows
    assert sum(amount for _period, service, amount in rows if service is None) == D("116.48")  # advance left
