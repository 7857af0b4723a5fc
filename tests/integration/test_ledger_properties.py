"""Ledger invariants under random sequences of charges, recalculations, payments, reversals and moves:
money is conserved exactly and every payment's entries add up to it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raschet.billing.models import Entry, LedgerEntry
from raschet.billing.turnover import totals, turnover
from raschet.domain.periods import Period
from raschet.housing.models import Account, Building, Premises
from raschet.payments.models import Payment, PaymentState
from raschet.payments.services import move_payment, record_payment, reverse_payment, spend_advances
from raschet.tariffs.models import Organization, Service

pytestmark = pytest.mark.django_db
D = Decimal
money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
operation = st.one_of(
    st.tuples(st.just("charge"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 4), money),
    st.tuples(st.just("recalc"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 4),
              st.decimals(min_value=D("-500"), max_value=D("500"), places=2)),
    st.tuples(st.just("pay"), st.integers(0, 2), st.none() | st.integers(1, 4), money),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("spend"),),
)


@pytest.fixture
def world():
    building = Building.objects.create(code="B", address="ул. Тестовая, 1", total_area=D("100"))
    premises = Premises.objects.create(building=building, number="1")
    accounts = [Account.objects.create(number=f"A{i}", premises=premises, payer="П", opened=date(2020, 1, 1))
                for i in range(3)]
    services = [Service.objects.create(code=c, name=c, kind="other", unit="month") for c in ("s1", "s2")]
    supplier = Organization.objects.create(code="UK", name="УК", inn="7707083893")
    return accounts, services, supplier


def apply(op, accounts, services, supplier, counter):
    kind = op[0]
    if kind in ("charge", "recalc"):
        _, account, service, month, amount = op
        Entry.objects.create(account=accounts[account], service=services[service], supplier=supplier,
                             period=f"2026-0{month}", ref_period=f"2026-0{month}", kind=kind, amount=amount)
    elif kind == "pay":
        _, account, month, amount = op
        record_payment(account_number=accounts[account].number, paid_on=date(2026, 5, 1), amount=amount,
                       source="api", channel="test", operation_id=f"op{next(counter)}",
                       named_period=Period(2026, month) if month else None)
    elif kind in ("reverse", "move"):
        live = list(Payment.objects.filter(state=PaymentState.ALLOCATED).order_by("id"))
        if live:
            payment = live[op[1] % len(live)]
            if kind == "reverse":
                reverse_payment(payment=payment, on=date(2026, 5, 2))
            else:
                move_payment(payment=payment, to_account_number=accounts[op[2]].number)
    else:
        spend_advances(on=date(2026, 5, 3))


def exact_sum(rows) -> D:
    return sum(rows.values_list("amount", flat=True), D(0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_money_is_conserved_and_payments_add_up(world, operations):
    accounts, services, supplier = world
    counter = iter(range(10**6))
    with transaction.atomic():
        for op in operations:
            apply(op, accounts, services, supplier, counter)
        # summed here, exactly: SQLite's SUM of numerics is floating point (-2.2e-16 for 0.01 × 4 - 0.04)
        sums = {k: exact_sum(LedgerEntry.objects.filter(kind=k)) for k in ("charge", "recalc", "penalty")}
        paid = exact_sum(Payment.objects.exclude(state=PaymentState.REVERSED))
        sheet = totals(turnover(Period(2026, 1), Period(2026, 12)))
        assert sheet["closing"] == sums["charge"] + sums["recalc"] + sums["penalty"] - paid
        assert sheet["paid"] == paid
        for payment in Payment.objects.all():
            allocated = -exact_sum(payment.entries.all())
            assert allocated == (D(0) if payment.state == PaymentState.REVERSED else payment.amount)
        transaction.set_rollback(True)
