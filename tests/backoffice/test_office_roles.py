"""The role groups: each holds what its work needs, and the services refuse each what it may not do."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from raschet import access
from raschet.access import roles
from raschet.billing.services import calculate_period, post_period
from raschet.claims.permissions import MANAGE_DEBT_CASES
from raschet.claims.permissions import require as require_claims
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments.models import Payment, PaymentSource
from raschet.payments.services import record_payment, reverse_payment

pytestmark = pytest.mark.django_db


def refused(call) -> str:
    with pytest.raises(ProblemsError) as error:
        call()
    assert error.value.problems[0].code == "forbidden"
    return error.value.problems[0].message


def pay(actor, key="k-1"):
    return record_payment(account_number="1000000001", paid_on=timezone.localdate(), amount="100.50",
                          source=PaymentSource.CASH, operation_id=key, actor=actor)


def test_the_migration_made_every_role_group_with_its_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {roles.OPERATOR, roles.CASHIER, roles.ACCOUNTANT, roles.DEBT_OFFICER, roles.ADMINISTRATOR,
            roles.CONTROLLER} <= names
    cashier = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=roles.CASHIER).permissions.all()}
    assert "access.take_payment" in cashier and "access.post_period" not in cashier
    assert set(roles.ROLES[roles.CASHIER]) == cashier  # every listed permission exists


def test_ensure_roles_keeps_what_an_administrator_added():
    group = Group.objects.get(name=roles.CASHIER)
    extra = access.APP_LABEL
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="view_reports", content_type__app_label=extra))
    roles.ensure_roles()
    assert group.permissions.filter(codename="view_reports").exists()


def test_a_cashier_takes_money_but_cannot_post_a_period(charged, member):
    cashier = member(roles.CASHIER)
    assert pay(cashier).amount == pay(cashier).amount  # taken once, repeated
    assert "Проводить начисления периода" in refused(lambda: post_period(period=Period(2026, 4), actor=cashier))
    refused(lambda: calculate_period(period=Period(2026, 4), actor=cashier))


def test_an_operator_cannot_reverse_a_payment_nor_take_one(charged, member):
    operator = member(roles.OPERATOR)
    payment = pay(access.SYSTEM)
    assert "Сторнировать платежи" in refused(lambda: reverse_payment(payment=payment, actor=operator))
    refused(lambda: pay(operator, "k-2"))
    assert Payment.objects.count() == 1


def test_an_accountant_calculates_and_reverses_but_takes_no_cash_and_runs_no_debt_cases(charged, member):
    accountant = member(roles.ACCOUNTANT)
    calculate_period(period=Period(2026, 4), actor=accountant)
    reverse_payment(payment=pay(access.SYSTEM), actor=accountant)
    refused(lambda: pay(accountant, "k-3"))
    refused(lambda: require_claims(accountant, MANAGE_DEBT_CASES))


def test_a_debt_officer_runs_debt_cases_but_cannot_calculate(charged, member):
    officer = member(roles.DEBT_OFFICER)
    require_claims(officer, MANAGE_DEBT_CASES)
    refused(lambda: calculate_period(period=Period(2026, 4), actor=officer))


def test_a_controller_may_enter_readings_only(charged, member):
    controller = member(roles.CONTROLLER)
    assert controller.has_perm("metering.add_reading") and not controller.has_perm("housing.change_account")
    refused(lambda: pay(controller, "k-4"))


def test_an_administrator_may_do_everything(charged, member):
    admin = member(roles.ADMINISTRATOR)
    assert all(access.allowed(admin, p) for p in access.PERMISSIONS)
    calculate_period(period=Period(2026, 4), actor=admin)
    post_period(period=Period(2026, 4), actor=admin)
