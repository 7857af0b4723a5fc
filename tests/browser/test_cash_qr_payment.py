"""Acceptance: a cashier takes "100,50" from a QR string, confirms, sees 100,50 posted on the receipt;
submitting the confirmation again takes no second payment."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from raschet.access.roles import CASHIER
from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.payments.models import Payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT = ("ST00012|Name=АО Водоканал|PersonalAcc=40702810938000000001|BankName=ПАО Сбербанк|BIC=044525225|"
           "CorrespAcc=30101810400000000225|PersAcc=1000000001|PaymPeriod=032026|Sum=10050|LastName=Иванов")


@pytest.fixture
def cashier_page(page, live_server, client, scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))
    user = get_user_model().objects.create_user("kassir", first_name="Ольга", last_name="Кассирова")
    user.groups.add(Group.objects.get(name=CASHIER))
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def test_cashier_takes_100_50_from_a_qr_string_confirms_and_a_resubmit_takes_nothing(cashier_page, screenshot):
    page = cashier_page
    page.goto("/cash/")
    page.fill("#id_qr", RECEIPT)
    page.click("button[value=fill]")
    assert page.input_value("#id_amount") == "100.50" and page.input_value("#id_period") == "2026-03"
    assert "383,52" in page.inner_text("#account-due")  # the debt by period, before money is taken
    page.fill("#id_amount", "100,50")  # as the cashier types it
    screenshot("filled")
    page.click("button[value=check]")
    assert "100,50 ₽" in page.inner_text("#confirm-amount")
    assert "2026-03" in page.inner_text("#confirm-period")
    assert not Payment.objects.exists()  # nothing taken before the confirmation
    screenshot("confirm")
    page.click("#confirm-pay")
    page.wait_for_selector("#receipt")
    assert "100,50 ₽" in page.inner_text("#receipt-amount")
    assert "Принято 100.50 ₽ по ЛС 1000000001" in page.inner_text(".messages")
    screenshot("receipt")
    payment = Payment.objects.get()
    assert payment.amount == Decimal("100.50") and payment.named_period == "2026-03" and payment.shift is not None
    page.go_back()  # the confirmation again, as a reload or a double click would send it
    page.click("#confirm-pay")
    page.wait_for_selector("#receipt")
    assert "уже принята" in page.inner_text(".messages")
    assert Payment.objects.count() == 1
    page.goto("/cash/shift/")
    assert "100,50" in page.inner_text("#shift-total")
    screenshot("shift")
