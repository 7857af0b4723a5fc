"""Every money action checks its permission in the service, whatever the entry point (issue 10, item 5):
each entry point refused without the permission, allowed with it."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command

from raschet import access
from raschet.billing.models import BillingPeriod, CalcRun, Job
from raschet.billing.services import calculate_period, close_period, post_period
from raschet.billing.simulation import WhatIf, simulate
from raschet.billing.tasks import enqueue_calculation
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment, PaymentState
from raschet.payments.services import assign_suspense, move_payment, record_payment, reverse_payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
MARCH = Period(2026, 3)


def staff(login, *permissions):
    user = get_user_model().objects.create_user(login, f"{login}@example.invalid", "pw-for-tests-7", is_staff=True)
    for codename in permissions:
        app, _, name = codename.rpartition(".")
        user.user_permissions.add(Permission.objects.get(codename=name, content_type__app_label=app or "access"))
    return get_user_model().objects.get(pk=user.pk)  # permissions are cached per instance


@pytest.fixture
def charged(scenario_path, monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "acquirer:test-key")
    data = read_scenario(scenario_path("cold_water_meter.json"))
    data["buildings"][0]["premises"][0]["accounts"].append(
        {**data["buildings"][0]["premises"][0]["accounts"][0], "number": "1000000002", "meters": []})
    load_scenario(data)
    calculate_period(period=MARCH)
    close_period(period=MARCH)


def paid(operation="op-1", number="1000000001"):
    return record_payment(account_number=number, paid_on=date(2026, 4, 20), amount=Decimal("100.00"),
                          source="cash", operation_id=operation)


def refused(call) -> str:
    with pytest.raises(ProblemsError) as error:
        call()
    [item] = error.value.problems
    assert item.code == "forbidden"
    return item.message


def test_the_permissions_exist_for_roles_to_be_built_of():
    codenames = set(Permission.objects.filter(content_type__app_label="access").values_list("codename", flat=True))
    assert codenames == set(access.PERMISSIONS)


def test_each_money_service_refuses_a_user_without_its_permission(charged):
    nobody = staff("nobody")
    payment = paid()
    suspense = Payment.objects.create(source="registry", channel="sber", agent="sber", operation_id="s1",
                                      identity="s1", paid_on=date(2026, 4, 2), amount=Decimal("5.00"),
                                      account_text="10000OOOO1", state=PaymentState.SUSPENSE)
    registry = parse_sber(b"25-04-2026;10-15-00;8626;1001;1000000001;;;0326;10,00;10,00;0,00\n"
                          b"=1;10.00;10.00;0.00;1;25-04-2026\n", "r.txt")
    change = WhatIf("tariffs", {"service": "cold_water", "supplier": "VK"}, {"value": Decimal("60")}, date(2026, 4, 1))
    calls = {
        "take_payment": lambda: record_payment(account_number="1000000001", paid_on=date(2026, 4, 20),
                                               amount="1.00", source="cash", operation_id="x", actor=nobody),
        "reverse_payment": lambda: reverse_payment(payment=payment, actor=nobody),
        "move_payment": lambda: move_payment(payment=payment, to_account_number="1000000002", actor=nobody),
        "assign_suspense": lambda: assign_suspense(payment=suspense, account_number="1000000001", actor=nobody),
        "import_registry": lambda: import_registry(registry, actor=nobody),
        "calculate_period": lambda: calculate_period(period=Period(2026, 4), actor=nobody),
        "simulate": lambda: calculate_period(period=Period(2026, 4), simulate=True, actor=nobody),
        "post_period": lambda: post_period(period=Period(2026, 4), actor=nobody),
        "close_period": lambda: close_period(period=Period(2026, 4), actor=nobody),
    }
    for codename, call in calls.items():
        assert f"access.{codename}" in refused(call), codename
    assert "access.simulate" in refused(lambda: simulate(change, Period(2026, 4), actor=nobody))
    assert "access.calculate_period" in refused(lambda: enqueue_calculation(Period(2026, 4), actor=nobody))
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.ALLOCATED
    assert Payment.objects.get(pk=suspense.pk).state == PaymentState.SUSPENSE
    assert not CalcRun.objects.filter(period="2026-04").exists() and not Job.objects.exists()


def test_a_user_with_the_permission_may(charged):
    accountant = staff("accountant", "access.calculate_period", "access.post_period", "access.close_period")
    cashier = staff("cashier", "access.take_payment", "access.reverse_payment")
    payment = record_payment(account_number="1000000001", paid_on=date(2026, 4, 20), amount="100.00",
                             source="cash", operation_id="c-1", actor=cashier)
    assert payment.events.get(action="recorded").user == cashier
    assert reverse_payment(payment=payment, actor=cashier).state == PaymentState.REVERSED
    calculate_period(period=Period(2026, 4), actor=accountant)
    close_period(period=Period(2026, 4), actor=accountant)
    assert BillingPeriod.objects.get(period="2026-04").state == "closed"
    # the accountant's permissions do not make them a cashier
    refused(lambda: record_payment(account_number="1000000001", paid_on=date(2026, 5, 2), amount="1.00",
                                   source="cash", operation_id="c-2", actor=accountant))


def test_admin_action_reverses_only_with_the_permission(client, charged):
    payment = paid()
    viewer = staff("viewer", "payments.view_payment")
    client.force_login(viewer)
    page = client.get("/admin/payments/payment/")
    assert page.status_code == 200 and "reverse_selected" not in page.content.decode()
    client.post("/admin/payments/payment/", {"action": "reverse_selected", "_selected_action": [payment.pk]})
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.ALLOCATED
    client.force_login(staff("senior", "payments.view_payment", "payments.change_payment", "access.reverse_payment"))
    client.post("/admin/payments/payment/", {"action": "reverse_selected", "_selected_action": [payment.pk]})
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.REVERSED


def test_cash_desk_and_session_api_need_the_permission_to_take_money(client, charged):
    client.force_login(staff("clerk"))
    assert client.get("/cash/").status_code == 403
    body = {"account": "1000000001", "date": "2026-04-20", "amount": "50.00", "operation_id": "s-1"}
    answer = client.post("/api/v1/payments", body, content_type="application/json")
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "forbidden"
    assert not Payment.objects.exists()
    client.force_login(staff("cashier", "access.take_payment"))
    assert client.get("/cash/").status_code == 200
    assert client.post("/api/v1/payments", body, content_type="application/json").status_code == 201
    key = client.post("/api/v1/payments", {**body, "operation_id": "k-1"}, content_type="application/json",
                      HTTP_X_API_KEY="test-key")
    assert key.status_code == 201 and Payment.objects.get(operation_id="k-1").agent == "api:client:acquirer"


def test_a_service_called_in_a_request_without_an_actor_acts_for_the_signed_in_user(charged):
    with access.acting_as(staff("clerk")), pytest.raises(ProblemsError):
        paid()  # no actor given: never the system's rights inside a request
    assert paid().pk  # outside a request: the system (CLI, scenarios, jobs)


def test_cli_money_commands_act_for_the_user_named(charged, capsys):
    staff("clerk")
    staff("accountant", "access.calculate_period")
    with pytest.raises(SystemExit) as stop:
        call_command("calc", "--period", "2026-04", "--user", "clerk")
    assert stop.value.code == 2 and "access.calculate_period" in capsys.readouterr().err
    assert not CalcRun.objects.filter(period="2026-04").exists()
    call_command("calc", "--period", "2026-04", "--user", "accountant")
    assert CalcRun.objects.filter(period="2026-04").exists()
    with pytest.raises(SystemExit):
        call_command("period", "post", "--period", "2026-04", "--user", "accountant")
    assert "access.post_period" in capsys.readouterr().err
    with pytest.raises(ProblemsError) as unknown:
        call_command("calc", "--period", "2026-04", "--user", "ghost")
    assert "пользователь не найден" in unknown.value.problems[0].message
