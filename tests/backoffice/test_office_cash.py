"""The cash desk's services: what the cashier sees of an account, the shift and its totals by method."""

from decimal import Decimal

import pytest
from django.utils import timezone

from raschet.access.roles import CASHIER, OPERATOR
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments import cash
from raschet.payments.models import CashShift, PaymentSource
from raschet.payments.services import record_payment, reverse_payment

pytestmark = pytest.mark.django_db


def take(user, shift, amount, method, key):
    return record_payment(account_number="1000000001", paid_on=timezone.localdate(), amount=amount,
                          source=PaymentSource.CASH, operation_id=key, actor=user, shift=shift, method=method)


def test_account_due_shows_payer_address_and_debt_by_period(charged, member):
    due = cash.account_due(" 1000000001 ", actor=member(CASHIER))
    assert due.number == "1000000001" and due.payer and "кв." in due.address
    assert due.debts == [(Period(2026, 3), Decimal("383.52"))]
    assert due.due(Period(2026, 3)) == due.due(None) == Decimal("383.52")
    assert due.due(Period(2026, 2)) == Decimal("383.52")  # a period not owed: the whole debt is due


def test_an_unknown_account_is_refused_by_name(charged, member):
    with pytest.raises(ProblemsError) as refused:
        cash.account_due("404", actor=member(CASHIER))
    assert "«404»" in refused.value.problems[0].message


def test_one_open_shift_per_cashier_with_totals_by_method(charged, member, settings):
    cashier = member(CASHIER)
    shift = cash.open_shift(actor=cashier)
    assert cash.open_shift(actor=cashier) == shift  # opened once
    take(cashier, shift, "100,50", "cash", "k1")
    take(cashier, shift, "1 000,50", "card", "k2")
    reversed_one = take(cashier, shift, "10", "cash", "k3")
    reverse_payment(payment=reversed_one)  # the system reverses: not in the totals
    totals = cash.shift_totals(shift)
    assert totals.total == Decimal("1101.00") and totals.count == 2 and totals.reversed_count == 1
    assert [(name, n, str(s)) for name, n, s in totals.by_method] == [  # in kopecks, as shown
        ("банковская карта", 1, "1000.50"), ("наличные", 1, "100.50")]
    cash.close_shift(shift=shift, actor=cashier)
    with pytest.raises(ProblemsError, match="уже закрыта"):
        cash.close_shift(shift=shift, actor=cashier)
    assert cash.open_shift(actor=cashier) != shift and CashShift.objects.count() == 2


def test_another_cashiers_shift_is_not_closed_by_a_cashier(charged, member):
    mine, other = member(CASHIER, "first"), member(CASHIER, "second")
    shift = cash.open_shift(actor=mine)
    with pytest.raises(ProblemsError) as refused:
        cash.close_shift(shift=shift, actor=other)
    assert refused.value.problems[0].code == "forbidden"


def test_an_operator_may_not_open_a_shift_nor_see_what_is_due(charged, member):
    operator = member(OPERATOR)
    for call in (lambda: cash.open_shift(actor=operator), lambda: cash.account_due("1000000001", actor=operator)):
        with pytest.raises(ProblemsError) as refused:
            call()
        assert refused.value.problems[0].code == "forbidden"
